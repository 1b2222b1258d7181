"""HTML pages: visible text (scripts and styles dropped), title and tables."""

from __future__ import annotations

from pathlib import Path

from extractors.base import ExtractedDocument, Page, clean_text, require_text
from extractors.text_extractor import decode_bytes

BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
              "article", "header", "footer", "dt", "dd", "pre", "blockquote")


def extract_html(path: Path) -> ExtractedDocument:
    from bs4 import BeautifulSoup

    markup = decode_bytes(path.read_bytes(), html=True)
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    tables = []
    for table in soup.find_all("table"):
        rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
                for tr in table.find_all("tr")]
        tables.append([r for r in rows if r])
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("\t")
    body = soup.body or soup
    raw = body.get_text()
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = clean_text("\n".join(line for line in lines if line))
    pages = [Page(number=1, text=text, tables=tables)]
    require_text("html", pages, "HTML page")
    if not title:
        heading = soup.find(["h1", "h2"])
        title = heading.get_text(" ", strip=True) if heading else ""
    return ExtractedDocument(format="html", pages=pages, title=title)
