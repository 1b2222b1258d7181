"""The HTTP API over the ingested sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app


@pytest.fixture(scope="module")
def client(ingested_sample):
    with TestClient(create_app(ingested_sample)) as client:
        yield client


def search(client, **params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_health(client):
    body = client.get("/api/health").json()
    assert body == {"status": "ok", "documents": 72}


def test_every_word_is_required_or_the_answer_says_it_is_not(client):
    both = search(client, q="廠商 決標")
    assert not both["relaxed"] and 0 < both["total"] <= search(client, q="廠商")["total"]
    some = search(client, q="廠商 xylophone")
    assert some["relaxed"] and some["total"] == search(client, q="廠商")["total"]


def test_search_response_shape(client):
    body = search(client, q="廠商")
    assert set(body) == {"total", "hits", "facets", "did_you_mean", "relaxed"}
    assert body["relaxed"] is False
    hit = body["hits"][0]
    assert set(hit) == {"id", "title", "filename", "doc_type", "agency", "case_id", "date", "page",
                        "score", "highlights", "contractors"}
    assert hit["filename"].endswith((".pdf", ".html", ".docx", ".odt"))
    assert set(body["facets"]) >= {"doc_type", "agency", "case_id"}


def test_search_for_vendor_finds_award_notices_with_marked_snippets(client):
    body = search(client, q="廠商", limit=100)
    assert body["total"] >= 40
    types = {h["doc_type"] for h in body["hits"]}
    assert {"award_notice", "meeting_materials", "tender_notice"} <= types
    for hit in body["hits"]:
        assert any("<mark>廠商</mark>" in h["text"] for h in hit["highlights"]), hit["filename"]


def test_taipei_spellings_return_the_same_documents(client):
    traditional = search(client, q="臺北", limit=100)
    common = search(client, q="台北", limit=100)
    assert traditional["total"] == common["total"] >= 18
    assert [h["id"] for h in traditional["hits"]] == [h["id"] for h in common["hits"]]
    agencies = {h["agency"] for h in traditional["hits"]}
    assert "臺北市政府捷運工程局" in agencies and "臺北市政府資訊局" in agencies
    for hit in traditional["hits"]:
        assert any("<mark>臺北</mark>" in h["text"] or "<mark>台北</mark>" in h["text"]
                   for h in hit["highlights"])


def test_english_word_finds_the_english_summaries(client):
    body = search(client, q="transparency", limit=50)
    assert body["total"] == 8
    assert all(h["filename"] == "08-english-summary.html" for h in body["hits"])
    assert "<mark>transparency</mark>" in body["hits"][0]["highlights"][0]["text"]


def test_metadata_and_filters(client):
    body = search(client, q="評選", doc_type="meeting_minutes", limit=50)
    assert body["total"] == 8
    hit = body["hits"][0]
    assert hit["case_id"] and hit["agency"] and hit["date"]
    case = search(client, case_id=hit["case_id"], limit=50)
    assert case["total"] == 9
    dated = search(client, q="決標", date_from="2024-01-01", date_to="2024-12-31", limit=50)
    assert dated["total"] > 0
    assert all("2024-01-01" <= h["date"] <= "2024-12-31" for h in dated["hits"])
    agency = search(client, agency="數位發展部", limit=50)
    assert agency["total"] == 8  # the English summary names the agency in English
    english = search(client, agency="Ministry of Digital Affairs", limit=50)
    assert [h["filename"] for h in english["hits"]] == ["08-english-summary.html"]


def test_progress_report_hit_names_its_page(client):
    body = search(client, q='"第3季辦理進度"', limit=50)
    assert body["total"] == 8
    assert all(h["page"] == 3 for h in body["hits"])


@pytest.mark.parametrize("params,fragment", [
    ({"q": "x", "limit": 0}, "limit"),
    ({"q": "x", "limit": 1000}, "limit"),
    ({"q": "x", "offset": -1}, "offset"),
    ({"q": "x", "offset": 10**9}, "offset"),
    ({"q": "x", "limit": "ten"}, "limit"),
    ({"q": "x", "date_from": "113/05/02x"}, "date_from"),
    ({"q": "x", "date_from": "2024-05-02", "date_to": "2024-01-01"}, "date_from"),
    ({"q": "廠" * 600}, "characters"),
])
def test_invalid_parameters_are_422_with_a_reason(client, params, fragment):
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    body = response.json()
    assert fragment in body["message"]


@pytest.mark.parametrize("q", ['"', "(((", "title:廠商 AND", "\x00\x07", "廠商 -", "%", "*:*"])
def test_odd_query_syntax_is_never_an_error(client, q):
    assert client.get("/api/search", params={"q": q}).status_code == 200


def test_document_and_original_file(client, sample_corpus):
    hit = search(client, q="決標公告", doc_type="award_notice")["hits"][0]
    doc = client.get(f"/api/documents/{hit['id']}").json()
    assert doc["filename"] == hit["filename"] and doc["format"] == "pdf"
    assert doc["pages"][0]["number"] == 1 and "決標公告" in doc["pages"][0]["text"]
    response = client.get(doc["file_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hit["filename"] in response.headers["content-disposition"] or \
        "filename*=utf-8''" in response.headers["content-disposition"]
    original = next(p for p in Path(sample_corpus).rglob(hit["filename"])
                    if p.read_bytes() == response.content)
    assert original.exists()


def test_unknown_document_is_404_json(client):
    for url in ("/api/documents/nope", "/api/documents/nope/file"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_unknown_route_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json()["error"] == "http_error"


def test_closed_index_is_503_not_500(ingested_sample):
    from search_index import open_backend

    backend = open_backend(ingested_sample)
    backend.close()
    with TestClient(create_app(ingested_sample, backend=backend)) as client:
        for url in ("/api/health", "/api/search?q=廠商", "/api/documents/x"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert response.json()["error"] == "backend_unavailable"


def test_web_page_and_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "機關採購廉政平臺" in page.text
    assert "http" not in page.text.split("<body>")[1].split("</body>")[0].replace(
        "http-equiv", ""), "no external assets"
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200


def test_openapi_schema_lists_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/health", "/api/search", "/api/documents/{doc_id}",
            "/api/documents/{doc_id}/file"} <= set(paths)


def test_query_language_filters_through_the_api(client):
    body = search(client, q="評選 type:會議紀錄 agency:捷運工程局", limit=50)
    assert body["total"] == 1
    assert body["hits"][0]["agency"] == "臺北市政府捷運工程局"
    contractor = search(client, q="contractor:大同營造", limit=50)
    assert contractor["total"] > 0
    assert any(f["value"] == "大同營造有限公司" for f in contractor["facets"]["contractor"])


@pytest.mark.parametrize("q,fragment", [("type:memo", "document type"),
                                        ("date:113/13/01", "date"),
                                        ("date:2025..2024", "empty")])
def test_bad_field_values_are_422(client, q, fragment):
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 422 and fragment in response.json()["message"]


@pytest.mark.parametrize("q,suggestion", [
    ("政府采购 会议纪录", "政府採購 會議紀錄"),
    ("大同營照", "大同營造"),
    ("捷運工成局 決標", "捷運工程局 決標"),
    ("海鋒環境工程", "海峰環境工程"),
])
def test_did_you_mean(client, q, suggestion):
    assert search(client, q=q)["did_you_mean"] == suggestion


@pytest.mark.parametrize("q", ["大同營造", "臺北", "台北", "transparency", "廠商"])
def test_no_suggestion_for_correct_queries(client, q):
    assert search(client, q=q)["did_you_mean"] is None


def test_simplified_query_finds_the_same_documents(client):
    traditional = search(client, q="評選委員會會議紀錄", limit=20)
    simplified = search(client, q="评选委员会会议纪录", limit=20)
    assert traditional["total"] == simplified["total"] > 0
    assert [h["id"] for h in traditional["hits"]] == [h["id"] for h in simplified["hits"]]


def test_anonymous_callers_are_rate_limited(ingested_sample):
    from config import Settings

    settings = Settings(data_dir=ingested_sample.data_dir, _env_file=None,
                        api={"rate_limit_per_minute": 60, "rate_limit_burst": 5})
    with TestClient(create_app(settings)) as limited:
        statuses = [limited.get("/api/search", params={"q": "廠商"}).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    with TestClient(create_app(settings)) as fresh:
        assert fresh.get("/").status_code == 200  # the page itself is not limited


@pytest.mark.parametrize("url", ["/", "/api/search?q=廠商", "/static/app.js", "/api/nothing"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
