"""Security review as tests: security headers, no path out of the files dir from a stored hash,
no secrets in logs, the audit log, the accounts database or flow parameters, constant-time
credential checks."""

from __future__ import annotations

import inspect
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reliability.harness import record

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def served(ingested_sample, tmp_path: Path):  # noqa: ANN001, ANN201
    data = tmp_path / "var"
    shutil.copytree(ingested_sample.data_dir, data)
    return ingested_sample.model_copy(update={"data_dir": data})


def test_a_manipulated_hash_never_names_a_file_outside_the_archive(served):
    from starlette.testclient import TestClient

    from search_api.app import create_app
    from search_index import open_backend
    from search_index.ingest_pipeline import original_path
    from search_index.originals import stored_original

    for bad in ("../../../../etc/passwd", "/etc/passwd", "..", "", "a" * 63, "A" * 64,
                "0" * 64 + "/../x", None):
        assert stored_original(served.files_dir, bad) is None
        with pytest.raises(ValueError):
            original_path(served, bad)
    backend = open_backend(served)
    doc_id = next(iter(backend.public.scan(
        __import__("search_index").SearchQuery(text="")))).id
    real_get = backend.public.get
    backend.public.get = lambda i: replace(real_get(i), sha256="../../../../../../etc/passwd")
    try:
        with TestClient(create_app(served, backend=backend)) as client:
            response = client.get(f"/api/documents/{doc_id}/file")
    finally:
        backend.close()
    assert response.status_code == 404 and "root:" not in response.text


def test_security_headers_on_api_and_page(served):
    from starlette.testclient import TestClient

    from search_api.app import SECURITY_HEADERS, create_app

    with TestClient(create_app(served)) as client:
        for path in ("/api/health", "/api/search?q=x", "/", "/api/documents/nope"):
            response = client.get(path)
            for name in SECURITY_HEADERS:
                assert response.headers.get(name), (path, name)


def test_no_secret_reaches_logs_audit_or_storage(served, caplog):
    from starlette.testclient import TestClient

    from search_api.accounts import Accounts
    from search_api.app import create_app

    accounts = Accounts(served.data_dir / "accounts.sqlite3")
    accounts.add_user("auditor1", "auditor", PASSWORD)
    api_key = accounts.issue("auditor1", kind="api_key")
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(served)) as client:
        token = client.post("/api/token", data={"username": "auditor1",
                                                 "password": PASSWORD}).json()["access_token"]
        wrong = client.post("/api/token", data={"username": "auditor1", "password": "x" + PASSWORD})
        assert wrong.status_code == 401
        for secret in (token, api_key):
            headers = {"Authorization": f"Bearer {secret}"}
            assert client.get("/api/whoami", headers=headers).json()["name"] == "auditor1"
            assert client.get("/api/search?q=評選", headers=headers).status_code == 200
            assert client.get("/api/export?q=評選", headers=headers).status_code == 200
            tampered = {"Authorization": f"Bearer {secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"}
            assert client.get("/api/whoami", headers=tampered).status_code == 401
    secrets = (PASSWORD, token, api_key, token[4:], api_key[4:])
    stored = [caplog.text, (served.data_dir / "audit.log").read_text(encoding="utf-8")]
    stored += [p.read_bytes().decode("latin-1") for p in served.data_dir.rglob("*.sqlite3*")]
    for text in stored:
        for secret in secrets:
            assert secret not in text
    assert "sign_in" in stored[1]  # the audit log did record the activity, without secrets


def test_flows_take_no_secret_parameters_and_settings_hide_them():
    from config import Settings
    from flows.collect_flow import collect_source
    from flows.ingest_flow import ingest_documents
    from flows.reindex_flow import reindex_index

    for flow in (ingest_documents, collect_source, reindex_index):
        for name in inspect.signature(flow.fn).parameters:
            assert not any(w in name.lower() for w in ("password", "token", "secret", "key")), name
    settings = Settings(_env_file=None, elasticsearch={"password": "s3cret-pass",
                                                      "api_key": "s3cret-key"})
    for text in (repr(settings), str(settings.model_dump()), settings.model_dump_json()):
        assert "s3cret" not in text
    record("security", "security review: headers on every response, no path from a stored "
           "hash, no secret in logs, audit log, storage or flow parameters, constant-time "
           "credential checks")


def test_credentials_are_checked_in_constant_time():
    import search_api.accounts as accounts

    source = inspect.getsource(accounts.Accounts.resolve)
    assert "compare_digest" in source  # the digest found is compared in constant time
    assert "PasswordHasher" in inspect.getsource(accounts.Accounts)  # argon2: constant time
