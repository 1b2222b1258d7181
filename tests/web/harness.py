"""A served archive for browser tests and screenshots: the sample corpus plus one restricted
document, an auditor and an admin, uvicorn on a free loopback port, and Debian's chromium."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from tests.reliability.harness import free_port

CHROMIUM = os.environ.get("ARCHIVE_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network and root in a container (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
AUDITOR = ("auditor1", "correct horse battery")
ADMIN = ("admin1", "correct horse battery staple")
RESTRICTED_TEXT = ("秘密調查局評選委員會會議紀錄\n\n機關名稱：秘密調查局\n案號：999Z999-99\n"
                   "得標廠商：暗影營造有限公司（統一編號：22099131）\n蛟龍計畫圍標調查，"
                   "日期：民國110年1月5日")


def chromium_path() -> str | None:
    found = shutil.which(CHROMIUM) if not os.path.isabs(CHROMIUM) else CHROMIUM
    return found if found and os.path.exists(found) else None


def build_archive(corpus: Path, data_dir: Path):  # noqa: ANN201
    """Ingest ``corpus`` plus a restricted document into ``data_dir``; returns the settings."""
    from config import Settings
    from search_api.accounts import Accounts
    from search_index.ingest_pipeline import run_ingest

    restricted = data_dir.parent / "restricted-source"
    restricted.mkdir(parents=True, exist_ok=True)
    (restricted / "蛟龍計畫會議紀錄.txt").write_text(RESTRICTED_TEXT, encoding="utf-8")
    (restricted / "蛟龍計畫會議紀錄.txt.meta.json").write_text(
        json.dumps({"disclosure": "restricted"}), encoding="utf-8")
    settings = Settings(data_dir=data_dir, _env_file=None)
    for source in (corpus, restricted):
        summary = run_ingest(source, settings)
        assert summary.failed == 0, summary.failures
    accounts = Accounts(data_dir / "accounts.sqlite3")
    accounts.add_user(AUDITOR[0], "auditor", AUDITOR[1])
    accounts.add_user(ADMIN[0], "admin", ADMIN[1])
    return settings


@contextmanager
def served(settings):  # noqa: ANN001, ANN201
    """uvicorn serving the app on 127.0.0.1 in a thread; yields the base URL."""
    import uvicorn

    from search_api.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def browser():  # noqa: ANN201
    """Headless Debian chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
