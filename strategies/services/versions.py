"""Strategy versions: starting a draft, changing its texts, choosing its options.

The approval workflow (submit, decide, reopen) is in `services/approval.py`.
Each service is one transaction with its audit record (VersionTransition),
asks the model's guard and raises DomainError with a message the page shows.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..content_changes import content_changed
from ..exceptions import DomainError
from ..models import (
    ActionOption,
    StrategyProject,
    StrategyVersion,
    VersionOption,
    VersionStatus,
    VersionTransition,
)


def actor_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.username


def record_transition(
    version: StrategyVersion, user: AbstractBaseUser, from_status: str, to_status: str, comment: str = ""
) -> VersionTransition:
    return VersionTransition.objects.create(
        version=version,
        actor=user,
        actor_name=actor_name(user),
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )


def locked_version(version: StrategyVersion) -> StrategyVersion:
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
    user: AbstractBaseUser,
    name: str,
    rationale: str = "",
    assumptions: str = "",
    prerequisites: str = "",
    based_on: StrategyVersion | None = None,
) -> StrategyVersion:
    """A new draft, numbered after the project's versions; a successor copies its selection."""
    if not project.can_manage_versions(user):
        raise DomainError(_("Only the project's consultants can prepare strategy versions."))
    return draft_start(
        project=project,
        user=user,
        name=name,
        rationale=rationale,
        assumptions=assumptions,
        prerequisites=prerequisites,
        based_on=based_on,
    )


def draft_start(
    *,
    project: StrategyProject,
    user: AbstractBaseUser,
    name: str,
    rationale: str = "",
    assumptions: str = "",
    prerequisites: str = "",
    based_on: StrategyVersion | None = None,
    comment: str | None = None,
) -> StrategyVersion:
    """strategy_version_create without its guard, for services that decided who may start a draft
    themselves (a review's "adjust", which managers record too).

    The version's creator is recorded only for someone who may prepare versions: a created
    version marks a consultant (StrategyProject.was_ever_consultant), and a manager who starts
    a successor through a review stays on the client's side. The transition names them either way.
    """
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
            created_by=user if project.can_manage_versions(user) else None,
        )
        if based_on is not None:
            _copy_selection(based_on, version)
        if comment is None:
            comment = _("Successor of V%(number)s.") % {"number": based_on.number} if based_on else ""
        record_transition(version, user, "", VersionStatus.DRAFT, comment)
        return version


def successor_name(version: StrategyVersion, template: str) -> str:
    """A name for a successor of `version` from `template` ("%(name)s (revised)"), free in its project.

    Names are unique per project regardless of case, and must fit the field with the suffix.
    """
    names = StrategyVersion.objects.filter(project=version.project_id).values_list("name", flat=True)
    taken = {name.casefold() for name in names}
    n = 1
    while True:
        counter = f" {n}" if n > 1 else ""
        room = NAME_MAX_LENGTH - len(template % {"name": ""}) - len(counter)
        name = (template % {"name": version.name[:room].rstrip()}) + counter
        if name.casefold() not in taken:
            return name
        n += 1


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
    content_changed(project_id=target.project_id)  # bulk_create sends no signals


def strategy_version_update(
    *,
    version: StrategyVersion,
    user: AbstractBaseUser,
    name: str | None = None,
    rationale: str | None = None,
    assumptions: str | None = None,
    prerequisites: str | None = None,
) -> StrategyVersion:
    """Change a draft's name, rationale, assumptions or prerequisites (None: leave as it is)."""
    given = {"name": name, "rationale": rationale, "assumptions": assumptions, "prerequisites": prerequisites}
    fields = {field: value for field, value in given.items() if value is not None}
    with transaction.atomic():
        version = locked_version(version)
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
    *,
    version: StrategyVersion,
    user: AbstractBaseUser,
    option: ActionOption,
    included: bool,
    reason: str = "",
    keep_reason: bool = False,
) -> VersionOption:
    """Put an option in or out of a draft, with the reason.

    A reason taken over from the predecessor stays marked as such until it is edited, or kept
    on purpose (keep_reason): only then is it the consultants' reason for this version.
    """
    reason = reason.strip()
    with transaction.atomic():
        version = locked_version(version)
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
