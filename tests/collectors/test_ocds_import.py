"""OCDS packages from ../shared/data/ocds merge into one case record per ocid."""

from __future__ import annotations

import json

import pytest

from collectors.ocds_import import compile_records, import_packages, load_package
from config.sources import OcdsSource
from tests.conftest import SHARED

OCDS = SHARED / "ocds"
pytestmark = pytest.mark.skipif(not OCDS.exists(), reason="shared OCDS samples not present")
OCID = "ocds-213czf-000-00001"


def source(*files: str) -> OcdsSource:
    return OcdsSource(kind="ocds", name="ocds-test", packages=[str(OCDS / f) for f in files])


def test_releases_merge_by_ocid():
    packages = [load_package(str(OCDS / f)) for f in ("release-package-tender.json",
                                                      "release-package-award.json")]
    records = compile_records(packages)
    assert list(records) == [OCID]
    record = records[OCID]
    assert record["tender"]["title"]
    assert [s["name"] for a in record["awards"] for s in a["suppliers"]] == ["AnyCorp Cycle Provision"]
    assert {p["name"] for p in record["parties"]} >= {"London Borough of Barnet"}


def test_record_package_yields_case_with_documents_and_suppliers(tmp_path):
    result = import_packages(source("record-package.json"), tmp_path)
    assert result.new == [OCID] and not result.failed
    case = json.loads((tmp_path / "cases" / f"{OCID}.json").read_text())["summary"]
    assert case["buyer"] == "London Borough of Barnet"
    assert case["suppliers"] == ["AnyCorp Cycle Provision"]
    assert len(case["documents"]) >= 4
    sidecar = json.loads((tmp_path / "current" / f"{OCID}.html.meta.json").read_text())
    assert sidecar["case_id"] == OCID and sidecar["contractors"] == ["AnyCorp Cycle Provision"]


def test_all_three_packages_make_one_case_and_reimport_is_unchanged(tmp_path):
    files = ("record-package.json", "release-package-tender.json", "release-package-award.json")
    first = import_packages(source(*files), tmp_path)
    assert first.new == [OCID]
    again = import_packages(source(*files), tmp_path)
    assert (again.new, again.changed, again.unchanged) == ([], [], 1)


def test_a_bad_package_is_reported_and_the_rest_imported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = import_packages(OcdsSource(kind="ocds", name="x", packages=[
        str(bad), str(OCDS / "record-package.json")]), tmp_path / "out")
    assert result.new == [OCID]
    assert result.failed and "bad.json" in result.failed[0][0]


def test_ocds_case_is_searchable_with_its_case_and_supplier(tmp_path, settings):
    from search_index import SearchQuery, open_backend
    from search_index.ingest_pipeline import run_ingest

    import_packages(source("record-package.json", "release-package-award.json"), tmp_path / "m")
    summary = run_ingest(tmp_path / "m" / "current", settings)
    assert summary.indexed == 1
    backend = open_backend(settings)
    try:
        page = backend.search(SearchQuery("AnyCorp bicycle"))
        hit = page.hits[0]
        assert hit.case_id == OCID and hit.agency == "London Borough of Barnet"
        assert {f.value for f in page.facets["contractor"]} == {"AnyCorp Cycle Provision"}
    finally:
        backend.close()


@pytest.mark.parametrize("tenderers,end,expected", [
    (1, "2010-03-11T18:00:00Z", {"single_bidder", "short_submission_period"}),
    (None, None, set()),  # the sample as published: 2 tenderers, 38 days
])
def test_ocds_red_flags_come_from_the_release_data(tmp_path, settings, tenderers, end, expected):
    """numberOfTenderers and tenderPeriod reach the flags: one bidder and a 10-day period."""
    from search_index import open_backend
    from search_index.flags import compute_flags
    from search_index.ingest_pipeline import run_ingest
    from search_index.integrity import partition_documents

    package = json.loads((OCDS / "record-package.json").read_text())
    release = package["records"][0]["compiledRelease"]
    if tenderers is not None:
        release["tender"]["numberOfTenderers"] = tenderers
        release["tender"]["tenderPeriod"] = {"startDate": "2010-03-01T09:00:00Z", "endDate": end}
    changed = tmp_path / "package.json"
    changed.write_text(json.dumps(package))
    result = import_packages(OcdsSource(kind="ocds", name="flags", packages=[str(changed)]),
                             tmp_path / "ocds")
    assert result.new == [OCID]
    assert run_ingest(tmp_path / "ocds" / "current", settings).failed == 0
    backend = open_backend(settings)
    try:
        docs = partition_documents(backend.for_audience("public"))
        kinds = {f.kind for f in compute_flags(docs)}
    finally:
        backend.close()
    assert kinds == expected  # never bid_near_base_price: OCDS has no 底價
