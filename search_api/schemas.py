"""Response models of the HTTP API (the public contract; engines' dataclasses stay inside)."""

from __future__ import annotations

from datetime import date

from typing import Literal

from pydantic import BaseModel, Field


class HighlightOut(BaseModel):
    page: int = Field(description="1-based page number the snippet comes from")
    text: str = Field(description="Snippet of the original text; matches wrapped in <mark>, the "
                                  "rest HTML-escaped")


class HitOut(BaseModel):
    id: str
    title: str
    filename: str = Field(description="The original file name")
    doc_type: str
    agency: str
    case_id: str
    date: date | None
    page: int | None = Field(description="Page of the best match")
    score: float
    highlights: list[HighlightOut]
    contractors: list[str] = Field(default_factory=list, description="Contractors it names")


class FacetOut(BaseModel):
    value: str
    count: int


class SearchOut(BaseModel):
    total: int
    hits: list[HitOut]
    facets: dict[str, list[FacetOut]]
    did_you_mean: str | None = Field(None, description="A corrected query (Simplified input, "
                                                       "variant characters, misspelt names)")
    relaxed: bool = Field(False, description="No document has every word of the query; these "
                                             "hits have some of them")


class PageOut(BaseModel):
    number: int
    text: str


class DocumentOut(BaseModel):
    id: str
    title: str
    filename: str
    doc_type: str
    agency: str
    case_id: str
    date: date | None
    lang: str
    format: str
    sha256: str
    metadata: dict[str, str | int | float | None]
    disclosure: str
    pages: list[PageOut]
    file_url: str
    contractors: list[str] = Field(default_factory=list, description="Contractors it names")
    ocr_confidence: dict[int, float] = Field(
        default_factory=dict, description="Scanned pages read by OCR: page → Tesseract's mean "
                                          "word confidence (0-100); under 60 is flagged for review")
    masked: bool = Field(False, description="Personal data of private persons was masked for "
                                            "this caller (no original file, no page images)")


class HealthOut(BaseModel):
    status: str
    documents: int


class ErrorOut(BaseModel):
    error: str
    message: str
    detail: list[dict] | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    role: str


class WhoAmIOut(BaseModel):
    name: str | None
    role: str


class DisclosureIn(BaseModel):
    disclosure: Literal["public", "restricted"]
    reason: str = Field(min_length=3, max_length=1000, description="Why (kept in the audit log)")


class FlagDismissIn(BaseModel):
    reason: str = Field(min_length=3, max_length=1000,
                        description="Why the flag is dismissed (kept, and in the audit log)")


class AuditEntryOut(BaseModel):
    time: str
    user: str | None
    role: str
    action: str
    details: dict
    previous: str
    hash: str


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=512, description="In the archive's query language")
