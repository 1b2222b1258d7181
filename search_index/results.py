"""Turning an engine's matches into a SearchPage: hits with highlights, the same for every engine."""

from __future__ import annotations

from collections.abc import Sequence

from search_index.highlighting import best_highlights, highlight_terms
from search_index.protocol import Facet, Hit, IndexDocument, SearchPage, SearchQuery
from search_index.query_plan import QueryPlan


def page_of(query: SearchQuery, plan: QueryPlan, total: int,
            docs: Sequence[tuple[float, IndexDocument]], facets: dict[str, list[Facet]],
            did_you_mean: str | None, max_highlights: int, snippet_chars: int) -> SearchPage:
    terms = highlight_terms(plan.highlight_words, plan.phrases + plan.expansions)
    hits = []
    for score, doc in docs:
        highlights = best_highlights(doc.pages, terms, max_snippets=max_highlights,
                                     width=snippet_chars) if query.highlight else []
        page = highlights[0].page if highlights else (doc.pages[0].number if doc.pages else None)
        hits.append(Hit(id=doc.id, title=doc.title, filename=doc.filename, doc_type=doc.doc_type,
                        agency=doc.agency, case_id=doc.case_id, date=doc.date, page=page,
                        score=0.0 if query.by_date(plan.browse) else float(score), highlights=highlights,
                        contractors=list(doc.contractors)))
    return SearchPage(total=total, hits=hits, facets=facets, did_you_mean=did_you_mean,
                      relaxed=plan.any_word)
