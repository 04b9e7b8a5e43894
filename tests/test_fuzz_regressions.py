"""Bugs the input fuzz (tests/test_fuzz_*.py) found, each pinned by a focused test."""

import pytest
from django.utils.html import escape

from competencies.models import BenefitType
from strategies.models import ActionOption

from .factories import BenefitFactory, OptionFactory, TopicFactory, catalogue
from .wizard_rows import edit_url, hx_post

pytestmark = pytest.mark.django_db


def _benefit_moved_to(client, project, kind_name, benefit, topic):
    data = {
        "title": benefit.title,
        "benefit_type": catalogue(BenefitType).pk,
        "priority": 3,
        "topic": topic.pk,
        "lock_version": benefit.lock_version,
    }
    return hx_post(client, edit_url(project, kind_name, benefit.pk), data)


@pytest.mark.parametrize("kind_name", ["benefit_name", "benefit"])
def test_a_benefit_an_option_realises_cannot_move_to_another_topic(client_for, project, consultant, kind_name):
    """Moving it would leave the option realising a benefit of another topic (ActionOption.clean forbids)."""
    home, elsewhere = TopicFactory(project=project), TopicFactory(project=project)
    benefit = BenefitFactory(topic=home)
    option = OptionFactory(topic=home, benefit=benefit, title="Webinar series")
    response = _benefit_moved_to(client_for(consultant), project, kind_name, benefit, elsewhere)
    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in body
    assert escape("Webinar series") in body  # the message names the option that holds the benefit
    benefit.refresh_from_db()
    assert benefit.topic == home
    ActionOption.objects.get(pk=option.pk).full_clean()


def test_a_benefit_no_option_of_its_topic_realises_moves_freely(client_for, project, consultant):
    home, elsewhere = TopicFactory(project=project), TopicFactory(project=project)
    benefit = BenefitFactory(topic=home)
    OptionFactory(topic=elsewhere, benefit=None)
    response = _benefit_moved_to(client_for(consultant), project, "benefit_name", benefit, elsewhere)
    assert response.status_code == 200 and "invalid-feedback" not in response.content.decode()
    benefit.refresh_from_db()
    assert benefit.topic == elsewhere


@pytest.mark.usefixtures("english_pages")
def test_a_refused_checklist_note_without_script_names_the_real_problem(client_for, project, consultant):
    """A NUL byte in the note used to be reported as "too long"."""
    from django.urls import reverse

    from competencies.models import GuidingQuestion
    from strategies.models import ChecklistAnswer

    question = GuidingQuestion.objects.active().select_related("area").first()
    url = reverse("checklist_answer_save", args=[project.pk, question.area.key, question.pk])
    response = client_for(consultant).post(url, {"notes": "ok\x00"}, follow=True)
    body = response.content.decode()
    assert "Null characters are not allowed." in body
    assert "too long" not in body
    assert not ChecklistAnswer.objects.exists()
    response = client_for(consultant).post(url, {"notes": "x" * 4001}, follow=True)
    assert "at most 4000 characters" in response.content.decode()


@pytest.mark.usefixtures("english_pages")
def test_a_post_without_any_field_is_refused_beside_the_required_fields(client_for, project, consultant):
    """`request.POST or None` left the form unbound for an empty POST: shown again without a word."""
    from django.urls import reverse

    from strategies.models import StrategyProject, StrategyVersion

    from .factories import VersionFactory
    from .wizard_rows import HX

    client = client_for(consultant)
    version = VersionFactory(project=project)
    pages = [
        (reverse("project_create"), {}, ["client_name", "title"]),
        (reverse("member_list", args=[project.pk]), {}, ["identifier", "role"]),
        (reverse("version_start", args=[project.pk]), HX, ["name"]),
        (reverse("version_start", args=[project.pk]), {}, ["name"]),
        (reverse("version_successor", args=[project.pk, version.pk]), {}, ["name"]),
    ]
    for url, headers, required in pages:
        response = client.post(url, {}, **headers)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert body.count("This field is required.") >= len(required), url
        for name in required:
            assert f'name="{name}"' in body
    assert StrategyProject.objects.count() == 1
    assert StrategyVersion.objects.count() == 1


def test_a_lock_version_of_digits_python_cannot_read_as_a_number_is_a_conflict(client_for, project, consultant):
    """ "²" is a digit to str.isdigit() but no number to int(): the edit crashed with a 500."""
    topic = TopicFactory(project=project)
    data = {"title": "Renamed", "block": topic.block_id, "priority": 3, "social_media_affinity": 3}
    for sent in ("²", "①", "٣"):
        response = hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), {**data, "lock_version": sent})
        assert response.status_code == 200
        assert 'class="alert alert-warning"' in response.content.decode()  # not saved over: said so
    topic.refresh_from_db()
    assert topic.title != "Renamed"


@pytest.mark.parametrize("query", ["?new=²", "?old=①", "?new=1&old=²"])
def test_a_compared_version_id_of_unicode_digits_is_not_found(client_for, project, consultant, query):
    from django.urls import reverse

    url = reverse("version_compare", args=[project.pk]) + query
    assert client_for(consultant).get(url).status_code == 404


@pytest.mark.parametrize("field", ["group", "slot"])
def test_a_slot_or_group_with_a_trailing_newline_is_refused(client_for, project, consultant, field):
    """The DOM-id pattern ended in "$", which also matches before a final newline."""
    from .wizard_rows import new_url

    response = hx_post(client_for(consultant), new_url(project, "topic"), {field: "all\n", "title": "T"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "key", ["business_model", "action_options", "business_benefit", "resources", "implementation", "competition"]
)
@pytest.mark.parametrize("asked", ["²", "٣", "9" * 40, "x"])
def test_an_open_block_that_is_no_ascii_number_opens_the_first_block(client_for, project, consultant, key, asked):
    """isdigit() accepts "²" and "٣", which int() cannot read (or reads as 3): the page must not 500."""
    from django.urls import reverse

    TopicFactory(project=project)
    response = client_for(consultant).get(reverse("wizard_step", args=[project.pk, key]), {"open": asked})
    assert response.status_code == 200


def test_the_version_page_reads_only_ascii_block_numbers(client_for, project, consultant):
    from django.urls import reverse

    from strategies.services.versions import strategy_version_create

    OptionFactory(topic=TopicFactory(project=project))
    version = strategy_version_create(project=project, user=consultant, name="Start")
    url = reverse("version_detail", args=[project.pk, version.pk])
    assert client_for(consultant).get(url, {"open": "²"}).status_code == 200
