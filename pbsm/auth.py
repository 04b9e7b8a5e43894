"""Login throttling with django-axes: whose failures count, how many are allowed, and the refusal page.

Two locks, each with its own limit (settings.py explains the numbers):

- a username from one address (LOGIN_FAILURE_LIMIT): a guesser cannot lock
  everybody out from one address, nor one user out from everywhere;
- an address across all usernames (LOGIN_ADDRESS_FAILURE_LIMIT, higher, since
  an office shares one address): one address cannot try a common password
  on many accounts (password spraying).

django-axes compares one failure count with one limit, the largest count of
its lockout parameters. So these callables (its documented settings
AXES_LOCKOUT_PARAMETERS and AXES_FAILURE_LIMIT) choose together which lock
counts for a request: the address once it has reached its own limit, else
username and address. The attempts themselves are axes' own rows, one per
username, address and browser, so the address's count is their sum.
"""

from math import ceil

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

BY_USERNAME_AND_ADDRESS = [["username", "ip_address"]]
BY_ADDRESS = ["ip_address"]


def client_ip_address(request) -> str:
    """The address login throttling counts failures for (settings.TRUSTED_PROXY_COUNT explains)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def address_is_locked(request) -> bool:
    """Whether this request's address has failed LOGIN_ADDRESS_FAILURE_LIMIT times within the cool-off,
    whatever the usernames.

    Asked afresh each time (a few times per login POST, never on other pages): the failure that
    reaches the limit must already count when axes decides right after recording it.
    """
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    failures = attempts.aggregate(n=Sum("failures_since_start"))["n"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def lockout_parameters(request_or_attempt, credentials=None):
    # axes also asks with a stored attempt (the admin, axes_reset): that is the per-username lock.
    if isinstance(request_or_attempt, AccessAttempt) or not address_is_locked(request_or_attempt):
        return BY_USERNAME_AND_ADDRESS
    return BY_ADDRESS


def failure_limit(request, credentials=None) -> int:
    if address_is_locked(request):
        return settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying that and for how long this login is refused.

    django-axes calls this instead of its bare refusal page once a lock holds.
    429: the client should slow down.
    """
    minutes = max(1, ceil(get_cool_off(request).total_seconds() / 60))
    if address_is_locked(request):
        message = ngettext(
            "Too many failed logins from your network address. Logging in from here is blocked for "
            "%(minutes)d minute; please try again later.",
            "Too many failed logins from your network address. Logging in from here is blocked for "
            "%(minutes)d minutes; please try again later.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = ngettext(
            "Too many failed logins for this username. Logging in is blocked for %(minutes)d minute; "
            "please try again later.",
            "Too many failed logins for this username. Logging in is blocked for %(minutes)d minutes; "
            "please try again later.",
            minutes,
        ) % {"minutes": minutes}
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = AuthenticationForm(request, initial={"username": get_client_username(request, credentials) or ""})
    context = {"form": form, "next": next_url, "lockout_message": message}
    return render(request, "registration/login.html", context, status=429)
