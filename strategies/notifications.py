"""E-mails the workflow sends."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .analysis.kpi_chart_svg import kpi_chart
from .models import Membership, NotificationKind, NotificationMode, Role, StrategyVersion
from .strategy_standing import current_readings


def absolute_url(path: str) -> str:
    """A link that works outside the site (an e-mail): SITE_URL plus the path from reverse().

    A link that is already absolute stays as it is."""
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def one_line(subject: str) -> str:
    """A subject on one line: a line break in a header makes Django refuse the whole message (BadHeaderError)."""
    return " ".join(subject.split())


def notify_managers_of_submission(version_id: int) -> int:
    """Tell the project's managers that a version awaits their decision; returns the number of e-mails."""
    version = StrategyVersion.objects.select_related("project__client", "submitted_by").get(pk=version_id)
    managers = Membership.objects.filter(project=version.project, role=Role.MANAGER).select_related("user")
    from .services.notifying import modes_for

    reachable = [m.user for m in managers if m.user.email and m.user.is_active]
    # Managers who chose the daily digest (or nothing) for submissions get this e-mail there, or not at all.
    modes = modes_for(reachable, NotificationKind.VERSION_SUBMITTED)
    recipients = [user for user in reachable if modes[user.pk] == NotificationMode.IMMEDIATE]
    link = absolute_url(reverse("version_detail", args=[version.project_id, version.pk]))
    submitter = version.submitted_by.get_full_name() or version.submitted_by.username if version.submitted_by else ""
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Strategy version V%(number)s “%(name)s” awaits your decision") % {
            "number": version.number,
            "name": version.name,
        }
        subject = one_line(subject)
        body = _(
            "%(submitter)s has submitted strategy version V%(number)s “%(name)s” of the project "
            "“%(project)s” (%(client)s) for your decision.\n\n"
            "Review what it contains and what changed since the last approved version, then approve or reject it:\n"
            "%(link)s\n"
        ) % {
            "submitter": submitter,
            "number": version.number,
            "name": version.name,
            "project": version.project.title,
            "client": version.project.client.name,
            "link": link,
        }
    for user in recipients:
        messages.append((subject, body, None, [user.email]))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def notify_managers_of_access_change(change_id: int) -> int:
    """Tell the project's managers who gave whom which access; returns the number of e-mails.

    A manager who lost the role (or the project) hears of it too; the actor, who knows, does not.
    """
    from .models import AccessAction, AccessChange

    change = AccessChange.objects.select_related("project__client", "user").get(pk=change_id)
    managers = Membership.objects.filter(project=change.project, role=Role.MANAGER).select_related("user")
    recipients = {m.user for m in managers}
    if change.old_role == Role.MANAGER and change.user is not None:
        recipients.add(change.user)
    addresses = sorted({u.email for u in recipients if u.email and u.is_active and u.pk != change.actor_id})
    if not addresses:
        return 0
    link = absolute_url(reverse("project_changes", args=[change.project_id]))
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "user": change.user_name,
            "old": _role_label(change.old_role),
            "new": _role_label(change.new_role),
            "actor": change.actor_name or _("An administrator"),
            "project": change.project.title,
            "client": change.project.client.name,
            "link": link,
        }
        what = {
            AccessAction.ADDED: _("%(user)s was added as %(new)s."),
            AccessAction.ROLE_CHANGED: _("%(user)s is now %(new)s (was %(old)s)."),
            AccessAction.REMOVED: _("%(user)s was removed from the project (was %(old)s)."),
        }[change.action] % values
        subject = _("Access to “%(project)s” changed") % values
        subject = one_line(subject)
        body = (
            _("%(actor)s changed who has access to the project “%(project)s” (%(client)s):") % values
            + "\n\n"
            + what
            + "\n\n"
            + _(
                "If this was not agreed with you, tell your consultant or an administrator. "
                "The project's history lists every access change:\n%(link)s\n"
            )
            % values
        )
    return send_mass_mail([(subject, body, None, [address]) for address in addresses], fail_silently=False)


def checkin_reminder_message(*, recipient, due: list) -> EmailMultiAlternatives:
    """One e-mail to `recipient` listing every KPI whose check-in is due for them, grouped by project.

    `due`: (project, KpiStanding) pairs, as the reminder job found them (strategy_standing). Text
    and HTML, in the installation's language (a project stores no language of its own).
    """
    by_project: dict = {}
    for project, kpi in due:
        by_project.setdefault(project, []).append(kpi)
    # The reminder job reads each KPI's last check-in only (portfolio_standings); the chart, the
    # cockpit's and the status report's own, draws the whole line: one query for this e-mail.
    readings = current_readings(project.pk for project in by_project)
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        projects = [
            {
                "title": project.title,
                "client": project.client.name,
                "kpis": [
                    {
                        "name": kpi.name,
                        "cadence": kpi.tracking.get_cadence_display(),
                        "period_start": kpi.period_start,
                        "last_checkin_on": kpi.last_checkin_on,
                        "state": str(kpi.status.label),
                        "link": absolute_url(reverse("kpi_detail", args=[project.pk, kpi.key])),
                        "chart": kpi_chart(
                            name=kpi.name,
                            plan=kpi.plan,
                            readings=readings[project.pk].get(kpi.key, []),
                            today=today,
                            unit=kpi.unit,
                            dom_id=f"kpi-{project.pk}-{kpi.key}",
                        ).svg,
                    }
                    for kpi in kpis
                ],
            }
            for project, kpis in by_project.items()
        ]
        count = len(due)
        context = {
            "recipient_name": recipient.get_full_name() or recipient.get_username(),
            "projects": projects,
            "count": count,
            "language": settings.LANGUAGE_CODE,
        }
        subject = one_line(
            ngettext("A KPI check-in is due", "%(count)s KPI check-ins are due", count) % {"count": count}
        )
        text = render_to_string("strategies/emails/checkin_reminder.txt", context)
        html = render_to_string("strategies/emails/checkin_reminder.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message
