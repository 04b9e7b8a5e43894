"""The approval workflow: a draft is submitted, the client's managers decide, a rejected version is reopened.

The status moves only draft → submitted → approved | rejected, approved → superseded, and a
rejected version is reopened as a new draft. Each step is one transaction with its audit record
(VersionTransition, and VersionDecision for a decision); it asks the version's guard and raises
DomainError with the message the page shows.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import Decision, Membership, NotificationKind, Role, StrategyVersion, VersionDecision, VersionStatus
from ..snapshots import build_snapshot
from .notifying import mentioned_members, notify
from .versions import actor_name, locked_version, record_transition, strategy_version_create, successor_name


def _status(version) -> dict:
    # Inside an English sentence the status reads in lower case ("is approved");
    # German capitalises it as the noun it is („Entwurf“).
    label = version.get_status_display()
    return {"status": label.lower() if get_language().startswith("en") else label}


def strategy_version_submit(
    *, version: StrategyVersion, user: AbstractBaseUser, notify: bool = True
) -> StrategyVersion:
    """Freeze the draft's content into its snapshot and ask the managers (by e-mail) to decide."""
    with transaction.atomic():
        version = locked_version(version)
        if version.status != VersionStatus.DRAFT:
            raise DomainError(_("Only a draft can be submitted; this version is %(status)s.") % _status(version))
        if not version.can_submit(user):
            raise DomainError(_("Only the project's consultants can submit a version."))
        if not version.version_options.filter(included=True).exists():
            raise DomainError(_("Choose at least one action option for this version before submitting it."))
        stale = list(version.reasons_needing_review().values_list("option__title", flat=True))
        if stale:
            raise DomainError(
                _(
                    "The choice changed since the reason was taken over from the previous version for: "
                    "%(options)s. Edit each reason or keep it before submitting."
                )
                # Quotation marks differ by language („…“ in German).
                % {"options": ", ".join(_("“%(option)s”") % {"option": title} for title in stale)}
            )
        version.snapshot = build_snapshot(version)
        version.status = VersionStatus.SUBMITTED
        version.submitted_by = user
        version.submitted_at = timezone.now()
        version.save()
        record_transition(version, user, VersionStatus.DRAFT, VersionStatus.SUBMITTED)
        if notify:
            # robust: the submission stands even when the mail (or the broker) fails; the error is logged.
            transaction.on_commit(lambda: _queue_submission_notice(version.pk), robust=True)
            _notify_submitted(version, user)
        return version


def _members(project, role: str) -> list:
    return [m.user for m in Membership.objects.filter(project=project, role=role).select_related("user")]


def _notify_submitted(version: StrategyVersion, user: AbstractBaseUser) -> None:
    """The managers' inbox entry (their e-mail is the submission notice above, or their digest)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        notify(
            kind=NotificationKind.VERSION_SUBMITTED,
            project=version.project,
            recipients=_members(version.project, Role.MANAGER),
            actor=user,
            title=_("Strategy version V%(number)s “%(name)s” awaits your decision")
            % {"number": version.number, "name": version.name},
            body=_("Submitted by %(user)s. The link shows what changed since the last approved version.")
            % {"user": actor_name(user)},
            # The comparison with the last approved version: what the managers decide on.
            url=reverse("version_compare", args=[version.project_id]) + f"?new={version.pk}",
            email=False,
        )


def _queue_submission_notice(version_pk: int) -> None:
    # Imported here: tasks call services, so services reach tasks only when they queue one.
    from ..tasks import send_submission_notice

    send_submission_notice.delay(version_pk)


def strategy_version_decide(
    *, version: StrategyVersion, user: AbstractBaseUser, decision: str, comment: str = ""
) -> StrategyVersion:
    """Approve (the previously approved version becomes superseded) or reject (a comment is required)."""
    if decision not in Decision.values:
        raise ValueError(f"Not a decision: {decision!r}")
    comment = comment.strip()
    with transaction.atomic():
        version = locked_version(version)
        if version.status != VersionStatus.SUBMITTED:
            raise DomainError(
                _("Only a submitted version can be decided on; this version is %(status)s.") % _status(version)
            )
        if not version.can_decide(user):
            if version.project.can_decide_versions(user):
                raise DomainError(_("You submitted this version; another manager has to decide on it."))
            raise DomainError(_("Only the project's managers can decide on strategy versions."))
        if decision == Decision.REJECT and not comment:
            raise DomainError(_("Say why the version is rejected, so the consultants know what to change."))
        if decision == Decision.APPROVE:
            previous = (
                StrategyVersion.objects.select_for_update()
                .filter(project=version.project_id, status=VersionStatus.APPROVED)
                .exclude(pk=version.pk)
            )
            for old in previous:
                old.status = VersionStatus.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
                record_transition(
                    old,
                    user,
                    VersionStatus.APPROVED,
                    VersionStatus.SUPERSEDED,
                    _("V%(n)s approved.") % {"n": version.number},
                )
            version.status = VersionStatus.APPROVED
        else:
            version.status = VersionStatus.REJECTED
        version.decided_at = timezone.now()
        version.save(update_fields=["status", "decided_at", "updated_at"])
        VersionDecision.objects.create(
            version=version, actor=user, actor_name=actor_name(user), decision=decision, comment=comment
        )
        record_transition(version, user, VersionStatus.SUBMITTED, version.status, comment)
        _notify_decided(version, user, comment)
        return version


def _notify_decided(version: StrategyVersion, user: AbstractBaseUser, comment: str) -> None:
    """The submitter and the consultants hear of the decision, with the manager's comment."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    recipients = _members(version.project, Role.CONSULTANT)
    if version.submitted_by is not None:
        recipients.append(version.submitted_by)
    # Members named as @username in the decision's comment hear of it at once, as in a step comment.
    mentioned = [user for user in mentioned_members(project=version.project, text=comment) if user not in recipients]
    with translation.override(settings.LANGUAGE_CODE):
        values = {"number": version.number, "name": version.name, "user": actor_name(user)}
        title = (
            _("Strategy version V%(number)s “%(name)s” was approved by %(user)s")
            if version.status == VersionStatus.APPROVED
            else _("Strategy version V%(number)s “%(name)s” was rejected by %(user)s")
        ) % values
        notify(
            kind=NotificationKind.VERSION_DECIDED,
            project=version.project,
            recipients=recipients,
            actor=user,
            title=title,
            body=comment,
            url=reverse("version_detail", args=[version.project_id, version.pk]),
        )
        if mentioned:
            notify(
                kind=NotificationKind.MENTION,
                project=version.project,
                recipients=mentioned,
                actor=user,
                title=_("%(user)s mentioned you in the decision on V%(number)s “%(name)s”") % values,
                body=comment,
                url=reverse("version_detail", args=[version.project_id, version.pk]),
                webhook=False,
            )


def strategy_version_reopen(*, version: StrategyVersion, user: AbstractBaseUser) -> StrategyVersion:
    """A new draft from a rejected version: same texts and selection, based on it."""
    version.refresh_from_db()
    if not version.can_reopen(user):
        if version.status != VersionStatus.REJECTED:
            raise DomainError(
                _("Only a rejected version can be reopened; this version is %(status)s.") % _status(version)
            )
        raise DomainError(_("Only the project's consultants can reopen a version."))
    return strategy_version_create(
        project=version.project,
        user=user,
        name=successor_name(version, _("%(name)s (revised)")),
        rationale=version.rationale,
        assumptions=version.assumptions,
        prerequisites=version.prerequisites,
        based_on=version,
    )
