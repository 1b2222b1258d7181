"""The fields every engine indexes for a document, computed once by the analyzer (engines only
store them): words and bigrams of title and body, canonical values, filter keys and texts."""

from __future__ import annotations

from analyzers import Analyzer
from analyzers.canonical import case_key
from search_index.protocol import IndexDocument
from search_index.query_plan import key_of

KEYWORD_FIELDS = ("doc_type", "agency", "case_id", "lang", "format")


def engine_fields(doc: IndexDocument, analyzer: Analyzer) -> dict[str, str | list[str]]:
    """Engine-independent field values; ``contractor_text`` holds one token string per name."""
    f = doc.analyzed or analyzer.index_fields(doc.title or doc.filename, [p.text for p in doc.pages])
    fields: dict[str, str | list[str]] = {
        "id": doc.id,
        "title_words": f.title_words,
        "title_bigrams": f.title_bigrams,
        "body_words": f.body_words,
        "body_bigrams": f.body_bigrams,
        "canonical": f.canonical,
    }
    for name in KEYWORD_FIELDS:
        value = getattr(doc, name)
        if value:
            fields[name] = value
    if doc.agency:
        fields["agency_key"] = key_of(doc.agency)
        fields["agency_text"] = " ".join(analyzer.bigrams(doc.agency))
    if doc.case_id:
        fields["case_key"] = case_key(doc.case_id)
    if doc.contractors:
        fields["contractor"] = list(doc.contractors)
        fields["contractor_key"] = [key_of(c) for c in doc.contractors]
        fields["contractor_text"] = [" ".join(analyzer.bigrams(c)) for c in doc.contractors]
    if doc.bans:
        fields["ban"] = list(doc.bans)
    return fields
