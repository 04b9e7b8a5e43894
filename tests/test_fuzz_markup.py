"""Text with markup is shown as text everywhere: wizard steps, row partials, version pages, admin, PDF.

A topic (and the names around it) titled with a script tag and bold markup, as a workshop might
paste it: every page shows it escaped, never as a tag; the PDF prints it literally.
"""

import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from competencies.models import BusinessModelBlock, CompetenceArea
from strategies.models import ContentPillar, ContentPlanLine, Role
from strategies.reporting.render import version_report_pdf
from strategies.services.approval import strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.rows import ROW_KINDS
from strategies.wizard.steps import STEPS

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    MembershipFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)
from .fuzzing import SCRIPT
from .wizard_rows import HX, detail_url

pytestmark = pytest.mark.django_db

RAW = "<script>alert(1)"
ESCAPED = escape(SCRIPT)


def marked(label: str) -> str:
    return f"{SCRIPT} {label}"


@pytest.fixture
def marked_up(db):
    """A project whose every name carries markup, with a submitted version holding the topic's option."""
    project = ProjectFactory(title=marked("project"), netiquette=marked("netiquette"))
    consultant = UserFactory(username="alice", consultant_group=True)
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    manager = UserFactory(username="marc")
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    block = BusinessModelBlock.objects.active().order_by("order").first()
    topic = TopicFactory(project=project, block=block, title=SCRIPT, description=marked("description"))
    benefit = BenefitFactory(topic=topic, title=marked("benefit"), causal_chain=marked("chain"))
    option = OptionFactory(topic=topic, benefit=benefit, title=marked("option"))
    competitor = CompetitorFactory(project=project, name=marked("competitor"))
    PresenceFactory(competitor=competitor, topic=topic, standard_set=marked("standard"))
    ResourceFactory(project=project, description=marked("resource"))
    RequirementFactory(option=option, notes=marked("requirement"))
    KpiFactory(benefit=benefit, metric=marked("metric"), owner=marked("owner"))
    MilestoneFactory(project=project, title=marked("milestone"))
    PlatformFactory(project=project, name=marked("platform"))
    pillar = ContentPillar.objects.create(project=project, title=marked("pillar"), topic=topic, benefit=benefit)
    ContentPlanLine.objects.create(pillar=pillar, platform=marked("plan platform"), owner=marked("plan owner"))
    draft = strategy_version_create(project=project, user=consultant, name=marked("draft"), rationale=marked("why"))
    version_option_choose(version=draft, user=consultant, option=option, included=True, reason=marked("reason"))
    submitted = strategy_version_create(project=project, user=consultant, name=marked("submitted"))
    version_option_choose(version=submitted, user=consultant, option=option, included=True, reason=marked("reason"))
    strategy_version_submit(version=submitted, user=consultant, notify=False)
    return {
        "project": project,
        "consultant": consultant,
        "manager": manager,
        "topic": topic,
        "draft": draft,
        "submitted": submitted,
    }


def assert_escaped(body: str, where: str) -> None:
    assert RAW not in body and "<b>x</b>" not in body, f"markup rendered as markup on {where}"
    assert ESCAPED in body, f"the marked-up text is missing on {where}"


def test_markup_in_names_is_escaped_on_every_wizard_step(marked_up, client_for):
    project = marked_up["project"]
    for user in (marked_up["consultant"], marked_up["manager"]):
        client = client_for(user)
        keys = CompetenceArea.objects.active().filter(key__in=STEPS).values_list("key", flat=True)
        assert len(keys) == len(STEPS)
        for key in keys:
            response = client.get(reverse("wizard_step", args=[project.pk, key]))
            assert response.status_code == 200
            assert_escaped(response.content.decode(), f"step {key} for {user.username}")


def test_the_topic_title_is_escaped_on_the_steps_that_list_topics(marked_up, client_for):
    project, client = marked_up["project"], client_for(marked_up["consultant"])
    topic_steps = {kind.step for kind in ROW_KINDS.values() if "topic" in kind.form_class.base_fields}
    topic_steps.add("business_model")
    for key in topic_steps:
        body = client.get(reverse("wizard_step", args=[project.pk, key])).content.decode()
        # The title alone (not only the names that quote it) is on the page, escaped.
        assert re.search(re.escape(ESCAPED) + r"(?! (project|benefit|option|competitor))", body), key
        assert RAW not in body


def test_markup_is_escaped_in_every_row_partial_and_edit_form(marked_up, client_for):
    project, client = marked_up["project"], client_for(marked_up["consultant"])
    shown = 0
    for kind in ROW_KINDS.values():
        rows = list(kind.queryset(project))
        for row in rows:
            if row.pk is None:
                continue
            ident = kind.ident(row)
            for url in (detail_url(project, kind.name, ident), detail_url(project, kind.name, ident) + "edit/"):
                body = client.get(url, **HX).content.decode()
                assert RAW not in body and "<b>x</b>" not in body, (kind.name, url)
                shown += ESCAPED in body
    assert shown >= len(ROW_KINDS)


def test_markup_is_escaped_on_the_version_pages(marked_up, client_for):
    project = marked_up["project"]
    consultant, manager = client_for(marked_up["consultant"]), client_for(marked_up["manager"])
    for client, version in ((consultant, marked_up["draft"]), (manager, marked_up["submitted"])):
        body = client.get(reverse("version_detail", args=[project.pk, version.pk])).content.decode()
        assert_escaped(body, f"version page of {version.status}")
        assert f"{ESCAPED} {escape('draft')}" in body or f"{ESCAPED} {escape('submitted')}" in body
    compare = consultant.get(
        reverse("version_compare", args=[project.pk]) + f"?new={marked_up['submitted'].pk}&old={marked_up['draft'].pk}"
    )
    assert_escaped(compare.content.decode(), "the comparison")
    section = consultant.get(reverse("report_section", args=[project.pk, marked_up["draft"].pk]))
    assert RAW not in section.content.decode()


def test_markup_is_escaped_in_the_admin(marked_up, admin_client):
    topic, project = marked_up["topic"], marked_up["project"]
    pages = [
        reverse("admin:strategies_topic_changelist"),
        reverse("admin:strategies_topic_change", args=[topic.pk]),
        reverse("admin:strategies_topic_history", args=[topic.pk]),
        reverse("admin:strategies_strategyproject_changelist"),
        reverse("admin:strategies_strategyproject_change", args=[project.pk]),
        reverse("admin:strategies_actionoption_changelist"),
        reverse("admin:strategies_strategyversion_changelist"),
        reverse("admin:strategies_strategyversion_change", args=[marked_up["draft"].pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert RAW not in body and "<b>x</b>" not in body, url
        assert escape(SCRIPT) in body or escape(escape(SCRIPT)) in body, url


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", ["en", "de"])
def test_markup_is_literal_text_in_the_pdf(marked_up, language):
    rendered = version_report_pdf(marked_up["submitted"], language)
    text = _squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages))
    # The title as typed, tags and all: neither interpreted (bold, script) nor double-escaped.
    assert _squash(SCRIPT) in text
    assert "&lt;" not in text and "&amp;" not in text
