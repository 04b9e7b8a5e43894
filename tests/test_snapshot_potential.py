"""The potential step's ratings in a version's content: frozen at submission, in the report, on the version page.

Snapshot schema 3 added them. A schema 2 snapshot (frozen before) is still read as it is,
never rebuilt from today's material, and says plainly that the ratings were not recorded.
"""

import io
import re

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from competencies.models import Effect, UsageFormat
from strategies.comparison import compare_versions
from strategies.demo import seed_demo_data
from strategies.models import EffectRelevance, Role, StrategyVersion, UsageFormatRelevance, VersionStatus
from strategies.reporting.render import report_context, version_report_pdf
from strategies.snapshots import SCHEMA, build_snapshot, potential_in_language, version_content

from .factories import MembershipFactory, UserFactory, VersionFactory

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def demo(db):
    project = seed_demo_data(size="small").projects[0].project
    versions = StrategyVersion.objects.filter(project=project)
    return {
        "project": project,
        "approved": versions.get(status=VersionStatus.APPROVED),
        "draft": versions.get(status=VersionStatus.DRAFT),
    }


def schema_2_version(project, source: StrategyVersion) -> StrategyVersion:
    """An approved version frozen before schema 3: its snapshot has no potential."""
    old = build_snapshot(source)
    for key in ("potential", "swot", "content_plan"):
        old.pop(key)
    old["schema"] = 2
    number = project.versions.order_by("-number").first().number + 1
    return VersionFactory(project=project, number=number, status=VersionStatus.SUPERSEDED, snapshot=old)


def ratings(content, kind="effects") -> dict[str, int | None]:
    return {row["key"]: row["relevance"] for row in content["potential"][kind]}


def test_submitted_versions_freeze_every_active_effect_and_usage_format_with_its_rating(demo):
    approved, project = demo["approved"], demo["project"]
    frozen = approved.snapshot
    assert frozen["schema"] == SCHEMA == 6
    assert [row["key"] for row in frozen["potential"]["effects"]] == list(
        Effect.objects.active().values_list("key", flat=True)
    )
    assert [row["key"] for row in frozen["potential"]["usage_formats"]] == list(
        UsageFormat.objects.active().values_list("key", flat=True)
    )
    saved = {r.effect.key: r.relevance for r in EffectRelevance.objects.filter(project=project)}
    assert saved and ratings(frozen) == {key: saved.get(key) for key in ratings(frozen)}
    saved_formats = {r.usage_format.key: r.relevance for r in UsageFormatRelevance.objects.filter(project=project)}
    assert ratings(frozen, "usage_formats") == {key: saved_formats.get(key) for key in ratings(frozen, "usage_formats")}
    assert frozen["potential"]["notes"] == project.potential_notes
    # Both languages' catalogue words are kept, so the report reads right in either.
    effect = Effect.objects.active().first()
    assert frozen["potential"]["effects"][0]["titles"] == {"de": effect.title_de, "en": effect.title_en}


def test_changing_a_rating_after_approval_leaves_the_approved_content_alone_and_the_draft_follows(demo):
    approved, draft, project = demo["approved"], demo["draft"], demo["project"]
    rating = EffectRelevance.objects.filter(project=project).select_related("effect").first()
    before = ratings(version_content(approved))[rating.effect.key]
    rating.relevance = 1 if before != 1 else 5
    rating.save()

    assert ratings(version_content(StrategyVersion.objects.get(pk=approved.pk)))[rating.effect.key] == before
    assert ratings(version_content(draft))[rating.effect.key] == rating.relevance
    changed = compare_versions(approved, draft)["ratings_changed"]
    assert {(c["key"], c["old"], c["new"]) for c in changed} == {(rating.effect.key, before, rating.relevance)}
    assert not compare_versions(approved, approved)["ratings_changed"]


def test_an_unrated_entry_is_none_not_a_made_up_default(demo):
    project = demo["project"]
    rating = EffectRelevance.objects.filter(project=project).select_related("effect").first()
    key = rating.effect.key
    rating.delete()
    content = version_content(demo["draft"])
    assert ratings(content)[key] is None
    row = next(r for r in report_context(demo["draft"])["potential_tables"][0][2] if r["key"] == key)
    assert (row["relevance"], row["dots"]) == (None, "○○○○○")


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_reports_potential_chapter_shows_the_ratings_in_the_reports_language(demo, language):
    approved = demo["approved"]
    text = pdf_text(version_report_pdf(approved, language).pdf)
    with translation.override(language):
        potential = potential_in_language(version_content(approved))
        headings = [str(heading) for heading, _label, _rows in report_context(approved)["potential_tables"]]
    for heading in headings:
        assert squash(heading) in text
    for row in potential["effects"] + potential["usage_formats"]:
        assert squash(row["titles"][language]) in text
        if row["relevance"]:
            assert squash(f"{row['relevance']}/5") in text
    rated = [row for row in potential["effects"] if row["notes"]]
    for row in rated:
        assert squash(row["notes"])[:40] in text


def test_a_schema_2_snapshot_is_read_as_frozen_and_says_the_ratings_were_not_recorded(demo):
    project = demo["project"]
    old = schema_2_version(project, demo["approved"])
    frozen_titles = [o["title"] for o in old.snapshot["options"]]
    # The material changes afterwards: the old snapshot must not be rebuilt from it.
    option = project.topics.first().options.first()
    option.title = "Renamed after the freeze"
    option.save()

    content = version_content(StrategyVersion.objects.get(pk=old.pk))
    assert content["schema"] == 2 and content["potential"] is None
    assert [o["title"] for o in content["options"]] == frozen_titles
    assert compare_versions(old, demo["draft"])["ratings_changed"] == []

    for language in ("de", "en"):
        text = pdf_text(version_report_pdf(old, language).pdf)
        with translation.override(language):
            message = translation.gettext(
                "The ratings of effects and usage formats were not recorded when this version was submitted."
            )
        assert squash(message) in text
        assert "Renamedafterthefreeze" not in text


def test_the_version_page_shows_the_ratings_and_an_old_version_says_they_were_not_recorded(
    demo, client_for, english_pages
):
    project = demo["project"]
    viewer = UserFactory(username="vera")
    MembershipFactory(project=project, user=viewer, role=Role.VIEWER)
    outsider = UserFactory(username="charlie")
    approved = demo["approved"]
    old = schema_2_version(project, approved)

    html = client_for(viewer).get(reverse("version_detail", args=[project.pk, approved.pk])).content.decode()
    assert 'id="version-potential"' in html
    for row in potential_in_language(version_content(approved))["effects"]:
        assert f'data-key="{row["key"]}"' in html
        if row["relevance"]:
            assert f'data-key="{row["key"]}">{row["title"]}: <strong>{row["relevance"]}/5</strong>' in html

    html = client_for(viewer).get(reverse("version_detail", args=[project.pk, old.pk])).content.decode()
    assert "were not recorded when this version was submitted" in html
    assert 'class="potential-rating"' not in html

    assert client_for(outsider).get(reverse("version_detail", args=[project.pk, approved.pk])).status_code == 404


def test_a_submitted_version_compared_with_the_approved_one_lists_changed_ratings(demo, client_for, english_pages):
    from strategies.services.approval import strategy_version_submit

    project, draft = demo["project"], demo["draft"]
    consultant = project.memberships.filter(role=Role.CONSULTANT).first().user
    manager = project.memberships.get(role=Role.MANAGER).user
    rating = UsageFormatRelevance.objects.filter(project=project).select_related("usage_format").first()
    before = rating.relevance
    rating.relevance = 1 if before != 1 else 5
    rating.save()
    submitted = strategy_version_submit(version=draft, user=consultant, notify=False)
    assert QuerySet(StrategyVersion).get(pk=submitted.pk).snapshot["schema"] == 6

    html = client_for(manager).get(reverse("version_detail", args=[project.pk, submitted.pk])).content.decode()
    table = html[html.index('class="table table-sm rating-changes"') :]
    with translation.override("en"):
        title = rating.usage_format.title
    assert f"<td>{title}</td><td>{before}/5</td><td>{rating.relevance}/5</td>" in table
