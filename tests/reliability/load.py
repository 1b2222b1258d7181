"""A bounded load generator (loopback only): N async httpx clients send search, document and
health requests to a local server for a fixed time; latencies and errors are counted."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

QUERIES = ["評選委員會", "決標", "臺北市政府", "台北 廠商", '"評選委員會 決議"', "採購 -流標",
           "type:會議紀錄", "date:2024", "contractor:大同營造", "case:112A558-01", "", "採購",
           "award", "committee", "工程 OR 勞務", "agency:捷運局 決標"]


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _client(base_url: str, until: float, result: LoadResult, seed: int) -> None:
    import httpx

    rng = random.Random(seed)
    doc_ids: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.7 or not doc_ids:
                url = "/api/search"
                params = {"q": rng.choice(QUERIES), "limit": rng.choice([10, 20, 50])}
            elif roll < 0.9:
                url, params = f"/api/documents/{rng.choice(doc_ids)}", {}
            else:
                url, params = "/api/health", {}
            started = time.monotonic()
            try:
                response = await client.get(url, params=params)
                ok = response.status_code == 200
                if ok and url == "/api/search":
                    doc_ids = [h["id"] for h in response.json()["hits"]][:20] or doc_ids
            except httpx.HTTPError as exc:
                ok, response = False, exc
            result.latencies.append(time.monotonic() - started)
            result.requests += 1
            if not ok:
                result.errors += 1
                if len(result.error_samples) < 10:
                    result.error_samples.append(f"{url} {params}: {response!r}")


def run_load(base_url: str, *, clients: int, seconds: float) -> LoadResult:
    """``clients`` concurrent clients for ``seconds``; only a loopback base_url is accepted."""
    if not base_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise ValueError("the load test only targets this machine")
    result = LoadResult()
    started = time.monotonic()
    until = started + seconds

    async def main() -> None:
        await asyncio.gather(*(_client(base_url, until, result, n) for n in range(clients)))

    asyncio.run(main())
    result.seconds = time.monotonic() - started
    return result
