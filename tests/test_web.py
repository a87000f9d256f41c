"""The web app through Flask's test client: every route, parameter validation, escaping, errors."""
from __future__ import annotations

import json

import pytest

from conftest import write_corpus
from index import build_index
from web import SECURITY_HEADERS, create_app

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def client(seed_index):
    app = create_app(seed_index)
    return app.test_client()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """An index whose articles carry markup and script in every field."""
    folder = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(folder / "corpus", {
        "evil.md": f"---\ntitle: Putin {XSS}\nsource: <b>bold</b>\nurl: javascript:alert(1)\n---\n"
                   f"Il presidente Vladimir Putin ha detto {XSS} e <img src=x onerror=alert(2)> a Mosca.",
        "x<y>.txt": f"Titolo <i>{XSS}</i>\nIl ministro Sergei Lavrov {XSS}.",
    })
    build_index(corpus, folder / "index")
    return create_app(folder / "index").test_client()


def test_search_page_shows_results_facets_and_keeps_the_query(client):
    response = client.get("/?q=Poutine")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'value="Poutine"' in page
    assert '<span id="total">4</span> results' in page
    assert "<mark>Vladimir Poutine</mark>" in page
    assert "Vladimir Putin" in page and "North Korea" in page  # facets, countries by name
    assert "<title>Poutine – Corpus Search</title>" in page


def test_facet_link_adds_a_filter_and_the_chip_removes_it(client):
    page = client.get("/?q=Poutine").get_data(as_text=True)
    assert 'href="/?q=Poutine&amp;country=KP"' in page
    filtered = client.get("/?q=Poutine&country=KP").get_data(as_text=True)
    assert '<span id="total">1</span> result' in filtered
    assert 'aria-label="Remove filter Countries: North Korea"' in filtered
    assert 'href="/?q=Poutine"' in filtered  # the chip's link drops the filter


def test_country_names_follow_the_page_language(client):
    assert "Corea del Nord" in client.get("/?q=Poutine&ui=it").get_data(as_text=True)
    assert "Nordkorea" in client.get("/?q=Poutine&ui=sv").get_data(as_text=True)
    assert "Corée du Nord" in client.get("/?q=Poutine&ui=fr").get_data(as_text=True)


def test_pagination_and_sort(client):
    first = client.get("/?per_page=2").get_data(as_text=True)
    assert 'rel="next"' in first and 'href="/?per_page=2&amp;page=2"' not in first
    second = client.get("/?per_page=2&page=2").get_data(as_text=True)
    assert '<ol class="hits" start="3">' in second and 'rel="prev"' in second
    assert client.get("/?sort=date").status_code == 200


def test_facet_shows_more_values_and_can_be_searched(client):
    more = client.get("/?more=person").get_data(as_text=True)
    assert "Sjafrie Sjamsoeddin" in more and 'name="fq"' in more
    found = client.get("/?more=person&fq=shoi").get_data(as_text=True)
    section = found.split('data-facet="person"')[1].split("</section>")[0]
    assert "Sergei Shoigu" in section and "Vladimir Putin" not in section


def test_no_results_offers_a_correction_and_dropping_filters(client):
    page = client.get("/?q=sanzoni&lang=it").get_data(as_text=True)
    assert '<span id="total">0</span>' in page
    assert 'class="suggestion">sanzioni</a>' in page
    assert 'class="drop-filters"' in page
    # The Italian word has no Swedish articles: a correction would lead to another empty page.
    swedish = client.get("/?q=sanzoni&lang=sv").get_data(as_text=True)
    assert 'class="suggestion"' not in swedish and 'class="drop-filters"' in swedish


def test_article_page_highlights_marks_entities_and_lists_similar(client):
    page = client.get("/article/001_736f248895fc9a9a.txt?q=Poutine").get_data(as_text=True)
    assert "<mark>Vladimir Putin</mark>" in page  # the query named him in French
    assert 'class="entity entity-person"' in page
    assert 'href="/?person=Sergei+Shoigu"' in page  # an entity is a link to a filtered search
    assert "Similar articles" in page


def test_api_search_is_the_cli_json(client, search_json):
    api = client.get("/api/search?q=Putin&per_page=100").get_json()
    cli = search_json("Putin")
    for key in ("query", "total", "hits", "facets"):
        drop = (lambda hits: [{k: v for k, v in h.items()} for h in hits]) if key == "hits" else (lambda x: x)
        assert drop(api[key]) == drop(cli[key]), key
    assert api["page"] == 1 and api["per_page"] == 100


def test_api_document_is_show_json(client, run_cli, seed_index):
    api = client.get("/api/documents/003_479425f1d2741736.txt").get_json()
    _, out, _ = run_cli("show", "003_479425f1d2741736.txt", "--json", "--index", str(seed_index))
    assert api == json.loads(out)


@pytest.mark.parametrize(
    "url, status",
    [
        ("/?page=0", 400), ("/?page=-1", 400), ("/?page=abc", 400), ("/?page=99999999999", 400),
        ("/?per_page=0", 400), ("/?per_page=1000", 400), ("/?sort=random", 400), ("/?ui=xx", 400),
        ("/?more=colour", 400), ("/?q=" + "x" * 1001, 400), ("/?person=" + "x" * 300, 400),
        ("/api/search?page=abc", 400), ("/api/search?q=" + "x" * 5000, 400),
        ("/api/documents/nope.txt", 404), ("/article/nope.txt", 404), ("/nowhere", 404),
        ("/article/../../etc/passwd", 404), ("/api/documents/..%2F..%2Fetc%2Fpasswd", 404),
        ("/article/%2Fetc%2Fpasswd", 404),
    ],
)
def test_bad_parameters_get_a_4xx_not_a_500(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
    if url.startswith("/api/"):
        body = response.get_json()
        assert body["ok"] is False and body["status"] == status and body["error"]


def test_wrong_method_is_405(client):
    for url in ("/", "/api/search", "/api/documents/x"):
        response = client.post(url, data={"q": "x"})
        assert response.status_code == 405


def test_security_headers_on_every_response(client):
    for url in ("/", "/api/search?q=x", "/nowhere", "/static/style.css"):
        response = client.get(url)
        headers = response.headers
        response.close()
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value
    assert "script-src 'self'" in SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url",
    [f"/?q={XSS}", f"/?q=Putin&person={XSS}", f"/?country={XSS}&ui=it", f"/?more=org&fq={XSS}",
     f"/article/evil.md?q={XSS}", "/?q=Putin", "/article/evil.md?q=Putin"],
)
def test_script_in_any_parameter_or_article_comes_back_inert(hostile_client, url):
    page = hostile_client.get(url).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert 'href="javascript:' not in page


def test_escaped_article_markup_is_shown_as_text(hostile_client):
    page = hostile_client.get("/?q=Putin").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    api = hostile_client.get("/api/search?q=Putin").get_json()
    assert "&lt;script&gt;" in api["hits"][0]["snippet"] and "<script>" not in api["hits"][0]["snippet"]


def test_document_id_with_odd_characters_round_trips(hostile_client):
    page = hostile_client.get("/?q=Lavrov").get_data(as_text=True)
    assert 'href="/article/x%3Cy%3E.txt?q=Lavrov"' in page
    assert hostile_client.get("/article/x%3Cy%3E.txt").status_code == 200


def test_non_ascii_digits_in_numbers_are_a_400_not_a_500(client):
    for value in ("²", "٣", "１"):
        response = client.get(f"/api/search?q=x&page={value}")
        assert response.status_code == 400 and "page must be a whole number" in response.get_json()["error"]


@pytest.mark.parametrize("host", ["a" * 64, "a" * 64 + ".example.com", "x..y"])
def test_a_host_header_that_is_no_host_name_is_a_400_with_the_security_headers(client, host):
    response = client.get("/?q=Poutine", headers={"Host": host})
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/?q=Poutine", headers={"Host": "localhost:8000"}).status_code == 200


ODD_IDS = ["a/b/../c", "./here", "a//b", "ends/", "..", "q?x=1&y=2", "50% off", "#hash", "über/ç"]


@pytest.fixture(scope="module")
def odd_ids_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    lines = [json.dumps({"id": doc_id, "title": f"Articolo {n}", "text": f"Il ministro parla del porto numero {n}."})
             for n, doc_id in enumerate(ODD_IDS)]
    corpus = write_corpus(folder / "corpus", {"odd.jsonl": "\n".join(lines)})
    build_index(corpus, folder / "index")
    return create_app(folder / "index").test_client()


def _as_a_browser_follows(client, href: str):
    """GET ``href`` as a browser would: dot segments resolved (RFC 3986), the fragment dropped."""
    from urllib.parse import urljoin, urlsplit

    parts = urlsplit(urljoin("http://localhost/", href))
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""))


def test_every_id_opens_its_own_article_from_the_links_a_browser_follows(odd_ids_client):
    import html
    import re

    page = odd_ids_client.get("/?q=porto&per_page=50").get_data(as_text=True)
    hrefs = [html.unescape(h) for h in re.findall(r'<h3[^>]*><a href="([^"]+)"', page)]
    assert len(hrefs) == len(ODD_IDS)
    opened = set()
    for href in hrefs:
        response = _as_a_browser_follows(odd_ids_client, href)
        assert response.status_code == 200, href
        article = response.get_data(as_text=True)
        number = re.search(r"<h1[^>]*>Articolo (\d+)", article).group(1)
        opened.add(number)
        # The page-language link of an article page leads to the same article, in Italian.
        ui_link = html.unescape(re.search(r'<a href="([^"]+)" lang="it"', article).group(1))
        in_italian = _as_a_browser_follows(odd_ids_client, ui_link)
        assert in_italian.status_code == 200, ui_link
        assert re.search(r"<h1[^>]*>Articolo (\d+)", in_italian.get_data(as_text=True)).group(1) == number, ui_link
    assert opened == {str(n) for n in range(len(ODD_IDS))}
    for doc_id in ODD_IDS:
        answer = odd_ids_client.get("/api/documents", query_string={"id": f"odd.jsonl#{doc_id}"})
        assert answer.status_code == 200 and answer.get_json()["id"] == f"odd.jsonl#{doc_id}"


def test_texts_carry_their_language_and_readers_see_no_curation_badge(client):
    page = client.get("/?q=Putin").get_data(as_text=True)
    assert '<h3 lang="sv">' in page and '<p class="snippet" lang="sv">' in page
    home = client.get("/").get_data(as_text=True)
    assert "autofocus" in home and "autofocus" not in page  # the box is focused where one starts typing
    import re

    article_id = re.search(r'<h3 lang="\w+"><a href="/article/([^"?]+)', page).group(1)
    article = client.get(f"/article/{article_id}").get_data(as_text=True)
    assert '<div class="text" lang="' in article and 'class="new"' not in article  # "new" is for curators
