"""E-mails the workflow sends."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Membership, Role, StrategyVersion


def notify_managers_of_submission(version_id: int) -> int:
    """Tell the project's managers that a version awaits their decision; returns the number of e-mails."""
    version = StrategyVersion.objects.select_related("project__client", "submitted_by").get(pk=version_id)
    managers = Membership.objects.filter(project=version.project, role=Role.MANAGER).select_related("user")
    recipients = [m.user for m in managers if m.user.email and m.user.is_active]
    link = settings.SITE_URL.rstrip("/") + reverse("version_detail", args=[version.project_id, version.pk])
    submitter = version.submitted_by.get_full_name() or version.submitted_by.username if version.submitted_by else ""
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Strategy version V%(number)s “%(name)s” awaits your decision") % {
            "number": version.number,
            "name": version.name,
        }
        # One line: a line break in a header makes Django refuse the whole message (BadHeaderError).
        subject = " ".join(subject.split())
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
