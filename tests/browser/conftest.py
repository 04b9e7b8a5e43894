"""Playwright against Debian's Chromium (no browser download is possible here).

Browser tests are skipped with a reason where /usr/bin/chromium is missing,
except in CI (CI=true), where a missing browser fails the run instead.
"""

import os
import shutil

import pytest

from tests.conftest import restore_migrated_data

CHROMIUM = os.environ.get("PBSM_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for the browser tests.")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while
    # it is started; the ORM calls the tests make meanwhile are still plain
    # synchronous code. Module scope: the loop and this switch end with the
    # module, so no other test inherits them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, asgi_live_server):
    context = browser.new_context(base_url=asgi_live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()


@pytest.fixture(autouse=True)
def migrated_data(transactional_db):
    """Browser tests run in transactional mode, whose flush also removes the
    rows data migrations created; put the catalogue and groups back."""
    restore_migrated_data()


class _AsgiLiveServer:
    """The whole ASGI application (pages and the live workshop's sockets) on a loopback port.

    pytest-django's live_server speaks WSGI only. This runs uvicorn in a thread of the test
    process, so the in-memory channel layer and, on SQLite, the in-memory test database are
    shared with the test: like live_server, the server's database thread is handed the test's
    own connection (sync views and the consumer's database calls all run on asgiref's one
    thread-sensitive executor thread).
    """

    def __init__(self):
        import asyncio
        import socket
        import threading

        import uvicorn
        from asgiref.sync import sync_to_async
        from channels import DEFAULT_CHANNEL_LAYER
        from channels.layers import channel_layers
        from channels.routing import ProtocolTypeRouter
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.signals import request_started
        from django.db import connections

        from pbsm.asgi import application

        # A channel layer of this server's own: channels_redis ties its receiving to the event loop
        # of the first socket that receives, and a previous test's server (its loop gone) may have
        # left sockets counted as receiving; the next server's sockets then crash ("Two event loops
        # are trying to receive() on one channel layer at once!") and its room hears nothing.
        channel_layers.set(DEFAULT_CHANNEL_LAYER, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))

        shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in shared.values():
            conn.inc_thread_sharing()
        self._shared = shared

        app = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(application.application_mapping["http"]),
                "websocket": application.application_mapping["websocket"],
            }
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _i in range(200):
            if self.server.started:
                break
            threading.Event().wait(0.025)
        else:
            raise RuntimeError("the ASGI test server did not start")
        self.url = f"http://127.0.0.1:{port}"

        def share_connections():
            for alias, conn in shared.items():
                connections[alias] = conn

        # The consumers' database calls run on asgiref's one thread-sensitive executor thread; hand it
        # the connection from uvicorn's loop. Each HTTP request, though, gets a thread of its own
        # (Django's ASGI handler opens a ThreadSensitiveContext per request): request_started runs in
        # that thread, so it hands the connection over there, as live_server does per request thread.
        # With a connection of its own, a request would meet "database table is locked".
        loop = self.server.servers[0].get_loop()
        asyncio.run_coroutine_threadsafe(sync_to_async(share_connections)(), loop).result(10)
        self._share_per_request = lambda **kwargs: share_connections()
        if shared:
            request_started.connect(self._share_per_request, dispatch_uid="asgi-test-server-shared-db")

    def stop(self):
        from django.core.signals import request_started

        request_started.disconnect(dispatch_uid="asgi-test-server-shared-db")
        self.server.should_exit = True
        self.thread.join(10)
        for conn in self._shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def asgi_live_server(transactional_db):
    """Like live_server, but ASGI: the pages and the live workshop's WebSockets on one port."""
    server = _AsgiLiveServer()
    yield server
    server.stop()
