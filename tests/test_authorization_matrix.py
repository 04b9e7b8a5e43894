"""Who gets what on every URL of the project: the authorization matrix.

Every URL pattern the resolver knows is walked (`ROUTES`); each must have an entry in
`MATRIX` (or fall under a documented rule, such as the admin's), so a new route cannot
slip in untested: its cases fail with "has no entry in MATRIX".

An entry says, per method, what the route asks of its visitor; a method without an
entry must answer 405. The expected outcome of every cell is computed from the rules
module (`rules.has_perm(...)`, which asks the model guards), never typed in per cell:

  PUBLIC     anyone, signed in or not
  SIGNED_IN  any signed-in user (anonymous: sent to the login page)
  "<perm>"   a permission of strategies/rules.py; on a route whose URL names a project
             (the `pk` argument) non-members get 404 (`view_project` fails), members get
             the page if `rules.has_perm(perm, user, project)` and 403 otherwise; on a
             route without a project it is asked without one (`user.has_perm(perm)`).
             Not `user.has_perm(perm, project)`: Django answers that with True for any
             superuser, and project rights come from membership for everyone.

Outcomes, as `outcome(response)` reads them:

  login      302 to the login page (settings.LOGIN_URL; the admin's login for /admin/)
  hidden     404: nothing of the project is shown, not even that it exists
  refused    403: a member whose role does not allow this
  405        the route does not serve this method (checked before the project is loaded)
  allowed    the access check was passed: 200, 204 (htmx), a 3xx that is not to a login
             page, or for a POST 400/422 (a form error on the empty or invalid body sent)

A 500 is never an outcome: the test client re-raises the view's exception.

Every cell runs in its own test with `db` rollback and fresh data (`Material` makes
objects on first use), so an allowed POST (a deleted row, a submitted version) never
changes what the next cell sees.

Adding a route: one line in MATRIX, keyed by the URL name ("namespace:name"), e.g.

    "healthz": Route(GET=PUBLIC),
    "favicon": Route(GET=PUBLIC),
    "project_export": Route(GET="strategies.export_project", args=PROJECT),
    "project_import": Route(GET=CREATE, POST=CREATE),

`args` builds the URL's arguments from a project's `Material` (PROJECT, VERSION, REPORT_OF,
... below); every argument besides `pk` whose value differs between two projects is an
object id, and gets the IDOR check (another project's object in one's own project's URL
must answer as an id that exists nowhere, 404, change nothing and show nothing of it).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qs, urlsplit

import pytest
import rules
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import serializers
from django.core.files.base import ContentFile
from django.forms import ModelChoiceField
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from competencies.models import Effect, GuidingQuestion, UsageFormat
from strategies import models as m
from strategies.models import Membership, Role
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.checkins import kpi_checkin_record
from strategies.services.live_sessions import live_session_start
from strategies.services.live_votes import dot_vote_open
from strategies.services.reviews import strategy_review_record
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.rows import ROW_KINDS
from strategies.wizard.steps import STEPS

from . import oidc_provider
from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    MembershipFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)
from .management_data import today

# --- what a route asks --------------------------------------------------------------------------------------

PUBLIC = "public"
SIGNED_IN = "signed in"
CREATE = "strategies.create_project"
VIEW = "strategies.view_project"
EDIT = "strategies.edit_project"
MEMBERS = "strategies.manage_members"
COMMENT = "strategies.comment_on_step"
VERSION_COMMENT = "strategies.comment_on_version"
VERSIONS = "strategies.manage_versions"
DECIDE = "strategies.decide_versions"
REPORT = "strategies.request_report"
EXPORT = "strategies.export_project"
RECORD = "strategies.record_checkins"
# A check-in's date (a date in the future is refused: still "allowed", but the success path is the one to walk).
TODAY = today().isoformat()
TRACKING = "strategies.manage_tracking"
MILESTONES = "strategies.change_milestones"
REVIEW = "strategies.review_strategy"
SHARE = "strategies.share_versions"

METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Route:
    """What one URL pattern asks of its visitor, per method; a method left out answers 405."""

    GET: str | None = None
    POST: str | None = None
    # The URL's arguments, from the Material of the project the URL is about.
    args: Callable[["Material"], dict] = lambda material: {}
    # The body of the POST: empty (a form error is still "allowed") unless the view needs more to act.
    data: dict = field(default_factory=dict)
    # For the generic row routes: which row kinds the route serves.
    kinds: Callable = lambda kind: True

    def needs(self, method: str) -> str | None:
        return getattr(self, method)

    @property
    def signed_in_only(self) -> bool:
        """login_required wraps the method check: anonymous visitors are sent to log in even for a 405."""
        return any(need not in (None, PUBLIC) for need in (self.GET, self.POST))


def PROJECT(mat):
    return {"pk": mat.project.pk}


def STEP(mat):
    return {**PROJECT(mat), "key": mat.kind.step}


def QUESTION(mat):
    return {**PROJECT(mat), "key": mat.question.area.key, "question_pk": mat.question.pk}


def KIND(mat):
    return {**STEP(mat), "kind_name": mat.kind.name}


def ROW(mat):
    return {**KIND(mat), "ident": mat.ident(mat.kind)}


def MEMBERSHIP(mat):
    return {**PROJECT(mat), "membership_pk": mat.membership.pk}


def VERSION(mat):
    return {**PROJECT(mat), "version_pk": mat.version.pk}


def VERSION_OPTION(mat):
    return {**VERSION(mat), "option_pk": mat.option.pk}


def REPORT_OF(mat):
    return {**PROJECT(mat), "report_pk": mat.report.pk}


def APPROVED(mat):
    """The project's URL once it has an approved version in force (the cockpit has something to show)."""
    mat.checkin  # noqa: B018 - made for its side effect: the approved version with a check-in
    return PROJECT(mat)


def APPROVED_KPI(mat):
    return {**PROJECT(mat), "kpi_key": mat.checkin.kpi_key}


def CHECKIN(mat):
    return {**APPROVED_KPI(mat), "checkin_pk": mat.checkin.pk}


def IN_FORCE(mat):
    """The project, with an approved version in force (so the review form is offered whole)."""
    assert mat.version_in_force is not None
    return PROJECT(mat)


def SWOT_NOTE(mat):
    return {**PROJECT(mat), "note_pk": mat.swot_note.pk}


def MILESTONE_IN_FORCE(mat):
    return {**IN_FORCE(mat), "milestone_pk": mat.milestone.pk}


def REVIEW_OF(mat):
    return {**PROJECT(mat), "review_pk": mat.review.pk}


def SHARED_VERSION(mat):
    """The project's approved version in force, which read-only links are made to."""
    return {**PROJECT(mat), "version_pk": mat.version_in_force.pk}


def SHARE_LINK(mat):
    return {**SHARED_VERSION(mat), "link_pk": mat.share_link.pk}


def SHARED_TOKEN(mat):
    """A read-only link's token: the public pages ask for nothing else (anyone holding it is let in)."""
    return {"token": mat.share_token}


def SHARED_REPORT(mat):
    assert mat.approved_report is not None
    return {**SHARED_TOKEN(mat), "language": mat.approved_report.language}


def SCENARIO_OF(mat):
    return {**PROJECT(mat), "scenario_pk": mat.scenario.pk}


def LIVE_SESSION_OF(mat):
    """The project, with a live session its consultant facilitates (the timer and idea rounds)."""
    return LIVE(mat)


def IDEA_ROUND(mat):
    """An open idea round (for a canvas block) of the project's live session."""
    from competencies.models import BusinessModelBlock
    from strategies.services.live_ideas import current_round, idea_round_open
    from strategies.services.live_sessions import running_session

    LIVE_SESSION_OF(mat)
    session = running_session(mat.project)
    idea_round = current_round(session) or idea_round_open(
        session=session, user=mat.consultant, block=BusinessModelBlock.objects.active().first(), prompt=mat.tag
    )
    return {**PROJECT(mat), "round_pk": idea_round.pk}


def IDEA_CARD(mat):
    """A card of the consultant's in the round, revealed (so the facilitator may decide on it)."""
    from strategies.services.live_ideas import idea_card_add, idea_round_reveal
    from strategies.services.live_sessions import live_session_join

    args = IDEA_ROUND(mat)
    idea_round = m.IdeaRound.objects.get(pk=args["round_pk"])
    card = idea_round.cards.first()
    if card is None:
        participant = live_session_join(session=idea_round.session, user=mat.consultant)
        card = idea_card_add(round=idea_round, participant=participant, text=f"Idea {mat.tag}")
        idea_round_reveal(round=idea_round, user=mat.consultant)
    return {**args, "card_pk": card.pk}


def LIVE(mat):
    """The project, with a live session run by its consultant (the facilitator)."""
    assert mat.live_session is not None
    return PROJECT(mat)


def VOTE(mat):
    """A dot-vote open in the project's live session."""
    return {**LIVE(mat), "vote_pk": mat.dot_vote.pk}


# Keyed by URL name ("namespace:name" inside a namespace). Read pages without a method
# guard (home, project page, changes, workshop) answer a POST like a GET: the body is ignored.
MATRIX: dict[str, Route] = {
    # accounts and language: Django's own views
    "login": Route(GET=PUBLIC, POST=PUBLIC),
    "logout": Route(POST=PUBLIC),
    "password_change": Route(GET=SIGNED_IN, POST=SIGNED_IN),
    "password_change_done": Route(GET=SIGNED_IN),
    "password_reset": Route(GET=PUBLIC, POST=PUBLIC),
    "password_reset_done": Route(GET=PUBLIC),
    "password_reset_confirm": Route(
        GET=PUBLIC, POST=PUBLIC, args=lambda mat: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Route(GET=PUBLIC),
    # company sign-in (OpenID Connect), switched on for this module (company_sign_in_on below): the
    # start sends anyone to the provider, the callback without a started sign-in back to the login page
    "oidc_authentication_init": Route(GET=PUBLIC),
    "oidc_authentication_callback": Route(GET=PUBLIC),
    "set_language": Route(GET=PUBLIC, POST=PUBLIC, data={"language": "en", "next": "/"}),
    # the admin's own login; every other admin route falls under the admin rule below
    "admin:login": Route(GET=PUBLIC, POST=PUBLIC),
    # operations: the container probe, open to anyone and revealing nothing confidential
    "healthz": Route(GET=PUBLIC),
    "favicon": Route(GET=PUBLIC),
    # projects
    "home": Route(GET=SIGNED_IN, POST=SIGNED_IN),
    "project_create": Route(GET=CREATE, POST=CREATE),
    "project_detail": Route(GET=VIEW, POST=VIEW, args=PROJECT),
    "project_changes": Route(GET=VIEW, POST=VIEW, args=PROJECT),
    # moving a project: the JSON download, and the upload that creates a new project from it
    "project_export": Route(GET=EXPORT, args=PROJECT),
    "project_import": Route(GET=CREATE, POST=CREATE),
    "member_list": Route(GET=VIEW, POST=MEMBERS, args=PROJECT),
    "member_remove": Route(POST=MEMBERS, args=MEMBERSHIP),
    "member_change_role": Route(POST=MEMBERS, args=MEMBERSHIP, data={"role": Role.MANAGER}),
    # the workshop
    "wizard_start": Route(GET=VIEW, POST=VIEW, args=PROJECT),
    "wizard_step": Route(GET=VIEW, POST=VIEW, args=STEP),
    "checklist_answer_save": Route(POST=EDIT, args=QUESTION, data={"done": "on", "notes": "Checked"}),
    "step_comment_add": Route(POST=COMMENT, args=STEP, data={"text": "Please look at this"}),
    "swot_page": Route(GET=VIEW, args=PROJECT),
    "swot_note_add": Route(POST=EDIT, args=PROJECT, data={"quadrant": "threat", "text": "A new market entrant"}),
    "swot_note_edit": Route(GET=EDIT, POST=EDIT, args=SWOT_NOTE, data={"text": "A stronger brand", "lock_version": 0}),
    "swot_note_delete": Route(POST=EDIT, args=SWOT_NOTE),
    "row_new": Route(GET=EDIT, POST=EDIT, args=KIND, kinds=lambda kind: kind.can_add),
    "row_detail": Route(GET=VIEW, args=ROW),
    "row_edit": Route(GET=EDIT, POST=EDIT, args=ROW),
    "row_delete": Route(GET=EDIT, POST=EDIT, args=ROW, kinds=lambda kind: kind.deletable),
    "row_move": Route(POST=EDIT, args=ROW, data={"direction": "up"}, kinds=lambda kind: kind.orderable),
    # strategy versions
    "version_start": Route(GET=VERSIONS, POST=VERSIONS, args=PROJECT),
    "version_compare": Route(GET=VIEW, args=PROJECT),
    "version_detail": Route(GET=VIEW, args=VERSION),
    "version_update": Route(GET=VERSIONS, POST=VERSIONS, args=VERSION),
    "version_option": Route(POST=VERSIONS, args=VERSION_OPTION, data={"choice": "out", "reason": "Later"}),
    "version_options": Route(POST=VERSIONS, args=VERSION),
    "version_submit": Route(POST=VERSIONS, args=VERSION),
    "version_decide": Route(POST=DECIDE, args=VERSION),
    "version_reopen": Route(POST=VERSIONS, args=VERSION),
    "version_successor": Route(GET=VERSIONS, POST=VERSIONS, args=VERSION),
    # issue 16: comments on a version, by the same people as on the steps; every member reads them
    "version_comments": Route(GET=VIEW, POST=VERSION_COMMENT, args=VERSION, data={"text": "Please look at this"}),
    # reports
    "report_section": Route(GET=VIEW, args=VERSION),
    "report_create": Route(POST=REPORT, args=VERSION, data={"language": "en"}),
    "report_status": Route(GET=VIEW, args=REPORT_OF),
    "report_retry": Route(POST=REPORT, args=REPORT_OF),
    "report_download": Route(GET=VIEW, args=REPORT_OF),
    # issue 16: the board deck is requested through report_create (kind=deck); the working material as XLSX
    "project_material_xlsx": Route(GET=VIEW, args=PROJECT),
    # issue 17: what if (a GET page; adding a change is a GET form too)
    "what_if": Route(GET="strategies.try_changes", args=PROJECT),
    "scenario_create": Route(POST="strategies.try_changes", args=PROJECT),
    "scenario_detail": Route(GET="strategies.try_changes", args=SCENARIO_OF),
    "scenario_apply": Route(POST=EDIT, args=SCENARIO_OF),
    "scenario_discard": Route(POST="strategies.try_changes", args=SCENARIO_OF),
    # h1: the implementation cockpit; a KPI's check-ins (its owner may record them too: test_cockpit_views)
    "cockpit": Route(GET=VIEW, args=APPROVED),
    "kpi_detail": Route(
        GET=VIEW, POST=RECORD, args=APPROVED_KPI, data={"date": TODAY, "value": "12", "comment": "Matrix"}
    ),
    "kpi_checkin_correct": Route(
        GET=RECORD, POST=RECORD, args=CHECKIN, data={"date": TODAY, "value": "13", "comment": "Matrix correction"}
    ),
    "kpi_tracking": Route(
        GET=TRACKING, POST=TRACKING, args=APPROVED_KPI, data={"cadence": "weekly", "tolerance_percent": "5"}
    ),
    # h2: milestones move, and reviews are recorded
    "milestone_status": Route(GET=VIEW, POST=MILESTONES, args=MILESTONE_IN_FORCE),
    "review_list": Route(GET=VIEW, args=PROJECT),
    "review_new": Route(GET=REVIEW, POST=REVIEW, args=IN_FORCE),
    "review_detail": Route(GET=VIEW, args=REVIEW_OF),
    # h5: check-ins as files (every member downloads; consultants and managers upload)
    "checkins_export": Route(GET=VIEW, args=lambda mat: {**PROJECT(mat), "fmt": "csv"}),
    "checkins_upload": Route(GET="strategies.record_checkins", POST="strategies.record_checkins", args=PROJECT),
    # the status report of the approved version in force (h6); without one a POST is refused with 400
    "status_report_section": Route(GET=VIEW, POST=REPORT, args=PROJECT, data={"language": "en"}),
    # slice "ideas" (issue 15): the live session's timebox and idea rounds. Every member sees the panels and
    # writes cards; the controls are the facilitator's, the project's consultant (EDIT); guests are tested in
    # tests/test_live_timer.py and tests/test_live_ideas.py.
    "live_timer_panel": Route(GET=VIEW, args=LIVE_SESSION_OF),
    "live_timer_control": Route(POST=EDIT, args=LIVE_SESSION_OF, data={"action": "start", "minutes": "5"}),
    "live_ideas_panel": Route(GET=VIEW, args=LIVE_SESSION_OF),
    "live_idea_round_open": Route(POST=EDIT, args=LIVE_SESSION_OF, data={"target": "topic:0"}),
    "live_idea_card_add": Route(POST=VIEW, args=IDEA_ROUND, data={"text": "An idea"}),
    "live_idea_round_reveal": Route(POST=EDIT, args=IDEA_ROUND),
    "live_idea_round_end": Route(POST=EDIT, args=IDEA_ROUND),
    "live_idea_card_decide": Route(POST=EDIT, args=IDEA_CARD, data={"outcome": "discard"}),
    # issue 15, slice "room": the live room page, starting a session, ending it (its facilitator
    # only; without a running session a consultant is told so: test_live_room_views)
    "live_room": Route(GET=VIEW, args=PROJECT),
    "live_session_start": Route(POST="strategies.run_live_session", args=PROJECT, data={"step": "potential"}),
    "live_session_end": Route(POST="strategies.run_live_session", args=PROJECT),
    # the live workshop's guests (slice "guests"): the join form is open to anyone; the guest's own
    # pages open with the guest's key only and send everyone else to the join form (tests/test_live_guests.py)
    "live_qr": Route(GET=VIEW, args=LIVE),
    "live_join": Route(GET=PUBLIC, POST=PUBLIC),
    "live_join_code": Route(GET=PUBLIC, args=lambda mat: {"code": "NOPE42"}),
    "live_guest": Route(GET=PUBLIC),
    "live_guest_step": Route(GET=PUBLIC),
    "live_guest_leave": Route(POST=PUBLIC),
    # issue 15, dot-votes: every member (and guest: tests/test_live_votes.py) votes; only the
    # facilitator, the project's consultant who started the session, runs the vote
    "live_vote_panel": Route(GET=VIEW, args=LIVE),
    "live_vote_open": Route(POST=EDIT, args=LIVE),
    "live_vote_dot": Route(POST=VIEW, args=VOTE),
    "live_vote_close": Route(POST=EDIT, args=VOTE),
    "live_vote_reveal": Route(POST=EDIT, args=VOTE),
    "live_vote_apply": Route(POST=EDIT, args=VOTE),
    # issue 16, notifications: one's own inbox, bell and settings (another's notification answers 404:
    # tests/test_notifying_views.py); @-suggestions for every member; the webhook is the consultants'
    "notification_inbox": Route(GET=SIGNED_IN),
    "notification_bell": Route(GET=SIGNED_IN),
    "notification_read": Route(POST=SIGNED_IN),
    "notification_preferences": Route(GET=SIGNED_IN, POST=SIGNED_IN),
    "mention_suggestions": Route(GET=VIEW, args=PROJECT),
    "project_webhook": Route(GET="strategies.manage_webhook", POST="strategies.manage_webhook", args=PROJECT),
    "project_webhook_test": Route(POST="strategies.manage_webhook", args=PROJECT),
    # issue 16, item 2: read-only links to the approved version. Consultants and managers make, list
    # and revoke them; the pages a link opens are for anyone holding its token (hostile cases:
    # tests/test_share_links.py).
    "share_links": Route(GET=SHARE, POST=SHARE, args=SHARED_VERSION, data={"expires_in_days": "7"}),
    "share_link_revoke": Route(POST=SHARE, args=SHARE_LINK),
    "shared_version": Route(GET=PUBLIC, POST=PUBLIC, args=SHARED_TOKEN),
    "shared_cockpit": Route(GET=PUBLIC, args=SHARED_TOKEN),
    "shared_report": Route(GET=PUBLIC, args=SHARED_REPORT),
}

# Covered by a rule instead of one entry per route: every /admin/ route but its login sends
# anyone who is not staff to the admin's login (test_admin_sends_non_staff_to_its_login).
RULE_NAMESPACES = {"admin"}


# --- the routes, as the resolver knows them -----------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the pattern itself when unnamed
    name: str | None
    namespace: str | None
    route: str  # the whole pattern, for messages
    pattern: URLPattern
    prefix: str  # the patterns it sits under, as URL text


def _walk(resolver, prefix="", namespace=None, route=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry, prefix + _sample_path(entry.pattern), inner, route + str(entry.pattern))
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(
                key=name or route + str(entry.pattern),
                name=name,
                namespace=namespace,
                route=route + str(entry.pattern),
                pattern=entry,
                prefix=prefix,
            )


def _sample_path(pattern) -> str:
    """A URL text that a pattern without arguments matches (the resolvers' own prefixes)."""
    text = str(pattern)
    return text.lstrip("^").rstrip("$") if not isinstance(pattern, RoutePattern) else text


ROUTES = list(_walk(get_resolver()))
CHECKED = [route for route in ROUTES if route.namespace not in RULE_NAMESPACES or route.key in MATRIX]
ADMIN = [route for route in ROUTES if route.namespace == "admin" and route.key not in MATRIX]


# --- the material of a project ------------------------------------------------------------------------------


def make_done_report(version, user, tag: str) -> m.Report:
    report = m.Report.objects.create(version=version, language="en", requested_by=user, error=tag)
    report.file.save(f"pbsm-{tag}-{report.pk}.pdf", ContentFile(b"%PDF-1.4 " + tag.encode()), save=False)
    report.status = m.ReportStatus.DONE
    report.progress = 100
    report.save()
    return report


class Material:
    """One project's working material, made on first use; every text carries the project's tag."""

    def __init__(self, project, consultant, tag: str):
        self.project = project
        self.consultant = consultant
        self.tag = tag
        self.kind = ROW_KINDS["topic"]  # the row kind a route is checked with; the IDOR test walks them all

    @cached_property
    def topic(self):
        return TopicFactory(project=self.project, title=f"Topic {self.tag}")

    @cached_property
    def benefit(self):
        return BenefitFactory(topic=self.topic, title=f"Benefit {self.tag}")

    @cached_property
    def option(self):
        return OptionFactory(topic=self.topic, benefit=self.benefit, title=f"Option {self.tag}")

    @cached_property
    def competitor(self):
        return CompetitorFactory(project=self.project, name=f"Competitor {self.tag}")

    @cached_property
    def presence(self):
        return PresenceFactory(competitor=self.competitor, topic=self.topic, standard_set=f"Set {self.tag}")

    @cached_property
    def resource(self):
        return ResourceFactory(project=self.project, description=f"Resource {self.tag}")

    @cached_property
    def requirement(self):
        return RequirementFactory(option=self.option)

    @cached_property
    def kpi(self):
        return KpiFactory(benefit=self.benefit, description=f"KPI {self.tag}")

    @cached_property
    def milestone(self):
        return MilestoneFactory(project=self.project, title=f"Milestone {self.tag}")

    @cached_property
    def swot_note(self):
        return m.SwotNote.objects.create(project=self.project, quadrant="strength", text=f"Note {self.tag}")

    @cached_property
    def platform(self):
        return PlatformFactory(project=self.project, name=f"Platform {self.tag}")

    @cached_property
    def content_pillar(self):
        return m.ContentPillar.objects.create(project=self.project, title=f"Pillar {self.tag}", topic=self.topic)

    @cached_property
    def content_line(self):
        return m.ContentPlanLine.objects.create(pillar=self.content_pillar, platform=f"Platform {self.tag}")

    @cached_property
    def effect_rating(self):
        effect = Effect.objects.active().order_by("order", "id").first()
        return m.EffectRelevance.objects.create(project=self.project, effect=effect, relevance=3, notes=self.tag)

    @cached_property
    def format_rating(self):
        usage_format = UsageFormat.objects.active().order_by("order", "id").first()
        return m.UsageFormatRelevance.objects.create(
            project=self.project, usage_format=usage_format, relevance=3, notes=self.tag
        )

    @cached_property
    def version(self):
        version = strategy_version_create(project=self.project, user=self.consultant, name=f"Version {self.tag}")
        version_option_choose(
            version=version, user=self.consultant, option=self.option, included=True, reason=f"Reason {self.tag}"
        )
        return version

    @cached_property
    def report(self):
        return make_done_report(self.version, self.consultant, self.tag)

    @cached_property
    def checkin(self):
        """A check-in of a KPI of the project's approved version in force."""
        assert self.version_in_force is not None
        return kpi_checkin_record(
            project=self.project, kpi_key=self.kpi.pk, user=self.consultant, date=today(), value="11", comment=self.tag
        )

    @cached_property
    def version_in_force(self):
        """An approved version (decided by a manager of its own) whose snapshot carries the milestone and the KPI."""
        assert self.milestone is not None and self.kpi is not None
        approver = UserFactory(username=f"approver-{self.tag.lower()}")
        MembershipFactory(project=self.project, user=approver, role=Role.MANAGER)
        version = strategy_version_create(project=self.project, user=self.consultant, name=f"Approved {self.tag}")
        version_option_choose(
            version=version, user=self.consultant, option=self.option, included=True, reason=f"Reason {self.tag}"
        )
        strategy_version_submit(version=version, user=self.consultant, notify=False)
        return strategy_version_decide(version=version, user=approver, decision=m.Decision.APPROVE, comment=self.tag)

    @cached_property
    def share(self):
        """A read-only link to the approved version in force, with its raw token."""
        from strategies.services.share_links import share_link_create

        return share_link_create(
            version=self.version_in_force, user=self.consultant, expires_in_days=7, label=f"Link {self.tag}"
        )

    @cached_property
    def share_link(self):
        return self.share[0]

    @cached_property
    def share_token(self):
        return self.share[1]

    @cached_property
    def approved_report(self):
        """A finished strategy report of the approved version, rendered after its approval."""
        report = make_done_report(self.version_in_force, self.consultant, self.tag)
        report.started_at = report.finished_at = timezone.now()
        report.save(update_fields=["started_at", "finished_at"])
        return report

    @cached_property
    def review(self):
        assert self.version_in_force is not None
        return strategy_review_record(
            project=self.project,
            user=self.consultant,
            date=timezone.localdate(),
            participants=self.tag,
            findings=[{"milestone_key": self.milestone.pk, "status": "planned", "text": self.tag}],
            decision=m.ReviewDecision.CONTINUE,
            rationale=self.tag,
        )

    @cached_property
    def live_session(self):
        from strategies.services.live_sessions import running_session

        return running_session(self.project) or live_session_start(project=self.project, user=self.consultant)

    @cached_property
    def dot_vote(self):
        assert self.topic is not None
        return dot_vote_open(
            session=self.live_session,
            user=self.consultant,
            target=m.VoteTarget.TOPICS,
            dots_per_participant=3,
            max_per_item=2,
            question=self.tag,
        )

    @cached_property
    def scenario(self):
        from strategies.analysis.impact import DropOption
        from strategies.services.scenarios import scenario_save

        changes = [DropOption(self.option.pk)]
        return scenario_save(project=self.project, user=self.consultant, name=f"Scenario {self.tag}", changes=changes)

    @cached_property
    def membership(self):
        """A spare member's membership, to remove or change without touching the visitor's own."""
        spare = UserFactory(username=f"spare-{self.tag.lower()}")
        return MembershipFactory(project=self.project, user=spare, role=Role.VIEWER)

    @cached_property
    def answer(self):
        return m.ChecklistAnswer.objects.create(project=self.project, question=self.question, notes=self.tag)

    @cached_property
    def question(self):
        return (
            GuidingQuestion.objects.active()
            .filter(area__is_active=True, area__key__in=STEPS)
            .order_by("area__order", "order", "id")
            .first()
        )

    def of_model(self, model):
        """The project's object of a model (a row of every row kind, a parent of every row form)."""
        objects = {
            m.StrategyProject: lambda: self.project,
            m.Topic: lambda: self.topic,
            m.BusinessBenefit: lambda: self.benefit,
            m.ActionOption: lambda: self.option,
            m.Competitor: lambda: self.competitor,
            m.CompetitorPresence: lambda: self.presence,
            m.Resource: lambda: self.resource,
            m.ResourceRequirement: lambda: self.requirement,
            m.Kpi: lambda: self.kpi,
            m.Milestone: lambda: self.milestone,
            m.Platform: lambda: self.platform,
            m.ContentPillar: lambda: self.content_pillar,
            m.ContentPlanLine: lambda: self.content_line,
            m.EffectRelevance: lambda: self.effect_rating,
            m.UsageFormatRelevance: lambda: self.format_rating,
        }
        assert model in objects, f"Material makes no {model.__name__}: add it, so its row kind is checked"
        return objects[model]()

    def row(self, kind):
        row = self.of_model(kind.model)
        assert kind.queryset(self.project).filter(pk=row.pk).exists(), f"{kind.name}: the row is not in the list"
        return row

    def ident(self, kind) -> str:
        return str(kind.ident(self.row(kind)))


# --- people and outcomes --------------------------------------------------------------------------------------

# non_member: signed in, no membership, not in the consultants' group; other_consultant: a consultant
# of another project (and in the group); staff: an admin who is no member (the admin is not a way in);
# superuser: a superuser who is no member; superuser_viewer: a superuser added as viewer (a viewer, nothing more).
ROLES = (
    "anonymous",
    "non_member",
    "viewer",
    "manager",
    "consultant",
    "other_consultant",
    "staff",
    "superuser",
    "superuser_viewer",
)

LOGIN = "login"
ADMIN_LOGIN = "admin login"
HIDDEN = "hidden (404)"
REFUSED = "refused (403)"
NOT_ALLOWED = "405"
ALLOWED = "allowed"


def outcome(response, method: str) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        # A refusal to the login page names the page asked for (?next=); a logout ends there without one.
        target = urlsplit(response["Location"])
        if "next=" in target.query and target.path == resolve_url(settings.LOGIN_URL):
            return LOGIN
        if "next=" in target.query and target.path == reverse("admin:login"):
            return ADMIN_LOGIN
        return ALLOWED
    if status in (200, 204) or (method == "POST" and status in (400, 422)):
        return ALLOWED
    return {404: HIDDEN, 403: REFUSED, 405: NOT_ALLOWED}.get(status, f"unexpected {status}")


def expected_outcome(route: Route, method: str, user, project) -> str:
    """What the rules module says this user gets; `project` is the one the URL names (None: no project)."""
    need = route.needs(method)
    anonymous = user is None
    if anonymous and route.signed_in_only:
        return LOGIN
    if need is None:
        return NOT_ALLOWED
    if need in (PUBLIC, SIGNED_IN):
        return ALLOWED
    if project is None:
        return ALLOWED if user.has_perm(need) else REFUSED
    project = m.StrategyProject.objects.get(pk=project.pk)  # no role remembered from an earlier request
    if not rules.has_perm(VIEW, user, project):
        return HIDDEN
    return ALLOWED if rules.has_perm(need, user, project) else REFUSED


def send(client, method: str, url: str, data: dict):
    return client.get(url) if method == "GET" else client.post(url, data)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Report files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def company_sign_in_on(settings):
    """The company sign-in's routes answer only when it is configured (they are 404 otherwise,
    tests/test_company_sign_in.py); explicit endpoints, so no cell asks a provider anything."""
    oidc_provider.configure(settings, explicit_endpoints=True)


@pytest.fixture
def world(project, consultant, manager, viewer, outsider):
    other = Membership.objects.get(user=outsider).project
    return {
        "own": Material(project, consultant, "OWN-7f3a"),
        "other": Material(other, outsider, "FOREIGN-c91e"),
    }


@pytest.fixture
def superuser_viewer(project):
    user = UserFactory(username="rootviewer", is_staff=True, is_superuser=True)
    MembershipFactory(project=project, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def people(consultant, manager, viewer, outsider, superuser_viewer):
    return {
        "anonymous": None,
        "non_member": UserFactory(username="nora"),
        "viewer": viewer,
        "manager": manager,
        "consultant": consultant,
        "other_consultant": outsider,
        "staff": UserFactory(username="sam", is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "superuser_viewer": superuser_viewer,
    }


def client_of(client_for, user):
    return Client() if user is None else client_for(user)


def entry_of(route: Pattern) -> Route:
    entry = MATRIX.get(route.key)
    assert entry is not None, (
        f"{route.key!r} ({route.route}) has no entry in MATRIX: say what it asks of its visitors, "
        "so its access is checked like every other route's"
    )
    return entry


# --- the matrix ---------------------------------------------------------------------------------------------


def test_every_route_has_an_entry_and_every_entry_a_route():
    keys = [route.key for route in CHECKED]
    assert len(keys) == len(set(keys)), "two routes share a name: the matrix could not tell them apart"
    missing = [f"{route.key} ({route.route})" for route in CHECKED if route.key not in MATRIX]
    assert missing == [], f"routes without an entry in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - {route.key for route in ROUTES})
    assert stale == [], f"MATRIX names routes that no longer exist: {stale}"
    assert all(route.name for route in CHECKED), "every route outside the admin has a name"


def test_the_row_kind_the_matrix_uses_is_served_by_every_row_route():
    kind = ROW_KINDS["topic"]
    assert all(entry.kinds(kind) for entry in MATRIX.values())


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", CHECKED, ids=lambda route: route.key)
def test_each_role_gets_what_the_rules_say(route, role, method, world, people, client_for):
    entry = entry_of(route)
    own = world["own"]
    args = entry.args(own)
    url = reverse(route.name, kwargs=args)
    user = people[role]
    expected = expected_outcome(entry, method, user, own.project if "pk" in args else None)

    response = send(client_of(client_for, user), method, url, entry.data)

    assert outcome(response, method) == expected, (route.key, role, method, url, response.status_code)
    if expected == LOGIN:
        assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


# The design's table of roles (docs: DESIGN.md), per permission: the matrix above checks that the
# views obey the rules module; this checks that the rules module says what the design says.
PERMISSIONS_OF = {
    "anonymous": set(),
    "non_member": set(),
    "viewer": {VIEW},
    # members: the manager role only (and viewers)
    "manager": {VIEW, MEMBERS, COMMENT, DECIDE, REPORT, EXPORT, MILESTONES, REVIEW, SHARE},
    "consultant": {VIEW, EDIT, MEMBERS, VERSIONS, REPORT, EXPORT, MILESTONES, REVIEW, SHARE},
    "other_consultant": set(),
    "staff": set(),
    "superuser": set(),
    "superuser_viewer": {VIEW},
}
# The consultants' group and staff (a superuser is staff here).
MAY_CREATE_PROJECTS = {"consultant", "other_consultant", "staff", "superuser", "superuser_viewer"}


@pytest.mark.parametrize("role", ROLES)
def test_the_rules_give_each_role_what_the_design_says(role, world, people):
    user = people[role] or AnonymousUser()
    project = world["own"].project
    project_perms = {VIEW, EDIT, MEMBERS, COMMENT, VERSIONS, DECIDE, REPORT, EXPORT, MILESTONES, REVIEW, SHARE}
    assert {perm for perm in project_perms if rules.has_perm(perm, user, project)} == PERMISSIONS_OF[role]
    assert user.has_perm(CREATE) == (role in MAY_CREATE_PROJECTS)


def test_the_rules_refuse_and_hide_somewhere_so_the_matrix_is_no_rubber_stamp(world, people):
    """Each role is refused or hidden somewhere, and allowed somewhere: the expectations are not all alike."""
    own = world["own"]
    seen = {role: set() for role in ROLES}
    for route in CHECKED:
        entry = MATRIX[route.key]
        args = entry.args(own)
        for method in METHODS:
            for role in ROLES:
                seen[role].add(expected_outcome(entry, method, people[role], own.project if "pk" in args else None))
    assert LOGIN in seen["anonymous"] and ALLOWED in seen["anonymous"]
    assert {HIDDEN, REFUSED, ALLOWED} <= seen["non_member"]
    assert {REFUSED, ALLOWED} <= seen["viewer"] and HIDDEN not in seen["viewer"]
    assert {REFUSED, ALLOWED} <= seen["manager"]
    assert {REFUSED, ALLOWED} <= seen["consultant"] and HIDDEN not in seen["consultant"]
    assert {HIDDEN, ALLOWED} <= seen["other_consultant"] and REFUSED not in seen["other_consultant"]
    assert seen["staff"] == seen["other_consultant"] == seen["superuser"]
    assert seen["superuser_viewer"] == seen["viewer"]


# --- IDOR: another project's object in one's own project's URL ----------------------------------------------


def _fingerprint(project=None) -> str:
    """Everything the strategies app stores (its history included), or everything of one project."""
    parts = []
    for model in apps.get_app_config("strategies").get_models():
        rows = model._default_manager.order_by("pk")
        if project is not None:
            fields = {f.name for f in model._meta.get_fields()}
            if model is m.StrategyProject:
                rows = rows.filter(pk=project.pk)
            elif "project" in fields:
                rows = rows.filter(project=project.pk)
            else:
                continue
        parts.append(serializers.serialize("json", rows))
    return "".join(parts)


def _idor_cases():
    """(route, row kind or None, argument): every argument of a route that names an object of the project."""
    cases = []
    for route in CHECKED:
        entry = MATRIX.get(route.key)
        if entry is None:
            continue
        converters = route.pattern.pattern.converters
        if "pk" not in converters:
            continue  # not about a project (password reset tokens, ...)
        # "fmt" names a file format (checkins_export), not an object: nothing of another project to reach.
        names = [name for name in converters if name not in ("pk", "key", "kind_name", "fmt")]
        kinds = [kind for kind in ROW_KINDS.values() if entry.kinds(kind)] if "kind_name" in converters else [None]
        for kind in kinds:
            for name in names:
                label = f"{route.key}-{kind.name}-{name}" if kind else f"{route.key}-{name}"
                cases.append(pytest.param(route, kind, name, id=label))
    return cases


def _row_data(kind, mat) -> dict:
    """A body the row's edit form accepts, from the row as saved (the own project's, never the foreign one)."""
    row = mat.row(kind)
    form = kind.form_class(instance=row, project=mat.project)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    if getattr(row, "lock_version", None) is not None and row.pk is not None:
        data["lock_version"] = str(row.lock_version)
    data["direction"] = "down"
    return data


# A foreign id answers like an id that exists nowhere; that is a 404 everywhere but here, where
# the edit of a row that has gone (deleted by a colleague) offers the typed input as a new row.
NOT_404_FOR_A_MISSING_ID = {("row_edit", "POST")}
GHOST = 987_654_321


def _allowed_member(entry: Route, method: str, project, members):
    """The project's consultant, or its manager where only managers may (deciding, commenting)."""
    need = entry.needs(method)
    return next(user for user in members if rules.has_perm(need, user, m.StrategyProject.objects.get(pk=project.pk)))


@pytest.mark.parametrize("visitor", ["member_of_own_project", "member_of_both_projects"])
@pytest.mark.parametrize(("route", "kind", "name"), _idor_cases())
def test_an_object_id_reaches_only_the_urls_own_project(
    route, kind, name, visitor, world, consultant, manager, client_for
):
    """Another project's object in one's own project's URL answers as an id that exists nowhere (404).

    It changes nothing and shows nothing of the other object. Ids of catalogue entries (a guiding
    question, an effect to rate) are the same in every project: acting on one in one's own project
    leaves the other project's answer or rating for the same entry as it was.
    """
    entry = MATRIX[route.key]
    own, other = world["own"], world["other"]
    if kind is not None:
        own.kind = other.kind = kind
    mine, theirs = entry.args(own), entry.args(other)
    catalogue = mine[name] == theirs[name]
    if catalogue:
        # The other project's word on the same entries, which must stay as it is.
        assert other.answer.notes == other.effect_rating.notes == other.format_rating.notes == other.tag
    data = _row_data(kind, own) if kind is not None else entry.data
    foreign_url = reverse(route.name, kwargs={**mine, name: theirs[name]})
    missing_url = reverse(route.name, kwargs={**mine, name: GHOST})

    for method in METHODS:
        if entry.needs(method) is None:
            continue
        user = _allowed_member(entry, method, own.project, (consultant, manager))
        if visitor == "member_of_both_projects":
            # Only the scoping of the object to the URL's project stops this one: the user may act on both.
            Membership.objects.get_or_create(
                project=other.project, user=user, defaults={"role": own.project.role_of(user)}
            )
        client = client_for(user)
        if catalogue:
            theirs_before = _fingerprint(other.project)
            response = send(client, method, foreign_url, data)
            assert outcome(response, method) == ALLOWED, (method, foreign_url, response.status_code)
            assert other.tag.encode() not in response.content, (method, foreign_url)
            assert _fingerprint(other.project) == theirs_before, f"{method} {foreign_url} changed the other project"
            continue
        before = _fingerprint()
        missing = send(client, method, missing_url, data)
        foreign = send(client, method, foreign_url, data)
        assert foreign.status_code == missing.status_code, (method, foreign_url)
        if (route.key, method) not in NOT_404_FOR_A_MISSING_ID:
            assert foreign.status_code == 404, (method, foreign_url, foreign.status_code)
        body = b"".join(foreign) if foreign.streaming else foreign.content
        assert other.tag.encode() not in body, (method, foreign_url)
        assert _fingerprint() == before, f"{method} {foreign_url} changed stored data"


def test_the_idor_check_reaches_every_object_argument():
    names = {case.values[2] for case in _idor_cases()}
    assert names >= {
        "membership_pk",
        "version_pk",
        "option_pk",
        "report_pk",
        "link_pk",
        "ident",
        "question_pk",
        "milestone_pk",
        "review_pk",
        "vote_pk",
    }
    kinds = {case.values[1].name for case in _idor_cases() if case.values[1] is not None}
    assert kinds == set(ROW_KINDS)


def _parent_fields(kind):
    """The form's choices of the project's own rows (a topic, a benefit, an option, a competitor)."""
    form_fields = kind.form_class.base_fields
    return [
        name
        for name, form_field in form_fields.items()
        if isinstance(form_field, ModelChoiceField) and form_field.queryset.model._meta.app_label == "strategies"
    ]


PARENT_CASES = [
    pytest.param(kind, name, id=f"{kind.name}-{name}") for kind in ROW_KINDS.values() for name in _parent_fields(kind)
]


def test_every_row_kind_with_a_parent_is_checked():
    assert {case.values[0].name for case in PARENT_CASES} >= {"benefit", "option", "presence", "requirement", "kpi"}


@pytest.mark.parametrize(("kind", "name"), PARENT_CASES)
def test_a_row_cannot_be_hung_on_another_projects_parent(kind, name, world, client_for):
    own, other = world["own"], world["other"]
    own.kind = kind
    field_model = kind.form_class.base_fields[name].queryset.model
    foreign_parent = other.of_model(field_model)
    data = {**_row_data(kind, own), name: str(foreign_parent.pk)}
    data.pop("direction")
    client = client_for(own.consultant)
    row = own.row(kind)
    count = kind.model.objects.count()

    edited = client.post(reverse("row_edit", kwargs=ROW(own)), data)
    assert edited.status_code == 200 and name in edited.context["form"].errors
    assert getattr(kind.model.objects.get(pk=row.pk), f"{name}_id") == getattr(row, f"{name}_id")
    if kind.can_add:
        data.pop("lock_version", None)
        added = client.post(reverse("row_new", kwargs=KIND(own)), data)
        assert added.status_code == 200 and name in added.context["form"].errors
        assert kind.model.objects.count() == count
        assert other.tag.encode() not in added.content
        # The add button's preset (?topic=...) with another project's parent presets nothing of it.
        offered = client.get(reverse("row_new", kwargs=KIND(own)) + f"?{name}={foreign_parent.pk}")
        assert offered.status_code == 200
        assert other.tag.encode() not in offered.content
    assert other.tag.encode() not in edited.content


@pytest.mark.parametrize("which", ["new", "old"])
def test_comparing_with_another_projects_version_answers_404(which, world, client_for):
    own, other = world["own"], world["other"]
    url = reverse("version_compare", kwargs=PROJECT(own)) + f"?{which}={other.version.pk}"
    assert own.version.pk != other.version.pk
    response = client_for(own.consultant).get(url)
    assert response.status_code == 404
    assert other.tag.encode() not in response.content


# --- the rules for what has no entry of its own -----------------------------------------------------------------


def _admin_url(route: Pattern) -> str:
    """A URL of an admin route, with "1" for every argument (the answer comes before any lookup)."""
    pattern = route.pattern.pattern
    if isinstance(pattern, RoutePattern):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: "1", str(pattern))
        return "/" + route.prefix + path
    regex = pattern.regex
    if route.name is None:  # the catch-all: any path the admin does not know
        return "/" + route.prefix + "no-such-page/"
    kwargs = {name: {"app_label": "strategies", "url": "no-such-page/"}.get(name, "1") for name in regex.groupindex}
    args = ["1"] * (regex.groups - len(regex.groupindex))
    return reverse(route.name, args=args) if args else reverse(route.name, kwargs=kwargs)


def test_the_admin_rule_covers_every_admin_route_but_its_login():
    assert len(ADMIN) > 50
    assert {route.key for route in ROUTES if route.namespace == "admin"} - {r.key for r in ADMIN} == {"admin:login"}


@pytest.mark.parametrize("route", ADMIN, ids=lambda route: route.key)
def test_admin_sends_non_staff_to_its_login(route, consultant, client_for):
    url = _admin_url(route)
    consultant.is_staff = False
    for client in (Client(), client_for(consultant)):
        for method in METHODS:
            response = send(client, method, url, {})
            if route.key == "admin:logout" and outcome(response, method) == ALLOWED:
                # Logging out of an admin one is not signed in to: back to the index, which asks to log in.
                assert response["Location"] == reverse("admin:index")
                response = client.get(response["Location"])
            assert outcome(response, method) == ADMIN_LOGIN, (route.key, method, url, response.status_code)


def test_staff_reach_the_admin_index_and_every_list(db, client_for):
    admin_user = UserFactory(username="root")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = client_for(admin_user)
    lists = [route for route in ADMIN if (route.name or "").endswith("_changelist")]
    assert len(lists) > 15
    assert client.get(reverse("admin:index")).status_code == 200
    for route in lists:
        assert client.get(reverse(route.name)).status_code == 200, route.key


def test_media_is_never_served_by_url_only_through_the_checked_download(world, client_for):
    """No route serves MEDIA_URL: a report's file is reached only through report_download (members only)."""
    own = world["own"]
    report = own.report
    direct = "/" + settings.MEDIA_URL.lstrip("/") + report.file.name
    assert client_for(own.consultant).get(direct).status_code == 404
    assert Client().get(direct).status_code == 404


def test_static_files_are_public_and_only_static_files(db, settings):
    """Static files (CSS, JS, fonts) are served to anyone by whitenoise, outside the URL patterns.

    Tests run without collected files: whitenoise reads them through the finders, as in development.
    """
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    static = "/" + settings.STATIC_URL.lstrip("/")
    client = Client()  # a new client loads the middleware with these settings
    assert client.get(static + "css/app.css").status_code == 200
    for escape in ("../pbsm/settings.py", "%2e%2e/pbsm/settings.py", "css/../../pbsm/settings.py"):
        assert client.get(static + escape).status_code == 404, escape
