"""Routes: the search page, the article page, and the JSON API that mirrors them.

Every state of the page is a plain URL. Document ids from URLs are looked up
in the index, never used as paths. Errors become a 4xx with a message (JSON
under /api/), never a traceback.
"""
from __future__ import annotations

import itertools
from urllib.parse import quote, urlencode

from flask import Flask, Response, abort, jsonify, request, stream_with_context
from werkzeug.exceptions import HTTPException

from index import country_name, fold, language_name
from search import CorpusSearchError, DocumentNotFound, Engine, QueryError
from search.export import FORMATS as EXPORT_FORMATS, export_lines
from search.notes import N_, Note
from web.i18n import page_languages
from web.params import (ANY_OF_FACETS, EXCLUDABLE, FILTER_FACETS, UI_LANGUAGES, BadParameter, SearchRequest,
                        parse_search_request)

# Messages of the catalogue (web/translations): the templates translate them.
FACET_TITLES = {"person": N_("People"), "country": N_("Countries"), "org": N_("Organizations"),
                "lang": N_("Languages"), "year": N_("Year")}
NOT_FACET_TITLES = {"person": N_("Not people"), "country": N_("Not countries"), "org": N_("Not organizations"),
                    "lang": N_("Not languages")}
MORE_VALUES = {"person": N_("More people…"), "country": N_("More countries…"), "org": N_("More organizations…"),
               "lang": N_("More languages…"), "year": N_("More years…")}
DATES_TITLE = N_("Dates")
UNEXPECTED_ERROR = N_("something went wrong on our side; the error has been logged")
FACET_VALUES_SHOWN = 10
FACET_VALUES_MORE = 100
SIMILAR_ARTICLES = 5


def register(app: Flask, engine: Engine) -> None:
    """Add the routes and error handlers for ``engine`` to ``app``."""
    languages = page_languages(app.jinja_env, UI_LANGUAGES)

    def render(template: str, req: SearchRequest, **context) -> str:
        """``template`` in the language of ``req.ui``, with the app's context processors."""
        context.update(req=req)
        app.update_template_context(context)
        return languages[req.ui].environment.get_template(template).render(context)

    def browser_language() -> str:
        """The page language the browser asks for (Accept-Language), English if none of ours."""
        return request.accept_languages.best_match(UI_LANGUAGES) or "en"

    def page_request() -> SearchRequest:
        """The request's parameters; a page without ``ui`` is in the browser's language."""
        return parse_search_request(request.args, browser_language())

    def run_search(req: SearchRequest):
        facet_limit = FACET_VALUES_MORE if req.more or req.fq else FACET_VALUES_SHOWN
        return engine.search(req.q, limit=req.per_page, offset=req.offset, sort=req.sort, facet_limit=facet_limit,
                             language=req.ui, **req.selection())

    @app.context_processor
    def ui_language_names():
        return {"ui_languages": UI_LANGUAGES}

    @app.get("/")
    def search_page():
        req = page_request()
        result = run_search(req)
        return render(
            "search.html", req, result=result, suggestion=result.suggestion, facets=_facet_panels(req, result),
            chips=_chips(req), pages=_pages(req, result.total), url=_url_builder(req), histogram=_histogram(req, result),
            title=f"{req.q} – Corpus Search" if req.q else "Corpus Search",
        )

    @app.get("/article", defaults={"doc_id": None})
    @app.get("/article/<path:doc_id>")
    def article_page(doc_id: str | None):
        req = page_request()
        if doc_id is None:  # the form for ids a browser would rewrite as a path (see article_path)
            doc_id = request.args.get("id", "")
        article = engine.show(doc_id)
        return render(
            "article.html", req, article=article, segments=engine.annotate(doc_id, req.q),
            similar=engine.similar(doc_id, SIMILAR_ARTICLES), url=_url_builder(req),
            entity_lists=_entity_lists(article, req.ui), lang_name=language_name(article.lang, req.ui),
            original_url=_web_url(article.url),
            title=f"{article.title[:80]} – Corpus Search",
        )

    @app.get("/export.<fmt>")
    def export(fmt: str):
        """The whole result set of the page's parameters, streamed as CSV or JSON Lines."""
        if fmt not in EXPORT_FORMATS:
            abort(404)
        req = parse_search_request(request.args)
        rows = engine.export(req.q, **req.selection())
        first = next(rows, None)  # a bad query or parameter is a 400 now, not a broken download later
        lines = export_lines(itertools.chain([first] if first else [], rows), fmt)
        return Response(stream_with_context(lines), mimetype=EXPORT_FORMATS[fmt].split(";")[0],
                        headers={"Content-Disposition": f'attachment; filename="corpus-search.{fmt}"'})

    @app.get("/api/search")
    def api_search():
        req = parse_search_request(request.args)
        result = run_search(req)
        data = result.to_json()
        data.update(page=req.page, per_page=req.per_page)
        return jsonify(data)

    @app.get("/api/documents", defaults={"doc_id": None})
    @app.get("/api/documents/<path:doc_id>")
    def api_document(doc_id: str | None):
        if doc_id is None:  # ?id=: for ids that clients would rewrite as a path (see article_path)
            doc_id = request.args.get("id", "")
        return jsonify(engine.show(doc_id).to_json())

    def error(status: int, message: str):
        """The error as JSON under /api/, else as a page in the reader's language.

        A `Note` (what is wrong with a query or parameter, a missing article,
        our own failure) is said in that language too; JSON keeps English.
        """
        if request.path.startswith("/api/"):
            response = jsonify({"ok": False, "error": message, "status": status})
            response.status_code = status
            return response
        ui = request.args.get("ui")
        req = SearchRequest(ui=ui if ui in UI_LANGUAGES else browser_language())
        title = languages[req.ui].gettext("Error %(status)s") % {"status": status}
        return render("error.html", req, status=status, message=languages[req.ui].note(message),
                      title=f"{title} – Corpus Search",
                      url=_url_builder(req)), status

    @app.errorhandler(BadParameter)
    @app.errorhandler(QueryError)
    def bad_request(exception):
        return error(400, exception.args[0])  # a Note: the page says it in the reader's language

    @app.errorhandler(DocumentNotFound)
    def not_found(exception):
        return error(404, exception.args[0])  # a Note: the page says it in the reader's language

    @app.errorhandler(CorpusSearchError)
    def engine_error(exception):
        return error(503, str(exception))

    @app.errorhandler(HTTPException)
    def http_error(exception):
        return error(exception.code or 500, exception.description or exception.name)

    @app.errorhandler(Exception)
    def unexpected(exception):  # logged for the operator, never shown to the client
        app.logger.exception("unexpected error")
        return error(500, Note(UNEXPECTED_ERROR))

    @app.after_request
    def vary_by_language(response):
        response.vary.add("Accept-Language")  # a page without ui= is in the browser's language
        return response

    app.add_url_rule("/favicon.ico", "favicon", lambda: abort(404))


def _web_url(url: str | None) -> str | None:
    """An article's own URL, if it is a web address (a corpus may say ``javascript:…``)."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def article_path(doc_id: str) -> tuple[str, list[tuple[str, str]]]:
    """(path, parameters) of an article's page: ``/article/<id>``, unless a browser would rewrite that path.

    Browsers resolve ``.`` and ``..`` segments (also percent-encoded) and
    Werkzeug would see empty ones, so ``a/b/../c`` would open ``a/c``: such
    ids go in the query string, which nobody rewrites.
    """
    if any(segment in ("", ".", "..") for segment in doc_id.split("/")):
        return "/article", [("id", doc_id)]
    return "/article/" + quote(doc_id, safe="/:@"), []


def _url_builder(req: SearchRequest):
    """url(endpoint_path, **changes): this request's URL with changes, for templates."""

    def url(path: str = "/", article: str | None = None, **changes) -> str:
        pairs = req.args(**changes)
        if article is not None:
            path, id_pairs = article_path(article)
            pairs = id_pairs + pairs
        return f"{path}?{urlencode(pairs)}" if pairs else path

    return url


def _with_value(req: SearchRequest, facet: str, value: str, present: bool, excluded: bool = False) -> dict:
    """The request's filters (or, with ``excluded``, its exclusions) with ``value`` of ``facet`` added or removed."""
    filters = {name: list(values) for name, values in (req.exclude if excluded else req.filters).items()}
    values = [v for v in filters.get(facet, []) if v != value]
    if present:
        values.append(value)
    filters[facet] = values
    return {name: tuple(vs) for name, vs in filters.items() if vs}


def _label(facet: str, value: str, ui: str, known: str | None = None) -> str:
    if facet == "country":
        return known or country_name(value, ui)
    if facet == "lang":
        return language_name(value, ui)
    return value


def _facet_panels(req: SearchRequest, result) -> list[dict]:
    """The sidebar: each facet's values with counts and the URL that adds or removes each."""
    panels, url = [], _url_builder(req)
    for facet in FILTER_FACETS:
        values = result.facets.get(facet, ())
        if not values:
            continue
        active = set(req.filters.get(facet, ()))
        items = []
        for value in values:
            label = _label(facet, value.value, req.ui, value.label)
            if req.fq and req.more == facet and fold(req.fq) not in fold(label) and fold(req.fq) not in fold(value.value):
                continue
            is_active = value.value in active
            filters = _with_value(req, facet, value.value, present=not is_active)
            exclude = _with_value(req, facet, value.value, present=True, excluded=True)
            items.append({"label": label, "value": value.value, "count": value.count, "active": is_active,
                          "href": url("/", filters=filters, page=1),
                          "not_href": url("/", exclude=exclude, page=1)
                          if facet in EXCLUDABLE and not is_active else None})
        shown = items if req.more == facet else items[:FACET_VALUES_SHOWN]
        is_any = facet in req.any_of
        toggled = tuple(name for name in req.any_of if name != facet) + (() if is_any else (facet,))
        panels.append({
            "name": facet, "title": FACET_TITLES[facet], "more": MORE_VALUES[facet], "items": shown,
            "is_more": req.more == facet,
            "has_more": req.more != facet and len(values) >= FACET_VALUES_SHOWN,
            "is_any": is_any, "any_href": url("/", any_of=toggled, page=1) if facet in ANY_OF_FACETS else None,
        })
    return panels


def _chips(req: SearchRequest) -> list[dict]:
    url = _url_builder(req)
    chips = [
        {"facet": FACET_TITLES[facet], "label": _label(facet, value, req.ui),
         "href": url("/", filters=_with_value(req, facet, value, present=False), page=1)}
        for facet, values in req.filters.items()
        for value in values
    ]
    chips += [{"facet": NOT_FACET_TITLES[facet], "label": _label(facet, value, req.ui),
               "href": url("/", exclude=_with_value(req, facet, value, present=False, excluded=True), page=1)}
              for facet, values in req.exclude.items() for value in values]
    if req.since or req.until:
        label = f"{req.since or '…'} – {req.until or '…'}"
        chips.append({"facet": DATES_TITLE, "label": label, "href": url("/", since="", until="", page=1)})
    return chips


HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT = 600, 80  # the SVG's own units: it scales to the column's width


def _histogram(req: SearchRequest, result) -> dict | None:
    """The matching articles per year as bars of an SVG chart, each a link that narrows the search to its year."""
    years = result.timeline
    if not years:
        return None
    url, top = _url_builder(req), max(count for _, count in years)
    width = HISTOGRAM_WIDTH / len(years)
    bars = [{"year": year, "count": count, "x": round(i * width, 2), "width": round(max(width - 1, 0.5), 2),
             "height": round(HISTOGRAM_HEIGHT * count / top, 2) if top else 0,
             "href": url("/", since=year, until=year, page=1)}
            for i, (year, count) in enumerate(years)]
    undated = result.total - sum(count for _, count in years)
    return {"bars": bars, "first": years[0][0], "last": years[-1][0], "undated": undated,
            "width": HISTOGRAM_WIDTH, "height": HISTOGRAM_HEIGHT}


def _pages(req: SearchRequest, total: int) -> dict:
    last = max(1, min(-(-total // req.per_page), 1000))
    window = range(max(1, req.page - 3), min(last, req.page + 3) + 1)
    return {"current": req.page, "last": last, "window": list(window),
            "prev": req.page - 1 if req.page > 1 else None, "next": req.page + 1 if req.page < last else None}


def _entity_lists(article, ui: str) -> list[dict]:
    lists = []
    for facet in ("person", "country", "org"):
        entities = [e for e in article.entities if e.kind == facet]
        if entities:
            lists.append({"facet": facet, "title": FACET_TITLES[facet],
                          "items": [{"value": e.value, "label": _label(facet, e.value, ui),
                                     "mentions": sorted({m[2] for m in e.mentions}), "is_new": e.is_new}
                                    for e in entities]})
    return lists
