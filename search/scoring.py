"""Relevance ranking in numpy: Whoosh's own BM25F, computed over whole posting arrays.

Whoosh ranks by walking every matching posting through a tree of matchers in
Python: about 1 s for three common Swedish words at 100,000 articles, and the
time grows with the corpus. The formula is simple, so here it runs over arrays
instead: each term's postings (`search/postings.py`) give its BM25F score for
all its documents at once, and the query tree combines them as Whoosh's
matchers do (``Or`` and ``And`` add their children's scores, ``AndMaybe`` adds
the optional part where it matches, ``AndNot`` keeps the positive part, a
boost multiplies). The top hits are then one ``argpartition``. A test holds the
hits and scores equal to Whoosh's on every kind of query.

Filters are not scored: a facet filter narrows the results without reordering
them. A query node this module does not know (none the compiler makes today)
raises `Unsupported`, and the engine lets Whoosh rank that query.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh import scoring as whoosh_scoring

from search.budget import Budget


_NO_DOCS = np.zeros(0, dtype=np.int32)
_NO_SCORES = np.zeros(0)


class Unsupported(Exception):
    """The query has a node this scorer does not compute; rank it with Whoosh."""


def top_documents(searcher, docsets, query: wq.Query, allowed: np.ndarray, start: int, stop: int,
                  budget: Budget | None = None) -> list[tuple[int, float]]:
    """(document number, score) of hits ``start:stop`` among ``allowed``, best first (ties: lower number first).

    Once ``budget`` runs out, the terms not scored yet add nothing (``budget.exceeded`` says so).
    :raise Unsupported: for a query tree with a node it does not know.
    """
    weighting = searcher.weighting
    if type(weighting) is not whoosh_scoring.BM25F:
        raise Unsupported(f"weighting {type(weighting).__name__}")
    ranker = _Ranker(searcher, docsets, weighting, budget or Budget.unlimited())
    _, scores = ranker.evaluate(query)
    candidates = np.flatnonzero(allowed)
    if not len(candidates) or stop <= start:
        return []
    candidate_scores = scores[candidates]
    if stop < len(candidates):  # only the best `stop` need sorting
        keep = np.argpartition(-candidate_scores, stop - 1)[:stop]
        threshold = candidate_scores[keep].min()
        keep = np.flatnonzero(candidate_scores >= threshold)  # every tie at the cut, so ties break by number
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    order = np.lexsort((candidates, -candidate_scores))[start:stop]
    return [(int(candidates[i]), float(candidate_scores[i])) for i in order]


class _Ranker:
    def __init__(self, searcher, docsets, weighting, budget: Budget) -> None:
        self.budget = budget
        self.searcher = searcher
        self.reader = searcher.reader()
        self.docsets = docsets
        self.size = docsets.size
        self.weighting = weighting

    def evaluate(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """(matched mask, score of every document) of one query node."""
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(self.size, dtype=bool), np.zeros(self.size)
        if isinstance(q, wq.Every):
            return np.ones(self.size, dtype=bool), np.full(self.size, float(q.boost))
        if isinstance(q, wq.AndMaybe):
            matched, scores = self.evaluate(q.a)
            maybe, extra = self.evaluate(q.b)
            return matched, self._boosted(scores + np.where(maybe & matched, extra, 0.0), q)
        if isinstance(q, wq.AndNot):
            matched, scores = self.evaluate(q.a)
            excluded, _ = self.evaluate(q.b)
            return matched & ~excluded, scores
        if isinstance(q, wq.Not):
            inner, _ = self.evaluate(q.query)
            return ~inner, np.ones(self.size)  # Whoosh's InverseMatcher scores 1.0
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.Or):
            # Accumulated child by child, terms without dense arrays of their own:
            # an Or of 200 expansions holds two arrays, not 400.
            matched = np.zeros(self.size, dtype=bool)
            scores = np.zeros(self.size)
            for sub in q.subqueries:
                if isinstance(sub, wq.Term):
                    docs, term_scores = self._term_sparse(sub.fieldname, sub.text, sub.boost)
                    scores[docs] += term_scores
                    matched[docs] = True
                else:
                    part_matched, part_scores = self.evaluate(sub)
                    np.add(scores, part_scores, out=scores, where=part_matched)
                    matched |= part_matched
            return matched, self._boosted(scores, q)
        if isinstance(q, wq.And):
            matched = np.full(self.size, bool(q.subqueries), dtype=bool)
            scores = np.zeros(self.size)
            for sub in q.subqueries:
                part_matched, part_scores = self.evaluate(sub)
                np.add(scores, part_scores, out=scores, where=part_matched)
                matched &= part_matched
            return matched, self._boosted(scores, q)
        raise Unsupported(type(q).__name__)

    @staticmethod
    def _boosted(scores: np.ndarray, q: wq.Query) -> np.ndarray:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, (wq.And, wq.Or)) and len(q.subqueries) == 1:
            return scores  # Whoosh's compound of one child returns the child's matcher: its boost is lost
        return scores * boost if boost != 1.0 else scores

    def _term(self, field: str, text, boost: float) -> tuple[np.ndarray, np.ndarray]:
        docs, term_scores = self._term_sparse(field, text, boost)
        matched = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size)
        matched[docs] = True
        scores[docs] = term_scores
        return matched, scores

    def _term_sparse(self, field: str, text, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """(documents, their scores) of one term: Whoosh's BM25F, or the weight for a field without lengths."""
        if self.budget.spent():
            return _NO_DOCS, _NO_SCORES
        postings = self.docsets.postings(self.reader, field, text)
        if not len(postings.docs):
            return _NO_DOCS, _NO_SCORES
        weights = postings.weights.astype(np.float64)
        if field in self.reader.schema and self.reader.schema[field].scorable:
            K1 = self.weighting.K1
            B = self.weighting._field_B.get(field, self.weighting.B)
            idf = self.searcher.idf(field, text)
            average = self.searcher.avg_field_length(field) or 1
            lengths = self.docsets.lengths(self.reader, field)[postings.docs]
            term_scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average)))
        else:
            term_scores = weights  # Whoosh's WeightScorer: fields without lengths score their weight
        return postings.docs, term_scores * boost if boost != 1.0 else term_scores

    def _phrase(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Whoosh scores a phrase as the sum of its words' scores, where the words stand in order."""
        parts = [self._term(q.fieldname, word, 1.0) for word in q.words]
        matched = self.docsets.phrase_mask(q, self.searcher, self.budget)
        scores = np.zeros(self.size)
        for _, part_scores in parts:
            scores += part_scores
        return matched, self._boosted(np.where(matched, scores, 0.0), q)
