"""The workshop around the material: guidance checklist answers, managers' step comments, the bookmark.

Each service asks the project's guard and raises DomainError when it refuses. A checklist
answer records who last changed it (updated_by, updated_at) and a step comment its author and
time: each is its own audit record, like the ratings of step 1 (no simple-history there).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from competencies.models import AreaKey, CompetenceArea, GuidingQuestion

from ..exceptions import DomainError
from ..models import ChecklistAnswer, StepComment, StrategyProject
from .notifying import comment_notify


def checklist_answer_save(
    *, project: StrategyProject, question: GuidingQuestion, user: AbstractBaseUser, done: bool, notes: str
) -> ChecklistAnswer:
    """Tick a guiding question of a step (or not) and keep the team's notes on it."""
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change its working material."))
    with transaction.atomic():
        answer, _created = ChecklistAnswer.objects.update_or_create(
            project=project, question=question, defaults={"done": done, "notes": notes, "updated_by": user}
        )
        return answer


def step_comment_add(
    *, project: StrategyProject, area: CompetenceArea, user: AbstractBaseUser, text: str
) -> StepComment:
    """A manager's remark on a step, shown to the consultants there."""
    if not project.can_comment(user):
        raise DomainError(_("Only the project's managers can comment on steps."))
    text = text.strip()
    if not text:
        raise DomainError(_("Write a comment first."))
    with transaction.atomic():
        comment = StepComment.objects.create(project=project, area=area, author=user, text=text)
        _notify_comment(comment, user)
    return comment


def _notify_comment(comment: StepComment, user: AbstractBaseUser) -> None:
    """The consultants hear of the comment, members named as @username at once (comment_notify)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    project = comment.project
    with translation.override(settings.LANGUAGE_CODE):
        values = {"user": user.get_full_name() or user.get_username(), "step": comment.area.title}
        comment_notify(
            project=project,
            user=user,
            text=comment.text,
            url=reverse("wizard_step", args=[project.pk, comment.area.key]),
            title=_("%(user)s commented on the step “%(step)s”") % values,
            mention_title=_("%(user)s mentioned you on the step “%(step)s”") % values,
        )


def project_bookmark_step(*, project: StrategyProject, user: AbstractBaseUser, step: str) -> None:
    """Remember the step the team opened last ("continue where we stopped").

    Only a step of the workshop is stored: the bookmark decides where the next visit goes, and
    an unknown key would lead nowhere (or not fit the column). A plain UPDATE: moving the
    bookmark is no change to the material, so it writes no history and renews no cached page.
    """
    if not project.can_edit(user):
        raise DomainError(_("Only the project's consultants can change its working material."))
    if step not in AreaKey.values:
        raise DomainError(_("This step is not part of the workshop."))
    if project.last_step != step:
        StrategyProject.objects.filter(pk=project.pk).update(last_step=step)
        project.last_step = step
