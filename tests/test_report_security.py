"""The report loads nothing but the project's own static files, and user text stays text.

Two walls: Django templates escape every user text (so markup in content never becomes an
element), and StaticOnlyFetcher refuses every URL that is not a static file of this project
(so even markup that did reach WeasyPrint could not read a file or reach the network).
"""

import io
import os
import re

import pytest
from django.contrib.staticfiles import finders
from pypdf import PdfReader
from weasyprint import HTML

from strategies.reporting.fetcher import REPORT_ORIGIN, RefusedURL, StaticOnlyFetcher, base_url
from strategies.reporting.render import version_report_pdf
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import OptionFactory, TopicFactory

PAYLOADS = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    "<style>@import url(http://127.0.0.1:9/x.css)</style>",
    "url(file:///etc/passwd)",
]
HOSTILE_URLS = ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "http://127.0.0.1:9/x.css"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_no_embedded_files(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert dict(reader.attachments) == {}
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf


@pytest.fixture
def hostile_version(project, consultant):
    payload = " ".join(PAYLOADS)
    topic = TopicFactory(project=project, title=f"Topic {PAYLOADS[0]}")
    included = OptionFactory(topic=topic, title=f"In {PAYLOADS[1]}")
    left_out = OptionFactory(topic=topic, title=f"Out {PAYLOADS[2]}")
    version = strategy_version_create(
        project=project,
        user=consultant,
        name=f"V {PAYLOADS[3]}",
        rationale=payload,
        assumptions=PAYLOADS[4],
        prerequisites=PAYLOADS[1],
    )
    version_option_choose(version=version, user=consultant, option=included, included=True, reason=PAYLOADS[3])
    version_option_choose(version=version, user=consultant, option=left_out, included=False, reason=PAYLOADS[0])
    return version


@pytest.mark.parametrize("language", ["en", "de"])
def test_markup_in_content_is_neither_fetched_nor_embedded_but_shown_as_text(hostile_version, language):
    fetcher = StaticOnlyFetcher()
    rendered = version_report_pdf(hostile_version, language, fetcher=fetcher)

    # Nothing from the content reached the fetcher: the report needs no URL at all.
    assert fetcher.requested == []
    assert_no_embedded_files(rendered.pdf)
    text = squash("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages))
    for payload in PAYLOADS:
        assert squash(payload) in text, payload
    assert "root:x:0:0" not in text


def test_if_markup_did_reach_weasyprint_the_fetcher_refuses_it_and_nothing_is_embedded():
    """The second wall alone: raw hostile HTML rendered with the report's fetcher."""
    html = (
        "<html><head>" + PAYLOADS[1] + "<style>@import url(http://127.0.0.1:9/x.css);"
        "p { background: url(file:///etc/passwd) }</style></head><body><p>x</p>"
        + PAYLOADS[0]
        + PAYLOADS[2]
        + '<a rel="attachment" href="file:///etc/passwd">a</a>'
        + '<img src="../../../../etc/passwd"><img src="/static/../pbsm/settings.py">'
        + '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E"></body></html>'
    )
    fetcher = StaticOnlyFetcher()
    pdf = HTML(string=html, base_url=base_url(), url_fetcher=fetcher).write_pdf()
    assert set(HOSTILE_URLS) <= set(fetcher.requested)
    assert_no_embedded_files(pdf)
    # A copy: the fetcher records every call, these too.
    for url in list(fetcher.requested):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


# --- the fetcher on its own --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/static/css/report.css",
        "ftp://127.0.0.1/x.css",
        "data:text/css,p{color:red}",
        "javascript:alert(1)",
        "gopher://127.0.0.1:70/",
        "//127.0.0.1/static/css/report.css",
        "../../etc/passwd",
        "/static/../settings.py",
        "/static/../pbsm/settings.py",
        "/static/%2e%2e/pbsm/settings.py",
        "/static/css/../../pbsm/settings.py",
        f"{REPORT_ORIGIN}/static/../pbsm/settings.py",
        f"{REPORT_ORIGIN}/static/css/report.css?x=1",
        f"{REPORT_ORIGIN}:444/static/css/report.css",
        "/static//etc/passwd",
        "/static/css\\report.css",
        "/etc/passwd",
        "/static/does/not/exist.css",
        "/static/js/app.js",  # a static file, but not a type the report loads
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


@pytest.mark.parametrize("url", ["/static/css/report.css", f"{REPORT_ORIGIN}/static/css/report.css"])
def test_fetcher_serves_the_projects_own_stylesheet(url):
    response = StaticOnlyFetcher().fetch(url)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_relative_names_resolve_against_the_report_base():
    from urllib.parse import urljoin

    assert StaticOnlyFetcher().fetch(urljoin(base_url(), "css/report.css")).content_type == "text/css"
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(urljoin(base_url(), "../../pbsm/settings.py"))


@pytest.fixture
def static_dir(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = str(tmp_path / "collected")
    finders.get_finder.cache_clear()
    yield static
    finders.get_finder.cache_clear()


def test_fetcher_refuses_a_symlink_leaving_the_static_directories(static_dir, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p { color: red }")
    os.symlink(secret, static_dir / "leak.css")
    (static_dir / "ok.css").write_text("p { color: blue }")
    assert StaticOnlyFetcher().fetch("/static/ok.css").read() == b"p { color: blue }"
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch("/static/leak.css")
