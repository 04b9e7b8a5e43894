"""Django's model backend, loading the signed-in user with a statement compiled once per process.

Every authenticated request loads its user; the ORM would rebuild the same
SQL each time. The compiled statement is reused with the user's id, and the
row still becomes a normal user through raw(). Everything else is Django's.

Also the page django-axes shows when login throttling refuses a login.
"""

from math import ceil

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

_STAND_IN_PK = -7_654_321
_compiled: dict[str, tuple[str, tuple]] = {}


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        using = router.db_for_read(model)
        vendor = connections[using].vendor
        if vendor not in _compiled:
            _compiled[vendor] = model._default_manager.filter(pk=_STAND_IN_PK).query.sql_with_params()
        sql, params = _compiled[vendor]
        users = list(model._default_manager.raw(sql, [pk if p == _STAND_IN_PK else p for p in params], using=using))
        if not users:
            return None
        return users[0] if self.user_can_authenticate(users[0]) else None


def client_ip_address(request) -> str:
    """The address login throttling counts failures for (settings.TRUSTED_PROXY_COUNT explains)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying that and for how long this login is refused.

    django-axes calls this instead of its bare refusal page once a username has
    failed too often from one address. 429: the client should slow down.
    """
    minutes = max(1, ceil(get_cool_off(request).total_seconds() / 60))
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
