"""The pages a read-only link opens, for anyone who holds it: the approved version, its cockpit, its PDF.

/shared/<token>/ shows the version's approved content (texts, options in and out, what the
selection means, the potential), /shared/<token>/cockpit/ where it stands while it is the
version in force, /shared/<token>/report/<language>/ its approved strategy report. Nothing
else of the project is reachable from a token: no draft, no other version, no history, no
member, no comment; the pages link nowhere but to each other.

Every answer here, refusals included, says `noindex` (meta and X-Robots-Tag), may be stored by
no cache (`Cache-Control: private, no-store`; the wizard's page cache is never asked) and sends
no Referer on (the token is in the URL). A link without a password touches no session and sets
no cookie; one with a password remembers in the session which links were opened with it.

Tokens that open nothing (unknown, expired, revoked, of a version no longer approved) all get
the same 404 page and are counted per client address: after SHARE_LINK_WRONG_TOKEN_LIMIT of them
in SHARE_LINK_WINDOW_SECONDS the address gets 429 for every token, right ones too, so guessing
does not pay. Wrong passwords are counted per link and address (SHARE_LINK_WRONG_PASSWORD_LIMIT).
"""

import logging
from functools import wraps

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pbsm.auth import client_ip_address
from pbsm.throttle import limit_reached, within_limit

from ..analysis.kpi_status import MILESTONE_LABELS, STATE_LABELS, State
from ..coverage import version_coverage
from ..forms.share_links import SharePasswordForm
from ..models import Report, ReportKind, ReportLanguage, ReportStatus, ShareLink, ShareLinkAccessKind
from ..models.share_links import MAX_TOKEN_LENGTH
from ..models.versions import VersionStatus
from ..reporting.words import content_in_language
from ..services.reports import STORAGE_ERRORS
from ..services.share_links import share_link_access_record, share_link_for_token
from ..snapshots import potential_in_language, version_content
from ..strategy_standing import strategy_standing

# The version page's grouping of options: the shared page shows them with the same partials.
from .kpi_cards import kpi_cards
from .versions import _options_by_topic

logger = logging.getLogger(__name__)

WRONG_TOKEN_SCOPE = "share-link-token"
WRONG_PASSWORD_SCOPE = "share-link-password"
# The session's list of links opened with their password (ids: the token never enters the session).
UNLOCKED_SESSION_KEY = "share_links_unlocked"
TOO_MANY = 429


def _wrong_token_limit() -> int:
    return settings.SHARE_LINK_WRONG_TOKEN_LIMIT


def _wrong_password_limit() -> int:
    return settings.SHARE_LINK_WRONG_PASSWORD_LIMIT


def _window() -> int:
    return settings.SHARE_LINK_WINDOW_SECONDS


def shared_page(view):
    """Every answer of a shared page (refusals too): not indexed, not stored, no Referer with the token."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "strategies/shared/not_found.html", status=404)
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        response["Referrer-Policy"] = "no-referrer"
        patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response

    return wrapped


def _open(request, token: str) -> ShareLink | None:
    """The usable link of the token, or None (counted as a wrong token)."""
    link = share_link_for_token(token) if 0 < len(token) <= MAX_TOKEN_LENGTH else None
    if link is None or not link.is_usable():
        address = client_ip_address(request)
        within_limit(WRONG_TOKEN_SCOPE, address, limit=_wrong_token_limit(), window_seconds=_window())
        return None
    return link


def _too_many_tokens(request) -> bool:
    return limit_reached(WRONG_TOKEN_SCOPE, client_ip_address(request), limit=_wrong_token_limit())


def _refusal(request, template: str, status: int):
    return render(request, f"strategies/shared/{template}", status=status)


def _unlocked(request, link: ShareLink) -> bool:
    """A link without a password is open (and the session is not even read); else only once its password was given."""
    return not link.has_password or link.pk in request.session.get(UNLOCKED_SESSION_KEY, [])


def _record(request, link: ShareLink, kind: str) -> None:
    share_link_access_record(
        link=link, kind=kind, address=client_ip_address(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _link_or_refusal(request, token: str):
    """(link, None) for a usable and opened link; (None, response) for everything else."""
    if _too_many_tokens(request):
        return None, _refusal(request, "too_many.html", TOO_MANY)
    link = _open(request, token)
    if link is None:
        return None, _refusal(request, "not_found.html", 404)
    if not _unlocked(request, link):
        return None, redirect("shared_version", token=token)
    return link, None


def approved_reports(version) -> dict[str, Report]:
    """The newest finished strategy report per language that was rendered as approved.

    A report renders with the version's status of that moment (reporting/render.py): only those
    started after the approval, and before the version was superseded, carry no DRAFT mark.
    """
    if version.decided_at is None:
        return {}  # no decision recorded: nothing was rendered as approved
    reports = Report.objects.filter(
        version=version, kind=ReportKind.STRATEGY, status=ReportStatus.DONE, started_at__gte=version.decided_at
    ).exclude(file="")
    if version.status == VersionStatus.SUPERSEDED:
        superseded = (
            version.transitions.filter(to_status=VersionStatus.SUPERSEDED).values_list("created_at", flat=True).first()
        )
        if superseded is not None:
            reports = reports.filter(started_at__lt=superseded)
    newest: dict[str, Report] = {}
    for report in reports.order_by("-finished_at", "-id"):
        newest.setdefault(report.language, report)
    return newest


def _common(link: ShareLink, token: str, page: str) -> dict:
    version = link.version
    return {
        "link": link,
        "token": token,
        "version": version,
        "project": version.project,
        "page": page,
        "in_force": version.is_approved_here,
        "reports": [
            {"language": code, "label": label}
            for code, label in ReportLanguage.choices
            if code in approved_reports(version)
        ],
    }


@shared_page
@require_http_methods(["GET", "POST"])
def shared_version(request, token: str):
    """GET: the version's approved content (or the password form); POST: the password."""
    if _too_many_tokens(request):
        return _refusal(request, "too_many.html", TOO_MANY)
    link = _open(request, token)
    if link is None:
        return _refusal(request, "not_found.html", 404)
    if not _unlocked(request, link):
        return _password(request, link, token)
    if request.method == "POST":
        return redirect("shared_version", token=token)  # nothing to post to an open link: back to its page
    _record(request, link, ShareLinkAccessKind.VERSION)
    version = link.version
    content = content_in_language(version_content(version))
    options = content.get("options", [])
    potential = potential_in_language(content)
    context = {
        **_common(link, token, "version"),
        "content": content,
        "texts": content.get("version", {}),
        "coverage": version_coverage(content),
        "potential": potential,
        "potential_groups": (
            [(_("Effects"), potential["effects"]), (_("Usage formats"), potential["usage_formats"])]
            if potential
            else []
        ),
        "included": _options_by_topic([option for option in options if option.get("included")]),
        "excluded": _options_by_topic([option for option in options if not option.get("included")]),
        "included_count": sum(1 for option in options if option.get("included")),
    }
    context["excluded_count"] = len(options) - context["included_count"]
    return render(request, "strategies/shared/version.html", context)


def _password(request, link: ShareLink, token: str):
    """The password form; a right password opens the link for this browser's session."""
    form = SharePasswordForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        identity = f"{link.pk}:{client_ip_address(request)}"
        limit = _wrong_password_limit()
        if limit_reached(WRONG_PASSWORD_SCOPE, identity, limit=limit):
            form.add_error("password", _("Too many wrong passwords; wait a few minutes and try again."))
            status = TOO_MANY
        elif link.check_password(form.cleaned_data["password"]):
            opened = request.session.get(UNLOCKED_SESSION_KEY, [])
            # A new session key, as at a login: a session id planted before the password was given
            # (a fixed cookie) does not open the link for whoever planted it.
            request.session.cycle_key()
            request.session[UNLOCKED_SESSION_KEY] = [*opened, link.pk]
            return redirect("shared_version", token=token)
        else:
            within_limit(WRONG_PASSWORD_SCOPE, identity, limit=limit, window_seconds=_window())
            form.add_error("password", _("This password does not open the link."))
    return render(request, "strategies/shared/password.html", {"form": form, "token": token}, status=status)


@shared_page
@require_GET
def shared_cockpit(request, token: str):
    """Where the shared version stands, while it is the approved version in force (read only)."""
    link, refusal = _link_or_refusal(request, token)
    if refusal is not None:
        return refusal
    _record(request, link, ShareLinkAccessKind.COCKPIT)
    context = _common(link, token, "cockpit")
    standing = strategy_standing(link.version.project, recent_only=True) if link.version.is_approved_here else None
    if standing is not None and standing.version.pk != link.version_id:
        standing = None  # another version is in force: never shown through this link
    if standing is not None:
        context.update(
            standing=standing,
            **kpi_cards(request, standing),
            counts=[{"state": state, "label": STATE_LABELS[state], "count": standing.counts[state]} for state in State],
            milestones=[{"milestone": m, "label": MILESTONE_LABELS[m.state]} for m in standing.milestones],
        )
    return render(request, "strategies/shared/cockpit.html", context)


@shared_page
@require_GET
def shared_report(request, token: str, language: str):
    """The version's approved strategy report in one language, as an attachment."""
    link, refusal = _link_or_refusal(request, token)
    if refusal is not None:
        return refusal
    report = approved_reports(link.version).get(language)
    if report is None:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    except STORAGE_ERRORS:
        logger.exception("Report %s could not be read from the storage for a shared link.", report.pk)
        return _refusal(request, "unavailable.html", 503)
    _record(request, link, ShareLinkAccessKind.PDF)
    filename = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
