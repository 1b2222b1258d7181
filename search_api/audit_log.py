"""A tamper-evident audit log: JSON lines, each carrying the SHA-256 of the previous line's hash
and its own content, so editing, removing or reordering any line breaks the chain. A head file
beside it holds the count and hash of the last entry, so cutting lines off the end shows too
(keep a copy of the head elsewhere to guard against rewriting both)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
_lock = threading.Lock()


def _hash(previous: str, entry: dict[str, Any]) -> str:
    body = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((previous + body).encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(self, user: str | None, role: str, action: str, **details: Any) -> dict[str, Any]:
        # as JSON will read it back (dates become ISO strings), so the hash verifies later
        details = json.loads(json.dumps(details, ensure_ascii=False, default=str))
        with _lock:
            head = self._read_head() or self._head_from_log()
            previous = head.get("hash", GENESIS)
            entry = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                     "user": user, "role": role, "action": action, "details": details,
                     "previous": previous}
            entry["hash"] = _hash(previous, entry)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                fh.flush()
            self.head_path.write_text(json.dumps({"count": head.get("count", 0) + 1,
                                                  "hash": entry["hash"]}), encoding="utf-8")
        return entry

    @property
    def head_path(self) -> Path:
        return self.path.with_name(self.path.name + ".head")

    def _head_from_log(self) -> dict[str, Any]:
        """For a log without a head file: count and last hash, read from the log itself."""
        count, last = 0, GENESIS
        for entry in self.entries():
            count, last = count + 1, entry["hash"]
        return {"count": count, "hash": last} if count else {}

    def _read_head(self) -> dict[str, Any]:
        try:
            return json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

    def verify(self) -> tuple[bool, int, str]:
        """(intact, entries checked, message naming the first broken line)."""
        previous = GENESIS
        count = 0
        try:
            with self.path.open(encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    entry = json.loads(line)
                    claimed = entry.pop("hash", None)
                    if entry.get("previous") != previous:
                        return False, count, f"line {number}: does not follow line {number - 1}"
                    if _hash(previous, entry) != claimed:
                        return False, count, f"line {number}: content was altered"
                    previous = claimed
                    count += 1
        except FileNotFoundError:
            return True, 0, "no audit log yet"
        except (ValueError, AttributeError) as exc:
            return False, count, f"line {count + 1}: unreadable ({exc})"
        head = self._read_head()
        if head and (head.get("count") != count or head.get("hash") != previous):
            return False, count, (f"the log ends after {count} entries but {head.get('count')} "
                                  "were written: entries were cut off the end")
        return True, count, f"{count} entries, chain intact"
