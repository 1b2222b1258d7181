"""Real Taiwanese documents (../shared/data/realdocs): ingest them all, then search every
manifest phrase as a phrase query; print the hit rate per format (OCR included).

    python bench/realdocs.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import SHARED, write_result  # noqa: E402


def measure(folder: Path, data_dir: Path) -> dict:
    from config import Settings
    from search_index import SearchQuery, open_backend
    from search_index.ingest_pipeline import run_ingest

    import shutil

    settings = Settings(data_dir=data_dir, _env_file=None)
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line]
    documents = data_dir.parent / "realdocs-input"  # the documents only, not README/manifest
    documents.mkdir(parents=True, exist_ok=True)
    for row in rows:
        shutil.copyfile(folder / row["file"], documents / row["file"])
    summary = run_ingest(documents, settings)
    per_format: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    backend = open_backend(settings)
    try:
        for row in rows:
            for phrase in row["expected_phrases"]:
                page = backend.search(SearchQuery(f'"{phrase}"', limit=20, facets=()))
                found = any(hit.filename == row["file"] for hit in page.hits)
                per_format[row["format"]][0] += found
                per_format[row["format"]][1] += 1
                if not found:
                    misses.append((row["file"], phrase))
    finally:
        backend.close()
    return {"indexed": summary.indexed, "failed": summary.failures,
            "per_format": {k: {"found": v[0], "phrases": v[1], "rate": v[0] / v[1]}
                           for k, v in sorted(per_format.items())},
            "misses": misses}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(SHARED / "realdocs", Path(tmp) / "var")
    print(f"indexed {result['indexed']} files, failed {len(result['failed'])}")
    for name, row in result["per_format"].items():
        print(f"{name:<12} {row['found']:>3}/{row['phrases']:<3} phrases found  ({row['rate']:.0%})")
    for file, phrase in result["misses"]:
        print(f"  missed {phrase!r} in {file}")
    print("wrote", write_result("realdocs", result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
