"""Headers every response carries, and the end of an idle session."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

LAST_ACTIVITY = "pbsm_last_activity"
# The last activity is written at most once a minute: writing it on every request would
# save the session (a database write) on every page and every htmx save.
ACTIVITY_RESOLUTION_SECONDS = 60
# Answered without reading the session: /healthz/ must report a database that is down as
# "unavailable" (503), and reading a signed-in user's session would need that database.
PATHS_WITHOUT_SESSION = frozenset({"/healthz/", "/favicon.ico"})


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: private, no-store` for a signed-in user.

    A signed-in page shows a client's strategy: no shared proxy and no browser history or
    back-button copy may keep it after the user has gone. (The server-side page cache,
    strategies/wizard/page_cache.py, is unaffected.) Static files never get here: WhiteNoise
    answers them before the session is read, with its own long-lived caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        if request.path in PATHS_WITHOUT_SESSION:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionIdleTimeoutMiddleware:
    """Signs a user out after settings.SESSION_IDLE_TIMEOUT without a request, and says so on the login page.

    The absolute lifetime is Django's own session expiry, fixed at login (mark_sign_in below).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS_WITHOUT_SESSION and request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                return self.sign_out(request)
            if last is None:
                # A session from before the idle timeout existed: it gets the login's marks now.
                mark_session(request.session)
            elif now - last > ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def sign_out(self, request):
        logout(request)
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        if minutes % 60:
            message = ngettext(
                "You were signed out after %(count)d minute without activity. Please log in again.",
                "You were signed out after %(count)d minutes without activity. Please log in again.",
                minutes,
            ) % {"count": minutes}
        else:
            message = ngettext(
                "You were signed out after %(count)d hour without activity. Please log in again.",
                "You were signed out after %(count)d hours without activity. Please log in again.",
                minutes // 60,
            ) % {"count": minutes // 60}
        messages.info(request, message)
        # Back to this page after the next login; an htmx request must reload the whole page.
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(redirect_to_login(request.htmx.current_url_abs_path or "/").url)
        return redirect_to_login(request.get_full_path())


@receiver(user_logged_in, dispatch_uid="pbsm.middleware.mark_sign_in")
def mark_sign_in(sender, request, user, **kwargs):
    """A new session starts active, and ends SESSION_MAX_AGE after the login however busy it is
    (a fixed expiry date: saving the session later does not move it, unlike SESSION_COOKIE_AGE)."""
    if request is not None and hasattr(request, "session"):
        mark_session(request.session)


def mark_session(session) -> None:
    session[LAST_ACTIVITY] = time.time()
    session.set_expiry(timezone.now() + settings.SESSION_MAX_AGE)
