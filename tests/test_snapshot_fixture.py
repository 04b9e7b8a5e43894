"""The live content of a draft stays byte for byte what the model-instance builder produced.

tests/snapshot_fixture.json was written by the builder that read model instances (before the
draft's content was read as plain rows, issue 13); a frozen snapshot is the approved record, so
the row-reading builder must give the same JSON in both languages, including the catalogue's
translation fallback (an English title left blank falls back to German, as the model fields do).

Ids differ between databases and runs; each is stored relative to the smallest id of its kind in
the project, so the fixture still checks that every reference points at the right row.
To rewrite the fixture on purpose (a schema change): PBSM_WRITE_SNAPSHOT_FIXTURE=1.
"""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from competencies.models import BenefitType, ResourceType, UsageFormat
from strategies.demo import seed_demo_data
from strategies.models import (
    ActionOption,
    BusinessBenefit,
    Competitor,
    ContentPillar,
    ContentPlanLine,
    Kpi,
    Milestone,
    Platform,
    ResourceRequirement,
    StrategyVersion,
    SwotNote,
    Topic,
    VersionOption,
    VersionStatus,
)
from strategies.snapshots import build_snapshot

FIXTURE = Path(__file__).with_name("snapshot_fixture.json")


@pytest.fixture
def draft(db):
    """The small demo's draft with every kind of content, and the edge cases a row reader can miss."""
    project = seed_demo_data(size="small").projects[0].project
    draft = StrategyVersion.objects.get(project=project, status=VersionStatus.DRAFT)
    options = ActionOption.objects.filter(topic__project=project).order_by("id")
    # English titles left blank: the German one shows (the catalogue's fallback).
    used_type = BusinessBenefit.objects.filter(topic__project=project).order_by("id").first().benefit_type
    BenefitType.objects.filter(pk=used_type.pk).update(title_en="")
    requirement = ResourceRequirement.objects.filter(option__topic__project=project).order_by("id").first()
    ResourceType.objects.filter(pk=requirement.resource_type_id).update(unit_en="", title_en="")
    used_format = options.exclude(usage_format=None).first().usage_format
    UsageFormat.objects.filter(pk=used_format.pk).update(title_en="")
    # An option without benefit and without usage format, one left out with a reason.
    bare = options.exclude(pk__in=draft.version_options.values("option")).first() or options.last()
    ActionOption.objects.filter(pk=bare.pk).update(benefit=None, usage_format=None)
    VersionOption.objects.update_or_create(version=draft, option=bare, defaults={"included": True, "rationale": ""})
    # One option with a priority (schema 5), the others unset.
    ActionOption.objects.filter(pk=draft.version_options.exclude(option=bare).order_by("id").last().option_id).update(
        priority=4
    )
    out = draft.version_options.exclude(option=bare).order_by("id").first()
    VersionOption.objects.filter(pk=out.pk).update(included=False, rationale="Not this year.")
    # The SWOT's notes and the content plan (schema 6): a pillar with a line and shares, one without a topic.
    SwotNote.objects.create(project=project, quadrant="opportunity", text="A new trade fair in town")
    topic = Topic.objects.filter(project=project).order_by("id").first()
    pillar = ContentPillar.objects.create(project=project, title="Behind the scenes", topic=topic, order=1)
    ContentPlanLine.objects.create(
        pillar=pillar,
        platform="Instagram",
        format="Reel",
        frequency_per_month=6,
        owner="Marketing",
        hours_per_post=Decimal("1.5"),
        usage_shares={used_format.key: 60},
    )
    ContentPillar.objects.create(project=project, title="Customer voices", topic=None, order=2)
    return draft


def _relative(content: dict, project) -> dict:
    """Ids as offsets from the smallest id of their kind in the project (the rest untouched)."""
    base = {
        "option": ActionOption.objects.filter(topic__project=project).order_by("id").first().pk,
        "topic": Topic.objects.filter(project=project).order_by("id").first().pk,
        "benefit": BusinessBenefit.objects.filter(topic__project=project).order_by("id").first().pk,
        "competitor": Competitor.objects.filter(project=project).order_by("id").first().pk,
        "kpi": Kpi.objects.filter(benefit__topic__project=project).order_by("id").first().pk,
        "milestone": Milestone.objects.filter(project=project).order_by("id").first().pk,
        "platform": Platform.objects.filter(project=project).order_by("id").first().pk,
    }
    content = json.loads(json.dumps(content))
    content.pop("taken_at")  # the moment of building: the one key that differs between two builds

    def shift(row, key, kind):
        if row.get(key) is not None:
            row[key] -= base[kind]

    for option in content["options"]:
        shift(option, "id", "option")
        shift(option, "topic_id", "topic")
        shift(option, "benefit_id", "benefit")
    for topic in (*content["topics"], *content["all_topics"]):
        shift(topic, "id", "topic")
    for benefit in content["benefits"]:
        shift(benefit, "id", "benefit")
        shift(benefit, "topic_id", "topic")
    for competitor in content["competitors"]:
        shift(competitor, "id", "competitor")
        for presence in competitor["presences"]:
            shift(presence, "topic_id", "topic")
    for kpi in content["kpis"]:
        shift(kpi, "id", "kpi")
        shift(kpi, "benefit_id", "benefit")
    for milestone in content["milestones"]:
        shift(milestone, "id", "milestone")
    for item in content["swot"]["items"]:
        if item["source_type"] != "resource_type":  # the catalogue's ids are the same in every run
            shift(item, "source_id", item["source_type"])
    return content


def _contents(draft) -> dict:
    draft = StrategyVersion.objects.select_related("project__client", "based_on").get(pk=draft.pk)
    contents = {}
    for language in ("de", "en"):
        with translation.override(language):
            contents[language] = _relative(build_snapshot(draft), draft.project)
    return contents


def test_fixture_holds_every_kind_of_content(draft):
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for language in ("de", "en"):
        content = stored[language]
        for key in ("options", "topics", "all_topics", "benefits", "competitors", "resources", "kpis"):
            assert content[key], key
        assert content["milestones"] and content["platforms"] and content["resource_balance"]["rows"]
        options = content["options"]
        assert any(not o["included"] and o["reason"] for o in options)
        assert any(o["benefit_id"] is None and o["usage_format"] is None for o in options)
        assert any(o["requirements"] for o in options)
        assert len(content["all_topics"]) > len(content["topics"])
        swot_kinds = {item["source_type"] for item in content["swot"]["items"]}
        assert len(swot_kinds) >= 3 and content["swot"]["notes"]
        pillars = content["content_plan"]["pillars"]
        assert pillars[0]["lines"] and any(pillar["topic"] is None for pillar in pillars)
        assert content["content_plan"]["figures"]["usage_mix"]
    # The blanked English titles show in German in the English content.
    assert stored["en"]["options"] != stored["de"]["options"]
    de_types = {b["id"]: b["benefit_type"] for b in stored["de"]["benefits"]}
    assert any(b["benefit_type"] == de_types[b["id"]] for b in stored["en"]["benefits"])


def test_live_content_is_byte_for_byte_the_stored_snapshot(draft):
    built = json.dumps(_contents(draft), ensure_ascii=False, indent=1, sort_keys=False)
    if os.environ.get("PBSM_WRITE_SNAPSHOT_FIXTURE") == "1":
        FIXTURE.write_text(built + "\n", encoding="utf-8")
    assert built + "\n" == FIXTURE.read_text(encoding="utf-8")
