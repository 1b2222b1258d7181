"""Open Contracting Data Standard import: release and record packages (files or URLs) are merged
into one case record per ocid (tender, awards, suppliers, parties, documents, milestones), kept as
JSON under ``<root>/cases/`` and rendered as a searchable HTML summary in ``<root>/current/`` with
a sidecar that links it to its case, buyer and suppliers."""

from __future__ import annotations

import html
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.sources import OcdsSource

log = logging.getLogger(__name__)


@dataclass
class OcdsResult:
    packages: int = 0
    releases: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"fetched": self.packages, "not_modified": 0, "releases": self.releases,
                "new": self.new, "changed": self.changed, "removed": self.removed,
                "unchanged": self.unchanged,
                "failed": [{"url": u, "reason": r} for u, r in self.failed]}


def load_package(location: str, base: Path | None = None) -> dict[str, Any]:
    if location.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(location, timeout=60, follow_redirects=True)
        response.raise_for_status()
        return response.json()
    path = Path(location)
    if not path.is_absolute() and base is not None:
        path = base / path
    return json.loads(path.read_text(encoding="utf-8"))


def _merge(into: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """OCDS-style merge: objects merge key by key, arrays of objects with ids merge by id,
    anything else is replaced by the newer value."""
    for key, value in update.items():
        old = into.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            _merge(old, value)
        elif isinstance(value, list) and isinstance(old, list) and value and \
                all(isinstance(v, dict) and "id" in v for v in value + old):
            by_id = {str(v["id"]): v for v in old}
            for v in value:
                if str(v["id"]) in by_id:
                    _merge(by_id[str(v["id"])], v)
                else:
                    old.append(v)
                    by_id[str(v["id"])] = v
        else:
            into[key] = json.loads(json.dumps(value))
    return into


def compile_records(packages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One compiled release per ocid: a record's compiledRelease, else the merge of releases."""
    compiled: dict[str, dict[str, Any]] = {}
    releases: dict[str, list[dict[str, Any]]] = {}
    for package in packages:
        for record in package.get("records", []):
            if isinstance(record.get("compiledRelease"), dict):
                compiled[record["ocid"]] = _merge(compiled.get(record["ocid"], {}),
                                                  record["compiledRelease"])
            for release in record.get("releases", []):
                if "tag" in release and "ocid" in release and "url" not in release:
                    releases.setdefault(release["ocid"], []).append(release)
        for release in package.get("releases", []):
            releases.setdefault(release["ocid"], []).append(release)
    for ocid, items in releases.items():
        record = compiled.setdefault(ocid, {})
        for release in sorted(items, key=lambda r: r.get("date", "")):
            _merge(record, {k: v for k, v in release.items() if k != "tag"})
    return compiled


def case_summary(record: dict[str, Any]) -> dict[str, Any]:
    """The fields the archive links on: buyer, title, value, suppliers, documents, milestones."""
    tender = record.get("tender", {}) or {}
    buyer = (record.get("buyer") or {}).get("name", "")
    parties = record.get("parties", []) or []
    suppliers = []
    for award in record.get("awards", []) or []:
        for supplier in award.get("suppliers", []) or []:
            if supplier.get("name") and supplier["name"] not in suppliers:
                suppliers.append(supplier["name"])
    documents = []
    for holder in [tender] + (record.get("awards") or []) + (record.get("contracts") or []) + \
            [record.get("planning") or {}]:
        for doc in holder.get("documents", []) or []:
            documents.append({k: doc.get(k) for k in ("id", "title", "documentType", "url",
                                                      "format", "datePublished")})
    milestones = [m for holder in [tender] + (record.get("contracts") or [])
                  for m in holder.get("milestones", []) or []]
    return {"ocid": record.get("ocid"), "title": tender.get("title", ""),
            "description": tender.get("description", ""), "buyer": buyer,
            "value": tender.get("value"), "status": tender.get("status"),
            "tender_period": tender.get("tenderPeriod"), "suppliers": suppliers,
            "tenderers": tender.get("numberOfTenderers"),
            "awards": [{"id": a.get("id"), "title": a.get("title"), "value": a.get("value"),
                        "date": a.get("date"), "status": a.get("status"),
                        "suppliers": [s.get("name") for s in a.get("suppliers", []) or []]}
                       for a in record.get("awards", []) or []],
            "contracts": [{"id": c.get("id"), "title": c.get("title"), "value": c.get("value"),
                           "status": c.get("status")} for c in record.get("contracts", []) or []],
            "parties": [{"name": p.get("name"), "roles": p.get("roles", [])} for p in parties],
            "documents": documents, "milestones": milestones, "date": record.get("date")}


def render_html(summary: dict[str, Any]) -> str:
    e = html.escape

    def money(value: dict | None) -> str:
        if not value or value.get("amount") is None:
            return ""
        return f"{value.get('currency', '')} {value['amount']:,}"

    rows = [f"<p>Case No.: {e(summary['ocid'] or '')}</p>", f"<p>Agency: {e(summary['buyer'])}</p>",
            f"<p>{e(summary['description'] or '')}</p>",
            f"<p>Tender value: {e(money(summary['value']))} (status: {e(str(summary['status']))})</p>"]
    # Labelled lines the red flags read (search_index/flags.py): bidders, submission period,
    # award value.
    if isinstance(summary.get("tenderers"), int):
        rows.append(f"<p>Number of tenderers: {summary['tenderers']}</p>")
    period = summary.get("tender_period") or {}
    start, end = str(period.get("startDate") or "")[:10], str(period.get("endDate") or "")[:10]
    if len(start) == 10 and len(end) == 10:
        rows.append(f"<p>Tender period: {e(start)} to {e(end)}</p>")
    for award in summary["awards"]:
        if award.get("value") and award["value"].get("amount") is not None:
            rows.append(f"<p>Award value: {e(money(award['value']))}</p>")
        rows.append(f"<p>Award {e(str(award['id']))}: {e(award['title'] or '')} — "
                    f"{e(', '.join(s for s in award['suppliers'] if s))} — {e(money(award['value']))} "
                    f"({e(str(award['date']))})</p>")
    for contract in summary["contracts"]:
        rows.append(f"<p>Contract {e(str(contract['id']))}: {e(contract['title'] or '')} "
                    f"{e(money(contract['value']))}</p>")
    for party in summary["parties"]:
        rows.append(f"<p>Party: {e(party['name'] or '')} ({e(', '.join(party['roles']))})</p>")
    for doc in summary["documents"]:
        rows.append(f"<p>Document: <a href=\"{e(doc.get('url') or '')}\">{e(doc.get('title') or '')}</a>"
                    f" [{e(str(doc.get('documentType')))}]</p>")
    for milestone in summary["milestones"]:
        rows.append(f"<p>Milestone: {e(str(milestone.get('title')))} {e(str(milestone.get('dueDate')))}</p>")
    title = e(summary["title"] or summary["ocid"] or "OCDS case")
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{''.join(rows)}</body></html>\n")


def _write_if_changed(path: Path, text: str) -> str:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return "unchanged"
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return "changed" if existed else "new"


def import_packages(source: OcdsSource, root: Path, base: Path | None = None) -> OcdsResult:
    result = OcdsResult()
    packages = []
    for location in source.packages:
        try:
            packages.append(load_package(location, base))
            result.packages += 1
        except Exception as exc:  # noqa: BLE001 - one bad package never stops the others
            result.failed.append((location, f"{type(exc).__name__}: {exc}"))
    result.releases = sum(len(p.get("releases", [])) + len(p.get("records", [])) for p in packages)
    seen: set[str] = set()
    for ocid, record in compile_records(packages).items():
        summary = case_summary(record)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in ocid)
        seen.add(safe)
        _write_if_changed(root / "cases" / f"{safe}.json",
                          json.dumps({"summary": summary, "compiled": record}, ensure_ascii=False,
                                     indent=1))
        html_path = root / "current" / f"{safe}.html"
        state = _write_if_changed(html_path, render_html(summary))
        sidecar = {"source": source.name, "case_id": ocid, "agency": summary["buyer"] or source.agency,
                   "contractors": summary["suppliers"], "disclosure": source.disclosure,
                   "published": (summary.get("date") or "")[:10] or None, "doc_type": "award_notice"
                   if summary["awards"] else "tender_notice", "source_url": f"ocds:{ocid}"}
        _write_if_changed(Path(str(html_path) + ".meta.json"),
                          json.dumps(sidecar, ensure_ascii=False, indent=1))
        if state == "new":
            result.new.append(ocid)
        elif state == "changed":
            result.changed.append(ocid)
        else:
            result.unchanged += 1
    if not result.failed:  # cases no longer in any package leave the searchable folder
        for path in (root / "current").glob("*.html") if (root / "current").exists() else []:
            if path.stem not in seen:
                path.unlink()
                Path(str(path) + ".meta.json").unlink(missing_ok=True)
                result.removed.append(path.stem)
    return result
