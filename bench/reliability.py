"""`make reliability`: the whole reliability and security suite at full scale (tests/reliability
with ARCHIVE_RELIABILITY_FULL=1), then one line per property with its figure; the figures are
kept in bench/results/reliability.json. Exit status: pytest's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reliability.json"
ORDER = ["crash", "crash-library", "crash-prefect", "rebuild", "backup", "hostile-files",
         "hostile-queries", "hostile-extremes", "load", "security", "pip-audit"]


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="archive-reliability-") as tmp:
        report = Path(tmp) / "figures.jsonl"
        env = dict(os.environ, ARCHIVE_RELIABILITY_FULL="1", ARCHIVE_RELIABILITY_REPORT=str(report))
        tests = [str(ROOT / "tests" / "reliability"), str(ROOT / "tests" / "search_index" / "test_backup.py")]
        run = subprocess.run([sys.executable, "-m", "pytest", *tests, "-m",
                              "reliability or not reliability", "-q", "-p", "no:cacheprovider",
                              "-W", "ignore::DeprecationWarning", *sys.argv[1:]],
                             cwd=ROOT, env=env)
        figures = [json.loads(line) for line in report.read_text().splitlines()] \
            if report.exists() else []
    elapsed = time.monotonic() - started
    by_property = {f["property"]: f for f in figures}
    if "backup" not in by_property and run.returncode == 0:
        by_property["backup"] = {"property": "backup", "line": "backup and restore while serving: "
                                 "tests/search_index/test_backup.py passed (restored searches "
                                 "identical)"}
    crashes = [by_property[k] for k in ("crash-library", "crash-prefect") if k in by_property]
    if len(crashes) == 2:
        kills = sum(len(c.get("kills", [])) for c in crashes)
        by_property["crash"] = {"property": "crash", "kills": kills, "line": (
            f"kill -9 at {kills} points (extraction, write, commit, ledger write, random "
            "moments): 0 lost, 0 duplicated, 0 changed against a clean run")}
    print()
    print(f"reliability suite ({'all passed' if run.returncode == 0 else 'FAILURES'}, "
          f"{elapsed / 60:.1f} min):")
    for name in ORDER + sorted(set(by_property) - set(ORDER)):
        if name in by_property:
            print(f"  {by_property[name]['line']}")
        else:
            print(f"  {name}: no figure (test failed or did not run)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"passed": run.returncode == 0, "minutes": round(elapsed / 60, 2),
                                   "properties": by_property}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
