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
        fields["agency_key"], fields["agency_text"] = _name_fields(doc.agency, analyzer)
    if doc.case_id:
        fields["case_key"] = case_key(doc.case_id)
    if doc.contractors:
        names = [_name_fields(c, analyzer) for c in doc.contractors]
        fields["contractor"] = list(doc.contractors)
        fields["contractor_key"] = [key for key, _ in names]
        fields["contractor_text"] = [text for _, text in names]
    if doc.bans:
        fields["ban"] = list(doc.bans)
    return fields


_NAMES: dict[tuple[int, str], tuple[str, str]] = {}


def _name_fields(name: str, analyzer: Analyzer) -> tuple[str, str]:
    """(exact key, bigram text) of an agency or contractor name; names repeat across thousands
    of documents, so they are analysed once per analyzer."""
    cache_key = (id(analyzer.segmenter), name)
    found = _NAMES.get(cache_key)
    if found is None:
        if len(_NAMES) > 50_000:
            _NAMES.clear()
        found = _NAMES[cache_key] = (key_of(name), " ".join(analyzer.bigrams(name)))
    return found
