"""Comments on a strategy version: remarks for the consultants beside the version's record.

A comment is its own audit record (author and time; simple-history keeps any later change made
in the admin). It never touches the version itself, so a submitted or decided version takes
comments as a draft does.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import StrategyVersion, VersionComment
from .notifying import comment_notify

# As the model field's max_length (a TextField's is not enforced by the database).
MAX_LENGTH = VersionComment._meta.get_field("text").max_length


def version_comment_add(*, version: StrategyVersion, user: AbstractBaseUser, text: str) -> VersionComment:
    """Add a comment to the version; the consultants hear of it, members named as @username at once."""
    if not version.can_comment(user):
        raise DomainError(_("Only the project's managers can comment on versions."))
    text = text.strip()
    if not text:
        raise DomainError(_("Write a comment first."), field="text")
    if len(text) > MAX_LENGTH:
        raise DomainError(
            _("A comment has at most %(max)s characters; this one has %(n)s.") % {"max": MAX_LENGTH, "n": len(text)},
            field="text",
        )
    with transaction.atomic():
        comment = VersionComment.objects.create(version=version, author=user, text=text)
        project = version.project
        with translation.override(settings.LANGUAGE_CODE):
            values = {
                "user": user.get_full_name() or user.get_username(),
                "number": version.number,
                "name": version.name,
            }
            comment_notify(
                project=project,
                user=user,
                text=text,
                url=reverse("version_detail", args=[project.pk, version.pk]) + "#comments",
                title=_("%(user)s commented on V%(number)s “%(name)s”") % values,
                mention_title=_("%(user)s mentioned you in a comment on V%(number)s “%(name)s”") % values,
            )
    return comment
