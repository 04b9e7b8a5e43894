"""Read-only links to an approved version: making one, revoking it, recording who opened it.

Each service asks the guards (StrategyVersion.can_share, ShareLink.can_revoke) and raises
DomainError with the message the page shows; the link row is its own audit record (who made
it, who revoked it) and each opening writes a ShareLinkAccess in the same transaction as nothing
else. The raw token leaves share_link_create once and is never stored.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import DomainError
from ..models import ShareLink, ShareLinkAccess, StrategyVersion
from ..models.share_links import MAX_EXPIRY_DAYS, TOKEN_BYTES, USER_AGENT_MAX_LENGTH, address_hash, token_hash
from .versions import actor_name

LABEL_MAX_LENGTH = 200
PASSWORD_MAX_LENGTH = 128


def share_link_create(
    *,
    version: StrategyVersion,
    user: AbstractBaseUser,
    expires_in_days: int,
    password: str = "",
    label: str = "",
) -> tuple[ShareLink, str]:
    """A new link to the approved version; returns it with its raw token, which is shown once and never stored."""
    if not version.can_share(user):
        if not version.project.can_share_versions(user):
            raise DomainError(_("Only the project's consultants and managers can share versions by link."))
        raise DomainError(_("Only the approved version in force can be shared by link."))
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise DomainError(
            _("A link expires after 1 to %(max)d days.") % {"max": MAX_EXPIRY_DAYS}, field="expires_in_days"
        )
    label = label.strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise DomainError(_("The label is too long."), field="label")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(_("The password is too long."), field="password")
    raw_token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = ShareLink.objects.create(
            version=version,
            token_hash=token_hash(raw_token),
            label=label,
            created_by=user,
            created_by_name=actor_name(user),
            expires_at=timezone.now() + timedelta(days=expires_in_days),
            password_hash=make_password(password) if password else "",
        )
    return link, raw_token


def share_link_revoke(*, link: ShareLink, user: AbstractBaseUser) -> ShareLink:
    """Close the link at once; it stays listed with its accesses. Revoking a revoked link changes nothing."""
    if not link.can_revoke(user):
        raise DomainError(_("Only the project's consultants and managers can revoke read-only links."))
    with transaction.atomic():
        # Locked: two revocations at once keep the first one's time and name.
        link = ShareLink.objects.select_for_update().select_related("version__project").get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.revoked_by = user
            link.revoked_by_name = actor_name(user)
            link.save(update_fields=["revoked_at", "revoked_by", "revoked_by_name"])
    return link


def share_link_for_token(raw_token: str) -> ShareLink | None:
    """The link a token belongs to (usable or not), with its version and project; None for an unknown token."""
    return ShareLink.objects.select_related("version__project__client").filter(token_hash=token_hash(raw_token)).first()


def share_link_access_record(*, link: ShareLink, kind: str, address: str, user_agent: str) -> ShareLinkAccess:
    """One opening of the link's page, cockpit or PDF: when, from which address (hashed) and which browser."""
    return ShareLinkAccess.objects.create(
        link=link,
        kind=kind,
        address_hash=address_hash(address),
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
    )
