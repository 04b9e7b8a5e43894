"""Step 4, competition: competitors, their presence per topic, and the topic × competitor grid."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from competencies.models import AreaKey, BusinessModelBlock
from strategies.forms.competition import PresenceForm
from strategies.models import Competitor, CompetitorKind, CompetitorPresence
from strategies.wizard.progress import step_completeness
from strategies.wizard.steps.competition import load

from .factories import CompetitorFactory, PresenceFactory, ProjectFactory, TopicFactory, catalogue
from .wizard_rows import (
    HX,
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    delete_url,
    edit_url,
    field_html,
    hx_add,
    hx_get,
    hx_post,
    new_url,
    step_url,
)

pytestmark = pytest.mark.django_db

STEP = AreaKey.COMPETITION


def grid_of(body: str) -> str:
    return body[body.index('class="table table-sm') : body.index("</table>")]


def add_competitor(client, project, **data):
    data = {"name": "Rival AG", "kind": CompetitorKind.PERFORMANCE, "description": "", **data}
    return hx_add(client, project, "competitor", data)


def presence_data(competitor, topic, **overrides):
    data = {
        "competitor": competitor.pk,
        "topic": topic.pk,
        "strength": 4,
        "standard_set": "Answers within an hour",
        "expected_reaction": "Matches any discount",
    }
    return {**data, **overrides}


def add_presence(client, project, competitor, data):
    return hx_add(client, project, "presence", data, competitor.pk, competitor=competitor.pk)


def test_completeness_needs_competitors_and_presence_on_the_topics(project):
    assert step_completeness_of(project) == 0
    first, second = TopicFactory(project=project), TopicFactory(project=project)
    competitor = CompetitorFactory(project=project)
    assert step_completeness_of(project) == 50  # competitors named, no topic assessed
    PresenceFactory(competitor=competitor, topic=first)
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=first)
    assert step_completeness_of(project) == 75  # one of two topics
    PresenceFactory(competitor=competitor, topic=second)
    assert step_completeness_of(project) == 100


def step_completeness_of(project):
    return step_completeness(project)[STEP]


# Competitors


def test_consultant_adds_a_competitor(client_for, project, consultant):
    response = add_competitor(client_for(consultant), project, kind=CompetitorKind.ATTENTION, description="Cat videos")
    competitor = Competitor.objects.get(project=project)
    assert (competitor.name, competitor.kind, competitor.description) == ("Rival AG", "attention", "Cat videos")
    body = response.content.decode()
    assert f'id="competitor-{competitor.pk}"' in body and "row-saved" in body
    assert f'id="presence-rows-{competitor.pk}"' in body  # ready to take its presences
    assert response["HX-Retarget"] == "#competitor-rows-all"


def test_consultant_edits_a_competitor(client_for, project, consultant):
    competitor = CompetitorFactory(project=project, name="Old name")
    PresenceFactory(competitor=competitor, topic=TopicFactory(project=project, title="Kept topic"))
    c = client_for(consultant)
    assert 'value="Old name"' in hx_get(c, edit_url(project, "competitor", competitor.pk)).content.decode()
    data = {"name": "New name", "kind": CompetitorKind.ATTENTION, "description": "", "lock_version": 0}
    response = hx_post(c, edit_url(project, "competitor", competitor.pk), data)
    competitor.refresh_from_db()
    assert (competitor.name, competitor.kind) == ("New name", "attention")
    body = response.content.decode()
    assert "New name" in body and "Kept topic" in body  # the presences stay in the re-rendered card


def test_consultant_deletes_a_competitor_with_its_presences(client_for, project, consultant):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project))
    response = hx_post(client_for(consultant), delete_url(project, "competitor", presence.competitor_id), {})
    assert response.status_code == 200
    assert not Competitor.objects.exists() and not CompetitorPresence.objects.exists()


def test_competitors_are_not_orderable(client_for, project, consultant):
    competitor = CompetitorFactory(project=project)
    url = reverse("row_move", args=[project.pk, STEP, "competitor", competitor.pk])
    assert hx_post(client_for(consultant), url, {"direction": "up"}).status_code == 404


def test_competitor_name_in_use_is_refused_beside_the_name(client_for, project, consultant):
    CompetitorFactory(project=project, name="Rival AG")
    response = add_competitor(client_for(consultant), project, name="rival ag", description="Typed text")
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_html(body, "name") and 'value="rival ag"' in body and "Typed text" in body
    assert Competitor.objects.count() == 1


def test_missing_kind_is_refused_beside_the_field(client_for, project, consultant):
    response = add_competitor(client_for(consultant), project, kind="", name="Typed name")
    body = response.content.decode()
    assert "is-invalid" in field_html(body, "kind") and 'value="Typed name"' in body
    assert not Competitor.objects.exists()


# Presences


def test_consultant_adds_a_presence(client_for, project, consultant):
    competitor = CompetitorFactory(project=project)
    topic = TopicFactory(project=project, title="Spare parts")
    c = client_for(consultant)
    form = hx_get(c, new_url(project, "presence", group=competitor.pk, competitor=competitor.pk)).content.decode()
    assert re.search(rf'<option value="{competitor.pk}" selected>', form)
    response = add_presence(c, project, competitor, presence_data(competitor, topic))
    presence = CompetitorPresence.objects.get()
    assert (presence.competitor, presence.topic, presence.strength) == (competitor, topic, 4)
    body = response.content.decode()
    assert f'id="presence-{presence.pk}"' in body and "Spare parts" in body and "Matches any discount" in body
    assert response["HX-Retarget"] == f"#presence-rows-{competitor.pk}"


def test_consultant_edits_a_presence_and_moves_it_to_another_competitor(client_for, project, consultant):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project), strength=2)
    other = CompetitorFactory(project=project)
    data = presence_data(other, presence.topic, strength=5, lock_version=presence.lock_version)
    response = hx_post(client_for(consultant), edit_url(project, "presence", presence.pk), data)
    presence.refresh_from_db()
    assert (presence.competitor, presence.strength) == (other, 5)
    assert response["HX-Retarget"] == f"#presence-rows-{other.pk}"


def test_consultant_deletes_a_presence(client_for, project, consultant):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project))
    assert hx_post(client_for(consultant), delete_url(project, "presence", presence.pk), {}).status_code == 200
    assert not CompetitorPresence.objects.exists()
    assert Competitor.objects.exists()


def test_second_presence_of_a_competitor_on_a_topic_is_a_form_error(client_for, project, consultant):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project, name="Rival AG"))
    data = presence_data(presence.competitor, presence.topic, standard_set="Typed standard")
    response = add_presence(client_for(consultant), project, presence.competitor, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in field_html(body, "topic") and "Rival AG" in field_html(body, "topic")
    assert "Typed standard" in body
    assert CompetitorPresence.objects.count() == 1


def test_model_validation_alone_would_catch_the_duplicate_too(project):
    """Without the form's own message, ModelForm.validate_unique still refuses it (no IntegrityError)."""
    presence = PresenceFactory(competitor=CompetitorFactory(project=project))
    form = PresenceForm(data=presence_data(presence.competitor, presence.topic), project=project)
    form.clean = lambda: form.cleaned_data  # skip the friendlier check
    assert not form.is_valid() and form.non_field_errors()


def test_editing_a_presence_keeps_its_own_topic(client_for, project, consultant):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project))
    data = presence_data(presence.competitor, presence.topic, strength=1, lock_version=presence.lock_version)
    hx_post(client_for(consultant), edit_url(project, "presence", presence.pk), data)
    presence.refresh_from_db()
    assert presence.strength == 1


@pytest.mark.parametrize("field", ["competitor", "topic"])
def test_a_row_of_another_project_is_refused(client_for, project, consultant, field):
    competitor, topic = CompetitorFactory(project=project), TopicFactory(project=project)
    foreign = PresenceFactory(competitor=CompetitorFactory(project=ProjectFactory()))
    data = presence_data(competitor, topic)
    data[field] = getattr(foreign, f"{field}_id")
    response = add_presence(client_for(consultant), project, competitor, data)
    assert response.status_code == 200
    assert "is-invalid" in field_html(response.content.decode(), field)
    assert CompetitorPresence.objects.count() == 1  # only the foreign one


# The grid


def test_grid_shows_strength_per_topic_and_competitor_performance_first(client_for, project, consultant):
    block = catalogue(BusinessModelBlock)
    first = TopicFactory(project=project, block=block, title="Topic one", order=0)
    second = TopicFactory(project=project, block=block, title="Topic two", order=1)
    attention = CompetitorFactory(project=project, name="Aardvark Memes", kind=CompetitorKind.ATTENTION)
    performance = CompetitorFactory(project=project, name="Zeta Machines", kind=CompetitorKind.PERFORMANCE)
    PresenceFactory(competitor=attention, topic=first, strength=2)
    PresenceFactory(competitor=performance, topic=second, strength=5)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    grid = grid_of(body)
    assert grid.index("Zeta Machines") < grid.index("Aardvark Memes")  # performance first
    assert re.search(r'<th scope="col" class="[^"]*table-info">Aardvark Memes</th>', grid)
    assert re.search(r'<th scope="col" class="[^"]*">Zeta Machines</th>', grid).group(0).count("table-info") == 0
    assert escape(block.title) in grid
    rows = {m[0]: re.findall(r"<td[^>]*>(\d?)</td>", m[1]) for m in re.findall(r">(Topic \w+)</th>(.*?)</tr>", grid)}
    assert rows == {"Topic one": ["", "2"], "Topic two": ["5", ""]}
    assert grid.count('<td class="att">') == 2  # the attention column, on every topic
    assert escape(gettext("Attention competitor (competes for attention only)")) in body
    assert f'id="competitor-{performance.pk}"' in body and body.index(f'id="competitor-{performance.pk}"') < body.index(
        f'id="competitor-{attention.pk}"'
    )


def test_summary_counts_performance_and_attention_competitors(project):
    CompetitorFactory.create_batch(2, project=project)
    CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION)
    topics = TopicFactory.create_batch(3, project=project)
    PresenceFactory(competitor=Competitor.objects.filter(project=project).first(), topic=topics[0])
    data = load(project)
    assert (data["performance_count"], data["attention_count"]) == (2, 1)
    assert (data["topics_with_presence"], data["topic_count"]) == (1, 3)
    assert [c.kind for c in data["competitors"]] == ["performance", "performance", "attention"]


# Access


@pytest.mark.parametrize("member", ["manager", "viewer"])
def test_readers_see_competition_read_only(client_for, project, member, request):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project, name="Rival AG"))
    body = client_for(request.getfixturevalue(member)).get(step_url(project, STEP)).content.decode()
    assert "Rival AG" in body and f'id="presence-{presence.pk}"' in body and "competition-grid" in body
    assert 'hx-post="' not in body and "data-add" not in body


def test_only_consultants_change_competitors_and_presences(client_for, project, manager, viewer, outsider):
    presence = PresenceFactory(competitor=CompetitorFactory(project=project), strength=3)
    people = {"manager": manager, "viewer": viewer, "outsider": outsider}
    data = {"name": "Changed", "kind": CompetitorKind.ATTENTION, "description": ""}
    assert_only_consultants_change(client_for, project, "competitor", presence.competitor_id, data, **people)
    data = presence_data(presence.competitor, presence.topic, strength=1)
    assert_only_consultants_change(client_for, project, "presence", presence.pk, data, **people)
    presence.refresh_from_db()
    assert presence.strength == 3 and presence.competitor.name != "Changed"
    assert (Competitor.objects.count(), CompetitorPresence.objects.count()) == (1, 1)


def test_outsider_gets_404(client_for, project, outsider):
    assert client_for(outsider).get(step_url(project, STEP)).status_code == 404


def _grow(project, topics: int, competitors: int):
    rivals = [
        CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION if i % 2 else CompetitorKind.PERFORMANCE)
        for i in range(competitors)
    ]
    for _ in range(topics):
        topic = TopicFactory(project=project)
        for rival in rivals:
            PresenceFactory(competitor=rival, topic=topic, standard_set="High")


def test_query_count_is_small_and_does_not_grow(client_for, project, consultant, django_assert_max_num_queries):
    _grow(project, 2, 2)
    response = assert_step_queries_do_not_grow(
        client_for(consultant), step_url(project, STEP), lambda: _grow(project, 10, 4), django_assert_max_num_queries
    )
    page = response.content.decode()
    # One competitor card is open with its presences; the other five are one line each.
    assert page.count('id="presence-rows-') == 1 and page.count("data-closed-competitor") == 2 + 4 - 1
    opened = int(re.search(r'id="presence-rows-(\d+)"', page).group(1))
    assert page.count('class="wizard-row presence-row') == CompetitorPresence.objects.filter(competitor=opened).count()


def test_the_grid_opens_one_block_and_shows_the_others_with_their_topic_counts(client_for, project, consultant):
    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    shown = TopicFactory(project=project, block=first, title="Shown topic")
    hidden = TopicFactory(project=project, block=second, title="Hidden topic")
    competitor = CompetitorFactory(project=project, name="Zeta Machines")
    PresenceFactory(competitor=competitor, topic=hidden, strength=4)
    c = client_for(consultant)
    grid = grid_of(c.get(step_url(project, STEP)).content.decode())
    assert f'id="grid-topic-{shown.pk}"' in grid and f'id="grid-topic-{hidden.pk}"' not in grid
    closed = grid[grid.index(f'id="grid-block-{second.pk}"') :]
    assert f'href="?open={second.pk}#grid-block-{second.pk}"' in closed and "1 Thema" in closed
    opened = grid_of(c.get(step_url(project, STEP) + f"?open={second.pk}").content.decode())
    assert f'id="grid-topic-{hidden.pk}"' in opened and f'id="grid-topic-{shown.pk}"' not in opened


def test_one_competitor_shows_its_presences_the_others_a_line_that_opens_them(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Trade fairs")
    alpha = CompetitorFactory(project=project, name="Alpha Drives", kind=CompetitorKind.PERFORMANCE)
    beta = CompetitorFactory(project=project, name="Beta Gears", kind=CompetitorKind.PERFORMANCE)
    shown = PresenceFactory(competitor=alpha, topic=topic)
    hidden = PresenceFactory(competitor=beta, topic=topic)
    c = client_for(consultant)
    body = c.get(step_url(project, STEP)).content.decode()
    assert f'id="presence-{shown.pk}"' in body and f'id="presence-add-{alpha.pk}"' in body
    assert f'id="presence-{hidden.pk}"' not in body and f'id="presence-add-{beta.pk}"' not in body
    card = body[body.index(f'id="competitor-{beta.pk}"') :]
    card = card[: card.index("</article>")]
    assert "data-closed-competitor" in card and "1 Thema bewertet" in card
    assert f'competitor={beta.pk}#competitor-{beta.pk}"' in card
    # Both presences still count in the grid, whichever card is open.
    assert body.count(f"<td>{shown.strength}</td>") + body.count(f"<td>{hidden.strength}</td>") >= 2
    opened = c.get(step_url(project, STEP) + f"?competitor={beta.pk}").content.decode()
    assert f'id="presence-{hidden.pk}"' in opened and f'id="presence-{shown.pk}"' not in opened
    # Saved without script, a presence comes back in its open card.
    data = presence_data(beta, topic, strength=2, lock_version=hidden.lock_version)
    response = c.post(edit_url(project, "presence", hidden.pk), data)
    assert response["Location"].endswith(f"?competitor={beta.pk}#presence-{hidden.pk}")
    # So does a competitor.
    data = {"name": "Beta", "kind": CompetitorKind.PERFORMANCE, "description": "", "lock_version": beta.lock_version}
    response = c.post(edit_url(project, "competitor", beta.pk), data)
    assert response["Location"].endswith(f"?competitor={beta.pk}#competitor-{beta.pk}")
    assert f'id="presence-{hidden.pk}"' in c.get(response["Location"]).content.decode()
    # A competitor edited in place comes back with its presences and their add form.
    detail = c.get(reverse("row_detail", args=[project.pk, STEP, "competitor", beta.pk]), HTTP_HX_REQUEST="true")
    assert f'id="presence-{hidden.pk}"' in detail.content.decode()


def test_the_summary_and_grid_sent_after_a_save_are_the_ones_the_page_shows(client_for, project, consultant):
    # After a save the step sends its summary and grid out of band, built from bare strengths
    # rather than the page's presences: they must read exactly as the page does, on its open block.
    first, second = BusinessModelBlock.objects.order_by("order", "id")[:2]
    topic, other = TopicFactory(project=project, block=first), TopicFactory(project=project, block=second)
    TopicFactory(project=project, block=first)  # not assessed
    performance = CompetitorFactory(project=project, name="Alpha")
    attention = CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION, name="Beta")
    presence = PresenceFactory(competitor=performance, topic=topic, strength=2)
    PresenceFactory(competitor=attention, topic=other, strength=5)
    PresenceFactory(competitor=attention, topic=topic, strength=1)
    c = client_for(consultant)
    page_url = f"{step_url(project, STEP)}?open={first.pk}"
    data = {**presence_data(performance, topic, strength=4), "lock_version": presence.lock_version}
    sent = c.post(
        edit_url(project, "presence", presence.pk), data, HTTP_HX_CURRENT_URL=f"http://testserver{page_url}", **HX
    ).content.decode()
    page = c.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    summary = re.compile(r'<p class="small mb-3" id="competition-summary".*?</p>', re.S)
    assert summary.search(sent).group().replace(' hx-swap-oob="true"', "") == summary.search(page).group()
    assert "2 of 3 topics assessed" in summary.search(sent).group()

    def markup(html: str) -> str:  # the page is sent with its whitespace between tags collapsed
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()

    assert markup(grid_of(sent)) == markup(grid_of(page))
    assert f'id="grid-topic-{topic.pk}"><th scope="row" class="fw-normal">{topic.title}</th><td>4</td>' in grid_of(sent)
