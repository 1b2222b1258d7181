"""The sample agency website: a small integrity-platform section (新竹縣政府, four cases) served on
127.0.0.1 and crawled twice with the project's crawler, so that the crawl store under the data
dir holds what an operator's two scheduled crawls would: two attachments changed in place
(silent_edit) and two withdrawn from the site (removed_document).

    113S501-01  the minute loses a committee member's objection       silent_edit
    113S502-02  the award notice's 決標金額 is rewritten                silent_edit
    113S503-03  the minute disappears from the site                    removed_document
    114S504-04  the award notice disappears from the site              removed_document

``plant_crawl_history`` generates the site in a temporary folder, serves it (a static server
with ETag / Last-Modified, as agency sites answer conditional GETs), crawls it with
collectors.website_crawler into ``<sources dir>/sample-agency-site/``, publishes the edits,
crawls again, and calls ``ingest`` on the mirror's ``current/`` folder after each crawl (the
``collect`` flow does the same). It runs once per data dir: a finished history is left alone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cli.integrity_corpus import Planted, _award, _Case, _tender
from cli.sample_corpus import header, roc, write_docx, write_html, write_pdf

SOURCE_NAME = "sample-agency-site"
AGENCY = "新竹縣政府"
MARKER = "planted.json"  # written once both crawls are done


@dataclass(frozen=True)
class SiteCase:
    planted: Planted
    published: str  # 發布日期 on its page (ROC)
    objection: str  # a committee member's objection recorded in the minute
    change: str  # minutes | award (edited in place), remove-minutes | remove-award


SITE_CASES = [
    SiteCase(Planted("113S501-01", AGENCY, "竹北市污水處理廠擴建工程", 113, "新豐營造股份有限公司",
                     "61905149"), "113/05/20", "委員許家豪：得標廠商實績證明文件日期有疑義，建議查明後再議。",
             "minutes"),
    SiteCase(Planted("113S502-02", AGENCY, "湖口鄉聯外道路拓寬工程", 113, "峨眉土木包工業有限公司",
                     "93515268"), "113/05/21", "委員鄭欣怡：無意見。", "award"),
    SiteCase(Planted("113S503-03", AGENCY, "竹東鎮圖書館新建工程", 113, "寶山建設股份有限公司",
                     "46431544"), "113/05/22", "委員謝明哲：評分差距過大，建議說明評分理由。",
             "remove-minutes"),
    SiteCase(Planted("114S504-04", AGENCY, "新埔鎮公有市場整建工程", 114, "關西工程有限公司",
                     "33240884"), "114/05/20", "委員周文彬：無意見。", "remove-award"),
]
EDITED_AWARD = 9_480_000  # 113S502-02's rewritten 決標金額 (was 9,000,000 against a base of 10,000,000)
DOCUMENTS = ("tender.html", "minutes.pdf", "award.docx")


def minutes_lines(case: SiteCase, *, edited: bool = False) -> list[str]:
    """The minute of the evaluation committee; the edited version drops the objection."""
    p = case.planted
    lines = header(_Case(p), "評選委員會會議紀錄", roc(p.roc_year, 4, 10)) + [
        f"會議地點：{p.agency}第二會議室",
        "主席：范志成　紀錄：羅淑華",
        "出席委員：周文彬、徐佩君、許家豪、鄭欣怡、謝明哲",
        "一、工作小組報告初審結果，投標廠商3家資格均符合規定。",
        f"二、委員發言：{case.objection}",
        f"決議：以{p.winner}為最優勝廠商，並依序辦理議價。",
    ]
    if edited:
        lines = [line for line in lines if not line.startswith("二、委員發言")]
        lines[-1] = f"決議：全體出席委員無異議，以{p.winner}為最優勝廠商，並依序辦理議價。"
    return lines


def award_lines(case: SiteCase, *, edited: bool = False) -> list[str]:
    lines = _award(case.planted)
    if edited:
        lines = [f"決標金額：新臺幣{EDITED_AWARD:,}元" if line.startswith("決標金額") else line
                 for line in lines]
    return lines


class SampleSite:
    """The site's files under ``root``; ``serve()`` answers on 127.0.0.1 (an ephemeral port)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.broken: set[str] = set()  # paths answered with 503 (a site having trouble)
        self.requests: list[tuple[str, int]] = []

    # -- content -------------------------------------------------------------------------------
    def build(self) -> SampleSite:
        for case in SITE_CASES:
            self.write(case, "tender.html", _tender(case.planted))
            self.write(case, "minutes.pdf", minutes_lines(case))
            self.write(case, "award.docx", award_lines(case))
            self.write_case_page(case, DOCUMENTS)
        items = "".join(f'<li><a href="/cases/{c.planted.case_id}.html">{c.planted.title}</a>'
                        f"（發布日期：{c.published}）</li>" for c in SITE_CASES)
        self._page("index.html", f"{AGENCY} 機關採購廉政平臺專區", f"<ul>{items}</ul>")
        (self.root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
        return self

    def write(self, case: SiteCase, name: str, lines: list[str]) -> str:
        """Publish (or overwrite) one attachment of a case; returns its URL path."""
        path = self.root / "files" / case.planted.case_id / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".pdf"):
            write_pdf(path, [lines])
        elif name.endswith(".docx"):
            write_docx(path, lines)
        else:
            write_html(path, lines)
        return f"/files/{case.planted.case_id}/{name}"

    def write_case_page(self, case: SiteCase, names: tuple[str, ...]) -> None:
        labels = {"tender.html": "招標公告", "minutes.pdf": "評選委員會會議紀錄",
                  "award.docx": "決標公告"}
        items = "".join(f'<li><a href="/files/{case.planted.case_id}/{n}">{labels.get(n, n)}</a></li>'
                        for n in names)
        self._page(f"cases/{case.planted.case_id}.html", f"{case.planted.title}（{case.planted.case_id}）",
                   f"<p>發布日期：{case.published}</p><ul>{items}</ul>")

    def withdraw(self, case: SiteCase, name: str, *, keep_link: bool = False) -> None:
        """Take an attachment off the site (with ``keep_link`` its link stays: a 404)."""
        (self.root / "files" / case.planted.case_id / name).unlink()
        if not keep_link:
            self.write_case_page(case, tuple(n for n in DOCUMENTS if n != name and
                                             (self.root / "files" / case.planted.case_id / n).exists()))

    def publish_edits(self) -> None:
        """What the agency did between the two crawls."""
        for case in SITE_CASES:
            if case.change == "minutes":
                self.write(case, "minutes.pdf", minutes_lines(case, edited=True))
            elif case.change == "award":
                self.write(case, "award.docx", award_lines(case, edited=True))
            elif case.change == "remove-minutes":
                self.withdraw(case, "minutes.pdf")
            elif case.change == "remove-award":
                self.withdraw(case, "award.docx")

    def _page(self, name: str, title: str, body: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!doctype html><html lang='zh-Hant-TW'><head><meta charset='utf-8'>"
                        f"<title>{title}</title></head><body><h1>{title}</h1>{body}"
                        "<p><a href='/index.html'>回專區首頁</a></p></body></html>\n", encoding="utf-8")

    # -- serving -------------------------------------------------------------------------------
    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve the site on 127.0.0.1 (an ephemeral port); yields its base URL."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                site.requests.append((self.path, site._answer(self)))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    def _answer(self, h: BaseHTTPRequestHandler) -> int:
        path = h.path.split("?")[0]
        if path in self.broken:
            return send(h, 503, b"temporarily unavailable", "text/plain")
        file = (self.root / path.lstrip("/")).resolve()
        if path == "/" or ".." in path or not file.is_file() or \
                not file.is_relative_to(self.root.resolve()):
            return send(h, 404, b"not found", "text/plain")
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if h.headers.get("If-None-Match") == etag:
            return send(h, 304, b"", None, etag)
        types = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        return send(h, 200, data, types.get(file.suffix, "application/octet-stream"), etag,
                     formatdate(file.stat().st_mtime, usegmt=True))


def send(h: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str | None,
          etag: str | None = None, modified: str | None = None) -> int:
    """An HTTP answer with the validators agency sites send (ETag, Last-Modified)."""
    h.send_response(status)
    if content_type:
        h.send_header("Content-Type", content_type)
    if etag:
        h.send_header("ETag", etag)
    if modified:
        h.send_header("Last-Modified", modified)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    if status != 304:
        h.wfile.write(data)
    return status


def website_source(base_url: str, **kw: Any):  # noqa: ANN201
    """The site as a configured website source (what config/sources.yaml would say)."""
    from config.sources import WebsiteSource

    options = dict(kind="website", name=SOURCE_NAME, start_urls=[f"{base_url}/index.html"],
                   follow=[r"/index\.html$", r"/cases/[^/]+\.html$"], agency=AGENCY,
                   requests_per_second=50, timeout_seconds=10, retries=1)
    return WebsiteSource(**{**options, **kw})


def planted_already(sources_dir: Path) -> bool:
    """Whether the sample site's crawl history is complete in ``sources_dir``."""
    return (Path(sources_dir) / SOURCE_NAME / MARKER).is_file()


def plant_crawl_history(sources_dir: Path, *, ingest: Callable[[Path], Any] | None = None
                        ) -> dict:
    """Crawl the sample site, publish its edits, crawl again, into ``<sources_dir>/<name>``;
    ``ingest`` is called with the mirror's ``current/`` folder after each crawl. Returns a
    summary (``already``: the history was planted before and was left alone)."""
    from collectors.website_crawler import crawl_into

    root = Path(sources_dir) / SOURCE_NAME
    marker = root / MARKER
    if planted_already(sources_dir):
        return {**json.loads(marker.read_text(encoding="utf-8")), "already": True}
    if root.exists():  # an interrupted planting: start over
        shutil.rmtree(root)
    with tempfile.TemporaryDirectory(prefix="archive-sample-site-") as tmp:
        site = SampleSite(Path(tmp)).build()
        with site.serve() as base_url:
            source = website_source(base_url)
            first = crawl_into(source, root).as_dict()
            if first["failed"] or len(first["new"]) != len(SITE_CASES) * len(DOCUMENTS):
                raise RuntimeError(f"the first crawl of the sample site went wrong: {first}")
            if ingest is not None:
                ingest(root / "current")
            site.publish_edits()
            second = crawl_into(source, root).as_dict()
    edited = sum(c.change in ("minutes", "award") for c in SITE_CASES)
    if second["failed"] or len(second["changed"]) != edited or \
            len(second["removed"]) != len(SITE_CASES) - edited:
        raise RuntimeError(f"the second crawl of the sample site went wrong: {second}")
    if ingest is not None:
        ingest(root / "current")
    summary = {"source": SOURCE_NAME, "root": str(root), "site": base_url,
               "attachments": len(first["new"]), "changed": second["changed"],
               "removed": second["removed"]}
    marker.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return {**summary, "already": False}
