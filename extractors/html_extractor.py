"""HTML pages: visible text (scripts and styles dropped), title and tables."""

from __future__ import annotations

from pathlib import Path

from extractors.base import ExtractedDocument, Page, clean_text, require_text
from extractors.text_extractor import decode_bytes

BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
              "article", "header", "footer", "dt", "dd", "pre", "blockquote")


def _layout_text(root) -> str:  # noqa: ANN001
    """The visible text with a line break around every block and a tab after every cell, in
    one iterative pass (inserting separators into the tree is quadratic on deep nesting, and
    recursion would overflow)."""
    from bs4 import CData, NavigableString

    out: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            out.append(node)  # a separator pushed below
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                out.append(str(node))
            continue
        name = getattr(node, "name", None)
        block = node is not root and name in BLOCK_TAGS
        if block:
            out.append("\n")
        if node is not root and name in ("td", "th"):
            stack.append("\t")
        if block:
            stack.append("\n")
        stack.extend(reversed(node.contents))
    return "".join(out)


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
    body = soup.body or soup
    raw = _layout_text(body)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = clean_text("\n".join(line for line in lines if line))
    pages = [Page(number=1, text=text, tables=tables)]
    require_text("html", pages, "HTML page")
    if not title:
        heading = soup.find(["h1", "h2"])
        title = heading.get_text(" ", strip=True) if heading else ""
    return ExtractedDocument(format="html", pages=pages, title=title)
