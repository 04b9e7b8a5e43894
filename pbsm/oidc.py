"""Company sign-in: OpenID Connect single sign-on beside local accounts (mozilla-django-oidc).

Off unless OIDC_RP_CLIENT_ID is set (pbsm/settings.py): then the login page offers "Sign in with
your company account", the two routes below answer, and CompanyAccountBackend is an
authentication backend after axes' own. Who may sign in is decided here:

- the provider must say the e-mail address is verified (`email_verified`);
- an existing account is matched by that address, ignoring case; several accounts with one
  address refuse the sign-in rather than pick one;
- otherwise a new account is created without any membership (it sees no project until a
  project's members add it), unless OIDC_CREATE_USERS is false;
- staff and superuser accounts never sign in this way (they keep to their password), and no
  account ever gains staff or superuser status, a password or a membership from it;
- the ID token is checked beyond the library's signature and nonce: its issuer, its audience
  (our client id) and its expiry; the user info must belong to the token's subject.

Every refusal is logged with its reason; the visitor sees one message on the login page. A
refused callback counts as a failed login for django-axes, like a wrong password.
"""

import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)

# Each setting the library reads, and the discovery document's name for it.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# Providers change their endpoints rarely; an hour keeps a changed one from lingering long.
DISCOVERY_CACHE_SECONDS = 3600
USERNAME_MAX_LENGTH = 150


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or does not describe our issuer."""


def provider_endpoints() -> dict[str, str]:
    """The four endpoints by setting name: as configured, or from the issuer's discovery document.

    Read on first use and cached (in the shared cache, so all web processes ask once an hour),
    never at start: a provider that is down must not stop the site, whose local accounts work.
    """
    configured = {name: getattr(settings, name, "") for name in DISCOVERED}
    if all(configured.values()):
        return configured
    issuer = settings.OIDC_ISSUER
    key = "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    endpoints = cache.get(key)
    if endpoints is None:
        endpoints = _discover(issuer)
        cache.set(key, endpoints, DISCOVERY_CACHE_SECONDS)
    return endpoints


def _discover(issuer: str) -> dict[str, str]:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # The document of another issuer would have us trust that issuer's keys.
        raise ProviderUnavailable(f"discovery at {url} names another issuer than OIDC_ISSUER")
    endpoints = {}
    for name, field in DISCOVERED.items():
        value = document.get(field)
        # The same rule as for OIDC_ISSUER in settings.py: plain http only for a local provider in development.
        schemes = ("https://", "http://") if settings.DEBUG else ("https://",)
        if not isinstance(value, str) or not value.startswith(schemes):
            raise ProviderUnavailable(f"discovery at {url} has no usable {field}")
        endpoints[name] = value
    return endpoints


class CompanyAccountBackend(OIDCAuthenticationBackend):
    """The library's authorization-code flow, with the rules of the module docstring."""

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password login carrying ?code=&state= in its
        # URL must not start a token exchange that skips the state and nonce checks.
        if request is None or not kwargs.get("nonce"):
            return None
        try:
            endpoints = provider_endpoints()
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints["OIDC_OP_TOKEN_ENDPOINT"]
            self.OIDC_OP_USER_ENDPOINT = endpoints["OIDC_OP_USER_ENDPOINT"]
            self.OIDC_OP_JWKS_ENDPOINT = endpoints["OIDC_OP_JWKS_ENDPOINT"]
            return super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,
            ProviderUnavailable,
            requests.RequestException,
            # An expired or malformed token, an unusable key (PyJWT's own errors); a JSON answer
            # that is not JSON or lacks a field the library reads.
            jwt.PyJWTError,
            ValueError,
            KeyError,
        ) as error:
            # None: Django reports a failed login (axes counts it), the view shows its message.
            logger.warning("Company sign-in refused: %s", error)
            return None

    def verify_token(self, token, **kwargs):
        """The library checks signature, algorithm and nonce; the rest of OIDC Core 3.1.3.7 here."""
        payload = super().verify_token(token, **kwargs)
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        client_id = settings.OIDC_RP_CLIENT_ID
        if client_id not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if len(audiences) > 1 and payload.get("azp") != client_id:
            raise SuspiciousOperation("ID token for several clients, not authorised for this one")
        # PyJWT checks an expiry that is there; one that is missing would make the token good forever.
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without expiry")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        subject = payload.get("sub")
        if not subject or not isinstance(claims, dict) or claims.get("sub") != subject:
            # OIDC Core 5.3.2: user info about somebody else must not sign anyone in.
            raise SuspiciousOperation("user info is about another subject than the ID token")
        return claims

    def verify_claims(self, claims):
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            logger.warning("Company sign-in refused: the provider sent no e-mail address")
            return False
        try:
            validate_email(email)
        except ValidationError:
            logger.warning("Company sign-in refused: the provider sent no valid e-mail address")
            return False
        # A boolean by the standard; some providers send the string.
        if claims.get("email_verified") not in (True, "true"):
            logger.warning("Company sign-in refused: the provider has not verified the e-mail address")
            return False
        return True

    def filter_users_by_claims(self, claims):
        return get_user_model().objects.filter(email__iexact=claims["email"].strip())

    def update_user(self, user, claims):
        if not user.is_active:
            raise SuspiciousOperation(f"account {user.pk} is deactivated")
        if user.is_staff or user.is_superuser:
            # Whoever controls the address at the provider would otherwise hold the admin.
            raise SuspiciousOperation(f"account {user.pk} is staff; staff sign in with their password")
        return user

    def create_user(self, claims):
        email = claims["email"].strip()
        user = get_user_model().objects.create_user(
            username=self._free_username(email),
            email=email,
            first_name=_text_claim(claims, "given_name"),
            last_name=_text_claim(claims, "family_name"),
        )
        # create_user without a password leaves it unusable: such an account signs in only here.
        logger.info("Company sign-in created account %s", user.pk)
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        # Django's ModelBackend drops a deactivated account from its session; the library does not.
        return user if user is not None and user.is_active else None

    @staticmethod
    def _free_username(email: str) -> str:
        """The address itself (what colleagues know to add someone by), made unique if taken."""
        users = get_user_model().objects
        base = email.lower()[:USERNAME_MAX_LENGTH]
        candidate, number = base, 1
        while users.filter(username__iexact=candidate).exists():
            number += 1
            suffix = f"-{number}"
            candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
        return candidate


def _text_claim(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip()[:150] if isinstance(value, str) else ""


def _refuse(request, message: str):
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


class CompanySignInMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CompanySignInStartView(CompanySignInMixin, OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a fresh state, nonce and PKCE challenge in the session."""

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoints()["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        except ProviderUnavailable as error:
            logger.warning("Company sign-in unavailable: %s", error)
            return _refuse(
                request,
                _("The company sign-in cannot be reached at the moment. Please try again later or log in here."),
            )
        return super().get(request)


class CompanySignInCallbackView(CompanySignInMixin, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; signs in, or back to the login page with a message."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A state this browser never started (a replay, a forged link): refused, not a 400 page.
            logger.warning("Company sign-in refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        return _refuse(
            self.request,
            _(
                "Signing in with your company account did not succeed. Your company account needs a "
                "verified e-mail address; an administrator can help."
            ),
        )


def sign_in_options(request) -> dict:
    """Template context: whether the login page offers the company sign-in."""
    return {"company_sign_in": settings.OIDC_ENABLED}


urlpatterns = [
    path("authenticate/", CompanySignInStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", CompanySignInCallbackView.as_view(), name="oidc_authentication_callback"),
]
