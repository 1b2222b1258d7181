"""Case, contractor and agency views on the sample corpus and on OCDS data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cli.sample_corpus import build_cases
from search_api.app import create_app

CASES = build_cases()


@pytest.fixture(scope="module")
def client(ingested_sample):
    with TestClient(create_app(ingested_sample)) as client:
        yield client


@pytest.mark.parametrize("case", CASES[:4], ids=lambda c: c.case_id)
def test_case_timeline(client, case):
    body = client.get(f"/api/cases/{case.case_id}").json()
    assert body["case_id"] == case.case_id
    assert set(body["agencies"]) == {case.agency, case.agency_en}  # the English summary too
    stages = [e["doc_type"] for e in body["timeline"]]
    assert stages == ["background", "planning", "tender_notice", "meeting_materials",
                      "meeting_minutes", "award_notice", "progress", "resolution", "other"]
    minutes = next(e for e in body["timeline"] if e["doc_type"] == "meeting_minutes")
    assert minutes["meeting"]["chair"] == case.chair
    assert len(minutes["meeting"]["attendees"]) == 5
    assert any(case.winner.name in d for d in minutes["meeting"]["decisions"])
    assert body["winners"] == [case.winner.name]
    assert body["award_amount"] == case.award
    assert set(body["contractors"]) >= {b.name for b in case.bidders}


def test_case_id_spellings_and_missing_case(client):
    case = CASES[0]
    squashed = case.case_id.replace("-", "")
    assert client.get(f"/api/cases/{squashed}").json()["case_id"] == case.case_id
    assert client.get("/api/cases/NOPE-0000").status_code == 404


def test_case_listing_by_agency_and_contractor(client):
    case = CASES[1]
    listed = client.get("/api/cases", params={"agency": case.agency}).json()
    assert [c["case_id"] for c in listed] == [case.case_id]
    by_contractor = client.get("/api/cases", params={"contractor": case.winner.name}).json()
    assert case.case_id in {c["case_id"] for c in by_contractor}


@pytest.mark.parametrize("use_ban", [True, False])
def test_contractor_view(client, use_ban):
    winner = CASES[2].winner
    key = winner.ban if use_ban else winner.name.replace("臺", "台")
    body = client.get(f"/api/contractors/{key}").json()
    assert winner.name in body["names"]
    won = [c for c in CASES if c.winner == winner]
    assert set(body["cases"]) >= {c.case_id for c in won}
    assert sum(w["amount"] for w in body["won"]) == sum(c.award for c in won)
    roles = {(d["case_id"], d["role"]) for d in body["documents"] if d["doc_type"] == "award_notice"}
    assert {(c.case_id, "winner") for c in won} <= roles


def test_agency_view(client):
    case = CASES[3]
    body = client.get(f"/api/agencies/{case.agency_short}").json()
    assert case.case_id in body["cases"] and body["documents"] >= 8
    assert any(a["amount"] == case.award for a in body["awarded"])


def test_ocds_case_view(tmp_path, settings):
    from collectors.ocds_import import import_packages
    from config.sources import OcdsSource
    from search_index.ingest_pipeline import run_ingest
    from tests.conftest import SHARED

    if not (SHARED / "ocds").exists():
        pytest.skip("shared OCDS samples not present")
    import_packages(OcdsSource(kind="ocds", name="o", packages=[
        str(SHARED / "ocds" / "record-package.json")]), tmp_path / "m")
    run_ingest(tmp_path / "m" / "current", settings)
    with TestClient(create_app(settings)) as c:
        body = c.get("/api/cases/ocds-213czf-000-00001").json()
        assert body["agencies"] == ["London Borough of Barnet"]
        assert body["contractors"] == ["AnyCorp Cycle Provision"]
        vendor = c.get("/api/contractors/AnyCorp Cycle Provision").json()
        assert vendor["cases"] == ["ocds-213czf-000-00001"]
