"""A strategy version from draft to approval in real Chromium, and a successor of it.

The consultant starts a version in the method step, chooses the action options
row by row with reasons and submits it; a manager reviews what changes against
the approved V1, refuses to reject without a comment, and approves; the
consultant finds the version fixed, V1 superseded, and starts a successor.

The project, its working material and the approved V1 come from factories and
services; everything the issue's journey does happens in the browser. The ORM
is read at the key points. Selectors are ids, names, data-* attributes, hrefs
and classes, not visible text: the German wording of these screens may still
change. Data the test created (option, topic and resource titles) is matched
as text.
"""

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from competencies.models import BusinessModelBlock, ResourceType
from strategies.models import (
    Decision,
    Role,
    StrategyVersion,
    VersionDecision,
    VersionOption,
    VersionStatus,
    VersionTransition,
)
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose

from ..factories import (
    PASSWORD,
    BenefitFactory,
    MembershipFactory,
    OptionFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- helpers ------------------------------------------------------------------------------


def htmx_idle(page) -> None:
    """Wait until htmx has no request in flight and has settled what it swapped in."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def log_out(page) -> None:
    page.locator('form[action="/accounts/logout/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def log_in_as(page, username: str) -> None:
    log_in(page, username, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def option_posted(page, version, option):
    """Wait for the answer to the row's POST (a changed field), or the block form's (a row's button)."""
    block = f"/projects/{version.project_id}/versions/{version.pk}/options/"
    paths = {block, f"{block}{option.pk}/"}
    return page.expect_response(lambda r: r.request.method == "POST" and urlparse(r.url).path in paths)


def show_block(page, option) -> None:
    """The draft page shows one block of options at a time: open the option's block by its link."""
    if page.locator(f"#option-{option.pk}").count() == 0:
        page.locator(f"#block-{option.topic.block_id} a").click()
        page.wait_for_load_state()
        expect(page.locator(f"#option-{option.pk}")).to_be_visible()


def choose(page, version, option, choice: str, reason: str) -> None:
    """Put an option in or out (a click on the toggle), then type its reason and leave the field to save it."""
    show_block(page, option)
    row = page.locator(f"#option-{option.pk}")
    with option_posted(page, version, option):
        page.locator(f'label[for="option-{option.pk}-{choice}"]').click()
    htmx_idle(page)
    # The row came back from the server with the option's new state.
    state = "text-bg-success" if choice == "in" else "text-bg-secondary"
    expect(row.locator(f".option-state .{state}")).to_be_visible()
    expect(page.locator(f"#option-{option.pk}-{choice}")).to_be_checked()

    # Enter in the reason field fires the row's "change" and the block form's "submit"; both queue on
    # the form (hx-sync "queue all"), so the server never runs two saves of the block at once.
    with option_posted(page, version, option):
        row.locator('input[name^="reason-"]').fill(reason)
        row.locator('input[name^="reason-"]').press("Enter")
    htmx_idle(page)
    expect(row.locator('input[name^="reason-"]')).to_have_value(reason)
    expect(page.locator(f"#option-{option.pk}-{choice}")).to_be_checked()
    choice_row = VersionOption.objects.get(version=version, option=option)
    assert (choice_row.included, choice_row.rationale) == (choice == "in", reason)


def count_of(number: int):
    """The selection count's text holds this number (wherever the translation puts it)."""
    return re.compile(rf"(^|\D){number}(\D|$)")


def status_badge(page):
    """The version's status badge beside the page heading."""
    return page.locator("main h1 ~ .status-badge")


def transitions(version) -> list[tuple[str, str]]:
    return list(
        VersionTransition.objects.filter(version=version)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status")
    )


def expect_no_edit_controls(page, version) -> None:
    """A decided version offers no way to change it: no toggles, no reasons, no texts form, no submit, no decision."""
    base = f"/projects/{version.project_id}/versions/{version.pk}"
    expect(page.locator('input[name^="choice-"]')).to_have_count(0)
    expect(page.locator('input[name^="reason-"]')).to_have_count(0)
    expect(page.locator(f'form[action="{base}/edit/"]')).to_have_count(0)
    expect(page.locator(f'form[action="{base}/submit/"]')).to_have_count(0)
    expect(page.locator(f'form[action="{base}/decide/"]')).to_have_count(0)
    expect(page.locator('button[name="decision"]')).to_have_count(0)
    expect(page.locator("#texts textarea, #texts input:not([type=hidden])")).to_have_count(0)


# --- the journey --------------------------------------------------------------------------


def test_consultant_submits_a_version_manager_approves_it_and_consultant_starts_a_successor(page):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    # --- the project as the workshop left it: three topics, four options with requirements, resources ---
    consultant = UserFactory(username="beraterin", first_name="Jana", last_name="Kruse", consultant_group=True)
    manager = UserFactory(username="chef", first_name="Marc", last_name="Lindner", email="marc.lindner@example.com")
    co_manager = UserFactory(
        username="prokuristin", first_name="Petra", last_name="Sommer", email="p.sommer@example.com"
    )
    project = ProjectFactory(title="Social-Media-Strategie 2027", client__name="Holzbau Lindner GmbH")
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    MembershipFactory(project=project, user=co_manager, role=Role.MANAGER)

    segments = BusinessModelBlock.objects.get(key="customer_segments")
    blocks = list(BusinessModelBlock.objects.exclude(pk=segments.pk).order_by("order")[:2])
    recruiting = TopicFactory(project=project, block=segments, title="Fachkräfte gewinnen", priority=5)
    visibility = TopicFactory(project=project, block=blocks[0], title="Sichtbarkeit im Umland", priority=4)
    service = TopicFactory(project=project, block=blocks[1], title="Kundenservice online", priority=2)
    applications = BenefitFactory(topic=recruiting, title="Bewerbungen aus der Region")
    enquiries = BenefitFactory(topic=visibility, title="Anfragen von Bauherren")
    fewer_calls = BenefitFactory(topic=service, title="Weniger Rückfragen am Telefon")

    staff_time = ResourceType.objects.get(key="staff_time")
    budget = ResourceType.objects.get(key="budget")
    paid_media = ResourceType.objects.get(key="paid_media")
    with translation.override("de"):  # the pages are German; resource type titles are catalogue data
        staff_title, budget_title = staff_time.title, budget.title

    stories = OptionFactory(topic=recruiting, benefit=applications, title="Azubi-Stories auf Instagram")
    careers = OptionFactory(topic=recruiting, benefit=applications, title="Karriereseite auf LinkedIn")
    reels = OptionFactory(topic=visibility, benefit=enquiries, title="Baustellen-Reels")
    ads = OptionFactory(topic=service, benefit=fewer_calls, title="FAQ-Anzeigenkampagne")
    RequirementFactory(option=stories, resource_type=staff_time, amount=6, lead_time_weeks=2)
    RequirementFactory(option=careers, resource_type=budget, amount=2000, lead_time_weeks=0)
    RequirementFactory(option=reels, resource_type=staff_time, amount=10, lead_time_weeks=8)
    RequirementFactory(option=ads, resource_type=paid_media, amount=5000, lead_time_weeks=4)
    ResourceFactory(project=project, resource_type=staff_time, amount=12)
    ResourceFactory(project=project, resource_type=budget, amount=5000)

    # --- V1, approved before: stories and the careers page in, the campaign out ---
    v1 = strategy_version_create(
        project=project, user=consultant, name="Breiter Start", rationale="Erst einmal Präsenz aufbauen."
    )
    version_option_choose(version=v1, user=consultant, option=stories, included=True, reason="Authentisch und günstig")
    version_option_choose(version=v1, user=consultant, option=careers, included=True, reason="Bewerber suchen dort")
    version_option_choose(version=v1, user=consultant, option=ads, included=False, reason="Zu teuer")
    v1 = strategy_version_submit(version=v1, user=consultant, notify=False)
    v1 = strategy_version_decide(version=v1, user=manager, decision=Decision.APPROVE, comment="Einverstanden.")
    assert v1.status == VersionStatus.APPROVED
    # The decision is told at once to the submitter, a consultant (their default preference); the
    # e-mails the walk below checks start from here.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert [message.to for message in mail.outbox] == [[consultant.email]]
    mail.outbox.clear()

    base = f"/projects/{project.pk}"
    v1_url = f"{base}/versions/{v1.pk}/"

    # --- the consultant starts V2 from the method step ---
    log_in_as(page, "beraterin")
    page.goto(f"{base}/")
    expect(page.locator(f'.project-versions a[href="{v1_url}"] .status-badge')).to_have_class(
        re.compile(r"\btext-bg-success\b")
    )
    page.locator(f'main a[href="{base}/workshop/method/"]').first.click()
    expect(page).to_have_url(re.compile(rf"{base}/workshop/method/$"))
    page.wait_for_load_state()
    expect(page.locator(f"#version-{v1.pk}")).to_be_visible()
    page.locator("#version-start [data-add]").click()
    form = page.locator("#version-start-form")
    expect(form).to_be_visible()
    htmx_idle(page)
    expect(form.locator('[name="name"]')).to_be_focused()
    page.keyboard.type("Fokus Nachwuchs und Region")
    form.locator('[name="rationale"]').fill("Fachkräfte und Bauherren aus dem Umland zuerst.")
    form.locator('button[type="submit"]').click()
    expect(form).to_have_count(0)
    v2 = StrategyVersion.objects.get(project=project, number=2)
    assert (v2.name, v2.status, v2.based_on) == ("Fokus Nachwuchs und Region", VersionStatus.DRAFT, None)
    v2_url = f"{base}/versions/{v2.pk}/"
    expect(page.locator(f"#version-{v2.pk} .row-saved")).to_be_visible()
    page.locator(f'a#version-{v2.pk}[href="{v2_url}"]').click()
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    page.wait_for_load_state()

    # A fresh draft: every option undecided, nothing covered, no resource warning.
    for option in (stories, careers, reels, ads):
        show_block(page, option)
        expect(page.locator(f"#option-{option.pk} .option-state .text-bg-light")).to_be_visible()
        expect(page.locator(f"#option-{option.pk}-in")).not_to_be_checked()
        expect(page.locator(f"#option-{option.pk}-out")).not_to_be_checked()
    panel = page.locator("#version-coverage")
    expect(page.locator("#selection-count")).to_have_text(count_of(0))
    expect(panel.locator(".topics-without-option li")).to_have_count(3)
    expect(panel.locator(".coverage-topic .bi-check-circle-fill")).to_have_count(0)
    expect(panel.locator("#gap-warning")).to_have_count(0)

    # Submitting an empty draft is refused with a message; the draft stays a draft.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="{v2_url}submit/"] button[type="submit"]').click()
    expect(page.locator("main .alert-danger")).to_be_visible()
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT and v2.submitted_at is None
    assert transitions(v2) == [("", VersionStatus.DRAFT)]
    assert mail.outbox == []
    page.goto(v2_url)

    # Stories in: one topic covered, the staff time still suffices.
    choose(page, v2, stories, "in", "Bewährt, weiterführen")
    expect(page.locator("#selection-count")).to_have_text(count_of(1))
    expect(panel.locator(".coverage-topic .bi-check-circle-fill")).to_have_count(1)
    expect(panel.locator(".topics-without-option li")).to_have_count(2)
    expect(panel.locator("#gap-warning")).to_have_count(0)
    expect(panel.locator(".resource-balance tr.table-danger")).to_have_count(0)

    # Reels in as well: 16 hours a week needed, 12 on hand. The panel warns, with the 8 weeks' lead time.
    choose(page, v2, reels, "in", "Bauherren sehen echte Projekte")
    expect(page.locator("#selection-count")).to_have_text(count_of(2))
    expect(panel.locator(".coverage-topic .bi-check-circle-fill")).to_have_count(2)
    expect(panel.locator(".topics-without-option li")).to_have_count(1)
    expect(panel.locator(".topics-without-option")).to_contain_text(service.title)
    expect(panel.locator("#gap-warning")).to_be_visible()
    expect(panel.locator("#gap-warning")).to_contain_text(staff_title)
    expect(panel.locator("#gap-warning")).to_have_text(re.compile(r"(^|\D)8(\D|$)"))  # weeks
    gap_rows = panel.locator(".resource-balance tr.table-danger")
    expect(gap_rows).to_have_count(1)
    expect(gap_rows).to_contain_text(staff_title)

    # The careers page and the campaign out, with reasons; the selection count stays.
    choose(page, v2, careers, "out", "Budget lieber in Reels")
    choose(page, v2, ads, "out", "Erst nach dem Relaunch")
    expect(page.locator("#selection-count")).to_have_text(count_of(2))
    expect(panel.locator("#gap-warning")).to_be_visible()

    # The choices survive a reload.
    page.reload()
    for option, choice in ((stories, "in"), (reels, "in"), (careers, "out"), (ads, "out")):
        show_block(page, option)
        expect(page.locator(f"#option-{option.pk}-{choice}")).to_be_checked()
    show_block(page, reels)
    expect(page.locator(f"#option-{reels.pk} input[name^=reason-]")).to_have_value("Bauherren sehen echte Projekte")

    # Submit: confirmed in a dialog; the content is fixed and the managers get an e-mail.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="{v2_url}submit/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-warning\b"))
    expect_no_edit_controls(page, v2)
    v2.refresh_from_db()
    assert (v2.status, v2.submitted_by) == (VersionStatus.SUBMITTED, consultant)
    frozen = {option["id"]: (option["included"], option["reason"]) for option in v2.snapshot["options"]}
    assert frozen == {
        stories.pk: (True, "Bewährt, weiterführen"),
        reels.pk: (True, "Bauherren sehen echte Projekte"),
        careers.pk: (False, "Budget lieber in Reels"),
        ads.pk: (False, "Erst nach dem Relaunch"),
    }
    assert transitions(v2) == [("", VersionStatus.DRAFT), (VersionStatus.DRAFT, VersionStatus.SUBMITTED)]
    assert problems == []
    # The test run's locmem mail backend; without REDIS_URL Celery runs the task eagerly, in the server's thread.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert sorted(address for message in mail.outbox for address in message.to) == [
            "marc.lindner@example.com",
            "p.sommer@example.com",
        ]
        assert all(v2_url in message.body for message in mail.outbox)
        link = urlparse(re.search(r"https?://\S+", mail.outbox[0].body).group(0)).path
    else:
        link = v2_url

    # --- the manager follows the link in the e-mail ---
    log_out(page)
    log_in_as(page, "chef")
    page.goto(link)
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-warning\b"))
    expect(page.locator('input[name^="choice-"]')).to_have_count(0)
    expect(page.locator(f'form[action="{v2_url}submit/"]')).to_have_count(0)
    expect(page.locator(f'a[href="{v2_url}successor/"]')).to_have_count(0)  # successors are the consultants' work
    # What the version holds, from its snapshot, with the gap warning.
    expect(page.locator("#selection .option-groups").first).to_contain_text(stories.title)
    expect(page.locator("#selection .option-groups").first).to_contain_text(reels.title)
    expect(page.locator("#version-coverage #gap-warning")).to_be_visible()

    # The comparison with the approved V1.
    comparison = page.locator("#comparison")
    expect(comparison).to_be_visible()
    expect(comparison.locator(f'a[href^="{base}/versions/compare/"]')).to_be_visible()
    options_diff = comparison.locator(".diff-pair").first
    expect(options_diff.locator(".diff-added li")).to_have_count(1)
    expect(options_diff.locator(".diff-added")).to_contain_text(reels.title)
    expect(options_diff.locator(".diff-removed li")).to_have_count(1)
    expect(options_diff.locator(".diff-removed")).to_contain_text(careers.title)
    reasons = comparison.locator(".reason-changes")
    expect(reasons).to_contain_text(stories.title)
    expect(reasons).to_contain_text("Authentisch und günstig")
    expect(reasons).to_contain_text("Bewährt, weiterführen")
    expect(comparison.locator(".diff-pair").nth(1).locator(".diff-added")).to_contain_text(visibility.title)
    expect(comparison.locator(".diff-pair").nth(2).locator(".diff-added")).to_contain_text(enquiries.title)
    delta = comparison.locator(".resource-delta tr.resource-row")
    expect(delta.filter(has_text=staff_title).locator(".delta")).to_have_text("+10")
    expect(delta.filter(has_text=budget_title).locator(".delta")).to_have_text("\u22122000")

    # Rejecting without a comment: refused beside the comment field, nothing decided.
    decision = page.locator(f'form[action="{v2_url}decide/"]')
    comment = decision.locator('textarea[name="comment"]')
    expect(comment).to_have_value("")
    decision.locator('button[name="decision"][value="reject"]').click()
    decision = page.locator(f'form[action="{v2_url}decide/"]')
    comment = decision.locator('textarea[name="comment"]')
    expect(comment).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(decision.locator(".invalid-feedback")).to_be_visible()
    expect(comment).to_be_focused()
    # The rest of the approval screen is still there to decide on.
    expect(page.locator("#comparison .diff-added").first).to_contain_text(reels.title)
    v2.refresh_from_db()
    assert v2.status == VersionStatus.SUBMITTED
    assert not VersionDecision.objects.filter(version=v2).exists()

    # Approve with a comment.
    comment.fill("Einverstanden – die Reels starten, sobald die Werkstudentin da ist.")
    decision.locator('button[name="decision"][value="approve"]').click()
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    expect(page.locator("main .alert-success")).to_be_visible()
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(page.locator(f'form[action="{v2_url}decide/"]')).to_have_count(0)
    v2.refresh_from_db()
    v1.refresh_from_db()
    assert (v2.status, v1.status) == (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    assert v2.decided_at is not None
    recorded = VersionDecision.objects.get(version=v2)
    assert (recorded.actor, recorded.actor_name, recorded.decision, recorded.comment) == (
        manager,
        "Marc Lindner",
        "approve",
        "Einverstanden – die Reels starten, sobald die Werkstudentin da ist.",
    )
    assert transitions(v2) == [
        ("", VersionStatus.DRAFT),
        (VersionStatus.DRAFT, VersionStatus.SUBMITTED),
        (VersionStatus.SUBMITTED, VersionStatus.APPROVED),
    ]
    assert transitions(v1)[-1] == (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The two managers' notices of the submission, then the decision told to its submitter.
        assert len(mail.outbox) == 3 and mail.outbox[2].to == [consultant.email]
    else:
        assert mail.outbox == []
    assert problems == []

    # --- the consultant finds V2 approved and fixed, V1 superseded ---
    log_out(page)
    log_in_as(page, "beraterin")
    page.goto(f"{base}/")
    expect(page.locator(f'.project-versions a[href="{v1_url}"] .status-badge')).to_have_class(
        re.compile(r"\btext-bg-secondary\b")
    )
    page.locator(f'.project-versions a[href="{v2_url}"]').click()
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-success\b"))
    record = page.locator("#decision .decision-record")
    expect(record).to_have_count(1)
    expect(record).to_have_class(re.compile(r"\bborder-success\b"))
    expect(record).to_contain_text("Marc Lindner")
    expect(record).to_contain_text("die Reels starten")
    history = page.locator("#history tr.transition")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Jana Kruse")
    expect(history.nth(2)).to_contain_text("Marc Lindner")
    expect(history.nth(2)).to_contain_text("die Reels starten")
    expect_no_edit_controls(page, v2)
    expect(page.locator("#selection .option-groups").first).to_contain_text(reels.title)

    page.goto(v1_url)
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-secondary\b"))
    expect(page.locator("#history tr.transition")).to_have_count(4)
    expect_no_edit_controls(page, v1)

    # --- a successor of V2, through its page ---
    page.goto(v2_url)
    page.locator(f'a[href="{v2_url}successor/"]').click()
    expect(page).to_have_url(re.compile(rf"{v2_url}successor/$"))
    successor_form = page.locator('main form[method="post"]:has([name="name"])')
    expect(successor_form.locator('[name="name"]')).to_be_focused()
    expect(successor_form.locator('[name="rationale"]')).to_have_value(
        "Fachkräfte und Bauherren aus dem Umland zuerst."
    )
    page.keyboard.type("Nachwuchs 2028")
    successor_form.locator('button[type="submit"]').click()
    v3 = StrategyVersion.objects.get(project=project, number=3)
    v3_url = f"{base}/versions/{v3.pk}/"
    expect(page).to_have_url(re.compile(rf"{v3_url}$"))
    assert (v3.name, v3.status, v3.based_on) == ("Nachwuchs 2028", VersionStatus.DRAFT, v2)
    assert v3.rationale == "Fachkräfte und Bauherren aus dem Umland zuerst."
    copied = dict(VersionOption.objects.filter(version=v3).values_list("option_id", "included"))
    assert copied == {stories.pk: True, reels.pk: True, careers.pk: False, ads.pk: False}
    assert transitions(v3) == [("", VersionStatus.DRAFT)]

    # The new draft shows the copied selection and can be edited again.
    expect(status_badge(page)).to_have_class(re.compile(r"\btext-bg-light\b"))
    expect(page.locator(f'.version-meta a[href="{v2_url}"]')).to_be_visible()
    for option, choice in ((stories, "in"), (reels, "in"), (careers, "out"), (ads, "out")):
        show_block(page, option)
        expect(page.locator(f"#option-{option.pk}-{choice}")).to_be_checked()
    show_block(page, careers)
    expect(page.locator(f"#option-{careers.pk} input[name^=reason-]")).to_have_value("Budget lieber in Reels")
    expect(page.locator("#selection-count")).to_have_text(count_of(2))
    expect(page.locator("#version-coverage #gap-warning")).to_be_visible()
    expect(page.locator(f'form[action="{v3_url}submit/"]')).to_have_count(1)
    expect(page.locator(f'form[action="{v3_url}edit/"]')).to_have_count(1)

    # V2 itself is untouched by its successor.
    v2.refresh_from_db()
    assert v2.status == VersionStatus.APPROVED

    assert problems == []


def test_a_successor_refuses_submitting_a_taken_over_reason_whose_choice_flipped_until_it_is_edited(page):
    """V1 left the job fair out as too costly; V2 takes that reason over. Putting the fair in keeps the
    old reason flagged and the submit refused beside the row; keeping a reason (the videos') and
    editing the flagged one let V2 go to the managers with the new reason."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    consultant = UserFactory(username="beraterin", first_name="Jana", last_name="Kruse", consultant_group=True)
    manager = UserFactory(username="chef", first_name="Marc", last_name="Lindner")
    project = ProjectFactory(title="Social-Media-Strategie 2027")
    MembershipFactory(project=project, user=consultant, role=Role.CONSULTANT)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    topic = TopicFactory(project=project, title="Fachkräfte gewinnen", priority=5)
    videos = OptionFactory(topic=topic, title="Azubi-Videos")
    fair = OptionFactory(topic=topic, title="Virtuelle Jobmesse")
    v1 = strategy_version_create(project=project, user=consultant, name="Start")
    version_option_choose(version=v1, user=consultant, option=videos, included=True, reason="Günstig und sichtbar")
    version_option_choose(version=v1, user=consultant, option=fair, included=False, reason="Im ersten Jahr zu teuer")
    v1 = strategy_version_decide(
        version=strategy_version_submit(version=v1, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="Gut.",
    )
    base = f"/projects/{project.pk}"
    v1_url = f"{base}/versions/{v1.pk}/"

    # The successor, started from V1's page, takes both reasons over, marked as such.
    log_in_as(page, "beraterin")
    page.goto(v1_url)
    page.locator(f'a[href="{v1_url}successor/"]').click()
    successor_form = page.locator('main form[method="post"]:has([name="name"])')
    successor_form.locator('[name="name"]').fill("Mehr Reichweite")
    successor_form.locator('button[type="submit"]').click()
    v2 = StrategyVersion.objects.get(project=project, number=2)
    v2_url = f"{base}/versions/{v2.pk}/"
    expect(page).to_have_url(re.compile(rf"{v2_url}$"))
    for option in (videos, fair):
        expect(page.locator(f"#option-{option.pk}-taken-over")).to_be_visible()
    expect(page.locator("[data-review]")).to_have_count(0)

    # The fair goes in; its reason still argues for leaving it out, so the row asks for a review.
    with option_posted(page, v2, fair):
        page.locator(f'label[for="option-{fair.pk}-in"]').click()
    htmx_idle(page)
    expect(page.locator(f"#option-{fair.pk}-review")).to_be_visible()
    expect(page.locator(f"#option-{fair.pk} input[name^=reason-]")).to_have_value("Im ersten Jahr zu teuer")
    expect(page.locator(f"#option-{fair.pk} input[name^=reason-]")).to_have_attribute("aria-invalid", "true")

    # Submitting is refused, naming the fair; the flag stays beside its row.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="{v2_url}submit/"] button[type="submit"]').click()
    expect(page.locator("main .alert-danger")).to_contain_text(fair.title)
    expect(page.locator(f"#option-{fair.pk}-review")).to_be_visible()
    v2.refresh_from_db()
    assert v2.status == VersionStatus.DRAFT and v2.snapshot is None

    # The videos' reason still holds: kept on purpose with its button, the mark goes.
    with option_posted(page, v2, videos):
        page.locator(f'#option-{videos.pk} button[name="keep_reason"]').click()
    htmx_idle(page)
    expect(page.locator(f"#option-{videos.pk} [data-taken-over]")).to_have_count(0)
    assert VersionOption.objects.get(version=v2, option=videos).included_at_takeover is None

    # The fair's reason is rewritten: the flag goes, and the version can be submitted.
    with option_posted(page, v2, fair):
        page.locator(f"#option-{fair.pk} input[name^=reason-]").fill("Sponsor übernimmt die Kosten")
        page.locator(f"#option-{fair.pk} input[name^=reason-]").press("Enter")
    htmx_idle(page)
    expect(page.locator(f"#option-{fair.pk} [data-taken-over]")).to_have_count(0)
    expect(page.locator("[data-review]")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'form[action="{v2_url}submit/"] button[type="submit"]').click()
    expect(page.locator(f'form[action="{v2_url}submit/"]')).to_have_count(0)
    v2.refresh_from_db()
    assert v2.status == VersionStatus.SUBMITTED
    reasons = {entry["title"]: entry["reason"] for entry in v2.snapshot["options"]}
    assert reasons == {videos.title: "Günstig und sichtbar", fair.title: "Sponsor übernimmt die Kosten"}
    assert problems == []
