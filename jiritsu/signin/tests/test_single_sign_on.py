"""Single sign-on against a real OpenID Connect provider on loopback: an HTTP server started
by the test that signs its id_tokens with its own RSA key (RS256) and publishes the key as a
JWKS, so the library fetches, verifies and maps exactly as in an office."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from jwt.algorithms import RSAAlgorithm

from jiritsu.audit.models import AuditEvent
from jiritsu.offices.models import Membership
from jiritsu.signin.models import SignInPolicy
from jiritsu.testing import PASSWORD, make_office, make_user, membership_of

pytestmark = pytest.mark.django_db(transaction=False)
Role = Membership.Role
CLIENT_ID, CLIENT_SECRET = "jiritsu-test", "s3cret-of-the-test"


class Provider:
    """The identity provider: who is signed in at it, the codes it has handed out."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.subject: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.audience = CLIENT_ID
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = {"nonce": q.get("nonce"), "claims": dict(idp.subject),
                                       "redirect_uri": q["redirect_uri"]}
                    self.send_response(302)
                    self.send_header("Location", q["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": q["state"]}))
                    self.end_headers()
                elif url.path == "/jwks":
                    jwk = json.loads(RSAAlgorithm.to_jwk(idp.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": idp.kid, "alg": "RS256", "use": "sig"}]})
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    grant = next((g for g in idp.codes.values() if g.get("access") == token), None)
                    if grant is None:
                        self._json({"error": "invalid_token"}, 401)
                    else:
                        self._json(grant["claims"])
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                grant = idp.codes.get(form.get("code", ""))
                if (self.path != "/token" or grant is None or form.get("client_id") != CLIENT_ID
                        or form.get("client_secret") != CLIENT_SECRET
                        or form.get("redirect_uri") != grant["redirect_uri"]
                        or "access" in grant):
                    self._json({"error": "invalid_grant"}, 400)
                    return
                grant["access"] = secrets.token_urlsafe(16)
                now = int(time.time())
                claims = grant["claims"]
                id_token = jwt.encode(
                    {"iss": idp.base, "aud": idp.audience, "sub": claims.get("sub", "x"),
                     "iat": now, "exp": now + 300, "nonce": grant["nonce"],
                     **({"amr": claims["amr"]} if "amr" in claims else {})},
                    idp.key, algorithm="RS256", headers={"kid": idp.kid})
                self._json({"access_token": grant["access"], "token_type": "Bearer",
                            "id_token": id_token, "expires_in": 300})

        return Handler


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    idp = Provider()
    thread = threading.Thread(target=idp.server.serve_forever, daemon=True)
    thread.start()
    settings.JIRITSU_TWO_FACTOR = "on"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{idp.base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{idp.base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{idp.base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{idp.base}/jwks"
    settings.JIRITSU_OIDC_ISSUER = idp.base
    try:
        yield idp
    finally:
        idp.server.shutdown()
        idp.server.server_close()


def _sso(client: Client, idp: Provider, next_url: str = "") -> Any:
    """The browser's round trip: Jiritsu → the provider's sign-in → back to Jiritsu."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(idp.base + "/authorize")
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(start["Location"])
    except urllib.error.HTTPError as exc:  # the 302 back to Jiritsu
        back = exc.headers["Location"]
    url = urlsplit(back)
    return client.get(url.path, parse_qs(url.query))


def test_the_provider_signs_in_an_existing_account(provider: Provider):
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    provider.subject = {"sub": "u-1", "preferred_username": caseworker.username}
    client = Client()
    done = _sso(client, provider, next_url="/programs/")
    assert done.status_code == 302 and done["Location"] == "/programs/"
    assert client.get("/programs/").status_code == 200
    assert "庁内の認証でログイン" in Client().get("/login/").content.decode()


def test_an_unknown_or_inactive_account_is_not_created_or_let_in(provider: Provider):
    office = make_office()
    provider.subject = {"sub": "u-2", "preferred_username": "nobody-here"}
    client = Client()
    done = _sso(client, provider)
    assert done["Location"].startswith("/login/?sso_failed=1")
    assert client.get("/")["Location"].startswith("/login/")
    page = client.get(done["Location"]).content.decode()
    assert "アカウントが登録されていないか" in page
    leaver = make_user(office, Role.CASEWORKER)
    leaver.is_active = False
    leaver.save()
    provider.subject = {"sub": "u-3", "preferred_username": leaver.username}
    assert _sso(Client(), provider)["Location"].startswith("/login/?sso_failed=1")


def test_a_token_for_another_application_is_refused(provider: Provider):
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    provider.subject = {"sub": "u-1", "preferred_username": caseworker.username}
    provider.audience = "another-app"
    client = Client()
    assert _sso(client, provider)["Location"].startswith("/login/?sso_failed=1")
    assert client.get("/")["Location"].startswith("/login/")


def test_a_manager_still_gives_a_code_unless_the_provider_checked_one(provider: Provider):
    office = make_office()
    manager = make_user(office, Role.MANAGER)
    provider.subject = {"sub": "m-1", "preferred_username": manager.username}
    client = Client()
    _sso(client, provider)
    assert client.get("/")["Location"].startswith("/signin/setup/")

    provider.subject = {"sub": "m-1", "preferred_username": manager.username, "amr": ["pwd", "mfa"]}
    client = Client()
    _sso(client, provider)
    assert client.get("/").status_code == 200


def test_an_office_switches_passwords_off_for_its_staff(provider: Provider):
    office = make_office()
    admin = make_user(office, Role.ADMIN)
    caseworker = make_user(office, Role.CASEWORKER)
    admin_client = Client()
    provider.subject = {"sub": "a-1", "preferred_username": admin.username, "amr": ["mfa"]}
    _sso(admin_client, provider)
    resp = admin_client.post("/signin/policy/", {"two_factor": "managers"})  # box unticked
    assert resp.status_code == 302
    assert SignInPolicy.objects.get(office=office).password_allowed is False
    event = AuditEvent.objects.get(action="signin_policy.update")
    assert event.changes["password_allowed"] == [True, False]

    refused = Client().post("/login/", {"username": caseworker.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "パスワードでのログインは停止されています" in refused.content.decode()
    provider.subject = {"sub": "c-1", "preferred_username": caseworker.username}
    client = Client()
    _sso(client, provider)
    assert client.get("/").status_code == 200
    assert membership_of(caseworker, office).is_active


def test_without_a_provider_passwords_cannot_be_switched_off():
    office = make_office()
    admin = make_user(office, Role.ADMIN)
    client = Client()
    client.force_login(admin)
    resp = client.post("/signin/policy/", {"two_factor": "managers"})
    assert resp.status_code == 200 and "止められません" in resp.content.decode()
    assert not SignInPolicy.objects.filter(office=office, password_allowed=False).exists()
    assert Client().get("/oidc/authenticate/").status_code == 404


def test_an_account_deactivated_after_signing_in_is_signed_out(provider: Provider):
    office = make_office()
    caseworker = make_user(office, Role.CASEWORKER)
    provider.subject = {"sub": "u-9", "preferred_username": caseworker.username}
    client = Client()
    _sso(client, provider, next_url="/programs/")
    assert client.get("/programs/").status_code == 200
    caseworker.is_active = False
    caseworker.save()
    assert client.get("/programs/")["Location"].startswith("/login/")
