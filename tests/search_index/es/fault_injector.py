"""A recording fault injector in place of the Elasticsearch client's HTTP node.

It answers the handful of endpoints the backend uses, keeps an in-memory index of bulk writes
(by _id, so a re-sent document is visible as a second write), and fails on a script:
whole-request 429s and 503s, timeouts, and per-item failures inside a bulk response.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from elastic_transport import ApiResponseMeta, BaseNode, ConnectionTimeout, HttpHeaders
from elastic_transport._node._base import NodeApiResponse

from search_index.es import index_admin


class FaultScript:
    """What goes wrong, request by request (bulk requests are counted from 1)."""

    def __init__(self) -> None:
        self.bulk_request_status: dict[int, int] = {}  # bulk request number → HTTP status
        self.bulk_timeouts: set[int] = set()  # bulk request numbers that time out
        self.item_status: dict[str, list[int]] = {}  # doc id → statuses for its attempts
        self.mapping_version: int | None = None  # report another mapping version


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.bulk_requests = 0
        self.attempts: dict[str, int] = defaultdict(int)
        self.writes: dict[str, int] = defaultdict(int)  # successful writes per id
        self.deletes: dict[str, int] = defaultdict(int)
        self.store: dict[str, dict[str, Any]] = {}


SCRIPT = FaultScript()
RECORDER = Recorder()


def reset() -> tuple[FaultScript, Recorder]:
    global SCRIPT, RECORDER
    SCRIPT, RECORDER = FaultScript(), Recorder()
    return SCRIPT, RECORDER


class FaultInjectingNode(BaseNode):
    def perform_request(self, method, target, body=None, headers=None,  # noqa: ANN001, ANN201
                        request_timeout=None):
        RECORDER.requests.append((method, target))
        path = target.split("?")[0]
        if path.endswith("/_bulk"):
            return self._bulk(body or b"")
        if path == "/" and method in ("GET", "HEAD"):
            return self._json(200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"})
        if path.startswith("/_alias/") and method == "HEAD":
            return self._json(200, {})
        if re.fullmatch(r"/[^/]+/_mapping", path):
            mappings = dict(index_admin.index_definition()["mappings"])
            if SCRIPT.mapping_version is not None:
                mappings["_meta"] = {"mapping_version": SCRIPT.mapping_version}
            return self._json(200, {"archive-v1": {"mappings": mappings}})
        if path.endswith("/_refresh"):
            return self._json(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
        return self._json(404, {"error": {"type": "not_found", "reason": f"{method} {path}"},
                                "status": 404})

    def _bulk(self, body: bytes):  # noqa: ANN202
        RECORDER.bulk_requests += 1
        number = RECORDER.bulk_requests
        if number in SCRIPT.bulk_timeouts:
            raise ConnectionTimeout("injected timeout")
        status = SCRIPT.bulk_request_status.get(number)
        if status:
            return self._json(status, {"error": {"type": "injected", "reason": f"injected {status}"},
                                       "status": status})
        lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
        items, errors = [], False
        while lines:
            op, meta = next(iter(lines.pop(0).items()))
            doc_id = meta["_id"]
            if op == "delete":
                found = RECORDER.store.pop(doc_id, None) is not None
                RECORDER.deletes[doc_id] += 1
                items.append({op: {"_id": doc_id, "status": 200 if found else 404}})
                continue
            source = lines.pop(0)
            attempt = RECORDER.attempts[doc_id]
            RECORDER.attempts[doc_id] += 1
            plan = SCRIPT.item_status.get(doc_id, [])
            item_status = plan[attempt] if attempt < len(plan) else 201
            item: dict[str, Any] = {"_index": "archive-v1", "_id": doc_id, "status": item_status}
            if item_status >= 300:
                errors = True
                item["error"] = {"type": "injected_failure" if item_status != 429 else
                                 "es_rejected_execution_exception",
                                 "reason": f"injected item failure {item_status}"}
            else:
                RECORDER.writes[doc_id] += 1
                RECORDER.store[doc_id] = source
            items.append({op: item})
        return self._json(200, {"took": 1, "errors": errors, "items": items})

    def _json(self, status: int, payload: dict) -> NodeApiResponse:
        headers = HttpHeaders({"content-type": "application/json",
                               "x-elastic-product": "Elasticsearch"})
        meta = ApiResponseMeta(status=status, http_version="1.1", headers=headers, duration=0.0,
                               node=self.config)
        return NodeApiResponse(meta, json.dumps(payload).encode("utf-8"))
