"""Content-Security-Policy: every page forbids inline script, eval and inline style,
and no template needs them (the browser test tests/browser/test_csp.py checks the rest)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Rendered by WeasyPrint into the PDF only, never served to a browser: its <style> is no CSP matter.
PDF_ONLY = PROJECT_ROOT / "templates" / "reports"
# HTML e-mails are read by mail clients, which drop <style> sheets and never see our CSP: their
# style sits on the elements, as mail clients need it. Their text is still escaped (no |safe).
EMAIL_ONLY = PROJECT_ROOT / "templates" / "strategies" / "emails"

REQUIRED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "img-src": {"'self'", "data:"},
}


def policy(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def assert_strict(response):
    directives = policy(response)
    for name, values in REQUIRED.items():
        assert directives.get(name) == values, (name, directives.get(name))
    everything = set().union(*directives.values())
    assert not everything & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}, directives


def test_the_login_page_has_the_strict_policy(client):
    assert_strict(client.get("/accounts/login/"))


def test_project_pages_have_the_strict_policy(client_for, project, consultant):
    client = client_for(consultant)
    for url in ("/", f"/projects/{project.pk}/", f"/projects/{project.pk}/workshop/potential/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


def test_htmx_partials_and_error_pages_have_the_strict_policy(client_for, project, consultant, outsider):
    response = client_for(consultant).get(f"/projects/{project.pk}/workshop/potential/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert_strict(response)
    refused = client_for(outsider).get(f"/projects/{project.pk}/")
    assert refused.status_code == 404
    assert_strict(refused)


def test_a_refused_form_token_gets_our_page_within_the_policy(client_for, project, consultant):
    """Django's own CSRF page carries an inline <style> the policy would block; ours has none."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(consultant)
    response = client.post(f"/projects/{project.pk}/versions/new/", {"name": "V9"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()
    assert "<style" not in response.content.decode()
    assert_strict(response)
    assert not project.versions.exists()


def test_the_admin_has_the_strict_policy(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_strict(response)


def test_htmx_is_configured_to_need_neither_eval_nor_inline_style(client):
    html = client.get("/accounts/login/").text
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert match, "base.html must configure htmx"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    # What htmx would have injected lives in the stylesheet instead.
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


# --- Templates and scripts ---------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
# An attribute named on... inside a tag, e.g. onclick= or onchange =.
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVAL_FEATURES = re.compile(r"javascript:|hx-on|hx-vars|hx-vals\s*=\s*['\"]\s*js:|data-hx-on", re.I)


def template_files():
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [p for p in PROJECT_ROOT.glob("*/templates") if p.is_dir()]
    files = sorted(f for d in dirs for f in d.rglob("*.html"))
    assert len(files) > 50, "the scan must see the project's templates"
    return files


def offences(text: str) -> list[str]:
    found = []
    for attributes, body in SCRIPT.findall(text):
        if "src=" not in attributes or body.strip():
            found.append("inline <script>")
    for pattern, what in (
        (HANDLER, "on*= handler"),
        (STYLE_ATTRIBUTE, "style attribute"),
        (STYLE_ELEMENT, "<style> element"),
        (EVAL_FEATURES, "javascript: URL or htmx eval feature"),
    ):
        if pattern.search(text):
            found.append(what)
    return found


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script src="/static/x.js">alert(1)</script>', "inline <script>"),
        ('<button type="button"\n  onclick="go()">', "on*= handler"),
        ('<div class="x" style="width: 5%">', "style attribute"),
        ("<style>p { color: red }</style>", "<style> element"),
        ('<a href="javascript:void(0)">', "javascript: URL or htmx eval feature"),
        ('<form hx-on::after-request="this.reset()">', "javascript: URL or htmx eval feature"),
        ("<div hx-vals='js:{a: 1}'>", "javascript: URL or htmx eval feature"),
    ],
)
def test_the_scan_finds_what_the_policy_would_block(snippet, expected):
    assert expected in offences(snippet)


def test_the_scan_lets_the_allowed_forms_pass():
    allowed = (
        '<script src="/static/js/app.js" defer></script>'
        '<text font-style="italic">x</text><div data-confirm="Sure?" hx-vals=\'{"a": 1}\' class="pw-40"></div>'
    )
    assert offences(allowed) == []


def test_no_template_has_inline_script_handler_or_style():
    found = {
        str(f.relative_to(PROJECT_ROOT)): problems
        for f in template_files()
        if not f.is_relative_to(PDF_ONLY) and not f.is_relative_to(EMAIL_ONLY) and (problems := offences(f.read_text()))
    }
    assert found == {}


def test_the_front_end_script_neither_evaluates_code_nor_writes_style_attributes():
    script = (PROJECT_ROOT / "static" / "js" / "app.js").read_text()
    for forbidden in ("eval(", "new Function", 'setTimeout("', 'setAttribute("style"', ".innerHTML", "cssText"):
        assert forbidden not in script, forbidden
