"""Google's batch envelope (multipart/mixed of nested HTTP requests), encoded and decoded."""

from __future__ import annotations

import email.parser
import email.policy
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

MAX_CALLS = 50  # per batch: Google allows 1000, but big batches to one calendar get rate-limited


@dataclass(frozen=True)
class Call:
    """One call inside a batch; ``path`` is absolute on the API host (e.g. /calendar/v3/...)."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def encode(calls: list[Call]) -> tuple[str, bytes]:
    """(Content-Type, body) of a batch request; Content-IDs are the calls' positions."""
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for index, call in enumerate(calls):
        target = call.path + ("?" + urlencode(call.params) if call.params else "")
        lines = [f"--{boundary}", "Content-Type: application/http", f"Content-ID: <item{index}>", "",
                 f"{call.method} {target} HTTP/1.1"]
        lines += [f"{key}: {value}" for key, value in call.headers.items()]
        payload = b""
        if call.body is not None:
            payload = json.dumps(call.body).encode()
            lines.append("Content-Type: application/json; charset=UTF-8")
        lines += ["", ""]
        chunks.append("\r\n".join(lines).encode() + payload + b"\r\n")
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks) + f"--{boundary}--\r\n".encode()


def decode(content_type: str, body: bytes, count: int) -> list[Answer | None]:
    """The answers in call order (by Content-ID); None where an answer is missing."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    answers: list[Answer | None] = [None] * count
    if not message.is_multipart():
        return answers
    for position, part in enumerate(message.iter_parts()):
        index = _index(part.get("Content-ID"), position)
        if index is None or not 0 <= index < count:
            continue
        payload = part.get_payload(decode=True)
        answers[index] = _parse_http(payload if isinstance(payload, bytes) else b"")
    return answers


def _index(content_id: str | None, position: int) -> int | None:
    if not content_id:
        return position
    text = content_id.strip("<> ")
    if text.startswith("response-"):
        text = text[len("response-"):]
    text = text.rsplit("item", 1)[-1]
    return int(text) if text.isdigit() else None


def _parse_http(payload: bytes) -> Answer:
    head, _, body = payload.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode("latin-1").strip("\n").split("\n")
    status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else 500
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    text = body.strip()
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text.decode("utf-8", "replace")
    return Answer(status=status, headers=headers, body=parsed)
