"""Page and sync tokens: opaque to clients, and carrying all that the next request needs.

A page token holds the query parameters of the listing it continues, so a client may ask for
the next page with the token alone, as Google allows (Odoo's own module does so); parameters
it repeats must be the ones the listing started with, but maxResults, which may change from
page to page. Tokens come back from clients, so anything forged in one is a 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from .errors import bad_request


def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_token(text: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode() + b"=="))
        if isinstance(data, dict):
            return data
    except (ValueError, UnicodeError):
        pass
    raise bad_request(f"Invalid {name} value.", name)


def token_int(token: Mapping[str, Any], key: str, default: int | None, name: str,
              minimum: int = 0, maximum: int = 2**53) -> int:
    """An integer field of a token."""
    value = token.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise bad_request(f"Invalid {name} value.", name)
    return value


def carried(args: MultiDict[str, str], names: tuple[str, ...]) -> dict[str, list[str]]:
    """The listing's parameters among ``names``, for its next page token to carry."""
    return {name: args.getlist(name) for name in names if name in args}


def resume(args: MultiDict[str, str], names: tuple[str, ...],
           scope: Mapping[str, str]) -> tuple[MultiDict[str, str], dict[str, Any] | None]:
    """The parameters a page is listed with, and its page token (None on a first page).

    ``scope`` names what the token must have been issued for (its calendar, its series).
    """
    text = args.get("pageToken")
    if not text:
        return args, None
    token = decode_token(text, "pageToken")
    query = token.get("q", {})
    if not isinstance(query, dict) or any(token.get(key) != value for key, value in scope.items()):
        raise bad_request("Invalid pageToken value.", "pageToken")
    merged: MultiDict[str, str] = MultiDict()
    for name in names:
        first, given = query.get(name, []), args.getlist(name)
        if not isinstance(first, list) or not all(isinstance(value, str) for value in first):
            raise bad_request("Invalid pageToken value.", "pageToken")
        if given and given != first and name != "maxResults":
            raise bad_request("Invalid pageToken value.", "pageToken")
        if given or first:
            merged.setlist(name, given or first)
    return merged, token
