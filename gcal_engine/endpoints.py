"""Where Google's services live: Google's own URLs, or all of them under one base URL (the emulator)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    authorize: str
    token: str
    revoke: str
    userinfo: str
    calendar: str
    batch: str

    @classmethod
    def google(cls) -> Endpoints:
        return cls(
            authorize="https://accounts.google.com/o/oauth2/v2/auth",
            token="https://oauth2.googleapis.com/token",
            revoke="https://oauth2.googleapis.com/revoke",
            userinfo="https://openidconnect.googleapis.com/v1/userinfo",
            calendar="https://www.googleapis.com/calendar/v3",
            batch="https://www.googleapis.com/batch/calendar/v3",
        )

    @classmethod
    def from_base_url(cls, base_url: str | None) -> Endpoints:
        """Every endpoint under ``base_url`` with Google's paths; Google's own when empty."""
        if not base_url:
            return cls.google()
        base = base_url.rstrip("/")
        return cls(
            authorize=f"{base}/o/oauth2/v2/auth",
            token=f"{base}/token",
            revoke=f"{base}/revoke",
            userinfo=f"{base}/v1/userinfo",
            calendar=f"{base}/calendar/v3",
            batch=f"{base}/batch/calendar/v3",
        )
