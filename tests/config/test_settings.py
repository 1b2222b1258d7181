from pathlib import Path

from config import Settings
from config.settings import env_example

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting_with_its_default():
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), (
        "regenerate: python -c 'from config.settings import env_example; "
        "print(env_example(), end=\"\")' > .env.example")


def test_every_setting_has_a_description():
    text = env_example()
    for line in text.splitlines():
        if line.startswith("# ARCHIVE_"):
            assert "=" in line
    assert "# None" not in text


def test_environment_prefix_and_nesting(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARCHIVE_INGEST__BATCH_SIZE", "7")
    monkeypatch.setenv("ARCHIVE_SEARCH__MAX_LIMIT", "50")
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path
    assert settings.ingest.batch_size == 7
    assert settings.search.max_limit == 50
    assert settings.index_dir == tmp_path / "index"
    assert settings.ledger_path.parent == tmp_path


def test_settings_are_lazy_and_cached(monkeypatch, tmp_path):
    from config import get_settings, reset_settings

    reset_settings()
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "a"))
    first = get_settings()
    monkeypatch.setenv("ARCHIVE_DATA_DIR", str(tmp_path / "b"))
    assert get_settings() is first
    reset_settings()
    assert get_settings().data_dir == tmp_path / "b"
    reset_settings()
