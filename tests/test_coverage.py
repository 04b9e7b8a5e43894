"""What a version's selection covers, and the resource gap warning, read from its content only."""

from decimal import Decimal

import pytest

from competencies.models import ResourceType
from strategies.coverage import version_coverage
from strategies.services.approval import strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.snapshots import version_content

from .factories import OptionFactory, RequirementFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.usefixtures("english_pages")


# --- pure: content dicts ------------------------------------------------------------------------


def topic(pk, title, block, priority):
    return {"id": pk, "title": title, "block": block, "priority": priority}


def option(pk, topic_, benefit_id, included=True, reason=""):
    return {
        "id": pk,
        "title": f"Option {pk}",
        "included": included,
        "reason": reason,
        "topic_id": topic_["id"],
        "topic": topic_["title"],
        "block": topic_["block"],
        "benefit_id": benefit_id,
        "benefit": f"Benefit {benefit_id}" if benefit_id else None,
        "requirements": [],
    }


def row(pk, title, available, needed, lead_time_weeks, qualitative=False):
    gap = max(Decimal(needed) - Decimal(available), Decimal(0))
    return {
        "resource_type_id": pk,
        "title": title,
        "unit": "level" if qualitative else "EUR",
        "qualitative": qualitative,
        "available": str(available),
        "needed": str(needed),
        "gap": f"{gap.normalize():f}",
        "lead_time_weeks": lead_time_weeks,
    }


SEGMENTS, VALUE = "Customer segments", "Value propositions"
T1 = topic(1, "Spare parts", SEGMENTS, 5)
T2 = topic(2, "Trade fairs", SEGMENTS, 2)
T3 = topic(3, "Service", VALUE, 5)
T4 = topic(4, "Training", VALUE, 3)


def content(rows=(), earliest=0):
    return {
        "options": [
            option(11, T1, 101, reason="core"),
            option(12, T1, 101),  # a second option realising the same benefit
            option(13, T3, 103),
            option(14, T4, 104, included=False, reason="too early"),
        ],
        "topics": [T1, T3],
        "all_topics": [T1, T2, T3, T4],
        "benefits": [
            {"id": 101, "title": "Fewer calls", "topic_id": 1, "benefit_type": "Cost", "priority": 4},
            {"id": 103, "title": "Loyalty", "topic_id": 3, "benefit_type": "Revenue", "priority": 5},
        ],
        "resource_balance": {"rows": list(rows), "earliest_start_weeks": earliest},
    }


def test_blocks_follow_the_canvas_order_with_options_and_realised_benefits_per_topic():
    coverage = version_coverage(content())
    assert [block["title"] for block in coverage["blocks"]] == [SEGMENTS, VALUE]
    segments, value = coverage["blocks"]
    assert [t["title"] for t in segments["topics"]] == ["Spare parts", "Trade fairs"]
    spare_parts, fairs = segments["topics"]
    assert spare_parts["covered"] and not fairs["covered"]
    assert [o["id"] for o in spare_parts["options"]] == [11, 12]
    assert spare_parts["options"][0]["reason"] == "core"
    # Two options realising one benefit: the benefit counts once.
    assert [(b["id"], b["title"], b["benefit_type"]) for b in spare_parts["benefits"]] == [(101, "Fewer calls", "Cost")]
    assert fairs["options"] == [] and fairs["benefits"] == []
    # An option that is out covers nothing.
    service, training = value["topics"]
    assert service["covered"] and not training["covered"]
    assert (segments["topic_count"], segments["covered_count"]) == (2, 1)
    assert (coverage["topics_covered"], coverage["topics_total"]) == (2, 4)


def test_counts_benefits_and_options_in_and_out():
    coverage = version_coverage(content())
    assert coverage["benefits_covered"] == 2
    assert (coverage["options_in"], coverage["options_out"]) == (3, 1)


def test_topics_without_option_come_highest_priority_first():
    coverage = version_coverage(content())
    assert coverage["topics_without_option"] == [
        {"id": 4, "title": "Training", "block": VALUE, "priority": 3},
        {"id": 2, "title": "Trade fairs", "block": SEGMENTS, "priority": 2},
    ]


def test_a_gap_gives_a_warning_with_the_missing_resources_and_the_longest_lead_time():
    rows = [
        row(1, "Budget", 100, 150, 8),
        row(2, "Staff time", 10, 5, 40),  # enough on hand: its long lead time does not count
        row(8, "Community management", 2, 4, 26, qualitative=True),
    ]
    coverage = version_coverage(content(rows, earliest=26))
    budget, staff, community = coverage["resource_rows"]
    assert (budget["available"], budget["needed"], budget["gap"]) == (Decimal(100), Decimal(150), Decimal(50))
    assert budget["has_gap"] and community["has_gap"] and not staff["has_gap"]
    assert staff["gap"] == Decimal(0) and isinstance(staff["gap"], Decimal)
    assert coverage["gap_titles"] == ["Budget", "Community management"]
    assert coverage["earliest_start_weeks"] == 26
    warning = coverage["warning"]
    assert warning["titles"] == ["Budget", "Community management"]
    assert warning["weeks"] == 26
    assert "Budget, Community management" in warning["message"]
    assert "earliest realistic start is in 26 weeks" in warning["message"]


def test_no_warning_when_everything_needed_is_available():
    coverage = version_coverage(content([row(1, "Budget", 200, 150, 8), row(2, "Staff time", 5, 5, 3)]))
    assert coverage["warning"] is None
    assert coverage["gap_titles"] == [] and coverage["earliest_start_weeks"] == 0
    assert not any(r["has_gap"] for r in coverage["resource_rows"])


def test_a_gap_without_lead_time_still_warns():
    coverage = version_coverage(content([row(1, "Budget", 0, 10, None)], earliest=0))
    assert coverage["warning"]["titles"] == ["Budget"] and coverage["warning"]["weeks"] == 0
    assert "no lead time" in coverage["warning"]["message"].lower()


def test_earliest_start_is_computed_from_the_rows_when_the_content_lacks_it():
    data = content([row(1, "Budget", 0, 10, 3), row(2, "Staff time", 0, 1, 7)])
    del data["resource_balance"]["earliest_start_weeks"]
    assert version_coverage(data)["earliest_start_weeks"] == 7


def test_an_empty_version_covers_nothing():
    coverage = version_coverage({"options": [], "topics": [], "all_topics": [T1], "benefits": []})
    assert coverage["topics_without_option"] == [T1]
    assert coverage["resource_rows"] == [] and coverage["warning"] is None
    assert (coverage["benefits_covered"], coverage["options_in"], coverage["options_out"]) == (0, 0, 0)


# --- from real versions: draft (live) and frozen (snapshot) read alike ---------------------------


@pytest.fixture
def drafted(project, consultant):
    budget = ResourceType.objects.get(key="budget")
    staff = ResourceType.objects.get(key="staff_time")
    ResourceFactory(project=project, resource_type=budget, amount=5)
    ResourceFactory(project=project, resource_type=staff, amount=10)
    chosen = OptionFactory(topic=TopicFactory(project=project, priority=3))
    RequirementFactory(option=chosen, resource_type=budget, amount=10, lead_time_weeks=6)
    RequirementFactory(option=chosen, resource_type=staff, amount=5, lead_time_weeks=12)
    left_out = OptionFactory(topic=TopicFactory(project=project, priority=5))
    version = strategy_version_create(project=project, user=consultant, name="Pilot")
    version_option_choose(version=version, user=consultant, option=chosen, included=True, reason="quick win")
    version_option_choose(version=version, user=consultant, option=left_out, included=False, reason="later")
    return {"version": version, "chosen": chosen, "left_out": left_out, "budget": budget}


def test_a_draft_shows_its_live_gap_and_the_earliest_start(drafted):
    coverage = version_coverage(version_content(drafted["version"]))
    assert coverage["gap_titles"] == ["Budget"]  # staff time is covered, so its 12 weeks do not count
    assert coverage["earliest_start_weeks"] == 6
    assert coverage["warning"]["weeks"] == 6 and "Budget" in coverage["warning"]["message"]
    assert [t["title"] for t in coverage["topics_without_option"]] == [drafted["left_out"].topic.title]
    assert (coverage["options_in"], coverage["options_out"], coverage["benefits_covered"]) == (1, 1, 1)


def test_a_submitted_version_keeps_its_coverage_when_the_material_changes(project, consultant, drafted):
    version = strategy_version_submit(version=drafted["version"], user=consultant, notify=False)
    before = version_coverage(version_content(version))
    # The company finds the money and a new topic appears: the frozen version does not move.
    ResourceFactory(project=project, resource_type=drafted["budget"], amount=100)
    TopicFactory(project=project, title="New topic")
    assert version_coverage(version_content(version)) == before
    assert before["warning"] is not None
    # A draft of the same selection reads the material as it is now: the gap is closed.
    successor = strategy_version_create(project=project, user=consultant, name="Successor", based_on=version)
    now = version_coverage(version_content(successor))
    assert now["warning"] is None and now["earliest_start_weeks"] == 0
    assert "New topic" in [t["title"] for t in now["topics_without_option"]]
