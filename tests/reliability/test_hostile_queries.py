"""Hostile queries: requests generated from the OpenAPI schema (schemathesis, in-process ASGI)
for every endpoint, anonymous and signed in — no 5xx, every response as the schema says; plus
hand-made extremes (long queries, control characters, deep nesting, huge offsets)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.reliability.harness import full_scale, record

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

EXAMPLES = 75 if full_scale() else 6  # per operation and audience: up to 17 × 2 × 75
CALLS = {"total": 0, "5xx": 0}


def _app(ingested_sample, tmp_path_factory):  # noqa: ANN001, ANN202
    from search_api.accounts import Accounts
    from search_api.app import create_app

    data = tmp_path_factory.mktemp("fuzz") / "var"
    shutil.copytree(ingested_sample.data_dir, data)
    config = ingested_sample.model_copy(update={"data_dir": data})
    config.api.rate_limit_per_minute = 0  # the fuzzer is one client sending thousands of calls
    accounts = Accounts(data / "accounts.sqlite3")
    accounts.add_user("fuzz-admin", "admin", "a long enough password")
    return create_app(config), accounts.issue("fuzz-admin", kind="api_key")


@pytest.fixture(scope="module")
def app_and_key(ingested_sample, tmp_path_factory):  # noqa: ANN001, ANN201
    return _app(ingested_sample, tmp_path_factory)


def _call(case, headers) -> None:  # noqa: ANN001
    response = case.call(headers=headers)
    CALLS["total"] += 1
    if response.status_code >= 500:
        CALLS["5xx"] += 1
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks

    # Responses must be what the schema says. (Schemathesis' "positive data acceptance" is left
    # out: limit, offset and query length are bounded by settings at run time, not in the
    # schema, and such a request gets a 422 that names the bound.)
    case.validate_response(response, headers=headers, checks=[
        not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
        checks.response_schema_conformance, checks.response_headers_conformance])


def _fuzz(app, headers) -> int:  # noqa: ANN001
    """Every operation of the schema, EXAMPLES generated cases each (hypothesis drives
    schemathesis' strategies directly: its pytest plugin does not follow pytest 9 yet)."""
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # noqa: ANN001
            _call(case, headers)

        run()
    return len(operations)


@pytest.mark.parametrize("audience", ["anonymous", "admin"])
def test_generated_requests(audience, app_and_key):  # noqa: ANN001
    app, key = app_and_key
    _fuzz(app, {"Authorization": f"Bearer {key}"} if audience == "admin" else None)


def test_generated_request_count():
    """Runs after the generated requests (file order): reports and bounds their number."""
    if CALLS["total"] == 0:
        pytest.skip("the generated-request test did not run")
    assert CALLS["5xx"] == 0
    if full_scale():
        assert CALLS["total"] >= 2000, CALLS
    record("hostile-queries", f"property-based API requests: {CALLS['total']} generated from "
           f"the OpenAPI schema, {CALLS['5xx']} 5xx, 0 schema violations", **CALLS)


# (query string, expected status; None: a bounded answer or a 422 with a reason)
EXTREMES = [
    ("q=" + "採購" * 2000, 422), ("q=" + "a " * 256, None), ("q=%00%01%02%1b%7f評選", None),
    ("q=" + "(" * 250 + "a" + ")" * 250, None), ("q=" + "a AND " * 80 + "b", None),
    ("q=" + "NOT " * 120 + "a", None), ("q=" + "-" * 500, None), ("q=" + '"' * 511, None),
    ("q=" + "+a -b " * 80, None), ("q=agency:" + "臺" * 190, None),
    ("q=date:9999-99-99", 422), ("q=date:0001-01-01..9999-12-31", None),
    ("q=%ff%fe%fd", None), ("q=%ED%A0%80", None), ("q=\u202e\u200b\ufeff", None),
    ("offset=10000000000000000000", 422), ("offset=-1", 422), ("offset=10001", 422),
    ("limit=1000000", 422), ("limit=0", 422), ("limit=1e9", 422), ("limit=NaN", 422),
    ("date_from=2263-01-01", None), ("date_to=0001-01-01", None),
    ("date_from=2024-02-30", 422), ("agency=" + "x" * 5000, 422),
    ("q=" + "*" * 300, None), ("q=" + "\\" * 300, None), ("q=case:" + "-" * 300, None),
]


def test_extreme_queries_answer_4xx_with_a_reason_or_a_bounded_answer(app_and_key):
    from starlette.testclient import TestClient

    app, _ = app_and_key
    with TestClient(app) as client:
        for query, status in EXTREMES:
            response = client.get(f"/api/search?{query}")
            assert response.status_code in ((status,) if status else (200, 422)), \
                (query[:80], response.text[:300])
            body = response.json()
            if response.status_code == 422:
                assert body["error"] and body["message"], body
            else:
                assert len(body["hits"]) <= 10
        for path in ("/api/documents/" + "x" * 5000, "/api/cases/%00", "/api/contractors/..%2f..",
                     "/api/agencies/" + "(" * 300, "/api/documents/../../etc/passwd/file"):
            response = client.get(path)
            assert 400 <= response.status_code < 500, (path[:60], response.status_code)
    record("hostile-extremes", f"hand-made extreme requests: {len(EXTREMES) + 5}, each a 4xx "
           "with a reason or a bounded answer, 0 5xx")
