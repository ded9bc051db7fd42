"""Google's OAuth 2.0 web-server flow: authorization requests, codes, tokens, revocation, userinfo.

Behaviours that matter to a client: exact redirect URI matching, testing-mode apps refusing
accounts that are not test users (and issuing refresh tokens that die after 7 days), PKCE,
single-use codes, refresh tokens only on consent, and the JSON error bodies of the token endpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
from collections import deque
from typing import Any
from urllib.parse import urlencode

from .errors import ApiError, AuthorizePageError, OAuthError
from .grants import AccessToken, Authorization, Client, Code, Grant
from .scopes import BASIC_SCOPES, SCOPE_ALIASES, normalise_scopes
from .state import EmulatorState, opaque

CODE_TTL = dt.timedelta(minutes=10)
ACCESS_TTL = dt.timedelta(seconds=3599)
TESTING_REFRESH_TTL = dt.timedelta(days=7)


class OAuthProvider:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.clients: dict[str, Client] = {}
            self.authorizations: dict[str, Authorization] = {}
            self.codes: dict[str, Code] = {}
            self.grants: dict[str, Grant] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.consented: dict[tuple[str, str], set[str]] = {}
            self.decisions: deque[dict[str, Any]] = deque()

    # -- control API -------------------------------------------------------------------------

    def register_client(self, spec: dict[str, Any]) -> Client:
        if not _text(spec.get("client_id")) or not _text(spec.get("client_secret")):
            raise ApiError(400, "required", "client_id and client_secret are required strings.")
        status = spec.get("publishing_status", "testing")
        if status not in ("testing", "production"):
            raise ApiError(400, "invalid", "publishing_status must be 'testing' or 'production'.")
        if not _texts(spec.get("redirect_uris")) or not _texts(spec.get("test_users")):
            raise ApiError(400, "invalid", "redirect_uris and test_users must be lists of strings.")
        if spec.get("name") is not None and not isinstance(spec["name"], str):
            raise ApiError(400, "invalid", "name must be a string.")
        client = Client(
            client_id=spec["client_id"],
            client_secret=spec["client_secret"],
            redirect_uris=list(spec.get("redirect_uris") or []),
            publishing_status=status,
            test_users=[u.lower() for u in spec.get("test_users") or []],
            name=spec.get("name") or "Odoo",
        )
        with self._lock:
            self.clients[client.client_id] = client
        return client

    def queue_decision(self, spec: dict[str, Any]) -> None:
        if spec.get("decision") not in ("allow", "deny") or not _text(spec.get("email")):
            raise ApiError(400, "invalid", "consent needs an email and decision 'allow' or 'deny'.")
        if not _texts(spec.get("scopes")):
            raise ApiError(400, "invalid", "scopes must be a list of strings.")
        with self._lock:
            self.decisions.append(spec)

    def revoke_account(self, email: str) -> int:
        """The account removed every app's access (or Google revoked them all): each client's
        grant ends, and the next authorization of each is a first consent again."""
        email = email.lower()
        with self._lock:
            count = sum(1 for grant in self.grants.values() if grant.email == email and not grant.revoked)
            for client_id in {access.grant.client_id for access in self.access_tokens.values()
                              if access.grant.email == email}:
                self._end_grant(client_id, email)
        return count

    def _end_grant(self, client_id: str, email: str) -> None:
        """Google revokes a grant as a whole: the client's access to the account, with every
        refresh and access token it was ever given for it (each consent's), and the consent
        itself (the next authorization asks again and gives a new refresh token)."""
        for access in self.access_tokens.values():
            if access.grant.client_id == client_id and access.grant.email == email:
                access.grant.revoked = True
        for grant in self.grants.values():
            if grant.client_id == client_id and grant.email == email:
                grant.revoked = True
        self.consented.pop((client_id, email), None)

    # -- authorization endpoint --------------------------------------------------------------

    def start_authorization(self, args: dict[str, str]) -> Authorization:
        """Validate an authorize request; errors are shown on Google's page, never redirected."""
        client = self.clients.get(args.get("client_id", ""))
        if client is None:
            raise AuthorizePageError(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise AuthorizePageError(
                400,
                "redirect_uri_mismatch",
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. "
                "If you're the app developer, register the redirect URI in the Google Cloud Console.",
                details=f"redirect_uri={redirect_uri}",
            )
        if args.get("response_type") != "code":
            raise AuthorizePageError(400, "unsupported_response_type", "Only response_type=code is supported.")
        scopes = normalise_scopes(args.get("scope", ""))
        if not scopes:
            raise AuthorizePageError(400, "invalid_request", "Missing required parameter: scope")
        challenge = args.get("code_challenge")
        method = args.get("code_challenge_method", "plain" if challenge else "")
        if challenge and method not in ("S256", "plain"):
            raise AuthorizePageError(400, "invalid_request", "Invalid code_challenge_method.")
        prompt = args.get("prompt", "").split()
        authorization = Authorization(
            id=opaque(12),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            state=args.get("state"),
            code_challenge=challenge,
            challenge_method=method,
            offline=args.get("access_type") == "offline",
            force_consent="consent" in prompt or args.get("approval_prompt") == "force",
            include_granted=args.get("include_granted_scopes") == "true",
            login_hint=args.get("login_hint"),
        )
        with self._lock:
            self.authorizations[authorization.id] = authorization
        return authorization

    def next_queued_decision(self) -> dict[str, Any] | None:
        with self._lock:
            return self.decisions.popleft() if self.decisions else None

    def decide(self, authorization_id: str, email: str, allow: bool, granted: list[str] | None) -> str:
        """The redirect URL after the user's decision; AuthorizePageError where Google blocks."""
        with self._lock:
            authorization = self.authorizations.pop(authorization_id, None)
        if authorization is None:
            raise AuthorizePageError(400, "invalid_request", "This sign-in request has expired. Start again from the app.")
        client = self.clients[authorization.client_id]
        email = (email or "").strip().lower()
        if allow and email not in self.state.accounts:
            raise AuthorizePageError(400, "invalid_request", f"Couldn't find your Google Account ({email or 'no email'}).")
        if allow and client.publishing_status == "testing" and email not in client.test_users:
            raise AuthorizePageError(
                403,
                "access_denied",
                f"{client.name} has not completed the Google verification process. The app is currently being "
                "tested, and can only be accessed by developer-approved testers. If you think you should have "
                "access, contact the developer.",
            )
        params: dict[str, str] = {}
        if authorization.state is not None:
            params["state"] = authorization.state
        if not allow:
            params["error"] = "access_denied"
            return _with_query(authorization.redirect_uri, params)
        scopes = [s for s in authorization.scopes if s in BASIC_SCOPES or granted is None or s in granted]
        with self._lock:
            previous = self.consented.setdefault((client.client_id, email), set())
            if authorization.include_granted:
                scopes += [s for s in sorted(previous) if s not in scopes]
            first_consent = not previous
            previous.update(scopes)
            code = Code(
                code="4/" + opaque(32),
                authorization=authorization,
                email=email,
                scopes=scopes,
                expires=self.state.now() + CODE_TTL,
            )
            code.authorization.force_consent = code.authorization.force_consent or first_consent
            self.codes[code.code] = code
        params.update({"code": code.code, "scope": " ".join(scopes), "authuser": "0", "prompt": "consent"})
        return _with_query(authorization.redirect_uri, params)

    # -- token endpoint ----------------------------------------------------------------------

    def authenticate_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> Client:
        client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if secret != client.client_secret:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        return client

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type or ''}")
        client = self.authenticate_client(form, basic)
        if grant_type == "authorization_code":
            return self._exchange(client, form)
        return self._refresh(client, form)

    def _exchange(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        now = self.state.now()
        with self._lock:
            code = self.codes.get(form.get("code", ""))
            if code is None or code.used or code.expires < now or code.authorization.client_id != client.client_id:
                raise OAuthError(400, "invalid_grant", "Bad Request")
            if form.get("redirect_uri") != code.authorization.redirect_uri:
                raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
            self._verify_pkce(code.authorization, form.get("code_verifier"))
            code.used = True
            grant = Grant(
                refresh_token=None,
                client_id=client.client_id,
                email=code.email,
                scopes=code.scopes,
                expires=now + TESTING_REFRESH_TTL if client.publishing_status == "testing" else None,
            )
            body = self._mint(grant, now)
            if code.authorization.offline and code.authorization.force_consent:
                grant.refresh_token = "1//" + opaque(40)
                self.grants[grant.refresh_token] = grant
                body["refresh_token"] = grant.refresh_token
                if grant.expires is not None:
                    body["refresh_token_expires_in"] = int((grant.expires - now).total_seconds())
        return body

    @staticmethod
    def _verify_pkce(authorization: Authorization, verifier: str | None) -> None:
        if not authorization.code_challenge:
            return
        if not verifier:
            raise OAuthError(400, "invalid_grant", "Missing code verifier.")
        if authorization.challenge_method == "S256":
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        else:
            computed = verifier
        if computed != authorization.code_challenge:
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")

    def _refresh(self, client: Client, form: dict[str, str]) -> dict[str, Any]:
        now = self.state.now()
        with self._lock:
            grant = self.grants.get(form.get("refresh_token", ""))
            if grant is None or grant.revoked or (grant.expires is not None and grant.expires <= now):
                raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
            if grant.client_id != client.client_id:
                raise OAuthError(401, "unauthorized_client", "Unauthorized")
            requested = normalise_scopes(form.get("scope", ""))
            if requested and not set(requested) <= set(grant.scopes):
                raise OAuthError(400, "invalid_scope", "The requested scope is not granted.")
            return self._mint(grant, now, requested or None)

    def _mint(self, grant: Grant, now: dt.datetime, scopes: list[str] | None = None) -> dict[str, Any]:
        access = AccessToken(token="ya29." + opaque(48), grant=grant, expires=now + ACCESS_TTL)
        self.access_tokens[access.token] = access
        return {
            "access_token": access.token,
            "expires_in": int(ACCESS_TTL.total_seconds()),
            "scope": " ".join(scopes or grant.scopes),
            "token_type": "Bearer",
        }

    def revoke(self, token: str) -> None:
        with self._lock:
            grant = self.grants.get(token)
            if grant is None and token in self.access_tokens:
                grant = self.access_tokens[token].grant
            if grant is None or grant.revoked:
                raise OAuthError(400, "invalid_token", "Token expired or revoked")
            self._end_grant(grant.client_id, grant.email)

    # -- resource servers --------------------------------------------------------------------

    def access(self, token: str | None) -> AccessToken:
        """The live access token, or the 401 the Calendar API answers."""
        if not token:
            raise ApiError(
                401, "required", "Login Required.", location="Authorization", location_type="header"
            )
        access = self.access_tokens.get(token)
        if access is None or access.grant.revoked or access.expires <= self.state.now():
            raise ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
                location="Authorization",
                location_type="header",
            )
        return access

    def userinfo(self, token: str | None) -> dict[str, Any]:
        try:
            access = self.access(token)
        except ApiError as exc:
            raise OAuthError(401, "invalid_request", "Invalid Credentials") from exc
        email = access.grant.email
        info: dict[str, Any] = {"sub": str(int(hashlib.sha1(email.encode()).hexdigest()[:15], 16))}
        if SCOPE_ALIASES["email"] in access.grant.scopes:
            info.update({"email": email, "email_verified": True})
        if SCOPE_ALIASES["profile"] in access.grant.scopes:
            name = self.state.accounts[email].name if email in self.state.accounts else email
            info.update({"name": name, "given_name": name})
        return info


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _texts(value: Any) -> bool:
    """Whether an optional list of strings is absent or one."""
    return value is None or isinstance(value, list) and all(isinstance(item, str) for item in value)


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
