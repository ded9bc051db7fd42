"""The multipart/mixed batch envelope: nested HTTP requests in, nested HTTP responses out."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus

from .errors import ApiError

MAX_PARTS = 1000


@dataclass
class Part:
    content_id: str | None
    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def parse(content_type: str, body: bytes) -> list[Part]:
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise ApiError(400, "badRequest", "A batch request must be multipart/mixed with a boundary.")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError(400, "badRequest", "Invalid batch body.")
    parts = []
    for sub in message.iter_parts():
        payload = sub.get_payload(decode=True) or b""
        parts.append(_parse_http(payload, sub.get("Content-ID")))
    if not parts:
        raise ApiError(400, "badRequest", "A batch request needs at least one part.")
    if len(parts) > MAX_PARTS:
        raise ApiError(400, "badRequest", f"A batch request can hold at most {MAX_PARTS} calls.")
    return parts


def _parse_http(payload: bytes, content_id: str | None) -> Part:
    head, _, body = payload.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode("utf-8", "replace").strip("\n").split("\n")
    request_line = lines[0].split()
    if len(request_line) < 2:
        raise ApiError(400, "badRequest", "Invalid batch part: no request line.")
    method, target = request_line[0].upper(), request_line[1]
    if "://" in target:
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    path, _, query = target.partition("?")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers[key.strip()] = value.strip()
    return Part(
        content_id=content_id.strip() if content_id else None,
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body.rstrip(b"\n") if body.strip() else b"",
    )


def render(responses: list[tuple[Part, int, dict[str, str], bytes]]) -> tuple[str, bytes]:
    """(content type, body) of the batch response; parts keep the requests' order."""
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for part, status, headers, body in responses:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        chunk = [f"--{boundary}", "Content-Type: application/http"]
        if part.content_id:
            inner = part.content_id.strip("<>")
            chunk.append(f"Content-ID: <response-{inner}>")
        chunk.append("")
        chunk.append(f"HTTP/1.1 {status} {reason}")
        chunk.extend(f"{key}: {value}" for key, value in headers.items() if key.lower() != "content-length")
        chunk.append(f"Content-Length: {len(body)}")
        chunk.append("")
        chunks.append("\r\n".join(chunk).encode() + b"\r\n" + body + b"\r\n")
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks) + f"--{boundary}--\r\n".encode()
