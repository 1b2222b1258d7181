"""config/sources.yaml: where documents come from — folders, agency websites, OCDS packages —
with a schedule, a disclosure level and a default agency per source. Validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SOURCES_EXAMPLE = Path(__file__).resolve().parent / "sources.example.yaml"


class SourceBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Unique id (a-z, 0-9, -)")
    schedule: str | None = Field(None, description="Cron expression, e.g. '0 3 * * *'")
    interval_seconds: int | None = Field(None, ge=5, description="Or: run every N seconds")
    disclosure: Literal["public", "restricted"] = "public"
    agency: str = Field("", description="Agency of documents that do not name one")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from cronsim import CronSim, CronSimError
            from datetime import datetime

            try:
                CronSim(value, datetime(2024, 1, 1))
            except CronSimError as exc:
                raise ValueError(f"not a cron expression: {value!r} ({exc})") from None
        return value


class FolderSource(SourceBase):
    kind: Literal["folder"]
    path: Path


class WebsiteSource(SourceBase):
    kind: Literal["website"]
    start_urls: list[str] = Field(min_length=1)
    allowed_hosts: list[str] = Field(default_factory=list, description="Default: the start URLs' hosts")
    follow: list[str] = Field(default_factory=list,
                              description="Regexes a page URL must match to be followed (default: any)")
    attachment_extensions: list[str] = Field(
        default_factory=lambda: ["pdf", "odt", "docx", "doc", "html", "htm", "txt"])
    max_depth: int = Field(3, ge=0, le=10)
    max_pages: int = Field(2000, ge=1)
    requests_per_second: float = Field(1.0, gt=0, le=50, description="Per host")
    timeout_seconds: float = Field(30.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    max_file_mb: int = Field(200, ge=1)
    user_agent: str = "integrity-archive/0.1 (procurement integrity archive crawler)"

    @model_validator(mode="after")
    def _hosts(self) -> WebsiteSource:
        from urllib.parse import urlsplit

        for url in self.start_urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"start URL {url!r} is not http(s)")
        if not self.allowed_hosts:
            self.allowed_hosts = sorted({urlsplit(u).netloc for u in self.start_urls})
        return self


class OcdsSource(SourceBase):
    kind: Literal["ocds"]
    packages: list[str] = Field(min_length=1, description="Release or record package files or URLs")


Source = Annotated[FolderSource | WebsiteSource | OcdsSource, Field(discriminator="kind")]


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]

    @model_validator(mode="after")
    def _unique(self) -> SourcesFile:
        names = [s.name for s in self.sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique: {', '.join(duplicates)}")
        return self

    def get(self, name: str) -> FolderSource | WebsiteSource | OcdsSource:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(f"no source named {name!r} (known: {', '.join(s.name for s in self.sources)})")


def load_sources(path: Path) -> SourcesFile:
    """Read and validate a sources file; errors name the line's source and field."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    base = Path(path).resolve().parent
    result = SourcesFile.model_validate(data)
    for source in result.sources:
        if isinstance(source, FolderSource) and not source.path.is_absolute():
            source.path = (base / source.path).resolve()
    return result
