"""Shared fixtures: the generated sample corpus, isolated settings, hostile files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
# A private Prefect home: the tests' flow runs and artifacts never mix with an operator's.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="archive-tests-prefect-")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cli.sample_corpus import generate

    out = tmp_path_factory.mktemp("sample-corpus")
    generate(out)
    return out


@pytest.fixture
def settings(tmp_path: Path):
    from config import Settings

    return Settings(data_dir=tmp_path / "var", _env_file=None)


def write_hostile_files(folder: Path) -> dict[str, str]:
    """A corrupt PDF, an encrypted PDF, an empty file and a JPEG named .pdf; returns name → kind."""
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "_tmp_good.pdf"
    c = canvas.Canvas(str(good))
    c.drawString(72, 720, "This PDF will be truncated " * 3)
    c.showPage()
    c.save()
    data = good.read_bytes()
    good.unlink()
    (folder / "corrupt.pdf").write_bytes(data[: len(data) // 3])
    c = canvas.Canvas(str(folder / "encrypted.pdf"), encrypt="secret-password")
    c.drawString(72, 720, "Encrypted procurement minutes")
    c.showPage()
    c.save()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.pdf").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    return {"corrupt.pdf": "corrupt", "encrypted.pdf": "encrypted", "empty.txt": "empty",
            "photo.pdf": "corrupt"}


@pytest.fixture
def hostile_dir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "hostile"
    return folder, write_hostile_files(folder)


@pytest.fixture(scope="session")
def ingested_sample(tmp_path_factory: pytest.TempPathFactory, sample_corpus: Path):
    """Settings whose data dir holds the whole sample corpus, ingested through the library."""
    from config import Settings
    from search_index.ingest_pipeline import run_ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("ingested") / "var", _env_file=None)
    summary = run_ingest(sample_corpus, settings)
    assert summary.failed == 0, summary.failures
    return settings
