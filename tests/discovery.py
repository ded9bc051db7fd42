"""Strict checks of JSON bodies against Google's Calendar v3 discovery document.

The document ships inside google-api-python-client, so the emulator is held to the contract
Google publishes: an unknown property or a value of the wrong type is a violation.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@functools.lru_cache(maxsize=None)
def document() -> dict[str, Any]:
    resource = importlib.resources.files("googleapiclient.discovery_cache") / "documents" / "calendar.v3.json"
    return json.loads(resource.read_text(encoding="utf-8"))


def violations(schema_name: str, value: Any, nulls: bool = False) -> list[str]:
    """Every way ``value`` departs from the named schema, as readable paths.

    ``nulls`` accepts JSON null anywhere: a patch request uses it to clear a field.
    """
    found: list[str] = []
    _check(document()["schemas"][schema_name], value, schema_name, found, nulls)
    return found


def _check(schema: dict[str, Any], value: Any, path: str, found: list[str], nulls: bool = False) -> None:
    if value is None and nulls:
        return
    if "$ref" in schema:
        schema = document()["schemas"][schema["$ref"]]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        if not isinstance(value, dict):
            found.append(f"{path}: expected object, got {type(value).__name__}")
            return
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                _check(properties[key], item, f"{path}.{key}", found, nulls)
            elif extra is not None:
                _check(extra, item, f"{path}[{key!r}]", found, nulls)
            else:
                found.append(f"{path}: unknown property {key!r}")
    elif kind == "array":
        if not isinstance(value, list):
            found.append(f"{path}: expected array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(schema["items"], item, f"{path}[{index}]", found, nulls)
    elif kind == "string":
        if not isinstance(value, str):
            found.append(f"{path}: expected string, got {type(value).__name__}")
            return
        fmt = schema.get("format")
        if fmt == "date-time" and not _DATETIME.match(value):
            found.append(f"{path}: not an RFC 3339 date-time: {value!r}")
        elif fmt == "date" and not _DATE.match(value):
            found.append(f"{path}: not a date: {value!r}")
        elif fmt == "int64" and not re.fullmatch(r"-?\d+", value):
            found.append(f"{path}: not an int64 string: {value!r}")
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{path}: {value!r} not in {schema['enum']}")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            found.append(f"{path}: expected integer, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            found.append(f"{path}: expected boolean, got {type(value).__name__}")
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            found.append(f"{path}: expected number, got {type(value).__name__}")
    elif kind == "any" or kind is None:
        return


def error_violations(body: Any) -> list[str]:
    """Google's JSON error envelope has no discovery schema; check its documented shape."""
    found: list[str] = []
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"}:
        return [f"error body: expected {{'error': {{...}}}}, got {body!r}"]
    if not isinstance(error.get("code"), int) or not isinstance(error.get("message"), str):
        found.append(f"error body: code/message missing in {error!r}")
    items = error.get("errors")
    if not isinstance(items, list) or not items:
        found.append(f"error body: errors list missing in {error!r}")
        return found
    for item in items:
        if not isinstance(item, dict) or not {"domain", "reason", "message"} <= set(item):
            found.append(f"error body: item without domain/reason/message: {item!r}")
        else:
            found.extend(violations("Error", {k: v for k, v in item.items() if k in ("domain", "reason")}))
            unknown = set(item) - {"domain", "reason", "message", "location", "locationType", "extendedHelp"}
            if unknown:
                found.append(f"error body: unknown keys {sorted(unknown)}")
    return found
