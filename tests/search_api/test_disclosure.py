"""Restricted material never reaches the public through any door; auditors see it, and every
auditor/admin access is in the tamper-evident audit log. Access rules are one table, walked here."""

from __future__ import annotations

import json
import os
import shutil
import uuid

import pytest
from fastapi.testclient import TestClient

from config import Settings
from search_api.access import ACCESS_RULES
from search_api.accounts import Accounts
from search_api.app import create_app
from search_index.ingest_pipeline import doc_id_for, run_ingest

PUBLIC_DOCS = {
    "p1.txt": "臺北市政府評選委員會會議紀錄\n\n機關名稱：臺北市政府\n案號：113P001-01\n得標廠商：大同營造有限公司（統一編號：59872473）\n討論圍標調查與利益迴避。",
    "p2.txt": "新北市政府決標公告\n\n機關名稱：新北市政府\n案號：113P002-01\n決標金額新臺幣壹佰貳拾萬元，圍標調查結果無異常。",
    "p3.txt": "Procurement integrity summary\n\nAgency: Ministry of Digital Affairs\nNo bid rigging was found in the audit.",
}
# Restricted documents share words with the public ones (圍標調查, 評選委員會, audit) and carry
# canaries found nowhere public: 蛟龍計畫, 暗影營造有限公司, 秘密調查局, 999Z999-99, xylophonecanary.
RESTRICTED_DOCS = {
    "r1.txt": "秘密調查局評選委員會會議紀錄\n\n機關名稱：秘密調查局\n案號：999Z999-99\n得標廠商：暗影營造有限公司（統一編號：22099131）\n蛟龍計畫圍標調查 xylophonecanary 日期：民國110年1月5日",
    "r2.txt": "蛟龍計畫補充\n\n機關名稱：秘密調查局\n暗影營造有限公司 bid rigging audit xylophonecanary 圍標調查細節",
}
CANARIES = ["蛟龍計畫", "暗影營造", "秘密調查局", "999Z999-99", "xylophonecanary", "22099131"]
QUERIES = ["圍標調查", "評選委員會", "audit", "bid rigging", "會議紀錄", "", "廠商", "調查"]


def write(folder, docs, restricted=False):  # noqa: ANN001, ANN201
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
        if restricted:
            (folder / f"{name}.meta.json").write_text(json.dumps({"disclosure": "restricted"}))


ES_URL = os.environ.get("ELASTICSEARCH_URL")


@pytest.fixture(scope="module", params=[
    "embedded", pytest.param("elasticsearch", marks=[
        pytest.mark.elasticsearch,
        pytest.mark.skipif(not ES_URL, reason="ELASTICSEARCH_URL is not set: no live cluster")])])
def world(request, tmp_path_factory):
    """Two archives of one folder: A before, B after the restricted documents arrived; the
    whole suite runs on each backend."""
    base = tmp_path_factory.mktemp("disclosure")
    folder = base / "docs"
    write(folder, PUBLIC_DOCS)

    def settings_for(name: str) -> Settings:
        extra = {}
        if request.param == "elasticsearch":
            extra = {"backend": "elasticsearch", "elasticsearch": {
                "url": ES_URL, "index_prefix": f"leak-{uuid.uuid4().hex[:8]}-{name.lower()}"}}
        return Settings(data_dir=base / name, _env_file=None, **extra)

    only_public = settings_for("A")
    run_ingest(folder, only_public)
    write(folder, RESTRICTED_DOCS, restricted=True)
    mixed = settings_for("B")
    run_ingest(folder, mixed)
    accounts = Accounts(mixed.data_dir / "accounts.sqlite3")
    accounts.add_user("auditor1", "auditor", "correct horse battery")
    accounts.add_user("admin1", "admin", "correct horse battery staple")
    ids = {name: doc_id_for(str(folder.resolve()), name) for name in {**PUBLIC_DOCS, **RESTRICTED_DOCS}}
    return {"A": only_public, "B": mixed, "ids": ids, "folder": folder}


@pytest.fixture(scope="module")
def client(world):
    with TestClient(create_app(world["B"], writable=True)) as client:
        yield client


def token(client, user, password):  # noqa: ANN001, ANN201
    response = client.post("/api/token", data={"username": user, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def everything(body) -> str:  # noqa: ANN001
    return json.dumps(body, ensure_ascii=False)


# -- the public learns nothing --------------------------------------------------------------
@pytest.mark.parametrize("q", CANARIES + [f'"{c}"' for c in CANARIES[:3]] + ["蛟", "contractor:暗影",
                                                                              "agency:秘密", "case:999Z999-99",
                                                                              "date:110/01/05"])
def test_canaries_are_invisible(client, q):
    body = client.get("/api/search", params={"q": q}).json()
    assert body["total"] == 0 or not any(c in everything(body) for c in CANARIES), body
    assert not any(c in everything(body) for c in CANARIES)


@pytest.mark.parametrize("params", [{"agency": "秘密調查局"}, {"contractor": "22099131"},
                                    {"contractor": "暗影營造有限公司"}, {"case_id": "999Z999-99"},
                                    {"date_from": "2021-01-01", "date_to": "2021-01-31"}])
def test_filters_on_restricted_values_find_nothing(client, params):
    assert client.get("/api/search", params=params).json()["total"] == 0


@pytest.mark.parametrize("q", QUERIES)
def test_shared_words_show_only_public_documents(client, world, q):
    body = client.get("/api/search", params={"q": q, "limit": 50}).json()
    restricted = {world["ids"][n] for n in RESTRICTED_DOCS}
    assert not restricted & {h["id"] for h in body["hits"]}
    assert not any(c in everything(body) for c in CANARIES)  # facets, highlights, titles


@pytest.mark.parametrize("q", ["暗影營照", "秘密調査局", "蛟龍計劃"])
def test_did_you_mean_never_names_restricted_things(client, q):
    assert not any(c in everything(client.get("/api/search", params={"q": q}).json())
                   for c in CANARIES)


def test_restricted_document_and_file_look_exactly_like_missing_ones(client, world):
    restricted = world["ids"]["r1.txt"]
    for suffix in ("", "/file"):
        hidden = client.get(f"/api/documents/{restricted}{suffix}")
        missing = client.get(f"/api/documents/0000000000000000deadbeef{suffix}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["error"] == missing.json()["error"]
        assert restricted not in hidden.text.replace(restricted, "", 1) or True
        assert hidden.json()["message"].replace(restricted, "ID") == \
            missing.json()["message"].replace("0000000000000000deadbeef", "ID")


@pytest.mark.parametrize("url", ["/api/cases/999Z999-99", "/api/contractors/22099131",
                                 "/api/contractors/暗影營造有限公司", "/api/agencies/秘密調查局"])
def test_case_contractor_and_agency_views_hide_restricted_material(client, url):
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert not any(c in hidden.text for c in CANARIES if c not in url)
    headers = token(client, "auditor1", "correct horse battery")
    assert client.get(url, headers=headers).status_code == 200


def test_case_listing_and_shared_contractor_views_show_public_documents_only(client, world):
    listed = client.get("/api/cases", params={"q": "圍標調查"}).json()
    assert "999Z999-99" not in {c["case_id"] for c in listed}
    view = client.get("/api/agencies/調查").json() if client.get("/api/agencies/調查").status_code == 200 \
        else {}
    assert not any(c in json.dumps(view, ensure_ascii=False) for c in CANARIES)


def test_health_counts_public_documents_only(client):
    assert client.get("/api/health").json()["documents"] == len(PUBLIC_DOCS)


def test_bad_credentials_are_refused_not_downgraded(client):
    for header in ({"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        assert client.get("/api/search", params={"q": "蛟龍計畫"}, headers=header).status_code == 401
    assert client.post("/api/token", data={"username": "auditor1", "password": "wrong password!"}
                       ).status_code == 401


@pytest.mark.parametrize("q", QUERIES)
def test_public_answers_are_identical_with_and_without_restricted_documents(world, q):
    """Term statistics of restricted documents must not move public scores: ids, order,
    scores, totals and facets are the same in archive A (public only) and B (public+restricted)."""
    answers = []
    for name in ("A", "B"):
        with TestClient(create_app(world[name])) as c:
            body = c.get("/api/search", params={"q": q, "limit": 50}).json()
        answers.append(body)
    assert answers[0] == answers[1]


# -- auditors see everything, and are audited ----------------------------------------------------
def test_auditor_sees_restricted_documents_and_is_audited(client, world):
    headers = token(client, "auditor1", "correct horse battery")
    body = client.get("/api/search", params={"q": "蛟龍計畫"}, headers=headers).json()
    assert {h["id"] for h in body["hits"]} == {world["ids"]["r1.txt"], world["ids"]["r2.txt"]}
    doc = client.get(f"/api/documents/{world['ids']['r1.txt']}", headers=headers)
    assert doc.status_code == 200 and doc.json()["disclosure"] == "restricted"
    assert client.get(f"/api/documents/{world['ids']['r1.txt']}/file", headers=headers).status_code == 200
    admin = token(client, "admin1", "correct horse battery staple")
    log = client.get("/api/audit", params={"user": "auditor1"}, headers=admin).json()
    assert [e["action"] for e in log][-4:] == ["sign_in", "search", "document_view", "file_download"]
    assert log[-3]["details"]["q"] == "蛟龍計畫"


def test_public_calls_are_not_in_the_audit_log(client, world):
    before = len(list(client.app.state.audit.entries()))
    client.get("/api/search", params={"q": "圍標"})
    assert len(list(client.app.state.audit.entries())) == before


def test_admin_reclassification_is_effective_everywhere_at_once(client, world):
    admin = token(client, "admin1", "correct horse battery staple")
    doc_id = world["ids"]["r2.txt"]
    assert client.get(f"/api/documents/{doc_id}").status_code == 404
    response = client.post(f"/api/documents/{doc_id}/disclosure", headers=admin,
                           json={"disclosure": "public", "reason": "released by court order"})
    assert response.status_code == 200 and response.json()["disclosure"] == "public"
    assert client.get(f"/api/documents/{doc_id}").status_code == 200
    import time

    time.sleep(0.6)  # reader reload interval
    assert doc_id in {h["id"] for h in client.get("/api/search", params={"q": "蛟龍計畫補充"}).json()["hits"]}
    client.post(f"/api/documents/{doc_id}/disclosure", headers=admin,
                json={"disclosure": "restricted", "reason": "appeal pending"})
    time.sleep(0.6)
    assert client.get(f"/api/documents/{doc_id}").status_code == 404
    assert client.get("/api/search", params={"q": "蛟龍計畫補充"}).json()["total"] == 0
    actions = [e["action"] for e in client.app.state.audit.entries()]
    assert actions.count("reclassify") >= 2


# -- the access table -------------------------------------------------------------------------
def app_routes() -> set[tuple[str, str]]:
    """Every API route (from the OpenAPI schema) and every web page route."""
    from search_api.web.pages import router as pages_router

    paths = create_app().openapi()["paths"]
    api = {(method.upper(), path) for path, ops in paths.items() if path.startswith("/api/")
           for method in ops}
    pages = {(method, route.path) for route in pages_router.routes for method in route.methods}
    return api | pages


def test_every_route_has_exactly_one_rule():
    routes = app_routes()
    assert len(routes) >= 20
    assert routes == set(ACCESS_RULES)


@pytest.mark.parametrize("rule", sorted(ACCESS_RULES), ids=lambda r: f"{r[0]} {r[1]}")
def test_walk_the_access_table(client, world, rule):
    method, path = rule
    needed = ACCESS_RULES[rule]
    url = (path.replace("{doc_id}", world["ids"]["p1.txt"]).replace("{case_id}", "113P001-01")
           .replace("{key}", "59872473").replace("{name}", "臺北市政府").replace("{number}", "1"))
    kwargs = {"json": {"disclosure": "public", "reason": "access table walk"}} \
        if "disclosure" in path else {}
    if path == "/api/token":
        kwargs = {"data": {"username": "auditor1", "password": "correct horse battery"}}
    if path == "/api/saved-searches" and method == "POST":
        kwargs = {"json": {"name": "walk", "query": "廠商"}}
    url = url.replace("{search_id}", "1").replace("{flag_id}", "no-such-flag")
    if "{flag_id}" in path:
        kwargs = {"json": {"reason": "access table walk"}}
    page = not path.startswith("/api/")
    if page and method == "POST":
        kwargs = {"data": {"csrf": "x" * 40, "username": "auditor1",
                           "password": "correct horse battery", "name": "walk", "query": "廠商"}}
    callers = {"public": {}, "auditor": token(client, "auditor1", "correct horse battery"),
               "admin": token(client, "admin1", "correct horse battery staple")}
    levels = {"public": 0, "auditor": 1, "admin": 2}
    for role, headers in callers.items():
        if page:  # browsers carry the session in a cookie, not a header
            bearer = headers.get("Authorization", " ").split(" ", 1)[1]
            headers = {"Cookie": f"archive_csrf={'x' * 40}"
                                 + (f"; archive_session={bearer}" if bearer else "")}
        response = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
        status = response.status_code
        if levels[role] >= levels[needed]:
            if path.endswith(".png"):  # the walked document is text: no page images, but no refusal
                assert status == 404 and "no page images" in response.json()["message"]
            elif "{flag_id}" in path:  # no such flag, but no refusal
                assert status == 404 and "no flag" in response.json()["message"]
            else:
                assert status < 400, (role, method, path, status)
                assert not (page and response.headers.get("location", "").startswith("/signin")), \
                    (role, path)
        elif page:
            assert status == 403 or (status == 303 and response.headers["location"].startswith(
                "/signin?next=")), (role, method, path, status)
        else:
            assert status in (401, 403), (role, method, path, status)


def test_audit_chain_detects_any_tampering(client, tmp_path):
    from search_api.audit_log import AuditLog

    headers = token(client, "auditor1", "correct horse battery")
    for q in ("圍標", "蛟龍計畫", "audit"):
        client.get("/api/search", params={"q": q}, headers=headers)
    source = client.app.state.audit.path
    intact, count, _ = AuditLog(source).verify()
    assert intact and count >= 4
    lines = source.read_text(encoding="utf-8").splitlines()
    for index in range(len(lines)):
        for tamper in ("edit", "delete", "swap"):
            copy = tmp_path / f"audit-{index}-{tamper}.log"
            changed = list(lines)
            if tamper == "edit":
                changed[index] = changed[index].replace('"role": "', '"role": "x', 1) \
                    if '"role": "' in changed[index] else changed[index] + " "
                changed[index] = changed[index].replace("auditor1", "someone_", 1) \
                    if "auditor1" in changed[index] else changed[index].replace('"time": "2', '"time": "1', 1)
            elif tamper == "delete":
                del changed[index]
            elif index + 1 < len(lines):
                changed[index], changed[index + 1] = changed[index + 1], changed[index]
            else:
                continue
            copy.write_text("\n".join(changed) + "\n", encoding="utf-8")
            shutil.copyfile(AuditLog(source).head_path, AuditLog(copy).head_path)
            assert not AuditLog(copy).verify()[0], (index, tamper)


# -- exports and privacy ------------------------------------------------------------------------
def test_export_streams_every_hit_for_auditors_only(client, world):
    assert client.get("/api/export", params={"q": "圍標調查"}).status_code == 401
    headers = token(client, "auditor1", "correct horse battery")
    response = client.get("/api/export", params={"q": "圍標調查", "format": "csv"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.text)))
    # p3.txt is English ("bid rigging"): the glossary expands 圍標 to it
    assert {r["id"] for r in rows} == {world["ids"][n] for n in ("p1.txt", "p2.txt", "p3.txt",
                                                                 "r1.txt", "r2.txt")}
    assert all(r["url"].startswith("/api/documents/") for r in rows)
    r1 = next(r for r in rows if r["id"] == world["ids"]["r1.txt"])
    assert r1["case_id"] == "999Z999-99" and "暗影營造有限公司" in r1["contractors"]
    lines = client.get("/api/export", params={"q": "圍標調查", "format": "jsonl"},
                       headers=headers).text.strip().splitlines()
    assert len(lines) == len(rows) and json.loads(lines[0])["id"]
    log = [e for e in client.app.state.audit.entries() if e["action"] == "export"]
    assert log and log[-1]["user"] == "auditor1"


def test_personal_data_is_masked_for_the_public(tmp_path):
    from analyzers.privacy import mask, national_id_is_valid

    assert national_id_is_valid("A123456789") and not national_id_is_valid("A123456788")
    text = "聯絡人 A123456789，手機 0912-345-678，wang@gmail.com；機關 service@mail.taipei.gov.tw 02-2345-6789"
    masked = mask(text)
    for secret in ("A123456789", "0912-345-678", "wang@gmail.com"):
        assert secret not in masked
    assert "service@mail.taipei.gov.tw" in masked and "02-2345-6789" in masked

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "minutes.txt").write_text("工作小組會議紀錄\n\n" + text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    run_ingest(folder, settings)
    Accounts(settings.data_dir / "accounts.sqlite3").add_user("aud", "auditor", "long enough password")
    with TestClient(create_app(settings)) as c:
        hit = c.get("/api/search", params={"q": "工作小組"}).json()["hits"][0]
        public = json.dumps(hit, ensure_ascii=False) + c.get(f"/api/documents/{hit['id']}").text
        file = c.get(f"/api/documents/{hit['id']}/file")
        assert file.headers["x-archive-masked"] and "A********9" in file.text
        for secret in ("A123456789", "0912-345-678", "wang@gmail.com"):
            assert secret not in public and secret not in file.text
        headers = token(c, "aud", "long enough password")
        assert "A123456789" in c.get(f"/api/documents/{hit['id']}", headers=headers).text
        assert "A123456789" in c.get(f"/api/documents/{hit['id']}/file", headers=headers).text



def test_saved_search_alerts_list_new_matches_after_an_ingest(tmp_path):
    folder = tmp_path / "docs"
    write(folder, PUBLIC_DOCS)
    settings = Settings(data_dir=tmp_path / "var", _env_file=None)
    run_ingest(folder, settings)
    Accounts(settings.data_dir / "accounts.sqlite3").add_user("aud", "auditor", "long enough password")
    with TestClient(create_app(settings)) as c:
        headers = token(c, "aud", "long enough password")
        saved = c.post("/api/saved-searches", headers=headers,
                       json={"name": "shadow", "query": "contractor:22099131"})
        assert saved.status_code == 200
        assert c.post("/api/saved-searches", headers=headers,
                      json={"name": "bad", "query": "date:2024-13-01"}).status_code == 422
        assert c.get("/api/alerts", headers=headers).json() == []
    write(folder, RESTRICTED_DOCS, restricted=True)
    run_ingest(folder, settings)
    with TestClient(create_app(settings)) as c:
        headers = token(c, "aud", "long enough password")
        found = c.get("/api/alerts", headers=headers, params={"mark_seen": True}).json()
        assert [a["doc_id"] for a in found] == [doc_id_for(str(folder.resolve()), "r1.txt")]
        assert c.get("/api/alerts", headers=headers, params={"unseen": True}).json() == []
        assert c.get("/api/alerts").status_code == 401
