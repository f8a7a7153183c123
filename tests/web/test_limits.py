"""Limits: a request-body limit on the stream (1 MB, 50 MB for imports; chunked bodies too), a length cap on
every free-text field of the API (visible in the OpenAPI schema), and deep JSON refused with a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.web.conftest import WebWorld, signed_in

MB = 1024 * 1024


def _unlimited(spec: dict[str, Any]) -> list[str]:
    """Every string in a request body schema (following $refs) without a maxLength."""
    components = spec.get("components", {}).get("schemas", {})
    missing: list[str] = []
    seen: set[str] = set()

    def walk(schema: dict[str, Any], where: str) -> None:
        ref = schema.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        for k in schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or []:
            walk(k, where)
        kind = schema.get("type")
        plain = kind == "string" and not schema.get("enum")
        if plain and schema.get("format") not in ("date", "date-time", "uuid") and "maxLength" not in schema:
            missing.append(where)
        if kind == "array" and isinstance(schema.get("items"), dict):
            walk(schema["items"], where + "[]")
        for prop, sub in (schema.get("properties") or {}).items():
            walk(sub, f"{where}.{prop}")

    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                walk(media.get("schema") or {}, f"{method.upper()} {path}")
    return sorted(set(missing))


def test_every_free_text_field_of_the_api_has_a_maximum_length(web_world: WebWorld) -> None:
    assert _unlimited(web_world.app.openapi()) == []


def test_a_body_over_the_limit_is_refused_whether_announced_or_chunked(web_world: WebWorld) -> None:
    alice = signed_in(web_world.app, web_world.alice)
    headers = {"x-csrf-token": alice.csrf, "content-type": "application/json"}
    big = b'{"given_name": "' + b"x" * (2 * MB) + b'"}'
    r = alice.post("/api/v1/clients", content=big, headers=headers)
    assert r.status_code == 413 and r.json()["error"]["message"] == "the request is too large: at most 1 MB"

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        yield b'{"given_name": "'
        for _ in range(3):
            yield b"x" * MB
        yield b'"}'

    r = alice.post("/api/v1/clients", content=chunks(), headers=headers)
    assert r.status_code == 413 and "at most 1 MB" in r.text
    # A form page too.
    r = alice.post("/team", data={"csrf_token": alice.csrf, "name": "x" * (2 * MB)})
    assert r.status_code == 413


def test_the_import_route_takes_50_mb_and_no_more(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    headers = {"x-csrf-token": bob.csrf, "content-type": "application/fhir+json"}
    r = bob.post(
        "/api/v1/fhir/import", content=b'{"resourceType": "Bundle"' + b" " * (2 * MB) + b"}", headers=headers
    )
    assert r.status_code == 422  # past the 1 MB default: read and refused for what it is, not its size

    def chunks() -> Iterator[bytes]:
        for _ in range(51):
            yield b" " * MB

    r = bob.post("/api/v1/fhir/import", content=chunks(), headers=headers)
    assert r.status_code == 413 and "at most 50 MB" in r.json()["error"]["message"]


def test_a_long_free_text_field_names_the_field(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    body = {"given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "address": "x" * 501}
    r = bob.post("/api/v1/clients", json=body, headers={"x-csrf-token": bob.csrf})
    assert r.status_code == 422 and r.json()["error"]["field"] == "address"


def test_deep_json_is_a_clear_4xx(web_world: WebWorld) -> None:
    bob = signed_in(web_world.app, web_world.bob)
    deep = b"[" * 100_000 + b"]" * 100_000
    r = bob.post(
        "/api/v1/fhir/import",
        content=deep,
        headers={"x-csrf-token": bob.csrf, "content-type": "application/fhir+json"},
    )
    assert r.status_code == 422 and "nested too deeply" in r.json()["error"]["message"]
    r = bob.post(
        "/api/v1/clients",
        content=deep,
        headers={"x-csrf-token": bob.csrf, "content-type": "application/json"},
    )
    assert 400 <= r.status_code < 500
