"""QueryPlan → Elasticsearch request body, and response → matches. Pure functions, no client.

Every token comes from analyzers/ already; the index's only analyzer splits on whitespace, so
user text is never parsed by Elasticsearch (no query_string anywhere).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from search_index.protocol import FACET_FIELDS, Facet, IndexDocument, SearchQuery
from search_index.query_plan import (
    WEIGHTS,
    FilterPlan,
    QueryPlan,
    Ranked,
    Requirement,
    edge_patterns,
    lone_cjk,
    single_char_pattern,
)

ANALYZER = "archive_ws"
FACET_SIZE = 50


def term(field: str, value: str, boost: float | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"value": value}
    if boost is not None:
        body["boost"] = boost
    return {"term": {field: body}}


def regexp(field: str, pattern: str, boost: float | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"value": pattern, "flags": "NONE"}
    if boost is not None:
        body["boost"] = boost
    return {"regexp": {field: body}}


def phrase(field: str, tokens: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Contiguous tokens in one field (lone CJK characters at the edges become regexes)."""
    patterns = edge_patterns(tokens)
    if patterns is None:
        if len(tokens) == 1:
            return term(field, tokens[0])
        return {"match_phrase": {field: {"query": " ".join(tokens), "analyzer": ANALYZER}}}
    if len(patterns) == 1:
        return regexp(field, patterns[0])
    clauses = []
    for token, pattern in zip(tokens, patterns, strict=True):
        if pattern == _literal(token):
            clauses.append({"span_term": {field: token}})
        else:
            clauses.append({"span_multi": {"match": regexp(field, pattern)}})
    return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True}}


def _literal(token: str) -> str:
    from search_index.query_plan import re_escape

    return re_escape(token)


def contains(tokens: tuple[str, ...]) -> dict[str, Any]:
    return {"bool": {"should": [phrase("body_bigrams", tokens), phrase("title_bigrams", tokens)],
                     "minimum_should_match": 1}}


def ranked(r: Ranked) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    for field, tokens in (("body_words", r.words), ("title_words", r.words),
                          ("body_bigrams", r.bigrams), ("title_bigrams", r.bigrams),
                          ("canonical", r.canonical)):
        for token in tokens:
            if field.endswith("bigrams") and lone_cjk(token):
                # constant score, as tantivy scores a regex query
                should.append({"constant_score": {"filter": regexp(field, single_char_pattern(token)),
                                                  "boost": WEIGHTS[field]}})
            else:
                should.append(term(field, token, WEIGHTS[field]))
    return {"bool": {"should": should, "minimum_should_match": 1}}


def alternatives(sequences: tuple[tuple[str, ...], ...]) -> list[dict[str, Any]]:
    """Glossary alternatives, each scored as a phrase in the body and the title."""
    return [{"bool": {"must": [phrase(field, tokens)], "boost": WEIGHTS[field]}}
            for tokens in sequences for field in ("body_bigrams", "title_bigrams")]


def requirement(plan: QueryPlan, req: Requirement) -> dict[str, Any]:
    """One option of the requirement (every clause of it), or one of its alternatives."""
    ways = []
    for option in req.options:
        clauses = [ranked(plan.ranked[i]) for i in option]
        ways.append(clauses[0] if len(clauses) == 1 else {"bool": {"must": clauses}})
    ways.extend(alternatives(req.alternatives))
    return ways[0] if len(ways) == 1 else {"bool": {"should": ways, "minimum_should_match": 1}}


def filters(plan: FilterPlan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for field, values in plan.terms:
        out.append(term(field, values[0]) if len(values) == 1
                   else {"terms": {field: list(values)}})
    out.extend(phrase(field, tokens) for field, tokens in plan.contains)
    if plan.date_from or plan.date_to:
        bounds: dict[str, str] = {}
        if plan.date_from:
            bounds["gte"] = plan.date_from.isoformat()
        if plan.date_to:
            bounds["lte"] = plan.date_to.isoformat()
        out.append({"range": {"date": bounds}})
    return out


def query_clause(plan: QueryPlan) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    words = [requirement(plan, req) for req in plan.requirements]
    optional = [ranked(plan.ranked[i]) for i in plan.optional_clauses()]
    if plan.required:  # every word (unless relaxed) and phrase; other clauses only score
        (should if plan.any_word else must).extend(words)
        should.extend(optional)
    elif words or optional:  # relaxed words alone: one of them must match
        must.append({"bool": {"should": words + optional, "minimum_should_match": 1}})
    must.extend(contains(tokens) for tokens in plan.must)
    must.extend({"bool": {"should": [contains(tokens) for tokens in group],
                          "minimum_should_match": 1}} for group in plan.must_any)
    if not must:
        must.append({"match_all": {}})
    body: dict[str, Any] = {"must": must}
    if should:  # optional beside the required clauses: they add to the score only
        body["should"] = should
    if plan.must_not:
        body["must_not"] = [contains(tokens) for tokens in plan.must_not]
    flt = filters(plan.filters)
    if flt:
        body["filter"] = flt
    return {"bool": body}


def sort_clause(plan: QueryPlan, query: SearchQuery | None = None) -> list[Any]:
    """Newest first when browsing or asked to sort by date, relevance otherwise; the id breaks
    ties (search_after needs a total order)."""
    if plan.browse or (query is not None and query.sort == "date"):
        return [{"date_sort": {"order": "desc", "missing": 0}}, {"id": "asc"}]
    return [{"_score": "desc"}, {"id": "asc"}]


def search_body(plan: QueryPlan, query: SearchQuery,
                search_after: list[Any] | None = None) -> dict[str, Any]:
    """The request body of a search. ``search_after`` (the last hit's sort values) replaces
    ``from`` for deep pagination beyond the 10,000-hit window."""
    body: dict[str, Any] = {
        "query": query_clause(plan),
        "size": query.limit,
        "sort": sort_clause(plan, query),
        "track_total_hits": True,
        "_source": ["doc"],
    }
    if search_after is None:
        body["from"] = query.offset
    else:
        body["search_after"] = list(search_after)
    wanted = [f for f in query.facets if f in FACET_FIELDS]
    if wanted:
        body["aggs"] = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in wanted}
    return body


def parse_hits(response: dict[str, Any]) -> tuple[int, list[tuple[float, IndexDocument]],
                                                  list[Any] | None]:
    """(total, [(score, document)], sort values of the last hit)."""
    hits = response.get("hits", {})
    total = hits.get("total", 0)
    total = total.get("value", 0) if isinstance(total, dict) else int(total)
    docs = []
    last_sort = None
    for hit in hits.get("hits", []):
        source = hit.get("_source", {}).get("doc")
        if source is None:
            continue
        docs.append((float(hit.get("_score") or 0.0), IndexDocument.from_dict(source)))
        last_sort = hit.get("sort")
    return total, docs, last_sort


def parse_facets(response: dict[str, Any]) -> dict[str, list[Facet]]:
    out: dict[str, list[Facet]] = {}
    for name, agg in (response.get("aggregations") or {}).items():
        out[name] = [Facet(str(b["key"]), int(b["doc_count"])) for b in agg.get("buckets", [])
                     if b.get("key") not in ("", None)]
    return out


def source_of(doc: IndexDocument, fields: dict[str, Any]) -> dict[str, Any]:
    """The _source indexed for a document: engine fields, the date, and the document itself."""
    source = dict(fields)
    source["date"] = doc.date.isoformat() if isinstance(doc.date, date) else None
    source["date_sort"] = doc.date.toordinal() if doc.date else 0
    source["doc"] = doc.to_dict()
    return source


def bulk_actions(index: str, docs, op_type: str = "index"):  # noqa: ANN001, ANN201
    """Bulk actions with deterministic ids (the document id): re-sending one replaces it
    (``index``) or leaves a newer copy alone (``create``, used when copying into a new index)."""
    for doc, fields in docs:
        yield {"_op_type": op_type, "_index": index, "_id": doc.id,
               "_source": source_of(doc, fields)}
