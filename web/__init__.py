"""The search page and JSON API: a Flask app on the same engine as the CLI.

    app = create_app(".corpus-search/index")

Views translate request parameters into one engine call and render the
answer; all query logic stays in ``search``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from search import open_engine

# Everything the page loads comes from here; no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(index_dir: Path | str) -> Flask:
    """The web app for the index at ``index_dir``.

    :raise IndexNotFound: if there is no index there (build it first).
    """
    from web.views import register

    app = Flask(__name__)
    app.url_map.merge_slashes = False  # "/article/%2Fetc" is an unknown id (404), not a redirect
    app.config.update(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=64 * 1024)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    engine = open_engine(index_dir)  # one engine, shared by every request thread
    register(app, engine)

    @app.after_request
    def add_security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    app.wsgi_app = _valid_host_only(app.wsgi_app)
    return app


def _valid_host_only(wsgi_app):
    """Answer 400 to a Host header that is no host name, before Flask reads it.

    Werkzeug encodes the host with IDNA to match routes, and a label over 63
    characters made that a 500 without our security headers.
    """

    def app(environ, start_response):
        host = environ.get("HTTP_HOST", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        try:
            if name and not name.startswith("["):
                name.encode("idna")
        except UnicodeError:
            body = b"Bad Request: the Host header is not a host name\n"
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body))), *SECURITY_HEADERS.items()])
            return [body]
        return wsgi_app(environ, start_response)

    return app
