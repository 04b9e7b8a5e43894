"""build_snapshot reads less (issue 13: the draft page and the comparison build it per request)
without changing what a snapshot holds: a frozen snapshot is the approved record.

The builder reads plain rows; tests/test_snapshot_fixture.py holds its output byte for byte to
what the model-instance builder wrote."""

import pytest
from django.utils import translation

from strategies.demo import seed_demo_data
from strategies.models import ActionOption, StrategyVersion, VersionStatus
from strategies.snapshots import build_snapshot

from .query_budget import DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES


@pytest.fixture
def draft(db):
    project = seed_demo_data(size="small").projects[0].project
    return StrategyVersion.objects.get(project=project, status=VersionStatus.DRAFT)


def _content(version) -> dict:
    content = build_snapshot(version)
    content.pop("taken_at")  # the moment of building, the one key that differs between two builds
    return content


@pytest.mark.parametrize("language", ["de", "en"])
def test_lent_topics_give_every_option_its_own_topic_and_block(draft, language):
    with translation.override(language):
        content = _content(draft)
        # The old path: each option joined to its topic and block.
        options = ActionOption.objects.select_related("topic__block").in_bulk([o["id"] for o in content["options"]])
        assert content["options"]
        for entry in content["options"]:
            option = options[entry["id"]]
            assert (entry["topic_id"], entry["topic"], entry["block"]) == (
                option.topic_id,
                option.topic.title,
                option.topic.block.title,
            )


def test_no_trimmed_column_is_read_row_by_row(draft, django_assert_num_queries):
    # A deferred column read per row would add a query per option, requirement or topic.
    draft = StrategyVersion.objects.select_related("project__client", "based_on").get(pk=draft.pk)
    # 11 for the rest, and the SWOT and content plan of schema 6 (tests/query_budget.py).
    with django_assert_num_queries(11 + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES):
        build_snapshot(draft)


@pytest.mark.parametrize("language", ["de", "en"])
def test_selection_takes_block_titles_from_the_live_content_in_one_query(draft, django_assert_num_queries, language):
    from strategies.views.versions import _selection

    with translation.override(language):
        content = build_snapshot(draft)
        with django_assert_num_queries(1):
            selection = _selection(draft.project, draft, content, {}, None)
        # Without the content's topics (not a live draft) each block is read itself: same titles.
        fallback = _selection(draft.project, draft, {**content, "all_topics": []}, {}, None)
        expected = list(
            dict.fromkeys(
                option.topic.block.title
                for option in ActionOption.objects.filter(topic__project=draft.project)
                .select_related("topic__block")
                .order_by("topic__block__order", "topic__block_id", "topic__order", "topic_id", "order", "id")
            )
        )
    assert [block["title"] for block in selection] == expected
    assert [block["title"] for block in fallback] == expected
