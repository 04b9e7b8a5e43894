"""An uploaded export file kept on the server between the web import's two steps.

The upload step checks the whole file and then asks the importer to confirm the file's members
one by one; the confirmation step imports the file as uploaded. The file never travels back
through the browser: it is kept here under a random name, and the page carries only a token
signed for the uploading user, so nobody can swap the document or confirm someone else's upload.

A user has at most one upload waiting (a new one replaces it), and uploads older than
STAGING_MAX_AGE are removed whenever anyone uploads, so staging holds at most one file of
PROJECT_IMPORT_MAX_BYTES per active importer. The files go through Django's default storage
(under import-staging/), like the reports: the local media folder in the embedded default, the
S3-compatible bucket when one is configured, so every web server sees the same uploads.
"""

import contextlib
import secrets
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .importer import ProjectImportError

STAGING_DIR = "import-staging"
STAGING_MAX_AGE = 60 * 60  # seconds an upload waits for its confirmation
_SALT = "strategies.portability.staging"


def _clean_up(user_pk: int) -> None:
    cutoff = timezone.now() - timedelta(seconds=STAGING_MAX_AGE)
    try:
        _folders, names = default_storage.listdir(STAGING_DIR)
    except (OSError, ValueError):
        return  # nothing staged yet (a missing local folder) or the storage cannot list now
    for name in names:
        path = f"{STAGING_DIR}/{name}"
        # Another process may remove it first; a storage that fails now tries again at the next upload.
        with contextlib.suppress(Exception):
            if name.startswith(f"{user_pk}-") or default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)


def stage(*, user, data: bytes) -> str:
    """Keep the upload for `user`; returns the token its confirmation page carries."""
    _clean_up(user.pk)
    name = f"{user.pk}-{secrets.token_urlsafe(24)}.json"
    stored = default_storage.save(f"{STAGING_DIR}/{name}", ContentFile(data))
    return signing.dumps({"name": stored.rsplit("/", 1)[-1], "user": user.pk}, salt=_SALT)


def _path(user, token: str) -> str:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=STAGING_MAX_AGE)
    except signing.BadSignature:
        payload = None
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or payload.get("user") != user.pk or not name.startswith(f"{user.pk}-"):
        raise ProjectImportError(_("This upload has expired or is not yours; choose the file again."))
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise ProjectImportError(_("This upload has expired or is not yours; choose the file again."))
    return f"{STAGING_DIR}/{name}"


def staged(*, user, token: str) -> bytes:
    """The bytes `user` uploaded under `token`, or ProjectImportError (expired, replaced, someone else's)."""
    path = _path(user, token)
    try:
        with default_storage.open(path, "rb") as staged_file:
            return staged_file.read()
    except Exception:  # missing (replaced, expired) or the storage cannot be read now
        raise ProjectImportError(_("This upload has expired or is not yours; choose the file again.")) from None


def discard(*, user, token: str) -> None:
    with contextlib.suppress(Exception):
        default_storage.delete(_path(user, token))
