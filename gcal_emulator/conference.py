"""Conference data on event writes: with conferenceDataVersion=1 a createRequest makes a Meet."""

from __future__ import annotations

import hashlib
from typing import Any

from .errors import bad_request


def apply(resource: dict[str, Any], before: dict[str, Any] | None, version: int) -> None:
    """conferenceDataVersion=1 lets a client create a Meet; with 0 its conferenceData is ignored."""
    requested = resource.get("conferenceData")
    if version < 1:
        if before is not None and "conferenceData" in before:
            resource["conferenceData"] = before["conferenceData"]
            if "hangoutLink" in before:
                resource["hangoutLink"] = before["hangoutLink"]
        else:
            resource.pop("conferenceData", None)
        return
    if not requested:
        resource.pop("conferenceData", None)
        resource.pop("hangoutLink", None)
        return
    create = requested.get("createRequest")
    if create and not requested.get("entryPoints"):
        key = (create.get("conferenceSolutionKey") or {}).get("type", "hangoutsMeet")
        if key != "hangoutsMeet":
            raise bad_request("Invalid conference type value.", "conferenceData.createRequest.conferenceSolutionKey.type")
        code = _meet_code(create.get("requestId") or resource["id"])
        uri = f"https://meet.google.com/{code}"
        resource["conferenceData"] = {
            "createRequest": {
                "requestId": create.get("requestId", ""),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": "success"},
            },
            "entryPoints": [{"entryPointType": "video", "uri": uri, "label": f"meet.google.com/{code}"}],
            "conferenceSolution": {
                "key": {"type": "hangoutsMeet"},
                "name": "Google Meet",
                "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png",
            },
            "conferenceId": code,
        }
        resource["hangoutLink"] = uri
    else:
        video = [e for e in requested.get("entryPoints") or () if e.get("entryPointType") == "video"]
        if video and "meet.google.com" in (video[0].get("uri") or ""):
            resource["hangoutLink"] = video[0]["uri"]


def _meet_code(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    letters = "".join(chr(ord("a") + b % 26) for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
