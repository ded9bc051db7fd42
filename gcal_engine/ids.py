"""Deterministic Google event ids for local events, so that a retried insert never duplicates."""

from __future__ import annotations

import base64
import hashlib


def google_id_for(namespace: str, local_ref: str) -> str:
    """A valid client-supplied event id (base32hex, 32 characters) derived from the local reference.

    The same local event always gets the same id: when an insert's answer is lost and the insert
    is sent again, Google answers 409 instead of creating a second event.
    """
    digest = hashlib.sha256(f"{namespace}:{local_ref}".encode()).digest()
    return base64.b32hexencode(digest).decode("ascii").lower()[:32]


def ical_uid_for(namespace: str, local_ref: str) -> str:
    """The iCalUID of a local event on Google, the same in every calendar that shows it: the
    organizer's event (Google's own form for an id, ``<id>@google.com``) and the private copies
    imported for guests, so that an invitation replaces a copy instead of doubling it."""
    return f"{google_id_for(namespace, local_ref)}@google.com"


def link_for(namespace: str, local_ref: str) -> str:
    """The value of the private extended property that points back to the local event."""
    return f"{namespace}:{local_ref}"


def local_ref_from_link(namespace: str, link: str | None) -> str | None:
    """The local reference in a link written by this namespace, else None (another database's event)."""
    if not link:
        return None
    prefix, sep, local_ref = link.rpartition(":")
    return local_ref if sep and prefix == namespace and local_ref else None
