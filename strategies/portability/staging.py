"""An uploaded export file kept on the server between the web import's two steps.

The upload step checks the whole file and then asks the importer to confirm the file's members
one by one; the confirmation step imports the file as uploaded. The file never travels back
through the browser: it is kept here under a random name, and the page carries only a token
signed for the uploading user, so nobody can swap the document or confirm someone else's upload.

A user has at most one upload waiting (a new one replaces it), and uploads older than
STAGING_MAX_AGE are removed whenever anyone uploads, so staging holds at most one file of
PROJECT_IMPORT_MAX_BYTES per active importer. The directory is PROJECT_IMPORT_STAGING_DIR
(default: "pbsm-import-staging-<installation>" in the system's temporary directory); with
several web servers it must be shared between them.
"""

import contextlib
import hashlib
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from .importer import ProjectImportError

STAGING_MAX_AGE = 60 * 60  # seconds an upload waits for its confirmation
_SALT = "strategies.portability.staging"


def staging_dir() -> Path:
    configured = getattr(settings, "PROJECT_IMPORT_STAGING_DIR", None)
    # Two installations on one host must not clear each other's uploads (names start with the user's pk).
    installation = hashlib.sha256(f"{_SALT}:{settings.SECRET_KEY}".encode()).hexdigest()[:12]
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / f"pbsm-import-staging-{installation}"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _clean_up(directory: Path, user_pk: int) -> None:
    cutoff = time.time() - STAGING_MAX_AGE
    for path in directory.glob("*.json"):
        try:
            if path.name.startswith(f"{user_pk}-") or path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # another process removed it first


def stage(*, user, data: bytes) -> str:
    """Keep the upload for `user`; returns the token its confirmation page carries."""
    directory = staging_dir()
    _clean_up(directory, user.pk)
    name = f"{user.pk}-{secrets.token_urlsafe(24)}.json"
    (directory / name).write_bytes(data)
    return signing.dumps({"name": name, "user": user.pk}, salt=_SALT)


def _path(user, token: str) -> Path:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=STAGING_MAX_AGE)
    except signing.BadSignature:
        payload = None
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or payload.get("user") != user.pk or not name.startswith(f"{user.pk}-"):
        raise ProjectImportError(_("This upload has expired or is not yours; choose the file again."))
    return staging_dir() / Path(name).name


def staged(*, user, token: str) -> bytes:
    """The bytes `user` uploaded under `token`, or ProjectImportError (expired, replaced, someone else's)."""
    try:
        return _path(user, token).read_bytes()
    except OSError:
        raise ProjectImportError(_("This upload has expired or is not yours; choose the file again.")) from None


def discard(*, user, token: str) -> None:
    with contextlib.suppress(ProjectImportError, OSError):
        _path(user, token).unlink(missing_ok=True)
