"""A realistic agency integrity-platform section served on 127.0.0.1 for crawler tests.

3 listing pages → 20 detail pages (publish dates in ROC form) → 30 attachments (PDF, DOCX, ODT,
HTML, TXT made with real tools), plus a 404 link, a redirect loop, a page slower than the
crawler's timeout, robots.txt forbidding /private/, and conditional GET (ETag, Last-Modified).
"""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cli.sample_corpus import build_cases, minutes, planning, progress, write_docx, write_odt, write_pdf
from cli.sample_site import send

FORMATS = ["pdf", "docx", "odt", "html", "txt"]


class Site:
    def __init__(self, root: Path, slow_seconds: float = 3.0) -> None:
        self.root = Path(root)
        self.slow_seconds = slow_seconds
        self.requests: list[tuple[str, int]] = []
        self.server: ThreadingHTTPServer | None = None
        self.attachments: list[str] = []
        self.build()

    # -- content -------------------------------------------------------------------------------
    def build(self) -> None:
        files = self.root / "files"
        files.mkdir(parents=True, exist_ok=True)
        cases = build_cases()
        detail_links: list[list[str]] = []
        number = 0
        for d in range(20):
            case = cases[d % len(cases)]
            links = []
            for k in range(2 if d < 10 else 1):
                fmt = FORMATS[number % len(FORMATS)]
                name = f"att{number:02d}.{fmt}"
                lines = (minutes(case, __import__("random").Random(number)) if number % 3 == 0
                         else planning(case) if number % 3 == 1 else progress(case)[0])
                lines = [lines[0] + f"（附件{number}）"] + lines[1:] + [f"附件編號 ATT-{number:04d}"]
                self._write(files / name, fmt, lines)
                links.append(f"/files/{name}")
                number += 1
            detail_links.append(links)
        self.attachments = [link for links in detail_links for link in links]
        pages = self.root / "pages"
        pages.mkdir(exist_ok=True)
        for d, links in enumerate(detail_links):
            roc_day = f"113/0{1 + d % 9}/1{d % 10}"
            extra = ""
            if d == 3:
                extra = '<a href="/files/missing.pdf">遺失的附件</a> <a href="/loop-a">循環</a>'
            if d == 4:
                extra = '<a href="/slow">緩慢頁面</a> <a href="/private/secret.pdf">內部</a>'
            items = "".join(f'<li><a href="{link}">附件 {Path(link).name}</a></li>' for link in links)
            (pages / f"detail-{d:02d}.html").write_text(
                f"<html><head><meta charset='utf-8'><title>案件 {d}</title></head><body>"
                f"<h1>重大採購案件 {d}</h1><p>發布日期：{roc_day}</p><ul>{items}</ul>{extra}"
                "</body></html>", encoding="utf-8")
        for p in range(3):
            details = range(p * 7, min(20, (p + 1) * 7))
            items = "".join(f'<li><a href="/pages/detail-{d:02d}.html">案件 {d}</a></li>'
                            for d in details)
            nav = "".join(f'<a href="/list-{q}.html">第{q + 1}頁</a> ' for q in range(3) if q != p)
            (pages / f"list-{p}.html").write_text(
                f"<html><body><h1>廉政平臺專區</h1><ul>{items}</ul><nav>{nav}</nav>"
                "<a href='https://elsewhere.example/x.pdf'>外站</a></body></html>", encoding="utf-8")

    @staticmethod
    def _write(path: Path, fmt: str, lines: list[str]) -> None:
        if fmt == "pdf":
            write_pdf(path, [lines])
        elif fmt == "docx":
            write_docx(path, lines)
        elif fmt == "odt":
            write_odt(path, lines)
        elif fmt == "html":
            body = "".join(f"<p>{line}</p>" for line in lines[1:])
            path.write_text(f"<html><head><meta charset='utf-8'><title>{lines[0]}</title></head>"
                            f"<body>{body}</body></html>", encoding="utf-8")
        else:
            path.write_text("\n".join(lines), encoding="utf-8")

    def change_attachment(self, index: int, extra_line: str) -> str:
        """Edit one attachment in place (a new version on the site); returns its URL path."""
        link = self.attachments[index]
        path = self.root / link.lstrip("/")
        fmt = path.suffix.lstrip(".")
        lines = [f"更正版 {path.stem}", extra_line, "本文件已更新"]
        self._write(path, fmt, lines)
        return link

    # -- serving -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def do_GET(self) -> None:  # noqa: N802
                try:
                    status = site.handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    status = 499  # the crawler gave up waiting (the slow page)
                site.requests.append((self.path, status))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> int:
        path = h.path.split("?")[0]
        if path == "/robots.txt":
            return self._send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/loop-a":
            return self._redirect(h, "/loop-b")
        if path == "/loop-b":
            return self._redirect(h, "/loop-a")
        if path == "/slow":
            time.sleep(self.slow_seconds)
            return self._send(h, 200, b"<html>late</html>", "text/html")
        if path == "/":
            return self._redirect(h, "/list-0.html")
        if path.startswith("/list-"):
            file = self.root / "pages" / path.lstrip("/")
        else:
            file = self.root / path.lstrip("/")
        if not file.is_file() or ".." in path:
            return self._send(h, 404, b"not found", "text/plain")
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        modified = formatdate(file.stat().st_mtime, usegmt=True)
        if h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, b"", None, etag=etag, modified=modified)
        types = {".pdf": "application/pdf", ".html": "text/html; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8",
                 ".odt": "application/vnd.oasis.opendocument.text",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        return self._send(h, 200, data, types.get(file.suffix, "application/octet-stream"),
                          etag=etag, modified=modified)

    @staticmethod
    def _redirect(h: BaseHTTPRequestHandler, target: str) -> int:
        h.send_response(302)
        h.send_header("Location", target)
        h.send_header("Content-Length", "0")
        h.end_headers()
        return 302

    _send = staticmethod(send)  # the sample agency site's answers (cli/sample_site.py)
