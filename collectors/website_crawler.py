"""A polite crawler for an agency's integrity-platform section.

robots.txt is obeyed, each host is rate-limited, every request is conditional (ETag /
Last-Modified) once a URL is known, transient failures are retried with back-off, and redirect
loops, 404s and slow pages end as failures with a reason — the crawl goes on. Attachments land
in ``<root>/current/<host>/<path>`` (what the ingest flow reads) with a ``.meta.json`` sidecar
(source URL, referring page, publish date, agency, disclosure). A changed attachment replaces
the current copy and the old one moves to ``<root>/versions/``; an attachment that disappears
from the site leaves ``current/`` (so it leaves the index) but keeps its versions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import urllib.robotparser
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from collectors.crawl_state import CrawlState
from config.sources import WebsiteSource

log = logging.getLogger(__name__)

DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
}
_SAFE = re.compile(r"[^\w.\-\u3400-\u9fff]+")


@dataclass
class CrawlResult:
    pages: int = 0
    fetched: int = 0  # responses with a body (200)
    not_modified: int = 0  # 304s
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    def as_dict(self) -> dict:
        return {"pages": self.pages, "fetched": self.fetched, "not_modified": self.not_modified,
                "new": self.new, "changed": self.changed, "removed": self.removed,
                "unchanged": self.unchanged,
                "failed": [{"url": u, "reason": r} for u, r in self.failed]}


class FetchFailed(Exception):
    pass


class WebsiteCrawler:
    def __init__(self, source: WebsiteSource, root: Path, client=None) -> None:  # noqa: ANN001
        self.source = source
        self.root = Path(root)
        self._client = client
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self._follow = [re.compile(p) for p in source.follow]

    @property
    def current_dir(self) -> Path:
        return self.root / "current"

    @property
    def client(self):  # noqa: ANN201
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                follow_redirects=True, max_redirects=5,
                timeout=httpx.Timeout(self.source.timeout_seconds),
                headers={"User-Agent": self.source.user_agent})
        return self._client

    # -- politeness ------------------------------------------------------------------------------
    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.netloc not in self.source.allowed_hosts:
            return False
        if parts.netloc not in self._robots:
            robots = urllib.robotparser.RobotFileParser()
            try:
                response = self._get(f"{parts.scheme}://{parts.netloc}/robots.txt", {}, retries=0)
                if response.status_code == 200:
                    robots.parse(response.text.splitlines())
                else:
                    robots = None
            except FetchFailed:
                robots = None
            self._robots[parts.netloc] = robots
        robots = self._robots[parts.netloc]
        return robots is None or robots.can_fetch(self.source.user_agent, url)

    def _wait_turn(self, host: str) -> None:
        gap = 1.0 / self.source.requests_per_second
        wait = self._last_request.get(host, 0.0) + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _get(self, url: str, headers: dict[str, str], retries: int | None = None):  # noqa: ANN202
        import httpx

        attempts = (self.source.retries if retries is None else retries) + 1
        delay = 0.5
        for attempt in range(attempts):
            self._wait_turn(urlsplit(url).netloc)
            try:
                response = self.client.get(url, headers=headers)
            except httpx.TooManyRedirects:
                raise FetchFailed("redirect loop (more than 5 redirects)") from None
            except httpx.TimeoutException:
                reason = f"no answer within {self.source.timeout_seconds:g} s"
            except httpx.TransportError as exc:
                reason = f"connection failed: {exc}"
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    reason = f"HTTP {response.status_code}"
                    retry_after = response.headers.get("Retry-After", "")
                    if retry_after.isdigit():
                        delay = min(float(retry_after), 60.0)
                else:
                    return response
            if attempt + 1 < attempts:
                time.sleep(delay)
                delay *= 2
        raise FetchFailed(reason + (f" after {attempts} attempts" if attempts > 1 else ""))

    # -- crawling --------------------------------------------------------------------------------
    def crawl(self, state: CrawlState) -> CrawlResult:
        result = CrawlResult()
        queue = deque((url, 0, None) for url in self.source.start_urls)
        seen_pages: set[str] = set()
        seen_attachments: set[str] = set()
        pages_failed = False
        while queue and result.pages < self.source.max_pages:
            url, depth, referrer = queue.popleft()
            if url in seen_pages:
                continue
            seen_pages.add(url)
            if not self._allowed(url):
                continue
            try:
                body, links, published = self._page(url, state, result)
            except FetchFailed as exc:
                result.failed.append((url, str(exc)))
                pages_failed = True
                continue
            result.pages += 1
            for link in links:
                if self._follows(link):  # listing and detail pages (may end in .html)
                    if depth < self.source.max_depth and link not in seen_pages:
                        queue.append((link, depth + 1, url))
                elif self._is_attachment(link):
                    if link not in seen_attachments and self._allowed(link):
                        seen_attachments.add(link)
                        self._attachment(link, url, published, state, result)
        if not pages_failed:  # only a complete crawl can tell that an attachment disappeared
            for known in state.attachments():
                if known.url not in seen_attachments:
                    self._remove(known, state, result)
        return result

    def _follows(self, url: str) -> bool:
        """A page to crawl: on an allowed host and matching a follow pattern (with no
        patterns: any link that is not an attachment)."""
        if urlsplit(url).netloc not in self.source.allowed_hosts:
            return False
        if self._follow:
            return any(p.search(url) for p in self._follow)
        return not self._is_attachment(url)

    def _is_attachment(self, url: str) -> bool:
        suffix = Path(urlsplit(url).path).suffix.lower().lstrip(".")
        return suffix in {e.lower() for e in self.source.attachment_extensions}

    def _conditional(self, known) -> dict[str, str]:  # noqa: ANN001
        headers = {}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def _page(self, url: str, state: CrawlState, result: CrawlResult):  # noqa: ANN202
        """Fetch a listing or detail page (or reuse its cached copy on 304); its links."""
        known = state.get(url)
        cache = self.root / "pages" / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".html")
        response = self._get(url, self._conditional(known if cache.exists() else None))
        if response.status_code == 304:
            result.not_modified += 1
            html = cache.read_text(encoding="utf-8")
        elif response.status_code == 200:
            result.fetched += 1
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            if content_type in DOCUMENT_TYPES:  # a start URL that is itself a document
                raise FetchFailed(f"expected an HTML page, got {content_type}")
            html = response.text
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(html, encoding="utf-8")
            state.put(url, "page", etag=response.headers.get("etag"),
                      last_modified=response.headers.get("last-modified"), sha256=None,
                      path=str(cache))
        else:
            raise FetchFailed(f"HTTP {response.status_code}")
        final = str(response.url) if response.status_code == 200 else url
        return html, self._links(html, final), _published(html)

    @staticmethod
    def _links(html: str, base: str) -> list[str]:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "lxml")
        links = []
        for a in soup.find_all("a", href=True):
            href = urldefrag(urljoin(base, a["href"].strip()))[0]
            if urlsplit(href).scheme in ("http", "https") and href not in links:
                links.append(href)
        return links

    def _attachment(self, url: str, referrer: str, published: str | None, state: CrawlState,
                    result: CrawlResult) -> None:
        known = state.get(url)
        target = self.current_dir / self._local_path(url)
        try:
            headers = self._conditional(known if known and known.status == "ok" and target.exists()
                                        else None)
            response = self._get(url, headers)
            if response.status_code == 304:
                result.not_modified += 1
                result.unchanged += 1
                return
            if response.status_code != 200:
                raise FetchFailed(f"HTTP {response.status_code}")
            data = response.content
            if len(data) > self.source.max_file_mb * 1024 * 1024:
                raise FetchFailed(f"larger than {self.source.max_file_mb} MB")
        except FetchFailed as exc:
            result.failed.append((url, str(exc)))
            if known and known.status == "ok" and "HTTP 404" in str(exc):
                self._remove(known, state, result)
            return
        result.fetched += 1
        digest = hashlib.sha256(data).hexdigest()
        validators = {"etag": response.headers.get("etag"),
                      "last_modified": response.headers.get("last-modified")}
        if known and known.status == "ok" and known.sha256 == digest and target.exists():
            state.put(url, "attachment", sha256=digest, path=str(target), published=published,
                      referrer=referrer, **validators)
            result.unchanged += 1
            return
        if known and known.status == "ok" and target.exists():
            result.changed.append(url)
        else:
            result.new.append(url)
        version = self._keep_version(url, data, digest)
        _write_atomic(target, data)
        sidecar = {"source_url": url, "referrer": referrer,
                   "published": published or _http_date(response.headers.get("last-modified")),
                   "agency": self.source.agency, "disclosure": self.source.disclosure,
                   "source": self.source.name, "sha256": digest}
        _write_atomic(target.with_name(target.name + ".meta.json"),
                      json.dumps(sidecar, ensure_ascii=False, indent=1).encode("utf-8"))
        # the version keeps its sidecar too: silent-edit records need its disclosure and agency
        _write_atomic(version.with_name(version.name + ".meta.json"),
                      json.dumps(sidecar, ensure_ascii=False, indent=1).encode("utf-8"))
        state.put(url, "attachment", sha256=digest, path=str(target), published=published,
                  referrer=referrer, **validators)
        state.add_version(url, digest, str(version))

    def _keep_version(self, url: str, data: bytes, digest: str) -> Path:
        local = self._local_path(url)
        version = self.root / "versions" / local.parent / f"{local.stem}@{digest[:12]}{local.suffix}"
        if not version.exists():
            _write_atomic(version, data)
        return version

    def _remove(self, known, state: CrawlState, result: CrawlResult) -> None:  # noqa: ANN001
        if known.path:
            for path in (Path(known.path), Path(known.path + ".meta.json")):
                if path.exists():
                    path.unlink()
        state.mark_removed(known.url)
        result.removed.append(known.url)

    @staticmethod
    def _local_path(url: str) -> Path:
        parts = urlsplit(url)
        segments = [_SAFE.sub("_", unquote(s)) for s in parts.path.split("/") if s not in ("", ".", "..")]
        if parts.query:
            digest = hashlib.sha256(parts.query.encode()).hexdigest()[:8]
            stem, dot, ext = (segments[-1] if segments else "index").rpartition(".")
            segments[-1:] = [f"{stem or ext}-{digest}.{ext}" if dot else f"{ext}-{digest}"]
        return Path(_SAFE.sub("_", parts.netloc), *(segments or ["index.html"]))


_PUBLISHED = re.compile(r"(?:發布日期|公告日期|發布時間|更新日期|上稿日期)\s*[:：]?\s*([0-9０-９年月日/.\-民國 ]{6,20})")


def crawl_into(source: WebsiteSource, root: Path, client=None) -> CrawlResult:  # noqa: ANN001
    """One crawl of ``source`` into the mirror at ``root``, with its crawl store
    (``root/crawl.sqlite3``) beside it: what each scheduled collect of a website does."""
    with CrawlState(Path(root) / "crawl.sqlite3") as state:
        return WebsiteCrawler(source, Path(root), client).crawl(state)


def _published(html: str) -> str | None:
    """The publish date printed on a page (ROC or Gregorian), ISO formatted."""
    from extractors.metadata import parse_date

    match = _PUBLISHED.search(re.sub(r"<[^>]+>", " ", html))
    if not match:
        return None
    found = parse_date(match.group(1))
    return found.isoformat() if found else None


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
