"""What the live panels (timer, idea rounds) share: who reaches them and where a plain POST returns.

Members and guests both fetch the panels (a guest through the key the join page kept in the
browser's session, see strategies/live/access.py); anyone else is asked to log in, as on
every other page of a project.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from ..live.access import guest_participant


def member_or_guest(view):
    """login_required, but a guest of a running session passes on to live_access (which checks the project)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and guest_participant(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def back(request, fallback: str):
    """After a plain (no-JS) POST: back to the page the form was on, or to `fallback`."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(referer)
    return redirect(fallback)
