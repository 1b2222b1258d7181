"""A token bucket per client address for anonymous API calls and pages (callers with an
API credential are accountable through the audit log instead). Over the limit: 429 with Retry-After."""

from __future__ import annotations

import threading
import time

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class TokenBuckets:
    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds until a request would be."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > 100_000:  # forget idle clients
                    self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


class RateLimitMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, buckets: TokenBuckets) -> None:  # noqa: ANN001
        super().__init__(app)
        self.buckets = buckets

    async def dispatch(self, request: Request, call_next) -> Response:  # noqa: ANN001
        # An Authorization header is resolved (or refused with 401, cheaply) before any work;
        # a session cookie is not trusted here, so web pages count for everyone.
        if not request.url.path.startswith("/static/") and "authorization" not in request.headers:
            client = request.client.host if request.client else "unknown"
            wait = self.buckets.take(client)
            if wait > 0:
                return JSONResponse(status_code=429, headers={"Retry-After": str(int(wait) + 1)},
                                    content={"error": "rate_limited",
                                             "message": "too many requests; slow down"})
        return await call_next(request)
