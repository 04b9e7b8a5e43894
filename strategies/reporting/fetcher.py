"""The only URL fetcher WeasyPrint gets: the project's own static files, nothing else.

The report HTML is built by Django templates, so user text is escaped and
cannot add elements; this fetcher is the second wall. It answers only URLs
under the report's own origin and static prefix (``STATIC_BASE_URL``) or a
bare ``/static/...`` path, resolves the name with the staticfiles finders (or
in STATIC_ROOT) and serves the file only if its real path (symlinks followed)
lies inside STATICFILES_DIRS or STATIC_ROOT and its type is a stylesheet,
image or font. Every other URL (``file:``, ``http(s):`` anywhere else,
``ftp:``, ``data:``, unknown schemes, ``..`` segments, encoded tricks) raises
`RefusedURL`; WeasyPrint logs it and leaves the resource out. Nothing is ever
fetched over the network and no redirect is followed.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL the report HTML is parsed with: an origin that cannot exist
# (.invalid is reserved), so a relative URL resolves to something only this
# fetcher understands, and never to a real host or to the file system.
REPORT_ORIGIN = "https://pbsm-report.invalid"
ALLOWED_TYPES = {
    "text/css",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "font/woff",
    "font/woff2",
    "font/ttf",
    "font/otf",
}
EXTRA_TYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf"}


class RefusedURL(ValueError):
    """A URL the report may not load."""


def static_prefix() -> str:
    """The path prefix of static files, e.g. "/static/"."""
    prefix = urlsplit(settings.STATIC_URL or "/static/").path or "/static/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    return prefix if prefix.endswith("/") else prefix + "/"


def base_url() -> str:
    """The base URL to parse the report HTML with."""
    return REPORT_ORIGIN + static_prefix()


def static_roots() -> list[Path]:
    roots = [Path(entry[1] if isinstance(entry, tuple | list) else entry) for entry in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [Path(os.path.realpath(root)) for root in roots]


def static_name(url: str) -> str:
    """The static file name a URL asks for ("css/report.css"), or RefusedURL."""
    if not isinstance(url, str) or not url or any(ch in url for ch in "\\\x00\r\n\t"):
        raise RefusedURL("malformed URL")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        origin = urlsplit(REPORT_ORIGIN)
        if (parts.scheme.lower(), parts.netloc.lower()) != (origin.scheme, origin.netloc):
            raise RefusedURL(f"only the report's own static files may be loaded, not {parts.scheme or 'this'} URLs")
    if parts.query:
        raise RefusedURL("static URLs take no query")
    path = unquote(parts.path)
    if any(ch in path for ch in "\\\x00"):
        raise RefusedURL("malformed path")
    prefix = static_prefix()
    if not path.startswith(prefix):
        raise RefusedURL("outside the static files")
    name = path[len(prefix) :]
    segments = name.split("/")
    if not name or any(segment in ("", ".", "..") for segment in segments):
        raise RefusedURL("path traversal or empty path segment")
    if posixpath.normpath(name) != name:
        raise RefusedURL("path is not normalised")
    return name


def resolve(name: str) -> Path:
    """The real file behind a static name, if it lies inside the static directories."""
    candidates = []
    found = finders.find(name)
    if found:
        candidates.append(found if isinstance(found, str) else found[0])
    if settings.STATIC_ROOT:
        candidates.append(os.path.join(settings.STATIC_ROOT, name))
    roots = static_roots()
    for candidate in candidates:
        real = Path(os.path.realpath(candidate))
        if real.is_file() and any(real.is_relative_to(root) for root in roots):
            return real
    raise RefusedURL("not a static file of this project")


def content_type(path: Path) -> str:
    kind = EXTRA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""
    if kind not in ALLOWED_TYPES:
        raise RefusedURL(f"file type {kind or 'unknown'} is not served to the report")
    return kind


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves the project's static files and refuses everything else.

    `requested` records every URL WeasyPrint asked for (tests read it).
    """

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        path = resolve(static_name(url))
        kind = content_type(path)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind}, 200)

    def open(self, url, data=None, timeout=None):  # never used as a urllib opener
        raise RefusedURL("the report fetcher opens no URLs")
