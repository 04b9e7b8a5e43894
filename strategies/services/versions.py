"""Strategy versions: drafting, submitting, deciding, reopening.

Each workflow is one function in one transaction with its audit record
(VersionTransition), raising DomainError with a message the page shows. The
status moves only draft → submitted → approved | rejected, approved →
superseded, and a rejected version is reopened as a new draft.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import (
    ActionOption,
    Decision,
    Role,
    StrategyProject,
    StrategyVersion,
    VersionDecision,
    VersionOption,
    VersionStatus,
    VersionTransition,
)
from ..snapshots import build_snapshot
from ..tasks import send_submission_notice


def _actor_name(user) -> str:
    return user.get_full_name() or user.username


def _record(version, user, from_status: str, to_status: str, comment: str = "") -> VersionTransition:
    return VersionTransition.objects.create(
        version=version,
        actor=user,
        actor_name=_actor_name(user),
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def _locked(version: StrategyVersion) -> StrategyVersion:
    """The version row as it is now, locked until the transaction ends (concurrent deciders queue here).

    select_related makes FOR UPDATE lock the project row as well, so every workflow step of a
    project waits for the one before: two approvals of different versions at the same moment
    run one after the other, and the later one supersedes the earlier (instead of both
    missing each other and the second failing on one_approved_version_per_project).
    """
    locked = StrategyVersion.objects.select_for_update().select_related("project").get(pk=version.pk)
    return locked


NAME_MAX_LENGTH = StrategyVersion._meta.get_field("name").max_length


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_("Give the version a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("Keep the version's name to %(max)s characters.") % {"max": NAME_MAX_LENGTH})
    return name


def strategy_version_create(
    *,
    project: StrategyProject,
    user,
    name: str,
    rationale: str = "",
    assumptions: str = "",
    prerequisites: str = "",
    based_on: StrategyVersion | None = None,
) -> StrategyVersion:
    """A new draft, numbered after the project's versions; a successor copies its selection."""
    if not user.has_perm("strategies.manage_versions", project):
        raise DomainError(_("Only the project's consultants can prepare strategy versions."))
    name = _clean_name(name)
    if based_on is not None and based_on.project_id != project.pk:
        raise DomainError(_("A version can only build on a version of the same project."))
    with transaction.atomic():
        # Lock the project row: two versions started at once must not get the same number.
        StrategyProject.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
        versions = StrategyVersion.objects.filter(project=project)
        if versions.filter(name__iexact=name).exists():
            raise DomainError(_("This project already has a version with this name; choose another name."))
        number = (versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
        version = StrategyVersion.objects.create(
            project=project,
            number=number,
            name=name,
            rationale=rationale.strip(),
            assumptions=assumptions.strip(),
            prerequisites=prerequisites.strip(),
            based_on=based_on,
            status=VersionStatus.DRAFT,
            created_by=user,
        )
        if based_on is not None:
            _copy_selection(based_on, version)
        comment = _("Successor of V%(number)s.") % {"number": based_on.number} if based_on else ""
        _record(version, user, "", VersionStatus.DRAFT, comment)
        return version


def strategy_version_start(*, project: StrategyProject, user, name: str, rationale: str = "") -> StrategyVersion:
    """Start a draft from the method step (name and rationale only)."""
    return strategy_version_create(project=project, user=user, name=name, rationale=rationale)


def _copy_selection(source: StrategyVersion, target: StrategyVersion) -> None:
    """The source's choices, for options that still exist (a frozen source keeps deleted ones in its snapshot)."""
    existing = set(ActionOption.objects.filter(topic__project=target.project_id).values_list("pk", flat=True))
    VersionOption.objects.bulk_create(
        VersionOption(
            version=target,
            option_id=choice.option_id,
            included=choice.included,
            rationale=choice.rationale,
            # The reason is marked as taken over (with the choice it was written for) until it is
            # edited or kept: flipping the choice must not carry the old reason to the managers unseen.
            included_at_takeover=choice.included if choice.rationale else None,
        )
        for choice in source.version_options.all()
        if choice.option_id in existing
    )


def strategy_version_update(version: StrategyVersion, user, **fields) -> StrategyVersion:
    """Change a draft's name, rationale, assumptions or prerequisites."""
    allowed = {"name", "rationale", "assumptions", "prerequisites"}
    if set(fields) - allowed:
        raise ValueError(f"Not a version text field: {sorted(set(fields) - allowed)}")
    with transaction.atomic():
        version = _locked(version)
        if not version.can_edit(user):
            raise DomainError(_("Only a draft can be changed, and only by the project's consultants."))
        name = _clean_name(fields.get("name", version.name))
        clash = StrategyVersion.objects.filter(project=version.project_id, name__iexact=name).exclude(pk=version.pk)
        if clash.exists():
            raise DomainError(_("This project already has a version with this name; choose another name."))
        for field, value in fields.items():
            setattr(version, field, value.strip())
        version.save()
        return version


def version_option_choose(
    version: StrategyVersion,
    user,
    option: ActionOption,
    *,
    included: bool,
    reason: str = "",
    keep_reason: bool = False,
):
    """Put an option in or out of a draft, with the reason.

    A reason taken over from the predecessor stays marked as such until it is edited, or kept
    on purpose (keep_reason): only then is it the consultants' reason for this version.
    """
    reason = reason.strip()
    with transaction.atomic():
        version = _locked(version)
        if not version.can_edit(user):
            raise DomainError(_("Only a draft's options can be chosen, and only by the project's consultants."))
        if option.topic.project_id != version.project_id:
            raise DomainError(_("This option belongs to another project."))
        # The version row is locked, so nobody else changes this choice between reading and saving it.
        choice = VersionOption.objects.filter(version=version, option=option).first()
        if choice is None:
            choice = VersionOption(version=version, option=option)
        elif keep_reason or reason != choice.rationale:
            choice.included_at_takeover = None
        choice.included = included
        choice.rationale = reason
        choice.save()
        StrategyVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now())
        return choice


def strategy_version_submit(version: StrategyVersion, user, *, notify: bool = True) -> StrategyVersion:
    """Freeze the draft's content into its snapshot and ask the managers (by e-mail) to decide."""
    with transaction.atomic():
        version = _locked(version)
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
        _record(version, user, VersionStatus.DRAFT, VersionStatus.SUBMITTED)
        if notify:
            # robust: the submission stands even when the mail (or the broker) fails; the error is logged.
            transaction.on_commit(lambda: send_submission_notice.delay(version.pk), robust=True)
        return version


def _status(version) -> dict:
    # Inside an English sentence the status reads in lower case ("is approved");
    # German capitalises it as the noun it is („Entwurf“).
    label = version.get_status_display()
    return {"status": label.lower() if get_language().startswith("en") else label}


def _decide(version: StrategyVersion, user, decision: str, comment: str) -> StrategyVersion:
    with transaction.atomic():
        version = _locked(version)
        if version.status != VersionStatus.SUBMITTED:
            raise DomainError(
                _("Only a submitted version can be decided on; this version is %(status)s.") % _status(version)
            )
        if version.project.role_of(user) != Role.MANAGER:
            raise DomainError(_("Only the project's managers can decide on strategy versions."))
        if version.submitted_by_id == user.pk:
            raise DomainError(_("You submitted this version; another manager has to decide on it."))
        if decision == Decision.REJECT and not comment.strip():
            raise DomainError(_("Say why the version is rejected, so the consultants know what to change."))
        now = timezone.now()
        if decision == Decision.APPROVE:
            previous = (
                StrategyVersion.objects.select_for_update()
                .filter(project=version.project_id, status=VersionStatus.APPROVED)
                .exclude(pk=version.pk)
            )
            for old in previous:
                old.status = VersionStatus.SUPERSEDED
                old.save(update_fields=["status", "updated_at"])
                _record(
                    old,
                    user,
                    VersionStatus.APPROVED,
                    VersionStatus.SUPERSEDED,
                    _("V%(n)s approved.") % {"n": version.number},
                )
            version.status = VersionStatus.APPROVED
        else:
            version.status = VersionStatus.REJECTED
        version.decided_at = now
        version.save(update_fields=["status", "decided_at", "updated_at"])
        VersionDecision.objects.create(
            version=version, actor=user, actor_name=_actor_name(user), decision=decision, comment=comment.strip()
        )
        _record(version, user, VersionStatus.SUBMITTED, version.status, comment.strip())
        return version


def strategy_version_approve(version: StrategyVersion, user, comment: str = "") -> StrategyVersion:
    """Approve a submitted version; the previously approved one becomes superseded."""
    return _decide(version, user, Decision.APPROVE, comment)


def strategy_version_reject(version: StrategyVersion, user, comment: str = "") -> StrategyVersion:
    """Reject a submitted version with the reason (required); consultants can reopen it as a new draft."""
    return _decide(version, user, Decision.REJECT, comment)


def strategy_version_reopen(version: StrategyVersion, user) -> StrategyVersion:
    """A new draft from a rejected version: same texts and selection, based on it."""
    version.refresh_from_db()
    if not version.can_reopen(user):
        if version.status != VersionStatus.REJECTED:
            raise DomainError(
                _("Only a rejected version can be reopened; this version is %(status)s.") % _status(version)
            )
        raise DomainError(_("Only the project's consultants can reopen a version."))
    # Names are unique per project regardless of case, and must fit the field with the suffix.
    names = StrategyVersion.objects.filter(project=version.project_id).values_list("name", flat=True)
    taken = {name.casefold() for name in names}
    template = _("%(name)s (revised)")
    n = 1
    while True:
        counter = f" {n}" if n > 1 else ""
        room = NAME_MAX_LENGTH - len(template % {"name": ""}) - len(counter)
        name = (template % {"name": version.name[:room].rstrip()}) + counter
        if name.casefold() not in taken:
            break
        n += 1
    return strategy_version_create(
        project=version.project,
        user=user,
        name=name,
        rationale=version.rationale,
        assumptions=version.assumptions,
        prerequisites=version.prerequisites,
        based_on=version,
    )
