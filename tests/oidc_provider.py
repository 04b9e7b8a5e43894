"""A fake OpenID Connect provider inside the test suite: discovery, JWKS, token and user info.

Its HTTP endpoints are answered in-process by `responses` (which stands in for `requests`, the
library's client); its "login page" is `authorize()`, which reads the redirect our start view sent
the browser to, remembers what was asked (state, nonce, PKCE challenge) and hands back a code, as a
real provider does after its user has signed in. The token endpoint checks client secret, code and
PKCE verifier, then signs an ID token with an RSA key made here. A test bends one thing at a time
(`id_token_claims`, `userinfo`, `signing_key`) to see that bend refused.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

ISSUER = "https://login.example-company.test/realms/staff"
CLIENT_ID = "pbsm-workbench"
CLIENT_SECRET = "client-secret-for-the-fake-provider"
KEY_ID = "fake-provider-key-1"
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/protocol/openid-connect/auth",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/protocol/openid-connect/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/protocol/openid-connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/protocol/openid-connect/certs",
}
DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"

# Made once per test process: a 2048-bit key takes a noticeable moment.
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
FORGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def configure(settings, *, explicit_endpoints: bool = False, create_users: bool = True) -> None:
    """Turn the company sign-in on, as pbsm/settings.py would from OIDC_* variables."""
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_CREATE_USER = create_users
    for name, url in ENDPOINTS.items():
        setattr(settings, name, url if explicit_endpoints else "")
    if "pbsm.oidc.CompanyAccountBackend" not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "pbsm.oidc.CompanyAccountBackend"]


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class FakeProvider:
    """One provider; its user signs in as `userinfo` says."""

    userinfo: dict = field(
        default_factory=lambda: {
            "sub": "248289761001",
            "email": "jane.doe@example-company.test",
            "email_verified": True,
            "given_name": "Jane",
            "family_name": "Doe",
        }
    )
    # Laid over the ID token's claims (a value None removes the claim).
    id_token_claims: dict = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey | str | None = PROVIDER_KEY
    algorithm: str = "RS256"
    # False: the token endpoint answers without an ID token.
    sends_id_token: bool = True
    discovery: dict | None = None
    # What the authorization requests asked, by code; and what reached the token endpoint.
    pending: dict = field(default_factory=dict)
    token_requests: list = field(default_factory=list)

    # --- the provider's pages --------------------------------------------------------------------

    def authorize(self, location: str) -> tuple[str, str]:
        """The provider's login page: the browser arrived at `location`; returns (code, state)."""
        url = urlsplit(location)
        assert f"{url.scheme}://{url.netloc}{url.path}" == ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"]
        params = {name: values[0] for name, values in parse_qs(url.query).items()}
        assert params["client_id"] == CLIENT_ID
        assert params["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.pending[code] = params
        return code, params["state"]

    def sign_in(self, client, start_query: str = ""):
        """The whole round: our start view, the provider's page, our callback; returns the callback's response."""
        start = client.get(reverse("oidc_authentication_init") + start_query)
        assert start.status_code == 302, start.status_code
        code, state = self.authorize(start["Location"])
        return client.get(reverse("oidc_authentication_callback") + "?" + urlencode({"code": code, "state": state}))

    # --- its HTTP endpoints ----------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        mock.add_callback(responses.GET, DISCOVERY_URL, callback=self._discovery)
        mock.add_callback(responses.GET, ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"], callback=self._jwks)
        mock.add_callback(responses.POST, ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"], callback=self._token)
        mock.add_callback(responses.GET, ENDPOINTS["OIDC_OP_USER_ENDPOINT"], callback=self._userinfo)

    @staticmethod
    def discovery_document() -> dict:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"],
            "token_endpoint": ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"],
            "userinfo_endpoint": ENDPOINTS["OIDC_OP_USER_ENDPOINT"],
            "jwks_uri": ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def _discovery(self, request):
        return 200, {"Content-Type": "application/json"}, _json(self.discovery or self.discovery_document())

    def _jwks(self, request):
        key = jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key(), as_dict=True)
        key.update(kid=KEY_ID, alg="RS256", use="sig")
        return 200, {"Content-Type": "application/json"}, _json({"keys": [key]})

    def _token(self, request):
        form = {name: values[0] for name, values in parse_qs(request.body).items()}
        self.token_requests.append(form)
        asked = self.pending.pop(form.get("code"), None)
        if (
            asked is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != asked["redirect_uri"]
            or _s256(form.get("code_verifier", "")) != asked.get("code_challenge")
        ):
            return 400, {"Content-Type": "application/json"}, _json({"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": self.userinfo.get("sub"),
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "nonce": asked.get("nonce"),
        }
        claims.update(self.id_token_claims)
        claims = {name: value for name, value in claims.items() if value is not None}
        body = {"access_token": "access-" + form["code"], "token_type": "Bearer"}
        if self.sends_id_token:
            body["id_token"] = jwt.encode(claims, self.signing_key, algorithm=self.algorithm, headers={"kid": KEY_ID})
        return 200, {"Content-Type": "application/json"}, _json(body)

    def _userinfo(self, request):
        if not request.headers.get("Authorization", "").startswith("Bearer access-"):
            return 401, {}, ""
        return 200, {"Content-Type": "application/json"}, _json(self.userinfo)


def _json(value) -> str:
    return json.dumps(value)
