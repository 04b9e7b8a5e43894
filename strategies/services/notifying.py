"""Notifications: who hears of what, in the inbox, by e-mail (at once or in a daily digest) and by webhook.

`notify` is the one door: the workflow services call it inside their transaction with the event's
words and link; it writes one inbox row per recipient who wants this kind (NotificationPreference,
default: at once) and, once the transaction commits, queues the e-mails for those who want them at
once and the project's Slack/Teams message. Nothing it queues can undo or block the user's action:
the queueing is `robust` and the tasks record their own failures.

Recipients are always members of the project (anyone else is dropped), and the actor never hears of
their own action. Texts are stored in the installation's language (a user stores none) as plain
text; every channel shows them as text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import (
    Membership,
    Notification,
    NotificationKind,
    NotificationMode,
    NotificationPreference,
    ProjectWebhook,
    Role,
    StrategyProject,
    WebhookKind,
)
from ..notifications import absolute_url, one_line
from ..webhook_safety import UnsafeWebhookURL, WebhookSendFailed, check_webhook_url, post_json

logger = logging.getLogger(__name__)

# "@" then a user name as Django allows it (letters, digits and @.+-_), not inside an e-mail
# address ("anna@example.com" mentions nobody): the "@" must start the text or follow a non-word.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+)")


def modes_for(users: Iterable[AbstractBaseUser], kind: str) -> dict[int, str]:
    """Each user's choice for `kind` (one query); the default for those who made none."""
    ids = [user.pk for user in users]
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "mode"))
    return {pk: chosen.get(pk, NotificationPreference.DEFAULT_MODE) for pk in ids}


def mode_for(user: AbstractBaseUser, kind: str) -> str:
    return modes_for([user], kind)[user.pk]


def notify(
    *,
    kind: str,
    project: StrategyProject,
    recipients: Iterable[AbstractBaseUser],
    title: str,
    body: str = "",
    url: str = "",
    actor: AbstractBaseUser | None = None,
    email: bool = True,
    digest: bool = True,
    webhook: bool = True,
) -> list[Notification]:
    """Record `kind` for each recipient who wants it and queue its e-mails and webhook message on commit.

    `email=False`: the caller sends its own e-mail to those who want it at once (the submission
    notice). `digest=False`: the caller's e-mail is already a daily one (the check-in reminder).
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Not a notification kind: {kind!r}")
    member_ids = set(Membership.objects.filter(project=project).values_list("user_id", flat=True))
    people = {
        user.pk: user
        for user in recipients
        if user is not None and user.pk in member_ids and user.is_active and (actor is None or user.pk != actor.pk)
    }
    modes = modes_for(people.values(), kind)
    if kind == NotificationKind.MENTION:
        # A mention asks for someone now: it is never held for the digest (only off or at once).
        modes = {
            pk: NotificationMode.IMMEDIATE if mode == NotificationMode.DIGEST else mode for pk, mode in modes.items()
        }
    title = one_line(title)[:300]
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            project=project,
            kind=kind,
            title=title,
            body=body,
            url=url,
            digest_pending=digest and modes[pk] == NotificationMode.DIGEST,
        )
        for pk, user in people.items()
        if modes[pk] != NotificationMode.OFF
    )
    at_once = [row.pk for row in rows if email and modes[row.recipient_id] == NotificationMode.IMMEDIATE]
    if at_once:
        transaction.on_commit(lambda: _queue_emails(at_once), robust=True)
    if webhook:
        hook = ProjectWebhook.objects.filter(project=project, active=True).values_list("pk", flat=True).first()
        if hook is not None:
            text = webhook_text(project=project, title=title, body=body, url=url)
            transaction.on_commit(lambda: _queue_webhook(hook, text), robust=True)
    return rows


def _queue_emails(notification_ids: list[int]) -> None:
    # Imported here: tasks call services, so services reach tasks only when they queue one.
    from ..tasks import send_notification_emails

    send_notification_emails.delay(notification_ids)


def _queue_webhook(webhook_id: int, text: str) -> None:
    from ..tasks import send_project_webhook

    send_project_webhook.delay(webhook_id, text)


# --- mentions --------------------------------------------------------------------------------------------


def mentioned_members(*, project: StrategyProject, text: str) -> list[AbstractBaseUser]:
    """The project's members named as @username in `text`; other names (and non-members) are ignored."""
    names = {name.rstrip(".").lower() for name in MENTION.findall(text)}
    if not names:
        return []
    members = get_user_model().objects.filter(memberships__project=project, is_active=True)
    return [user for user in members if user.get_username().lower() in names]


def comment_notify(
    *,
    project: StrategyProject,
    user: AbstractBaseUser,
    text: str,
    url: str,
    title: str,
    mention_title: str,
) -> None:
    """A member's comment (on a step, on a version): who it names as @username hears of it at once
    (kind "mention"), the other consultants as a comment. The author hears of neither.

    Called inside the service's transaction; `title` and `mention_title` are already in the
    installation's language.
    """
    mentioned = mentioned_members(project=project, text=text)
    consultants = [
        m.user
        for m in Membership.objects.filter(project=project, role=Role.CONSULTANT).select_related("user")
        if m.user not in mentioned
    ]
    notify(
        kind=NotificationKind.COMMENT,
        project=project,
        recipients=consultants,
        actor=user,
        title=title,
        body=text,
        url=url,
    )
    if mentioned:
        notify(
            kind=NotificationKind.MENTION,
            project=project,
            recipients=mentioned,
            actor=user,
            title=mention_title,
            body=text,
            url=url,
            # The comment itself reaches the project's webhook once, above.
            webhook=False,
        )


def mention_candidates(*, project: StrategyProject, prefix: str, limit: int = 10) -> list[dict]:
    """Members whose user name or name starts with `prefix`, for the @-autocomplete (members only)."""
    prefix = prefix.strip().lstrip("@")[:150]
    members = get_user_model().objects.filter(memberships__project=project, is_active=True).order_by("username")
    if prefix:
        members = members.filter(
            Q(username__istartswith=prefix) | Q(first_name__istartswith=prefix) | Q(last_name__istartswith=prefix)
        )
    return [
        {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}
        for user in members[:limit]
    ]


# --- e-mail ----------------------------------------------------------------------------------------------


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """One plain-text e-mail per notification (to recipients with an address); returns how many went out."""
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("recipient", "project")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            if not (row.recipient.email and row.recipient.is_active):
                continue
            text = row.body + ("\n\n" if row.body else "") + (absolute_url(row.url) if row.url else "")
            text += "\n\n" + _("You can choose which notifications you get by e-mail on your notification settings.")
            messages.append(EmailMessage(one_line(row.title), text, to=[row.recipient.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def notification_digest_send() -> int:
    """The daily digest: each user's pending digest notifications in one e-mail; returns the e-mails sent.

    A user's rows are claimed (digest_pending cleared) in the transaction that sends their e-mail:
    when the mail server refuses, the claim is rolled back and the next run sends them.
    """
    sent = 0
    users = Notification.objects.for_digest().order_by("recipient_id").values_list("recipient_id", flat=True).distinct()
    connection = get_connection()
    for user_id in list(users):
        try:
            with transaction.atomic():
                rows = list(
                    Notification.objects.for_digest()
                    .select_for_update()
                    .filter(recipient_id=user_id)
                    .order_by("created_at", "pk")
                )
                if not rows:
                    continue
                Notification.objects.filter(pk__in=[row.pk for row in rows]).update(digest_pending=False)
                recipient = get_user_model().objects.get(pk=user_id)
                if not (recipient.email and recipient.is_active):
                    continue
                with translation.override(settings.LANGUAGE_CODE):
                    subject = one_line(
                        _("Your pbsm workbench digest: %(count)s notification(s)") % {"count": len(rows)}
                    )
                    lines = []
                    for row in rows:
                        lines.append(f"- {row.title}")
                        if row.body:
                            lines.append("  " + row.body.replace("\n", "\n  "))
                        if row.url:
                            lines.append("  " + absolute_url(row.url))
                    body = "\n".join(lines)
                message = EmailMessage(subject, body, to=[recipient.email], connection=connection)
                message.send(fail_silently=False)
                sent += 1
        except Exception:  # noqa: BLE001 - the mail server refused: claim rolled back, the next run tries again
            logger.exception("Could not send the notification digest to user %s; the next run tries again.", user_id)
    return sent


# --- inbox -----------------------------------------------------------------------------------------------


def notification_mark_read(*, user: AbstractBaseUser, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read (or all of them, without an id); returns how many."""
    rows = Notification.objects.unread().filter(recipient=user)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())


def notification_preferences_save(*, user: AbstractBaseUser, modes: dict[str, str]) -> None:
    """Store the user's choice per kind (every kind named in `modes`)."""
    with transaction.atomic():
        for kind, mode in modes.items():
            if kind not in NotificationKind.values or mode not in NotificationMode.values:
                raise DomainError(_("Choose one of the offered options."), field=kind)
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


# --- webhooks --------------------------------------------------------------------------------------------


def _escape_markup(text: str) -> str:
    """Slack and Teams read <, > and & as markup: send them as entities so material shows as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_text(*, project: StrategyProject, title: str, body: str, url: str) -> str:
    lines = [f"{project.title}: {title}"]
    if body:
        lines.append(body[:1000])
    if url:
        lines.append(absolute_url(url))
    return "\n".join(lines)


def webhook_payload(*, kind: str, text: str) -> dict:
    """Slack's {"text": ...}; for Teams a MessageCard whose text escapes markdown too."""
    safe = _escape_markup(text)
    if kind == WebhookKind.TEAMS:
        safe = re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", safe).replace("\n", "\n\n")
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": safe.split("\n", 1)[0][:150],
            "text": safe,
        }
    return {"text": safe}


def project_webhook_save(
    *, project: StrategyProject, user: AbstractBaseUser, url: str, kind: str
) -> ProjectWebhook | None:
    """Set the project's webhook (checked: https, public host only), or remove it with an empty URL."""
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change where its notifications go."))
    url = url.strip()
    if not url:
        ProjectWebhook.objects.filter(project=project).delete()
        return None
    if kind not in WebhookKind.values:
        raise DomainError(_("Choose Slack or Microsoft Teams."), field="kind")
    try:
        check_webhook_url(url)
    except UnsafeWebhookURL as error:
        raise DomainError(str(error), field="url") from error
    hook, _created = ProjectWebhook.objects.update_or_create(
        project=project,
        defaults={"url": url, "kind": kind, "active": True, "last_error": "", "last_error_at": None},
    )
    return hook


def project_webhook_test(*, project: StrategyProject, user: AbstractBaseUser) -> ProjectWebhook:
    """Queue a test message to the project's webhook; its outcome shows on the settings page."""
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change where its notifications go."))
    hook = ProjectWebhook.objects.filter(project=project, active=True).first()
    if hook is None:
        raise DomainError(_("Set a webhook URL first."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Test message from pbsm workbench for the project “%(project)s”.") % {"project": project.title}
    transaction.on_commit(lambda: _queue_webhook(hook.pk, text), robust=True)
    return hook


def project_webhook_send(*, webhook_id: int, text: str) -> str:
    """Send one message to the webhook; records the outcome on it. Returns "sent", "failed" or "skipped".

    Raises WebhookSendFailed when the failure is temporary (the task tries again later).
    """
    hook = ProjectWebhook.objects.filter(pk=webhook_id, active=True).first()
    if hook is None:
        return "skipped"
    try:
        post_json(hook.url, webhook_payload(kind=hook.kind, text=text))
    except UnsafeWebhookURL as error:
        _record_failure(hook, str(error))
        return "failed"
    except WebhookSendFailed as error:
        _record_failure(hook, str(error))
        if error.temporary:
            raise
        return "failed"
    ProjectWebhook.objects.filter(pk=hook.pk).update(last_sent_at=timezone.now(), last_error="", last_error_at=None)
    return "sent"


def _record_failure(hook: ProjectWebhook, message: str) -> None:
    logger.warning("Webhook %s of project %s failed: %s", hook.pk, hook.project_id, message)
    ProjectWebhook.objects.filter(pk=hook.pk).update(last_error=message[:500], last_error_at=timezone.now())
