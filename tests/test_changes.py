"""The project's change history page: who changed which working material when."""

import pytest
from django.urls import reverse

from strategies.changes import recent_changes

from .factories import CompetitorFactory, PresenceFactory, ProjectFactory, RequirementFactory, TopicFactory
from .wizard_rows import edit_url, hx_post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def changes_url(project):
    return reverse("project_changes", args=[project.pk])


def test_a_saved_row_appears_with_who_changed_it(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Service portal")
    data = {
        "title": "Service portal 2.0",
        "block": topic.block_id,
        "priority": 4,
        "social_media_affinity": 4,
        "lock_version": topic.lock_version,
    }
    hx_post(client_for(consultant), edit_url(project, "topic", topic.pk), data)
    newest = recent_changes(project)[0]
    assert (newest["title"], newest["type"], newest["who"]) == ("Service portal 2.0", "~", consultant)
    body = client_for(consultant).get(changes_url(project)).content.decode()
    assert "Service portal 2.0" in body and "changed" in body


def test_deleted_rows_are_listed_as_deleted_newest_first(project):
    first = TopicFactory(project=project, title="Older")
    second = TopicFactory(project=project, title="Removed later")
    second.delete()
    changes = recent_changes(project)
    assert [(c["title"], c["type"]) for c in changes[:3]] == [
        ("Removed later", "-"),
        ("Removed later", "+"),
        (first.title, "+"),
    ]


def test_other_projects_changes_stay_out(project):
    TopicFactory(project=ProjectFactory(), title="Elsewhere")
    assert all(change["title"] != "Elsewhere" for change in recent_changes(project))


@pytest.mark.parametrize("member", ["consultant", "manager", "viewer"])
def test_every_member_reads_the_history_and_outsiders_get_404(client_for, project, member, outsider, request):
    TopicFactory(project=project, title="Visible change")
    assert "Visible change" in client_for(request.getfixturevalue(member)).get(changes_url(project)).content.decode()
    assert client_for(outsider).get(changes_url(project)).status_code == 404


def test_the_page_needs_the_same_few_queries_for_many_changes(
    client_for, project, consultant, django_assert_max_num_queries
):
    c = client_for(consultant)
    counts = []
    for extra in (1, 25):
        for _ in range(extra):
            requirement = RequirementFactory(option__topic__project=project)
            PresenceFactory(competitor=CompetitorFactory(project=project), topic=requirement.option.topic)
        with django_assert_max_num_queries(20) as captured:
            c.get(changes_url(project))
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
