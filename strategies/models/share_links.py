"""Read-only links to an approved version: who may make them, and when one still opens anything.

A link is for someone outside the project (a board member, an auditor): whoever holds it reads the
approved version's content, the cockpit while that version is in force, and its approved PDF, and
nothing else. Only the token's SHA-256 is stored, so a copy of the database opens no link; the
raw token is shown once, to whoever made it (services/share_links.py). Every opening is recorded
(ShareLinkAccess) with a keyed hash of the address, never the address itself.

The link row is its own audit record, as VersionTransition is a version's: who made it and when,
who revoked it and when (names kept as text), never deleted by the application. Links and their
accesses belong to this installation: a project export leaves them out (portability/).
"""

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .base import choices_check
from .versions import StrategyVersion, VersionStatus

# The longest a link may live: an approved strategy is read for a board meeting or an audit, not for ever.
MAX_EXPIRY_DAYS = 90
# secrets.token_urlsafe(24): 192 bits of randomness, 32 characters.
TOKEN_BYTES = 24
# A token longer than this is no token of ours: refused before any hashing or query.
MAX_TOKEN_LENGTH = 64
USER_AGENT_MAX_LENGTH = 300
# Statuses whose content is an approved record: an approved version stays one once superseded.
SHAREABLE_CONTENT = (VersionStatus.APPROVED, VersionStatus.SUPERSEDED)


def token_hash(raw_token: str) -> str:
    """The stored form of a token: its SHA-256 (the token's own 192 bits need no salt)."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def address_hash(address: str) -> str:
    """A keyed SHA-256 of the client's address: accesses from one address can be told apart, the address not read."""
    return salted_hmac("pbsm.share_links.address", address, algorithm="sha256").hexdigest()


class ShareLinkQuerySet(models.QuerySet):
    def usable(self):
        """Links that open their version now (is_usable() for a row in hand says the same)."""
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            version__status__in=SHAREABLE_CONTENT,
            version__imported_from="",
        )


class ShareLink(models.Model):
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text: the list still says who made a link after the account is gone.
    created_by_name = models.CharField(_("created by"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    # django.contrib.auth.hashers' encoding; "" for a link without a password.
    password_hash = models.CharField(max_length=200, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    revoked_by_name = models.CharField(_("revoked by"), max_length=300, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("read-only link")
        verbose_name_plural = _("read-only links")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="share_link_expires_later"),
            models.CheckConstraint(condition=~Q(token_hash=""), name="share_link_has_token_hash"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.version} ({self.created_at:%Y-%m-%d})"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def is_usable(self) -> bool:
        """Whether the link opens its version now: not revoked, not expired, and its version an approved record."""
        version = self.version
        return (
            not self.is_revoked
            and not self.is_expired
            and version.status in SHAREABLE_CONTENT
            and not version.is_imported
        )

    def check_password(self, raw_password: str) -> bool:
        return self.has_password and check_password(raw_password, self.password_hash)

    def can_revoke(self, user) -> bool:
        return self.version.project.can_share_versions(user)


class ShareLinkAccessKind(models.TextChoices):
    VERSION = "version", _("version")
    COCKPIT = "cockpit", _("cockpit")
    PDF = "pdf", _("PDF")


class ShareLinkAccess(models.Model):
    """One opening of a shared page or PDF; append-only, written by share_link_access_record."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accesses")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    kind = models.CharField(_("what"), max_length=10, choices=ShareLinkAccessKind.choices)
    address_hash = models.CharField(_("address (hashed)"), max_length=64)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("read-only link access")
        verbose_name_plural = _("read-only link accesses")
        constraints = [choices_check("kind", ShareLinkAccessKind.choices, "share_link_access")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
