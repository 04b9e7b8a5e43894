"""Step 7, method: the strategy versions, starting a draft, and the read-only version page."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from competencies.models import AreaKey
from strategies.exceptions import DomainError
from strategies.models import ActionOption, StrategyVersion, Topic, VersionOption, VersionStatus
from strategies.services.approval import strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.progress import step_completeness

from .factories import OptionFactory, ProjectFactory, TopicFactory, VersionFactory
from .query_budget import DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES
from .wizard_rows import HX, assert_step_queries_do_not_grow, hx_get, hx_post, step_url, surface

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.METHOD


def start_url(project):
    return reverse("version_start", args=[project.pk])


def detail_url(version):
    return reverse("version_detail", args=[version.project_id, version.pk])


def frozen(project, status=VersionStatus.APPROVED, **kwargs):
    return VersionFactory(project=project, status=status, snapshot={"schema": 1, "options": []}, **kwargs)


# --- completeness --------------------------------------------------------------------------------


def test_completeness_is_a_version_and_a_rationale(project):
    assert step_completeness(project)[STEP] == 0
    version = VersionFactory(project=project, rationale="")
    assert step_completeness(project)[STEP] == 50
    StrategyVersion.objects.filter(pk=version.pk).update(rationale="Focus on recruiting first.")
    assert step_completeness(project)[STEP] == 100


def test_completeness_ignores_versions_of_other_projects(project):
    VersionFactory(project=ProjectFactory(), rationale="Elsewhere")
    assert step_completeness(project)[STEP] == 0


# --- the list ------------------------------------------------------------------------------------


def test_the_step_lists_versions_with_status_basis_and_selected_options(client_for, project, consultant):
    first = frozen(project, number=1, name="Focus", rationale="Few topics, done well.")
    second = VersionFactory(project=project, number=2, name="Broad", based_on=first)
    options = [OptionFactory(topic=TopicFactory(project=project)) for _ in range(3)]
    VersionOption.objects.create(version=second, option=options[0], included=True)
    VersionOption.objects.create(version=second, option=options[1], included=True)
    VersionOption.objects.create(version=second, option=options[2], included=False)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    assert body.index("V2 Broad") < body.index("V1 Focus")  # newest first
    row = body[body.index(f'id="version-{second.pk}"') :]
    assert f'href="{detail_url(second)}"' in row[:400]
    assert "based on V1" in row and "2 options selected" in row and "Draft" in row
    assert "No rationale yet." in row
    assert "Approved" in body and "Few topics, done well." in body
    assert "0 options selected" in body


def test_an_empty_list_says_so(client_for, project, viewer):
    body = surface(client_for(viewer).get(step_url(project, STEP)).content.decode())
    assert "No strategy version yet." in body


def test_the_step_surface_holds_no_csrf_token_and_no_form(client_for, project, consultant):
    VersionFactory(project=project)
    body = surface(client_for(consultant).get(step_url(project, STEP)).content.decode())
    assert "csrfmiddlewaretoken" not in body and "<form" not in body
    assert f'hx-get="{start_url(project)}"' in body and f'href="{start_url(project)}"' in body


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_the_list_without_the_start_button(client_for, project, member, request):
    VersionFactory(project=project, name="Visible")
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    assert "Visible" in body
    assert start_url(project) not in body and 'hx-post="' not in body and "data-add" not in body


def test_outsider_gets_404_on_the_step(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


# --- starting a version ------------------------------------------------------------------------


def test_the_form_comes_as_a_partial_with_its_own_token(client_for, project, consultant):
    c = client_for(consultant)
    response = hx_get(c, start_url(project))
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "csrfmiddlewaretoken" in body and f'hx-post="{start_url(project)}"' in body
    assert 'name="name"' in body and 'name="rationale"' in body
    closed = hx_get(c, start_url(project) + "?closed=1").content.decode()
    assert "<form" not in closed and "Start a strategy version" in closed


def test_without_script_the_form_is_a_page(client_for, project, consultant):
    c = client_for(consultant)
    body = c.get(start_url(project)).content.decode()
    assert "<html" in body and "csrfmiddlewaretoken" in body and 'hx-post="' not in body
    assert c.get(start_url(project) + "?closed=1")["Location"] == step_url(project, STEP)


def test_consultant_starts_a_draft_through_htmx(client_for, project, consultant):
    frozen(project, number=3)
    c = client_for(consultant)
    response = hx_post(c, start_url(project), {"name": "  Focus on recruiting ", "rationale": "Skilled staff first."})
    version = StrategyVersion.objects.get(name="Focus on recruiting")
    assert (version.number, version.status, version.rationale) == (4, VersionStatus.DRAFT, "Skilled staff first.")
    assert version.created_by == consultant and version.based_on is None and version.snapshot is None
    # The step's surface comes back in place, with the new version marked, and the progress out of band.
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#step-surface", "innerHTML")
    body = response.content.decode()
    assert f'id="version-{version.pk}"' in body and "row-saved" in body and "V4 Focus on recruiting" in body
    assert 'id="progress" hx-swap-oob="true"' in body and 'id="step-list" hx-swap-oob="true"' in body
    assert "csrfmiddlewaretoken" not in body  # the start button is back, not a form
    assert step_completeness(project)[STEP] == 100


def test_consultant_starts_a_draft_without_script(client_for, project, consultant):
    response = client_for(consultant).post(start_url(project), {"name": "Broad start", "rationale": ""})
    version = StrategyVersion.objects.get()
    assert version.number == 1 and version.rationale == ""
    assert response.status_code == 302 and response["Location"] == f"{step_url(project, STEP)}#version-{version.pk}"
    assert step_completeness(project)[STEP] == 50


@pytest.mark.parametrize("htmx", [True, False])
def test_a_name_already_used_is_refused_beside_the_field_with_the_input_kept(client_for, project, consultant, htmx):
    VersionFactory(project=project, name="Focus")
    extra = HX if htmx else {}
    response = client_for(consultant).post(
        start_url(project), {"name": "focus", "rationale": "My careful reasoning"}, **extra
    )
    body = response.content.decode()
    assert response.status_code == 200
    name_field = body[body.index('name="name"') - 300 : body.index('name="rationale"')]
    assert "is-invalid" in name_field and escape("already has a version with this name") in name_field
    assert 'value="focus"' in body and "My careful reasoning" in body
    assert StrategyVersion.objects.count() == 1
    assert ("<html" in body) is not htmx


def test_a_missing_name_is_refused(client_for, project, consultant):
    body = hx_post(client_for(consultant), start_url(project), {"name": " ", "rationale": "Kept"}).content.decode()
    assert "is-invalid" in body and "Kept" in body
    assert not StrategyVersion.objects.exists()


@pytest.mark.parametrize(("member", "status"), [("manager", 403), ("viewer", 403), ("outsider", 404)])
def test_only_consultants_start_versions(client_for, project, member, status, request):
    c = client_for(request.getfixturevalue(member))
    assert c.get(start_url(project), **HX).status_code == status
    assert c.post(start_url(project), {"name": "Sneaky", "rationale": ""}, **HX).status_code == status
    assert not StrategyVersion.objects.exists()


def test_the_service_numbers_versions_and_guards_names_and_roles(project, consultant, manager):
    first = strategy_version_create(project=project, user=consultant, name="A", rationale=" why ")
    second = strategy_version_create(project=project, user=consultant, name="B")
    assert (first.number, first.rationale, second.number) == (1, "why", 2)
    with pytest.raises(DomainError):
        strategy_version_create(project=project, user=consultant, name="a")
    with pytest.raises(DomainError):
        strategy_version_create(project=project, user=manager, name="C")
    with pytest.raises(DomainError):
        strategy_version_create(project=project, user=consultant, name="   ")
    assert StrategyVersion.objects.filter(project=project).count() == 2


# --- the version page ------------------------------------------------------------------------------


def test_a_draft_shows_its_texts_and_current_choices(client_for, project, viewer):
    topic = TopicFactory(project=project, title="Recruiting")
    chosen = OptionFactory(topic=topic, title="Apprentice videos")
    dropped = OptionFactory(topic=topic, title="Podcast")
    version = VersionFactory(
        project=project, name="Focus", rationale="Why this", assumptions="Budget stays", prerequisites="A trainee"
    )
    VersionOption.objects.create(version=version, option=chosen, included=True, rationale="Cheap and visible")
    VersionOption.objects.create(version=version, option=dropped, included=False, rationale="Too much effort")
    body = client_for(viewer).get(detail_url(version)).content.decode()
    assert "Focus" in body and "Draft" in body
    assert "Why this" in body and "Budget stays" in body and "A trainee" in body
    included = body[body.index("Action options in this version") : body.index("Left out")]
    assert "Apprentice videos" in included and "Cheap and visible" in included and "Recruiting" in included
    assert "Podcast" in body[body.index("Left out") :] and "Too much effort" in body
    assert step_url(project, STEP) in body


def test_a_frozen_version_shows_its_snapshot(client_for, project, consultant, manager):
    topic = TopicFactory(project=project, title="Recruiting")
    option = OptionFactory(topic=topic, title="Apprentice videos")
    version = strategy_version_create(project=project, user=consultant, name="Focus", rationale="Why this")
    version_option_choose(version=version, user=consultant, option=option, included=True, reason="Cheap and visible")
    strategy_version_submit(version=version, user=consultant, notify=False)
    # The working material moves on after the submission; the version keeps what it was submitted with.
    ActionOption.objects.filter(pk=option.pk).update(title="Renamed since")
    Topic.objects.filter(pk=topic.pk).update(title="Another topic")
    body = client_for(manager).get(detail_url(version)).content.decode()
    included = body[body.index("Action options in this version") : body.index("What this selection means")]
    assert "Apprentice videos" in included and "Recruiting" in included and "Cheap and visible" in included
    assert "Renamed since" not in body and "Another topic" not in body
    assert "fixed record" in body and "Submitted" in body


def test_the_version_page_is_closed_to_outsiders_and_other_projects(client_for, project, consultant, outsider):
    version = VersionFactory(project=project)
    assert client_for(outsider).get(detail_url(version)).status_code == 404
    foreign = VersionFactory(project=ProjectFactory())
    url = reverse("version_detail", args=[project.pk, foreign.pk])
    assert client_for(consultant).get(url).status_code == 404


def test_the_version_page_runs_few_queries(client_for, project, consultant, django_assert_max_num_queries):
    version = VersionFactory(project=project)
    for _ in range(15):
        VersionOption.objects.create(version=version, option=OptionFactory(topic=TopicFactory(project=project)))
    c = client_for(consultant)
    c.get(detail_url(version))
    with django_assert_max_num_queries(20 + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES):  # a draft: its live content
        response = c.get(detail_url(version))
    assert response.content.decode().count('class="list-group-item option-row') == 15


# --- queries -----------------------------------------------------------------------------------------


def _grow(project, versions: int):
    options = [OptionFactory(topic=TopicFactory(project=project)) for _ in range(3)]
    for _ in range(versions):
        version = VersionFactory(project=project, based_on=StrategyVersion.objects.filter(project=project).first())
        for option in options:
            VersionOption.objects.create(version=version, option=option)


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 1)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 8), django_assert_max_num_queries
    )
    assert response.content.decode().count("3 options selected") == 9
