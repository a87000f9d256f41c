"""The app for a WSGI server: ``waitress-serve web.wsgi:app`` or ``gunicorn web.wsgi:app``.

The index location comes from CORPUS_SEARCH_INDEX, as for the CLI (default .corpus-search/index).
"""
import os

from web import create_app

app = create_app(os.environ.get("CORPUS_SEARCH_INDEX", ".corpus-search/index"))
