"""Strategy versions: starting one. Submitting and deciding come with the version screens."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import StrategyProject, StrategyVersion, VersionStatus


def strategy_version_start(*, project: StrategyProject, user, name: str, rationale: str = "") -> StrategyVersion:
    """Start a draft version of the project's strategy, numbered after the existing ones.

    Raises DomainError when the user may not prepare versions or the project
    already has a version of this name (compared without case).
    """
    if not user.has_perm("strategies.manage_versions", project):
        raise DomainError(_("Only the project's consultants can prepare strategy versions."))
    name = name.strip()
    if not name:
        raise DomainError(_("Give the version a name."))
    with transaction.atomic():
        # Lock the project row: two versions started at once must not get the same number.
        StrategyProject.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
        versions = StrategyVersion.objects.filter(project=project)
        if versions.filter(name__iexact=name).exists():
            raise DomainError(_("This project already has a version with this name; choose another name."))
        number = (versions.aggregate(highest=Max("number"))["highest"] or 0) + 1
        return StrategyVersion.objects.create(
            project=project,
            number=number,
            name=name,
            rationale=rationale.strip(),
            status=VersionStatus.DRAFT,
            created_by=user,
        )
