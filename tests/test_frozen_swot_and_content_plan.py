"""Snapshot schema 6: a submitted version keeps the SWOT and the content plan it was submitted with.

The version page, the report, the comparison and the export read them from the version's content;
a version frozen before schema 6 says they were not recorded, and never shows today's material.
"""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from strategies.comparison import compare_versions
from strategies.exceptions import DomainError
from strategies.models import ContentPillar, ContentPlanLine, StrategyVersion, SwotNote, Topic, VersionStatus
from strategies.models.versions import Decision
from strategies.portability import document_json, project_export, project_import
from strategies.reporting.render import report_context, report_html
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.swot import swot_note_add
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.snapshots import SCHEMA, build_snapshot, version_content

from .factories import OptionFactory, PlatformFactory, TopicFactory, VersionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def detail_url(version):
    return reverse("version_detail", args=[version.project_id, version.pk])


def _plan(project, title="Fair diaries", *, platform="LinkedIn", frequency=4, hours="2.5"):
    pillar = ContentPillar.objects.create(project=project, title=title, topic=TopicFactory(project=project))
    ContentPlanLine.objects.create(
        pillar=pillar, platform=platform, frequency_per_month=frequency, hours_per_post=Decimal(hours)
    )
    return pillar


@pytest.fixture
def frozen(project, consultant, version):
    """The draft submitted with a SWOT (a topic nobody works on, a platform risk, a note) and a plan."""
    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    PlatformFactory(project=project, name="TikTok", risks="Shitstorm", mitigation="")
    swot_note_add(project=project, user=consultant, quadrant="threat", text="Rival opens nearby")
    _plan(project)
    strategy_version_submit(version=version, user=consultant, notify=False)
    return StrategyVersion.objects.select_related("project").get(pk=version.pk)


def _change_the_material(project):
    """After the freeze: the SWOT and the plan move on."""
    Topic.objects.filter(title="Jobs").update(title="Careers")
    SwotNote.objects.update(text="Rival closed again")
    ContentPillar.objects.filter(title="Fair diaries").update(title="Renamed pillar")
    _plan(project, "Later pillar", frequency=30, hours="1")


def _frozen_copy(version, snapshot):
    """Another frozen version of the project with `snapshot` (a frozen record is never changed)."""
    number = version.project.versions.order_by("-number").first().number + 1
    return VersionFactory(project=version.project, number=number, status=VersionStatus.SUPERSEDED, snapshot=snapshot)


def _old_schema(version):
    """The version as if frozen under schema 5: no SWOT, no content plan in its snapshot."""
    snapshot = dict(version.snapshot)
    snapshot.pop("swot")
    snapshot.pop("content_plan")
    snapshot["schema"] = 5
    return _frozen_copy(version, snapshot)


def test_a_submitted_version_freezes_its_swot_and_content_plan(frozen):
    snapshot = frozen.snapshot
    assert snapshot["schema"] == SCHEMA == 6
    kinds = {item["kind"] for item in snapshot["swot"]["items"]}
    assert {"affinity_topic_without_option", "platform_risk"} <= kinds
    assert snapshot["swot"]["notes"] == [{"quadrant": "threat", "text": "Rival opens nearby"}]
    [pillar] = snapshot["content_plan"]["pillars"]
    assert pillar["title"] == "Fair diaries"
    assert pillar["lines"][0] | {"usage_shares": None} == {
        "platform": "LinkedIn",
        "format": "",
        "frequency_per_month": 4,
        "owner": "",
        "hours_per_post": "2.5",
        "usage_shares": None,
    }
    figures = snapshot["content_plan"]["figures"]
    assert (figures["posts_per_month"], figures["hours_needed"], figures["has_staff_time"]) == (4, "10", False)
    assert json.loads(json.dumps(snapshot)) == snapshot  # plain JSON


def test_the_version_page_shows_the_frozen_swot_and_plan_after_the_material_changed(
    frozen, project, consultant, client_for
):
    _change_the_material(project)
    body = client_for(consultant).get(detail_url(frozen)).content.decode()
    assert "“Jobs” suits social media well" in body and "Careers" not in body
    assert "Rival opens nearby" in body and "Rival closed again" not in body
    assert "Fair diaries" in body and "Renamed pillar" not in body and "Later pillar" not in body
    assert "4 posts a month, 10 hours of work a month." in body
    assert "As of now" not in body
    # A frozen item's source may have changed since: its sentence without a "Go there" link.
    assert reverse("wizard_step", args=[project.pk, "business_model"]) + "#topic-" not in body


def test_the_report_context_keeps_the_frozen_swot_and_plan(frozen, project):
    _change_the_material(project)
    context = report_context(frozen)
    messages = [entry["message"] for quadrant in context["swot_quadrants"] for entry in quadrant["items"]]
    assert any("“Jobs”" in message for message in messages)
    assert not any("Careers" in message for message in messages)
    notes = [note.text for quadrant in context["swot_quadrants"] for note in quadrant["notes"]]
    assert notes == ["Rival opens nearby"]
    assert [p["title"] for p in context["content_plan"]["pillars"]] == ["Fair diaries"]


def test_an_older_schema_says_swot_and_plan_were_not_recorded(frozen, project, consultant, client_for):
    old = _old_schema(frozen)
    content = version_content(old)
    assert content["swot"] is None and content["content_plan"] is None
    body = client_for(consultant).get(detail_url(old)).content.decode()
    assert "The SWOT was not recorded in this version." in body
    assert "The content plan was not recorded in this version." in body
    assert "Rival opens nearby" not in body  # today's notes are not shown in its place
    html = report_html(old, "en")
    assert "The SWOT was not recorded when this version was submitted." in html
    assert "The content plan was not recorded when this version was submitted." in html


def test_an_older_schema_with_a_stray_swot_key_still_reads_it_as_not_recorded(frozen):
    snapshot = {**frozen.snapshot, "schema": 5, "swot": "junk", "content_plan": {"pillars": 3}}
    content = version_content(_frozen_copy(frozen, snapshot))
    assert content["swot"] is None and content["content_plan"] is None


def test_an_unreadable_version_has_neither(project):
    version = VersionFactory(project=project, status=VersionStatus.SUBMITTED, snapshot={"schema": 1})
    content = version_content(version)
    assert content["unreadable"] and content["swot"] is None and content["content_plan"] is None


def test_the_comparison_shows_plan_and_swot_differences(frozen, project, consultant, manager, client_for):
    strategy_version_decide(version=frozen, user=manager, decision=Decision.APPROVE, comment="Yes")
    v1 = StrategyVersion.objects.get(pk=frozen.pk)
    _change_the_material(project)
    v2 = strategy_version_create(project=project, user=consultant, name="Next")
    version_option_choose(version=v2, user=consultant, option=OptionFactory(topic__project=project), included=True)
    diff = compare_versions(v1, v2)
    plan = diff["content_plan"]
    assert [p["title"] for p in plan["pillars_removed"]] == ["Fair diaries"]
    assert [p["title"] for p in plan["pillars_added"]] == ["Renamed pillar", "Later pillar"]
    assert (plan["posts_old"], plan["posts_new"]) == (4, 34)
    assert (plan["hours_needed_old"], plan["hours_needed_new"]) == (Decimal("10"), Decimal("40"))
    assert diff["swot_recorded"] and not diff["unchanged"]
    assert [i["title"] for i in diff["swot_removed"] if i["kind"] == "affinity_topic_without_option"] == ["Jobs"]
    assert "Careers" in [i["title"] for i in diff["swot_added"]]
    page = (
        client_for(consultant)
        .get(reverse("version_compare", args=[project.pk]), {"old": v1.pk, "new": v2.pk})
        .content.decode()
    )
    assert "4 posts a month, 10 hours of work a month" in page and "34 posts a month, 40 hours" in page
    assert "“Careers” suits social media well" in page and "Later pillar" in page


def test_the_comparison_with_an_older_schema_says_it_cannot_compare_them(frozen, project, consultant):
    old = _old_schema(frozen)
    diff = compare_versions(old, frozen)
    assert diff["content_plan"] is None and not diff["swot_recorded"]
    assert diff["swot_added"] == diff["swot_removed"] == []


def test_export_and_import_keep_the_frozen_swot_and_plan(frozen, project, consultant):
    document = json.loads(document_json(project_export(project=project)))
    [exported] = [v for v in document["versions"] if v["status"] == VersionStatus.SUBMITTED]
    jobs = next(i for i in exported["snapshot"]["swot"]["items"] if i["title"] == "Jobs")
    assert jobs["source_id"] > 0  # the document's own id of the topic, not this installation's
    imported = project_import(document=document, user=consultant)
    copy = imported.versions.get(number=frozen.number)
    content = version_content(copy)
    original = version_content(frozen)
    assert content["content_plan"] == original["content_plan"]
    assert content["swot"]["notes"] == original["swot"]["notes"]
    copied_jobs = next(i for i in content["swot"]["items"] if i["title"] == "Jobs")
    assert copied_jobs["source_id"] == Topic.objects.get(project=imported, title="Jobs").pk
    strip = [{k: v for k, v in i.items() if k != "source_id"} for i in content["swot"]["items"]]
    assert strip == [{k: v for k, v in i.items() if k != "source_id"} for i in original["swot"]["items"]]


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("swot", "items", 0, "kind"), "weather", "swot.items[0].kind"),
        (("swot", "items", 0, "source_type"), "planet", "swot.items[0].source_type"),
        (("swot", "items", 0, "gap"), "lots", "swot.items[0].gap"),
        (("swot", "notes", 0, "quadrant"), "sideways", "swot.notes[0].quadrant"),
        (("swot",), None, "snapshot.swot"),
        (("content_plan", "pillars", 0, "lines", 0, "frequency_per_month"), 0, "frequency_per_month"),
        (("content_plan", "pillars", 0, "lines", 0, "hours_per_post"), "-1", "hours_per_post"),
        (("content_plan", "figures", "hours_needed"), 12, "figures.hours_needed"),
        (("content_plan", "figures", "usage_mix"), {"a": 1}, "figures.usage_mix"),
    ],
)
def test_a_malformed_swot_or_content_plan_in_an_imported_snapshot_is_refused(
    frozen, project, consultant, where, value, path
):
    document = json.loads(document_json(project_export(project=project)))
    [exported] = [v for v in document["versions"] if v["status"] == VersionStatus.SUBMITTED]
    target = exported["snapshot"]
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(DomainError) as refused:
        project_import(document=document, user=consultant)
    assert path in str(refused.value)
    assert not project.__class__.objects.exclude(pk=project.pk).exists()


def test_a_source_that_is_not_in_the_file_is_refused(frozen, project, consultant):
    document = json.loads(document_json(project_export(project=project)))
    [exported] = [v for v in document["versions"] if v["status"] == VersionStatus.SUBMITTED]
    item = next(i for i in exported["snapshot"]["swot"]["items"] if i["source_type"] == "topic")
    item["source_id"] = 9999
    with pytest.raises(DomainError) as refused:
        project_import(document=document, user=consultant)
    assert "source_id" in str(refused.value)


def test_build_snapshot_reads_the_same_queries_for_a_larger_swot_and_plan(
    project, consultant, version, django_assert_num_queries
):
    version = StrategyVersion.objects.select_related("project__client", "based_on").get(pk=version.pk)
    _plan(project, "First")  # a plan's lines are read once there is a pillar to read them for
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        build_snapshot(version)
    for n in range(5):
        TopicFactory(project=project, social_media_affinity=5)
        PlatformFactory(project=project, name=f"P{n}", risks="Risk", mitigation="")
        swot_note_add(project=project, user=consultant, quadrant="weakness", text=f"Note {n}")
        _plan(project, f"Pillar {n}")
    with django_assert_num_queries(len(small)):
        content = build_snapshot(version)
    assert len(content["content_plan"]["pillars"]) == 6 and len(content["swot"]["notes"]) == 5
