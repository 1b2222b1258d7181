"""The server-rendered pages without a browser: access, sessions and CSRF, escaping, languages,
errors as pages, masking, and that every page is built from the same access-checked answers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web import harness


@pytest.fixture(scope="module")
def archive(tmp_path_factory, sample_corpus):  # noqa: ANN001, ANN201
    return harness.build_archive(sample_corpus, tmp_path_factory.mktemp("pages") / "var")


@pytest.fixture
def client(archive):  # noqa: ANN001, ANN201
    from search_api.app import create_app

    with TestClient(create_app(archive)) as c:
        yield c


def csrf_of(client, url="/signin") -> str:  # noqa: ANN001
    page = client.get(url)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def sign_in(client, user=harness.AUDITOR, next_url="/"):  # noqa: ANN001, ANN201
    token = csrf_of(client)
    return client.post("/signin", data={"username": user[0], "password": user[1], "csrf": token,
                                        "next": next_url}, follow_redirects=False)


def restricted_id(client) -> str:  # noqa: ANN001
    from search_index.ledger import doc_id_for

    source = client.app.state.settings.data_dir.parent / "restricted-source"
    return doc_id_for(str(source.resolve()), "蛟龍計畫會議紀錄.txt")


def test_search_page_renders_hits_facets_and_pagination(client):
    page = client.get("/", params={"q": "廠商"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.search(r"共 \d+ 筆結果", page.text)
    assert page.text.count('class="hit"') == 10
    assert "<mark>" in page.text and 'rel="next"' in page.text
    assert 'href="/?q=%E5%BB%A0%E5%95%86&amp;stage=resolution"' in page.text  # a stage facet
    second = client.get("/", params={"q": "廠商", "page": "2"})
    assert 'start="11"' in second.text and 'aria-current="page">2<' in second.text


def test_a_query_no_document_fully_matches_is_told_so(client):
    assert 'id="relaxed"' not in client.get("/", params={"q": "廠商 決標"}).text
    zh = client.get("/", params={"q": "廠商 xylophone"})
    assert 'id="relaxed"' in zh.text and "沒有文件同時含有所有查詢詞" in zh.text
    assert zh.text.count('class="hit"') == 10
    en = client.get("/", params={"q": "廠商 xylophone", "lang": "en"})
    assert "No document has every word of your query" in en.text


def test_user_text_is_escaped_everywhere(client):
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for params in ({"q": attack}, {"q": "廠商", "agency": attack}, {"q": "x", "date_from": attack}):
        page = client.get("/", params=params)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    page = client.get(f"/cases/{attack}")
    assert page.status_code == 404 and "<script>alert" not in page.text
    page = client.get("/signin", params={"next": attack})
    assert "<script>alert" not in page.text


@pytest.mark.parametrize("params,status,fragment", [
    ({"q": "廠商", "date_from": "113/13/01"}, 422, "113/13/01"),
    ({"q": "廠商", "date_from": "2024-05-01", "date_to": "2023-01-01"}, 422, "date"),
    ({"q": "type:nonsense"}, 422, "not a document type"),
    ({"q": "廠商", "page": "abc"}, 200, "共"),
    ({"q": "廠商", "page": "99999999"}, 200, "共"),
    ({"q": "廠商", "sort": "sideways", "doc_type": "nope", "stage": "nope"}, 200, "共"),
    ({"q": "廠" * 600}, 422, "512"),
])
def test_odd_input_is_a_page_with_a_reason_never_a_500(client, params, status, fragment):
    page = client.get("/", params=params)
    assert page.status_code == status and fragment in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_roc_and_gregorian_dates_filter_the_same(client):
    roc = client.get("/", params={"q": "廠商", "date_from": "113/01/01", "date_to": "民國113年12月31日"})
    iso = client.get("/", params={"q": "廠商", "date_from": "2024-01-01", "date_to": "2024-12-31"})
    count = re.compile(r"共 (\d+) 筆結果")
    assert count.search(roc.text).group(1) == count.search(iso.text).group(1) != "0"
    assert set(re.findall(r'datetime="(\d{4})', roc.text)) == {"2024"}


def test_language_switch_and_default(client):
    zh = client.get("/", params={"q": "廠商"})
    assert '<html lang="zh-Hant-TW">' in zh.text
    assert 'id="lang-switch" href="/?q=%E5%BB%A0%E5%95%86&amp;lang=en"' in zh.text
    en = client.get("/", params={"q": "廠商", "lang": "en"})
    assert '<html lang="en">' in en.text and re.search(r"\d+ results", en.text)
    assert "lang=en" in re.search(r'class="hit-title" href="([^"]+)"', en.text).group(1)
    assert '<html lang="zh-Hant-TW">' in client.get("/", params={"lang": "xx"}).text


def test_document_page_marks_the_query_and_offers_page_images(client):
    page = client.get("/", params={"q": '"第3季辦理進度"'})
    link = re.search(r'class="hit-title" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert link.endswith("#page-3")
    doc = client.get(link.split("#")[0])
    section = doc.text.split('id="page-3"', 1)[1].split("</section>", 1)[0]
    assert "<mark>第3季辦理進度</mark>" in section
    image = re.search(r'src="(/api/documents/[^"]+/pages/3\.png)"', doc.text).group(1)
    png = client.get(image)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(image.replace("/3.png", "/999.png")).status_code == 404


def test_restricted_document_reaches_auditors_only(client):
    doc_id = restricted_id(client)
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert "秘密調查局" not in client.get("/", params={"q": "蛟龍計畫"}).text
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "archive_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get(f"/documents/{doc_id}")
    assert page.status_code == 200 and 'id="restricted-badge"' in page.text
    assert "秘密調查局" in client.get("/", params={"q": "蛟龍計畫"}).text
    entries = [e for e in client.app.state.audit.entries() if e["user"] == harness.AUDITOR[0]]
    assert {"sign_in", "document_view", "search"} <= {e["action"] for e in entries}
    # signing out revokes the token itself, not just the cookie
    token = client.cookies.get("archive_session")
    client.post("/signout", data={"csrf": client.cookies.get("archive_csrf")})
    assert client.app.state.accounts.resolve(token) is None
    assert client.get(f"/documents/{doc_id}").status_code == 404


def test_forms_need_their_csrf_token(client):
    data = {"username": harness.AUDITOR[0], "password": harness.AUDITOR[1]}
    assert client.post("/signin", data=data).status_code == 403
    csrf_of(client)
    assert client.post("/signin", data={**data, "csrf": "forged" * 8}).status_code == 403
    assert client.post("/signout", data={"csrf": ""}).status_code == 403
    assert "archive_session" not in client.cookies


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil",
                                    "javascript:alert(1)", "/ok?x=1"])
def test_sign_in_only_returns_to_local_pages(client, target):
    location = sign_in(client, next_url=target).headers["location"]
    assert location == ("/ok?x=1" if target == "/ok?x=1" else "/")


def test_wrong_password_is_401_with_the_form_again(client):
    token = csrf_of(client)
    page = client.post("/signin", data={"username": "auditor1", "password": "nope nope nope",
                                        "csrf": token})
    assert page.status_code == 401 and 'id="signin-error"' in page.text
    assert "archive_session" not in client.cookies


def test_operator_page_is_for_admins(client):
    response = client.get("/operator", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/signin?next=%2Foperator"
    sign_in(client)
    assert client.get("/operator").status_code == 403
    sign_in(client, harness.ADMIN)
    page = client.get("/operator")
    assert page.status_code == 200 and page.text.count('class="run-finished"') >= 2


def test_case_contractor_agency_and_glossary_pages(client):
    cases = client.get("/cases")
    case = re.search(r'href="(/cases/[^"?]+)"', cases.text).group(1)
    page = client.get(case)
    assert page.status_code == 200 and 'id="timeline"' in page.text
    assert 'class="chart-data"' in page.text and "<table>" in page.text  # chart + its data table
    contractor = re.search(r'href="(/contractors/[^"]+)"', page.text).group(1)
    assert "won-chart" in client.get(contractor).text
    agency = re.search(r'href="(/agencies/%E[^"]+)"', page.text).group(1)
    assert "awarded-chart" in client.get(agency).text
    glossary = client.get("/glossary")
    assert "圍標" in glossary.text and "bid rigging" in glossary.text


def test_errors_are_pages_for_browsers_and_json_for_the_api(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/no-such-route")
    assert api.status_code == 404 and api.json()["error"] == "http_error"


def test_pages_send_no_external_assets_and_the_security_headers(client):
    page = client.get("/", params={"q": "廠商"})
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["cache-control"] == "no-store"
    for asset in ("/static/app.js", "/static/style.css", "/static/vendor/chart.umd.min.js"):
        assert client.get(asset).status_code == 200


def test_scanned_pages_show_their_ocr_confidence_and_poor_ones_are_flagged(tmp_path):
    from PIL import Image, ImageFilter

    from config import Settings
    from search_api.app import create_app
    from search_index.ingest_pipeline import run_ingest
    from search_index.ledger import doc_id_for
    from tests.extractors.test_ocr import _scan

    folder = tmp_path / "scans"
    folder.mkdir()
    _scan().save(folder / "clean.png", dpi=(150, 150))
    poor = _scan().resize((220, 60)).resize((880, 240)).filter(ImageFilter.GaussianBlur(2))
    Image.blend(poor, Image.effect_noise(poor.size, 90), 0.35).save(folder / "poor.png",
                                                                    dpi=(150, 150))
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    assert run_ingest(folder, settings).failed == 0
    ids = {name: doc_id_for(str(folder.resolve()), name) for name in ("clean.png", "poor.png")}
    with TestClient(create_app(settings)) as client:
        clean = client.get(f"/documents/{ids['clean.png']}")
        assert 'class="ocr-note"' in clean.text and "OCR 信心 9" in clean.text
        poor_page = client.get(f"/documents/{ids['poor.png']}", params={"lang": "en"})
        assert 'class="ocr-note low"' in poor_page.text and "low confidence" in poor_page.text
        assert client.get(f"/api/documents/{ids['poor.png']}").json()["ocr_confidence"]["1"] < 60
        flags = client.get("/api/flags", params={"kind": "low_ocr_confidence"}).json()["flags"]
        assert [f["evidence"][0]["doc_id"] for f in flags] == [ids["poor.png"]]


def test_auditors_export_save_searches_and_read_alerts(client):
    assert client.get("/export", params={"q": "廠商"}, follow_redirects=False).status_code == 303
    assert client.get("/saved", follow_redirects=False).status_code == 303
    sign_in(client)
    results = client.get("/", params={"q": "蛟龍計畫"})
    assert 'id="export-csv"' in results.text and 'id="save-search"' in results.text
    csv_text = client.get("/export", params={"q": "蛟龍計畫"}).text
    assert csv_text.startswith("id,title") and "秘密調查局" in csv_text  # restricted, for auditors
    token = client.cookies.get("archive_csrf")
    saved = client.post("/saved", data={"name": "暗影", "query": "contractor:22099131",
                                        "csrf": token}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/saved"
    page = client.get("/saved")
    assert "contractor:22099131" in page.text and 'id="saved-searches"' in page.text
    bad = client.post("/saved", data={"name": "x", "query": "date:113/13", "csrf": token})
    assert bad.status_code == 422 and "month 13" in bad.text
    search_id = re.search(r'action="/saved/(\d+)/delete"', page.text).group(1)
    assert client.post(f"/saved/{search_id}/delete", data={"csrf": "forged" * 8}).status_code == 403
    client.post(f"/saved/{search_id}/delete", data={"csrf": token})
    assert "contractor:22099131" not in client.get("/saved").text
    log = {e["action"] for e in client.app.state.audit.entries() if e["user"] == harness.AUDITOR[0]}
    assert {"export", "save_search"} <= log
