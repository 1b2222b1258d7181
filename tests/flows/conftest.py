"""Fixtures for flow tests: flows read settings from the environment, as in production."""

from __future__ import annotations

import pytest

from config import reset_settings


@pytest.fixture
def env_settings(monkeypatch, tmp_path):
    """Settings whose data dir is this test's, set through ARCHIVE_DATA_DIR."""
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "var"))
    reset_settings()
    from config import get_settings

    yield get_settings()
    reset_settings()
