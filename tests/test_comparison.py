"""Comparing two strategy versions: options, topics, benefits, resource deltas and KPI changes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competencies.models import ResourceType
from strategies.comparison import compare_contents, compare_versions, last_approved_before
from strategies.models import Decision, StrategyVersion, VersionStatus
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import KpiFactory, OptionFactory, RequirementFactory, ResourceFactory, TopicFactory
from .query_budget import DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES

pytestmark = pytest.mark.django_db


def ids(items):
    return [item["id"] for item in items]


def by_type(result):
    return {row["resource_type_id"]: row for row in result["resources"]}


def approved(version, consultant, manager):
    version = strategy_version_submit(version=version, user=consultant, notify=False)
    return strategy_version_decide(version=version, user=manager, decision=Decision.APPROVE, comment="Go.")


@pytest.fixture
def known(project, consultant, manager):
    """V1 (approved) holds A (10 budget) and B (5 hours); the draft V2 drops B and adds C (8 budget).

    15 budget is on hand, no staff time. A's KPI target moves from 40 to 60 after V1 was submitted.
    """
    budget = ResourceType.objects.get(key="budget")
    hours = ResourceType.objects.get(key="staff_time")
    ResourceFactory(project=project, resource_type=budget, amount=15)
    a = OptionFactory(topic=TopicFactory(project=project, title="Spare parts"), title="A")
    b = OptionFactory(topic=TopicFactory(project=project, title="Trade fairs"), title="B")
    c = OptionFactory(topic=TopicFactory(project=project, title="Service"), title="C")
    RequirementFactory(option=a, resource_type=budget, amount=10, lead_time_weeks=4)
    RequirementFactory(option=b, resource_type=hours, amount=5, lead_time_weeks=2)
    RequirementFactory(option=c, resource_type=budget, amount=8, lead_time_weeks=6)
    kpi = KpiFactory(benefit=a.benefit, metric="Leads per quarter", target=40, due_date=datetime.date(2027, 6, 30))

    v1 = strategy_version_create(project=project, user=consultant, name="V1")
    version_option_choose(version=v1, user=consultant, option=a, included=True, reason="core")
    version_option_choose(version=v1, user=consultant, option=b, included=True, reason="cheap")
    version_option_choose(version=v1, user=consultant, option=c, included=False, reason="later")
    v1 = approved(v1, consultant, manager)

    kpi.target = 60
    kpi.save()
    v2 = strategy_version_create(project=project, user=consultant, name="V2", based_on=v1)
    version_option_choose(version=v2, user=consultant, option=b, included=False, reason="no hours")
    version_option_choose(version=v2, user=consultant, option=c, included=True, reason="now")
    return {"v1": v1, "v2": v2, "a": a, "b": b, "c": c, "kpi": kpi, "budget": budget, "hours": hours}


def test_comparison_lists_added_and_removed_options_topics_and_benefits(known):
    result = compare_versions(known["v1"], known["v2"])
    a, b, c = known["a"], known["b"], known["c"]
    assert ids(result["options_added"]) == [c.pk]
    assert ids(result["options_removed"]) == [b.pk]
    added, removed = result["options_added"][0], result["options_removed"][0]
    assert (added["title"], added["topic"], added["reason"]) == ("C", "Service", "now")
    assert (removed["title"], removed["topic"], removed["reason"]) == ("B", "Trade fairs", "cheap")
    assert result["options_reason_changed"] == []
    assert ids(result["topics_added"]) == [c.topic_id] and ids(result["topics_removed"]) == [b.topic_id]
    assert ids(result["benefits_added"]) == [c.benefit_id] and ids(result["benefits_removed"]) == [b.benefit_id]
    assert result["benefits_added"][0]["topic"] == "Service"
    assert not result["unchanged"]
    # A stays in both: it is neither added nor removed.
    assert a.pk not in ids(result["options_added"]) + ids(result["options_removed"])


def test_comparison_gives_the_resource_need_delta_per_type(known):
    rows = by_type(compare_versions(known["v1"], known["v2"]))
    budget, hours = rows[known["budget"].pk], rows[known["hours"].pk]
    assert (budget["needed_old"], budget["needed_new"], budget["delta"]) == (Decimal(10), Decimal(18), Decimal(8))
    assert (budget["gap_old"], budget["gap_new"]) == (Decimal(0), Decimal(3))
    assert (budget["has_gap_old"], budget["has_gap_new"]) == (False, True)
    assert (budget["title"], budget["unit"]) == ("Budget", "EUR")
    assert (hours["needed_old"], hours["needed_new"], hours["delta"]) == (Decimal(5), Decimal(0), Decimal(-5))
    assert (hours["gap_old"], hours["gap_new"]) == (Decimal(5), Decimal(0))
    assert budget["changed"] and hours["changed"]
    # In catalogue order: budget before staff time.
    assert list(rows) == [known["budget"].pk, known["hours"].pk]


def test_comparison_gives_the_earliest_start_of_each_version(known):
    result = compare_versions(known["v1"], known["v2"])
    # V1 lacks the hours (2 weeks to get); V2 lacks budget (longest budget lead time: C's 6 weeks).
    assert (result["earliest_start_old"], result["earliest_start_new"]) == (2, 6)


def test_kpi_change_after_submission_shows_between_the_snapshot_and_the_draft(known):
    result = compare_versions(known["v1"], known["v2"])
    (changed,) = result["kpis_changed"]
    assert changed["benefit_id"] == known["a"].benefit_id and changed["label"] == "Leads per quarter"
    assert changed["changes"] == [{"field": "target", "old": Decimal(40), "new": Decimal(60)}]
    assert result["kpis_added"] == [] and result["kpis_removed"] == []


def test_kpis_of_newly_covered_benefits_are_added(known):
    KpiFactory(benefit=known["c"].benefit, metric="Service tickets", target=100)
    KpiFactory(benefit=known["b"].benefit, metric="Fair contacts", target=5)  # B is out of both now
    result = compare_versions(known["v1"], known["v2"])
    assert [(k["label"], k["target"]) for k in result["kpis_added"]] == [("Service tickets", Decimal(100))]
    assert result["kpis_removed"] == []  # V1's snapshot had no KPI on B's benefit then


def test_a_changed_reason_of_an_option_in_both_is_reported(known, consultant):
    version_option_choose(
        version=known["v2"], user=consultant, option=known["a"], included=True, reason="core, and cheaper now"
    )
    (changed,) = compare_versions(known["v1"], known["v2"])["options_reason_changed"]
    assert (changed["id"], changed["reason_old"], changed["reason_new"]) == (
        known["a"].pk,
        "core",
        "core, and cheaper now",
    )


def test_an_option_in_both_whose_priority_changed_is_reported(known):
    a = known["a"]
    a.priority = 5  # after V1 was frozen with A unset: the draft V2 reads it live
    a.save()
    result = compare_versions(known["v1"], known["v2"])
    (changed,) = result["options_priority_changed"]
    assert (changed["id"], changed["title"], changed["priority_old"], changed["priority_new"]) == (a.pk, "A", None, 5)
    assert result["options_added"][0]["priority"] is None  # C, unset


def test_option_priorities_are_not_compared_with_a_version_frozen_before_they_were_recorded(known):
    known["a"].priority = 5
    known["a"].save()
    v1 = known["v1"]
    older = {
        **v1.snapshot,
        "schema": 4,
        "options": [{k: v for k, v in o.items() if k != "priority"} for o in v1.snapshot["options"]],
    }
    result = compare_versions(
        StrategyVersion(project=v1.project, status=VersionStatus.APPROVED, snapshot=older), known["v2"]
    )
    assert result["options_priority_changed"] == []


def test_the_compare_page_shows_an_options_changed_priority(known, client_for, manager, english_pages):
    known["a"].priority = 4
    known["a"].save()
    v1, v2 = known["v1"], known["v2"]
    html = (
        client_for(manager)
        .get(reverse("version_compare", args=[v1.project_id]) + f"?old={v1.pk}&new={v2.pk}")
        .content.decode()
    )
    table = html[html.index('class="table table-sm priority-changes"') :]
    table = table[: table.index("</table>")]
    assert "A" in table and "not set" in table and "4/5" in table


def test_a_frozen_version_is_compared_by_its_snapshot(known):
    v1, v2, a = known["v1"], known["v2"], known["a"]
    requirement = a.requirements.get()
    requirement.amount = 100
    requirement.save()
    a.title = "A renamed"
    a.save()
    known["kpi"].target = 75
    known["kpi"].save()

    v1 = StrategyVersion.objects.get(pk=v1.pk)
    result = compare_versions(v1, v2)
    budget = by_type(result)[known["budget"].pk]
    assert budget["needed_old"] == Decimal(10)  # as approved, not today's 100
    assert budget["needed_new"] == Decimal(108)  # the draft reads the material live
    assert result["kpis_changed"][0]["changes"] == [{"field": "target", "old": Decimal(40), "new": Decimal(75)}]
    assert result["options_removed"][0]["title"] == "B"
    # The frozen version against itself: nothing differs, whatever the material did.
    assert compare_versions(v1, v1)["unchanged"]


def test_a_version_compared_with_itself_is_unchanged(known):
    result = compare_versions(known["v2"], known["v2"])
    assert result["unchanged"]
    assert all(row["delta"] == 0 and not row["changed"] for row in result["resources"])


def test_comparison_runs_a_constant_number_of_queries(project, known, consultant):
    def queries():
        old, new = (StrategyVersion.objects.get(pk=known[key].pk) for key in ("v1", "v2"))
        with CaptureQueriesContext(connection) as captured:
            compare_versions(old, new)
        return len(captured)

    small = queries()
    hours = known["hours"]
    for n in range(6):
        option = OptionFactory(topic=TopicFactory(project=project))
        RequirementFactory(option=option, resource_type=hours, amount=n + 1)
        KpiFactory(benefit=option.benefit)
        version_option_choose(version=known["v2"], user=consultant, option=option, included=True, reason=f"more {n}")
    assert queries() == small
    assert small <= 15 + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES  # v2 is a draft: its live content


# --- last approved version ------------------------------------------------------------------------


def test_the_default_base_is_the_approved_version(known, consultant, manager):
    v1, v2 = known["v1"], known["v2"]
    assert last_approved_before(v2) == v1
    assert last_approved_before(v1) is None  # it is the approved one itself
    v2 = approved(v2, consultant, manager)
    v3 = strategy_version_create(project=v2.project, user=consultant, name="V3", based_on=v2)
    assert last_approved_before(v3) == v2  # V1 is superseded now
    assert StrategyVersion.objects.get(pk=v1.pk).status == VersionStatus.SUPERSEDED


def test_no_default_base_without_an_approved_version(project, consultant):
    draft = strategy_version_create(project=project, user=consultant, name="First")
    assert last_approved_before(draft) is None


# --- pure: content dicts ----------------------------------------------------------------------------


def kpi(benefit_id, metric="", description="", **fields):
    return {
        "benefit_id": benefit_id,
        "metric": metric,
        "description": description,
        "baseline": fields.get("baseline"),
        "target": fields.get("target"),
        "unit": fields.get("unit", ""),
        "owner": fields.get("owner", ""),
        "due_date": fields.get("due_date"),
        "smart_missing": [],
    }


def balance(*rows, earliest=0):
    return {
        "rows": [
            {
                "resource_type_id": pk,
                "title": title,
                "unit": "",
                "qualitative": False,
                "available": "0",
                "needed": needed,
                "gap": needed,
                "lead_time_weeks": 1,
            }
            for pk, title, needed in rows
        ],
        "earliest_start_weeks": earliest,
    }


def test_kpis_are_matched_by_benefit_and_metric_or_description():
    old = {
        "kpis": [
            kpi(1, metric="Leads", target="40", owner="Sales", due_date="2027-01-31"),
            kpi(1, description="Fewer complaints", baseline="12"),
            kpi(2, metric="Visits"),
        ]
    }
    new = {
        "kpis": [
            kpi(1, metric="Leads", target="40.00", owner="Marketing", due_date="2027-03-31"),
            kpi(1, description="Fewer complaints", baseline="10", unit="per month"),
            kpi(2, metric="Page visits"),
        ]
    }
    result = compare_contents(old, new)
    leads, complaints = result["kpis_changed"]
    # 40 and 40.00 are the same target.
    assert leads["changes"] == [
        {"field": "owner", "old": "Sales", "new": "Marketing"},
        {"field": "due_date", "old": datetime.date(2027, 1, 31), "new": datetime.date(2027, 3, 31)},
    ]
    assert complaints["label"] == "Fewer complaints"
    assert complaints["changes"] == [
        {"field": "baseline", "old": Decimal(12), "new": Decimal(10)},
        {"field": "unit", "old": "", "new": "per month"},
    ]
    # A renamed metric is a different KPI.
    assert [k["label"] for k in result["kpis_added"]] == ["Page visits"]
    assert [k["label"] for k in result["kpis_removed"]] == ["Visits"]


def test_resource_types_of_either_side_appear_in_catalogue_order():
    old = {"resource_balance": balance((1, "Budget", "10"), (5, "Agency", "2"), earliest=1)}
    new = {"resource_balance": balance((1, "Budget", "10"), (3, "Licences", "4"), (5, "Agency", "2"), earliest=1)}
    result = compare_contents(old, new)
    assert [row["title"] for row in result["resources"]] == ["Budget", "Licences", "Agency"]
    licences = by_type(result)[3]
    assert (licences["needed_old"], licences["needed_new"], licences["delta"]) == (Decimal(0), Decimal(4), Decimal(4))
    assert not by_type(result)[1]["changed"]
    assert not result["unchanged"]
    assert compare_contents(new, new)["unchanged"]


def test_empty_contents_compare_as_unchanged():
    result = compare_contents({}, {})
    assert result["unchanged"] and result["resources"] == []
    assert (result["earliest_start_old"], result["earliest_start_new"]) == (0, 0)


def test_the_earliest_start_is_read_as_the_coverage_panel_reads_it():
    # Without a stored start the comparison applies the one rule to the rows, as the version page
    # does; it used to say "right away" beside a coverage panel that said one week.
    stored = {"resource_balance": balance((1, "Budget", "10"), earliest=1)}
    unstated = {"resource_balance": {"rows": balance((1, "Budget", "10"))["rows"]}}
    result = compare_contents(stored, unstated)
    assert (result["earliest_start_old"], result["earliest_start_new"]) == (1, 1)
    assert result["unchanged"]


def _many_added(project, consultant, manager, count):
    """V1 (approved) holds one option; the draft V2 adds `count` more."""
    first = OptionFactory(topic=TopicFactory(project=project, title="Spare parts"), title="Option 00")
    v1 = strategy_version_create(project=project, user=consultant, name="V1")
    version_option_choose(version=v1, user=consultant, option=first, included=True, reason="core")
    v1 = approved(v1, consultant, manager)
    v2 = strategy_version_create(project=project, user=consultant, name="V2", based_on=v1)
    topic = TopicFactory(project=project, title="Service")
    for n in range(1, count + 1):
        option = OptionFactory(topic=topic, title=f"Option {n:02d}")
        version_option_choose(version=v2, user=consultant, option=option, included=True, reason="now")
    return v1, v2


def added_items(html: str) -> list[str]:
    box = html[html.index('class="border border-success-subtle rounded p-2 h-100 diff-added"') :]
    box = box[: box.index("</ul>")]
    return [item.split(" <span")[0] for item in box.split("<li>")[1:]]


def test_a_long_list_of_changes_shows_its_first_items_and_a_link_to_every_change(
    project, consultant, manager, client_for, english_pages
):
    from strategies.views.versions import DIFF_ITEMS_SHOWN

    v1, v2 = _many_added(project, consultant, manager, DIFF_ITEMS_SHOWN + 4)
    url = reverse("version_compare", args=[project.pk]) + f"?old={v1.pk}&new={v2.pk}"
    client = client_for(manager)

    short = client.get(url).content.decode()
    whole = client.get(url + "&all_changes=1").content.decode()

    assert added_items(short) == [f"Option {n:02d}" for n in range(1, DIFF_ITEMS_SHOWN + 1)]
    assert "and 4 more: show every change" in short
    assert f'href="?old={v1.pk}&amp;new={v2.pk}&amp;all_changes=1#version-diff"' in short
    assert added_items(whole) == [f"Option {n:02d}" for n in range(1, DIFF_ITEMS_SHOWN + 5)]
    assert "show every change" not in whole


def test_the_approval_screen_shows_the_long_list_of_changes_the_same_way(
    project, consultant, manager, client_for, english_pages
):
    from strategies.views.versions import DIFF_ITEMS_SHOWN

    _v1, v2 = _many_added(project, consultant, manager, DIFF_ITEMS_SHOWN + 1)
    strategy_version_submit(version=v2, user=consultant, notify=False)
    url = reverse("version_detail", args=[project.pk, v2.pk])

    short = client_for(manager).get(url).content.decode()
    whole = client_for(manager).get(url, {"all_changes": "1"}).content.decode()

    assert len(added_items(short)) == DIFF_ITEMS_SHOWN and "and 1 more: show every change" in short
    assert 'href="?all_changes=1#version-diff"' in short
    assert len(added_items(whole)) == DIFF_ITEMS_SHOWN + 1 and "show every change" not in whole


def test_the_default_base_is_picked_without_reading_its_snapshot(known):
    """An xl project's snapshot is megabytes of JSON: the comparison only picks the base (then reads
    both sides at once), the approval screen reads the base's own snapshot and never its predecessor's."""
    with CaptureQueriesContext(connection) as captured:
        base = last_approved_before(known["v2"], with_content=False)
    assert base == known["v1"]
    assert [query["sql"].count('"snapshot"') for query in captured.captured_queries] == [0]
    with CaptureQueriesContext(connection) as captured:
        base = last_approved_before(known["v2"])
    assert base == known["v1"] and base.snapshot
    assert [query["sql"].count('"snapshot"') for query in captured.captured_queries] == [1]  # its own only
