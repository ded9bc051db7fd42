"""What Google's OAuth server hands out and remembers: clients, pending consents, codes, grants, tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    publishing_status: str = "testing"
    test_users: list[str] = field(default_factory=list)
    name: str = "Odoo"


@dataclass
class Authorization:
    """A consent page being shown: what the client asked for."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    challenge_method: str
    offline: bool
    force_consent: bool
    include_granted: bool
    login_hint: str | None


@dataclass
class Code:
    code: str
    authorization: Authorization
    email: str
    scopes: list[str]
    expires: dt.datetime
    used: bool = False


@dataclass
class Grant:
    """A refresh token and the access tokens minted from it (one consent of one account)."""

    refresh_token: str | None
    client_id: str
    email: str
    scopes: list[str]
    expires: dt.datetime | None
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires: dt.datetime


def require_scope(access: AccessToken, allowed: frozenset[str]) -> None:
    if not allowed & set(access.grant.scopes):
        raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")
