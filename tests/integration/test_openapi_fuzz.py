"""A bounded property-based run of the whole OpenAPI (issue 17.3): schemathesis generates requests for every
operation of ``/api/v1/openapi.json`` (valid ones and invalid ones, with random ids and with the ids of real
records), signed in as a therapist with the CSRF token, on SQLite and PostgreSQL. No answer may be a server
error. A few dozen examples per operation keep the run to well under a minute per database."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from tests.integration.conftest import World
from tests.records_factories import make_assessment, make_client, make_hold, make_intake, make_plan
from tests.web.conftest import make_settings, signed_in

from taut.services import clients, notes, records, sessions
from taut.store import Database
from taut.web.app import create_app

EXAMPLES = 10  # per operation, per kind of input (valid, invalid, real ids)


@pytest.fixture(scope="module")
def app(db: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_settings(tmp_path_factory.mktemp("fuzz")), db)


@pytest.fixture(scope="module")
def real_ids(db: Database, world: World) -> dict[str, int]:
    bob = world.bob
    cid = clients.register_client(db, bob, make_client()).id or 0
    iid = records.record_intake(db, bob, cid, make_intake())
    aid = records.record_assessment(db, bob, cid, make_assessment())
    pid = records.create_plan(db, bob, cid, make_plan())
    sid = sessions.start_session(db, bob, cid, pain_before=5, plan_id=pid)
    sessions.add_hold(db, bob, sid, make_hold())
    note = notes.write_note(db, bob, cid, kind="progress", body="Draft.")
    ids = {"client_id": cid, "intake_id": iid, "plan_id": pid, "session_id": sid, "note_id": note.id or 0}
    return {**ids, "assessment_id": aid}


def test_no_operation_of_the_api_answers_with_a_server_error(
    app: FastAPI, world: World, real_ids: dict[str, int]
) -> None:
    browser = signed_in(app, world.bob)
    auth_headers = {"X-CSRF-Token": browser.csrf}
    cookies = dict(browser.cookies.items())
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if operation.path.endswith("/logout") or (
            operation.path == "/session" and operation.method == "delete"
        ):
            continue  # signing out would end the run's own session
        operations += 1
        names = set(re.findall(r"{(\w+)}", operation.path))
        kinds: list[tuple[GenerationMode, dict[str, Any] | None]] = [
            (GenerationMode.POSITIVE, None),
            (GenerationMode.NEGATIVE, None),
        ]
        if names and names <= set(real_ids):
            kinds.append((GenerationMode.POSITIVE, {n: real_ids[n] for n in names}))
        for mode, path_parameters in kinds:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                response = case.call(headers=auth_headers, cookies=cookies)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
                        f" -> {response.status_code} {response.text[:200]}"
                    )

            try:
                run()
            except Unsatisfiable:
                pass  # nothing to make invalid in an operation without parameters
            except Exception as e:  # an exception escaping the app is as bad as a 500
                failures.append(f"{operation.method.upper()} {operation.path}: {type(e).__name__}: {e}"[:500])
    assert operations >= 30
    assert not failures, "server errors:\n" + "\n".join(failures)
