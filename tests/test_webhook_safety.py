"""A project's Slack/Teams webhook cannot be turned against our own network (SSRF).

Hostile URLs: loopback, private and link-local addresses, the cloud metadata address, IPv6 loopback
and IPv4-mapped IPv6, names whose DNS answer is one of those (socket.getaddrinfo is mocked), DNS that
changes between saving and sending, and redirects. Sending never blocks the user's action and its
failure shows on the project's settings page.
"""

import socket
from unittest import mock

import pytest
import urllib3
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies.models import NotificationKind, ProjectWebhook, WebhookKind
from strategies.services.notifying import notify, project_webhook_send, webhook_payload
from strategies.services.workshop import step_comment_add
from strategies.tasks import send_project_webhook
from strategies.webhook_safety import UnsafeWebhookURL, WebhookSendFailed, check_webhook_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

# Tasks run in-process, as without REDIS_URL, even where the suite runs against a real broker.
from .test_notifying import eager_tasks  # noqa: E402, F401 - an autouse fixture

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
HOOK = "https://hooks.slack.example/services/T0/B0/secret"

HOSTILE_ADDRESSES = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "10.255.255.254",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - the unspecified address, refused as a target
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
]


class FakeDNS:
    """socket.getaddrinfo answering `answers[host]`; the calls are kept."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers = answers
        self.calls = []

    def __call__(self, host, port, *args, **kwargs):
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in self.answers[host]
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS({"hooks.slack.example": [PUBLIC_V4]})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


class FakeResponse:
    def __init__(self, status, headers=None):
        self.status = status
        self.headers = headers or {}


@pytest.fixture
def service(monkeypatch):
    """The webhook service: records each request (and where it connected); answers `service.status`."""

    class Service:
        status = 200
        error = None
        requests = []

    def urlopen(pool, method, url, body=None, headers=None, **kwargs):
        Service.requests.append(
            {
                "connected_to": pool.host,
                "sni": pool.conn_kw.get("server_hostname"),
                "path": url,
                "body": body,
                "headers": headers,
                "redirect": kwargs.get("redirect"),
            }
        )
        if Service.error:
            raise Service.error
        return FakeResponse(Service.status, {"Location": "http://127.0.0.1/admin"})

    Service.requests = []
    monkeypatch.setattr(urllib3.HTTPSConnectionPool, "urlopen", urlopen)
    return Service


def hook_of(project, url=HOOK, kind=WebhookKind.SLACK):
    return ProjectWebhook.objects.create(project=project, url=url, kind=kind)


# --- the URL check -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_name_resolving_to_a_non_public_address_is_refused(dns, address):
    dns.answers["inside.example"] = [address]
    with pytest.raises(UnsafeWebhookURL, match="private or local network"):
        check_webhook_url("https://inside.example/hook")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]"])
def test_a_literal_non_public_address_is_refused(address):
    # No mock: getaddrinfo answers a literal address itself, without asking DNS.
    with pytest.raises(UnsafeWebhookURL):
        check_webhook_url(f"https://{address}/hook")


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns):
    dns.answers["mixed.example"] = [PUBLIC_V4, "10.0.0.7"]
    with pytest.raises(UnsafeWebhookURL):
        check_webhook_url("https://mixed.example/hook")


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://hooks.slack.example/x", "Only https://"),
        ("ftp://hooks.slack.example/x", "Only https://"),
        ("file:///etc/passwd", "Only https://"),
        ("https:///x", "names no host"),
        ("https://user:pw@hooks.slack.example/x", "user name or password"),
        ("https://hooks.slack.example:8443/x", "standard https port"),
        ("https://hooks.slack.example:99999/x", "not a valid URL"),
        ("https://unknown.example/x", "could not be found"),
    ],
)
def test_urls_that_are_not_plain_https_to_a_known_host_are_refused(dns, url, message):
    with pytest.raises(UnsafeWebhookURL, match=message):
        check_webhook_url(url)


def test_a_public_https_url_is_accepted_and_pinned_to_its_checked_address(dns):
    dns.answers["teams.example"] = [PUBLIC_V6, PUBLIC_V4]
    checked = check_webhook_url("https://teams.example/webhook/abc?x=1")
    assert (checked.host, checked.path, checked.address) == ("teams.example", "/webhook/abc?x=1", PUBLIC_V6)


# --- sending -------------------------------------------------------------------------------------------------


def test_a_message_goes_to_the_checked_address_with_the_host_name_for_tls(project, dns, service):
    hook = hook_of(project)

    assert project_webhook_send(webhook_id=hook.pk, text="Hello") == "sent"

    [request] = service.requests
    assert request["connected_to"] == PUBLIC_V4
    assert request["sni"] == "hooks.slack.example"
    assert request["headers"]["Host"] == "hooks.slack.example"
    assert request["path"] == "/services/T0/B0/secret"
    assert request["redirect"] is False
    hook.refresh_from_db()
    assert hook.last_sent_at is not None and hook.last_error == ""


def test_dns_turned_inward_after_saving_is_caught_before_sending(project, dns, service):
    hook = hook_of(project)
    dns.answers["hooks.slack.example"] = ["169.254.169.254"]

    assert project_webhook_send(webhook_id=hook.pk, text="Hello") == "failed"

    assert service.requests == []
    hook.refresh_from_db()
    assert "private or local network" in hook.last_error and hook.last_error_at is not None


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_counts_as_a_failure(project, dns, service, status):
    hook = hook_of(project)
    service.status = status

    assert project_webhook_send(webhook_id=hook.pk, text="Hello") == "failed"

    assert len(service.requests) == 1  # the Location (http://127.0.0.1/admin) was never asked
    hook.refresh_from_db()
    assert "redirect" in hook.last_error


@pytest.mark.parametrize(
    "error",
    [urllib3.exceptions.ConnectTimeoutError(None, "t"), urllib3.exceptions.ReadTimeoutError(None, "/", "t")],
)
def test_a_timeout_is_temporary_recorded_and_tried_again_by_the_worker(project, dns, service, error):
    hook = hook_of(project)
    service.error = error

    with pytest.raises(WebhookSendFailed) as raised:
        project_webhook_send(webhook_id=hook.pk, text="Hello")

    assert raised.value.temporary
    hook.refresh_from_db()
    assert "could not be reached" in hook.last_error


@pytest.mark.parametrize("status, temporary", [(500, True), (503, True), (429, True), (404, False), (403, False)])
def test_a_refusal_is_recorded_and_only_server_trouble_is_tried_again(project, dns, service, status, temporary):
    hook = hook_of(project)
    service.status = status

    if temporary:
        with pytest.raises(WebhookSendFailed):
            project_webhook_send(webhook_id=hook.pk, text="Hello")
    else:
        assert project_webhook_send(webhook_id=hook.pk, text="Hello") == "failed"
    hook.refresh_from_db()
    assert f"HTTP {status}" in hook.last_error


def test_the_task_retries_a_temporary_failure_on_a_worker(project, dns, service, monkeypatch):
    hook = hook_of(project)
    service.status = 503
    retried = {}

    def retry(self, exc=None, countdown=None, **kwargs):
        retried.update(exc=exc, countdown=countdown)
        return RuntimeError("retry")

    monkeypatch.setattr(send_project_webhook, "retry", retry.__get__(send_project_webhook))
    send_project_webhook.push_request(retries=1, is_eager=False)
    try:
        with pytest.raises(RuntimeError, match="retry"):
            send_project_webhook.run(hook.pk, "Hello")
    finally:
        send_project_webhook.pop_request()
    assert isinstance(retried["exc"], WebhookSendFailed) and retried["countdown"] == 60


def test_run_in_the_web_process_the_task_tries_once_and_returns(project, dns, service, settings):
    hook = hook_of(project)
    service.status = 503

    assert send_project_webhook.apply(args=[hook.pk, "Hello"]).get() == "failed"
    assert len(service.requests) == 1


def test_a_failing_webhook_never_blocks_the_comment_and_shows_on_the_settings_page(
    project, consultant, manager, dns, service, client_for, django_capture_on_commit_callbacks
):
    from competencies.models import CompetenceArea

    hook_of(project)
    service.error = urllib3.exceptions.NewConnectionError(None, "refused")
    with django_capture_on_commit_callbacks(execute=True):
        comment = step_comment_add(
            project=project, area=CompetenceArea.objects.get(key="potential"), user=manager, text="<script>x</script>"
        )

    assert comment.pk is not None
    page = client_for(consultant).get(reverse("project_webhook", args=[project.pk]))
    assert page.status_code == 200
    assert b"data-webhook-error" in page.content and b"could not be reached" in page.content


# --- what is sent --------------------------------------------------------------------------------------------


def test_markup_in_the_material_reaches_slack_as_text():
    payload = webhook_payload(kind=WebhookKind.SLACK, text="<!channel> <https://evil|click> & <b>")
    assert payload == {"text": "&lt;!channel&gt; &lt;https://evil|click&gt; &amp; &lt;b&gt;"}


def test_markup_in_the_material_reaches_teams_as_text():
    payload = webhook_payload(kind=WebhookKind.TEAMS, text="Plan\n[click](https://evil) **bold** <img>")
    assert payload["@type"] == "MessageCard"
    assert payload["text"] == "Plan\n\n\\[click\\]\\(https://evil\\) \\*\\*bold\\*\\* &lt;img&gt;"
    assert "<" not in payload["text"] and "](" not in payload["text"]


def test_a_notification_posts_to_the_project_webhook_once_with_its_link(
    project, consultant, manager, dns, service, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://pbsm.example.com/"
    hook_of(project)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind=NotificationKind.COMMENT,
            project=project,
            recipients=[consultant, manager],
            title="Comment",
            url="/projects/1/",
        )

    [request] = service.requests
    assert b"Comment" in request["body"] and b"https://pbsm.example.com/projects/1/" in request["body"]


# --- the settings page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://inside.example/hook",
        "http://hooks.slack.example/hook",
    ],
)
def test_the_settings_page_refuses_a_hostile_url_beside_the_field_keeping_what_was_typed(
    project, consultant, dns, client_for, url
):
    dns.answers["inside.example"] = ["10.0.0.1"]
    response = client_for(consultant).post(reverse("project_webhook", args=[project.pk]), {"kind": "slack", "url": url})

    assert response.status_code == 422
    assert not ProjectWebhook.objects.exists()
    form = response.context["form"]
    assert form.errors["url"]
    assert f'value="{url}"'.encode() in response.content


def test_a_consultant_sets_and_removes_the_webhook(project, consultant, dns, client_for):
    client = client_for(consultant)
    url = reverse("project_webhook", args=[project.pk])

    response = client.post(url, {"kind": "teams", "url": HOOK})
    assert response.status_code == 302
    assert ProjectWebhook.objects.get(project=project).kind == WebhookKind.TEAMS

    client.post(url, {"kind": "teams", "url": ""})
    assert not ProjectWebhook.objects.exists()


def test_managers_are_refused_and_outsiders_see_nothing(project, consultant, manager, outsider, dns, client_for):
    hook_of(project)
    url = reverse("project_webhook", args=[project.pk])

    refused = client_for(manager).post(url, {"kind": "slack", "url": HOOK})
    assert refused.status_code == 403
    assert b"Only the project&#x27;s consultants can change where its notifications go." in refused.content
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, {"kind": "slack", "url": ""}).status_code == 404
    assert ProjectWebhook.objects.filter(project=project).exists()


# --- anything typed --------------------------------------------------------------------------------------------

URL_TEXT = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["https", "http", "HTTPS", "javascript", "file", "gopher", ""]),
        st.one_of(
            st.sampled_from(
                [
                    "hooks.slack.example",
                    "inside.example",
                    "[::1]",
                    "127.0.0.1",
                    "[::ffff:7f00:1]",
                    "0x7f.1",
                    "2130706433",
                    "user:pw@hooks.slack.example",
                    "hooks.slack.example:0",
                    "[fe80::1%25eth0]",
                    "xn--nxasmq6b",
                    "a..b",
                ]
            ),
            st.text(max_size=30),
        ),
        st.text(max_size=30),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=URL_TEXT)
def test_any_url_text_is_accepted_only_when_it_is_https_to_a_public_host(url):
    fake = FakeDNS({"hooks.slack.example": [PUBLIC_V4], "inside.example": ["10.0.0.1"]})
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        # Literal addresses as the system reads them (0x7f.1, 2130706433 are 127.0.0.1); names from the fake.
        try:
            return real(host, port, *args, flags=socket.AI_NUMERICHOST, **kwargs)
        except (socket.gaierror, UnicodeError, ValueError):
            return fake(host, port)

    with mock.patch.object(socket, "getaddrinfo", resolve):
        try:
            checked = check_webhook_url(url)
        except UnsafeWebhookURL:
            return
    assert url.strip().lower().startswith("https://")
    assert checked.address == PUBLIC_V4 and checked.host == "hooks.slack.example"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=URL_TEXT, kind=st.sampled_from(["slack", "teams", "", "irc", "<b>"]))
def test_the_settings_form_never_fails_and_stores_only_safe_urls(project, consultant, url, kind):
    client = Client()
    client.force_login(consultant)
    fake = FakeDNS({"hooks.slack.example": [PUBLIC_V4], "inside.example": ["10.0.0.1"]})
    with mock.patch.object(socket, "getaddrinfo", fake):
        response = client.post(reverse("project_webhook", args=[project.pk]), {"kind": kind, "url": url})
    assert response.status_code in (302, 422)
    for hook in ProjectWebhook.objects.all():
        assert hook.url.lower().startswith("https://hooks.slack.example") and hook.kind in ("slack", "teams")


def test_a_test_message_reaches_the_webhook_and_its_outcome_shows(
    project, consultant, dns, service, client_for, django_capture_on_commit_callbacks
):
    hook_of(project)
    client = client_for(consultant)
    service.status = 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("project_webhook_test", args=[project.pk]))

    assert response.status_code == 302
    [request] = service.requests
    assert b"Test message" in request["body"]
    page = client.get(reverse("project_webhook", args=[project.pk]))
    assert b"HTTP 404" in page.content


def test_a_test_message_without_a_webhook_says_to_set_one(project, consultant, outsider, client_for):
    response = client_for(consultant).post(reverse("project_webhook_test", args=[project.pk]), follow=True)
    assert b"Set a webhook URL first." in response.content
    assert client_for(outsider).post(reverse("project_webhook_test", args=[project.pk])).status_code == 404
