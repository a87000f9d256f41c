"""Ranking in numpy gives Whoosh's own hits and scores, and posting arrays equal Whoosh's postings."""
from __future__ import annotations

import numpy as np
import pytest

from search import open_engine
from search.postings import read_lengths, read_postings
from search.scoring import top_documents
from search.syntax import parse

QUERIES = [
    "Putin", "Wang Yi Malta", "Trump OR Biden", "Shoigu -Trump", "Malta NOT Lavrov", '"Consiglio di sicurezza"',
    "sanzione", "russo-cinesi", "title:Shoigu", 'title:"Wang Yi"', "person:Poutine", "country:KP", "sanz*",
    "Shoygu~", "(Trump OR Biden) Kim", "la Corea del Nord", "Poutine", "Nordkorea", "-Lavrov", "lang:sv Putin",
    "carabinieri", "regeringen åtgärder sverige", "polizia carabinieri", '"di la"', "skola OR polis", "regeringen",
    "arrestato -rapina", "mafia* camorra", "Stockholm~2",
]


def whoosh_and_numpy(engine, query: str, limit: int = 30):
    with engine._reading() as (snapshot, searcher):
        compiled = engine._compile(snapshot, searcher, parse(query), snapshot.knowledge())
        docsets = snapshot.docsets(searcher.reader())
        matched = docsets.mask(compiled.query, searcher)
        ours = top_documents(searcher, docsets, compiled.query, matched, 0, limit)
        # Whoosh's own BM25F for every match. (Not its top-k collector: on an index of several
        # segments it returns lower-scoring documents and misses the best ones.)
        everything = searcher.search(compiled.query, limit=None)
        theirs = sorted(((hit.docnum, hit.score) for hit in everything), key=lambda ds: (-ds[1], ds[0]))[:limit]
        return ours, theirs, int(matched.sum()), len(everything)


@pytest.mark.parametrize("index_name", ["seed_index", "real_index"])
def test_numpy_ranking_equals_whooshs(index_name, request):
    engine = open_engine(request.getfixturevalue(index_name))
    compared = 0
    for query in QUERIES:
        ours, theirs, count, total = whoosh_and_numpy(engine, query)
        assert count == total, query  # the same documents match
        assert [d for d, _ in ours] == [d for d, _ in theirs] or _tied(ours, theirs), query
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-6), query
        compared += bool(ours)
    assert compared >= 12  # most queries have hits on either index: the comparison means something
    engine.close()


def test_posting_arrays_equal_whooshs_postings(real_index):
    engine = open_engine(real_index)
    with engine._reading() as (_, searcher):
        reader = searcher.reader()
        for field in ("exact", "title", "text_it", "text_sv", "person"):
            terms = [t for _, t in zip(range(200), reader.lexicon(field))] if field in reader.schema else []
            for term in terms[::7]:
                postings = read_postings(reader, field, term)
                matcher = reader.postings(field, term)
                expected = list(zip(*[(d, w) for d, w in matcher.items_as("weight")])) or [(), ()]
                assert postings.docs.tolist() == list(expected[0])
                assert np.allclose(postings.weights, expected[1])
            lengths = read_lengths(reader, field)
            assert [lengths[d] for d in range(0, reader.doc_count_all(), 37)] == [
                reader.doc_field_length(d, field, 0) or 0 for d in range(0, reader.doc_count_all(), 37)]
    engine.close()


def _tied(ours, theirs) -> bool:
    """The same scores in the same order: documents differ only where scores tie within rounding."""
    return np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-9)
