"""The ``corpus-search`` command: a thin shell over the engine.

Each command turns its arguments into one call of ``search`` or
``index.build_index`` and renders the answer, as text for people or as JSON
for scripts. Heavy imports (Whoosh, the language model) happen inside the
commands, so that ``--help`` answers at once.
"""
from __future__ import annotations

import contextlib
import json
import shlex
import sys
import time
from pathlib import Path

import click

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = ".corpus-search/index"
MISTYPED_COMMAND = "corpus_search.mistyped_command"
FACET_TITLES = {"lang": "Languages", "person": "People", "country": "Countries", "org": "Organizations"}


class QueryFirstGroup(click.Group):
    """A group where a first argument that is no command is a search query.

    ``corpus-search "Wang Yi Malta"`` is short for ``corpus-search search "Wang Yi Malta"``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names + ["--version"]:
            # "serch Putin" may be a mistyped command: it is searched, and if nothing
            # matches, the search says which command was probably meant.
            ctx.meta[MISTYPED_COMMAND] = _close_command(args[0], self.commands), args
            args = ["search", *args]
        return super().parse_args(ctx, args)


def _close_command(word: str, commands) -> str | None:
    """The command ``word`` is one typo away from (a letter missing, extra, wrong or swapped), if any."""
    from rapidfuzz.distance import OSA

    if len(word) < 4 or not word.isalpha():
        return None
    close = [name for name in commands if OSA.distance(word.lower(), name, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else None


def corpus_option(function):
    return click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_CORPUS,
        show_default=True,
        envvar="CORPUS_SEARCH_CORPUS",
        help="Folder of articles (.txt, .md, .jsonl), read recursively. Env: CORPUS_SEARCH_CORPUS.",
    )(function)


def index_option(function):
    return click.option(
        "--index",
        "index_dir",
        default=DEFAULT_INDEX,
        show_default=True,
        envvar="CORPUS_SEARCH_INDEX",
        callback=_index_location,
        help="Folder of the index, or a search cluster: sphinx://HOST:PORT[,HOST:PORT…] (as printed by "
             "'corpus-search cluster start'). Env: CORPUS_SEARCH_INDEX.",
    )(function)


def _index_location(ctx, param, value: str):
    """A folder as a Path; a cluster location as it is, checked (a Path would fold its '//')."""
    from index.sphinx_client import ClusterUnavailable, is_cluster_location, parse_location

    if is_cluster_location(value):
        try:
            return parse_location(value).url
        except ClusterUnavailable as error:
            raise click.BadParameter(str(error)) from None
    if Path(value).is_file():
        raise click.BadParameter(f"{value!r} is a file, not a folder")
    return Path(value)


@click.group(cls=QueryFirstGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="corpus-search", message="%(prog)s %(version)s")
def main() -> None:
    """Search a multilingual news corpus.

    \b
    corpus-search "Wang Yi Malta"          search (builds the index on first use)
    corpus-search search QUERY --json      the same, as JSON for scripts
    corpus-search index                    bring the index up to date with the corpus
    corpus-search show ID                  one article with its metadata

    Query syntax: words are all required; OR, NOT or -word, "exact phrases",
    title:word, lang:sv, prefix*, fuzzy~ and (grouping).
    """


@main.command()
@click.argument("query", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True, help="Hits to show (any number).")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Hits to skip, for paging.")
@click.option("--lang", "langs", multiple=True, metavar="CODE", help="Only articles in this language (repeatable: any of them).")
@click.option("--person", "people", multiple=True, metavar="NAME", help="Only articles mentioning this person (repeatable: all of them).")
@click.option("--country", "countries", multiple=True, metavar="CODE", help="Only articles mentioning this country, by ISO code or name (repeatable: all).")
@click.option("--org", "orgs", multiple=True, metavar="NAME", help="Only articles mentioning this organization (repeatable: all of them).")
@click.option("--any-person", "any_person", is_flag=True, help="Several --person: any of them will do (OR), not all.")
@click.option("--any-country", "any_country", is_flag=True, help="Several --country: any of them will do (OR).")
@click.option("--any-org", "any_org", is_flag=True, help="Several --org: any of them will do (OR).")
@click.option("--not-person", "not_people", multiple=True, metavar="NAME", help="Leave out articles mentioning this person (repeatable).")
@click.option("--not-country", "not_countries", multiple=True, metavar="CODE", help="Leave out articles mentioning this country (repeatable).")
@click.option("--not-org", "not_orgs", multiple=True, metavar="NAME", help="Leave out articles mentioning this organization (repeatable).")
@click.option("--not-lang", "not_langs", multiple=True, metavar="CODE", help="Leave out articles in this language (repeatable).")
@click.option("--literal", is_flag=True, help="Match the words only: no cross-language expansion of names.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True, help="Order of the hits.")
@click.option("--facet-limit", type=click.IntRange(min=0), default=10, show_default=True, help="Values to count per facet.")
@click.option("--format", "export_format", type=click.Choice(["csv", "jsonl"]), default=None,
              help="Print every matching article (not one page) as CSV or JSON Lines, newest first, streamed.")
@click.option("--since", metavar="DATE", help="Only articles dated on or after DATE (2024, 2024-03 or 2024-03-15).")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (--until 2024-03: all of March).")
@corpus_option
@index_option
def search(query, as_json, limit, offset, langs, people, countries, orgs, any_person, any_country, any_org,
           not_people, not_countries, not_orgs, not_langs, literal, sort, facet_limit, export_format, since, until,
           corpus_dir, index_dir) -> None:
    """Search the index for QUERY (all words if several are given).

    An empty query lists every article, newest first. Names of people,
    organizations and countries find their articles in every language
    (Poutine finds Putin) unless --literal is given. If there is no index yet,
    it is built from the corpus first.
    """
    selection = {  # which articles: the same for a page of results and for an export
        "filters": {"lang": langs, "person": people, "country": countries, "org": orgs},
        "any_of": [name for name, on in (("person", any_person), ("country", any_country), ("org", any_org)) if on],
        "exclude": {"person": not_people, "country": not_countries, "org": not_orgs, "lang": not_langs},
        "expand_entities": not literal, "since": since, "until": until,
    }
    if export_format:
        from search.export import export_lines

        with _open_or_build(corpus_dir, index_dir) as engine, _translated_errors():
            for line in export_lines(engine.export(" ".join(query), **selection), export_format):
                click.echo(line, nl=False)
        return
    with _open_or_build(corpus_dir, index_dir) as engine, _translated_errors():
        result = engine.search(" ".join(query), limit=limit, offset=offset, sort=sort, facet_limit=facet_limit,
                               **selection)
    if as_json:
        _print_json(result.to_json())
    else:
        _print_result(result)
    command, args = click.get_current_context().meta.get(MISTYPED_COMMAND, (None, ()))
    if command and result.total == 0:
        rest = shlex.join(args[1:])
        click.echo(f"Did you mean the command {command!r}? (corpus-search {command} {rest})".replace(" )", ")"), err=True)


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Start afresh instead of updating what changed.")
@click.option("--repair", is_flag=True,
              help="Rebuild a damaged index from the corpus it recorded (or --corpus), keeping it until done.")
@click.option("--force", is_flag=True,
              help="Go ahead even if it deletes much of the index (another corpus folder, most files gone).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Processes preparing articles [default: all cores but one, left to searches].")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as one JSON object (no progress bar).")
@corpus_option
@index_option
@click.pass_context
def index_command(ctx, rebuild, repair, force, workers, as_json, corpus_dir, index_dir) -> None:
    """Bring the index up to date with the corpus.

    New files are added, changed ones re-indexed and deleted ones removed
    (recognised by the hash of their content). Unreadable files are skipped
    with a warning. Interrupting leaves the previous index intact.

    The index remembers its corpus folder: updating it from another one, or
    an update that would delete more than 100 articles or 10% of them, stops
    and says so unless --force is given.

    Every run checks the index's files against the checksums written with
    them. Damaged facet or spelling files are written again; damaged segments
    stop the run until --repair rebuilds them.
    """
    if repair and ctx.get_parameter_source("corpus_dir") is click.core.ParameterSource.DEFAULT:
        corpus_dir = None  # the corpus the index recorded
    report = _build(corpus_dir, index_dir, rebuild=rebuild, force=force, repair=repair, workers=workers,
                    show_progress=not as_json)
    if as_json:
        _print_json({"index": str(index_dir), **report.to_json()})
    else:
        click.echo(_describe_report(report, index_dir))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 opens it to the network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests served at once by each worker.")
@click.option("--workers", type=click.IntRange(1, 32), default=None, help="Worker processes sharing the port [default: one per core, at most 4].")
@click.option("--connection-limit", type=click.IntRange(1, 100_000), default=None,
              help="Open connections per worker [default: 32 per thread, at least 100].")
@click.option("--channel-timeout", type=click.IntRange(1, 3600), default=60, show_default=True,
              help="Seconds before an idle or stalled connection is closed.")
@corpus_option
@index_option
def serve(host, port, threads, workers, connection_limit, channel_timeout, corpus_dir, index_dir) -> None:
    """Serve the search page and JSON API (waitress, a production WSGI server).

    Each worker process serves --threads requests at once; several workers use
    several cores (one Python process runs on one). The index is built from the
    corpus first if there is none. Beyond this machine, put a reverse proxy in
    front (see the README).
    """
    _open_or_build(corpus_dir, index_dir).close()
    from web.server import default_workers, is_loopback, serve as serve_index

    if not is_loopback(host):
        click.echo(f"warning: serving on {host}, reachable from other machines: put a reverse proxy (TLS, rate "
                   "limits) in front, as the README explains", err=True)
    with _translated_errors():
        try:
            serve_index(index_dir, host, port, threads, workers or default_workers(),
                        announce=lambda line: click.echo(line, err=True), connection_limit=connection_limit,
                        channel_timeout=channel_timeout)
        except OSError as error:  # the port is taken, the address is not this machine's, …
            raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


@main.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Entries per list.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@index_option
def entities(limit, as_json, index_dir) -> None:
    """List frequent and unknown entities and likely merges, to curate the knowledge base.

    Unknown entities were found by discovery and are not in the knowledge
    files (index/data/entities*.txt); merged spellings are discovered names
    counted as one value (Zelenskyj and Zelensky); likely merges are names
    that look like another one but were not merged automatically. Edit the file, then run
    `corpus-search index` to apply it.
    """
    from search import open_engine

    with _translated_errors(), open_engine(index_dir) as engine:
        report = engine.entity_report(limit)
    if as_json:
        _print_json(report.to_json())
        return
    for title, lists in (("Most frequent", report.frequent), ("Unknown (not in the knowledge file)", report.unknown)):
        click.secho(title, bold=True)
        for kind, values in lists.items():
            counts = " · ".join(f"{v.value} {v.count}" for v in values) or "none"
            click.echo(f"  {FACET_TITLES[kind]}: {counts}")
    click.secho("Merged spellings (counted as one; to keep two apart, give each a line in the knowledge file)",
                bold=True)
    for merge in report.merged:
        click.echo(f"  {merge.name!r} → {merge.candidate!r} ({merge.articles} articles; {merge.reason})")
    if not report.merged:
        click.echo("  none")
    click.secho("Likely merges (review, then add an alias)", bold=True)
    for merge in report.merges or ():
        click.echo(f"  {merge.name!r} → {merge.candidate!r} ({merge.articles} articles; {merge.reason})")
    if not report.merges:
        click.echo("  none")


@main.command()
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@index_option
def show(doc_id, as_json, index_dir) -> None:
    """Show the article ID (as listed by a search) with its metadata."""
    from search import open_engine

    with _translated_errors(), open_engine(index_dir) as engine:
        article = engine.show(doc_id)
    if as_json:
        _print_json(article.to_json())
        return
    click.secho(article.title, bold=True)
    for key in ("id", "lang", "date", "source", "url"):
        value = getattr(article, key)
        if value:
            click.echo(f"{key + ':':8}{value}")
    for kind in ("person", "country", "org"):
        named = [f"{e.value} ({', '.join(sorted({m[2] for m in e.mentions}))})" for e in article.entities if e.kind == kind]
        if named:
            click.echo(f"{kind + ':':8}" + "; ".join(named))
    click.echo()
    click.echo(article.text)


def _open_or_build(corpus_dir: Path, index_dir: Path):
    from search import CorpusSearchError, IndexNotFound, IndexOutdated, open_engine

    try:
        return open_engine(index_dir)
    except (IndexNotFound, IndexOutdated) as error:
        reason = "no index yet" if isinstance(error, IndexNotFound) else "the index is from another version"
        click.echo(f"{reason}: building it from {str(corpus_dir)!r} into {str(index_dir)!r}", err=True)
        _build(corpus_dir, index_dir, rebuild=True)
    except CorpusSearchError as error:  # a damaged index: said, never built over
        raise click.ClickException(str(error)) from None
    with _translated_errors():
        return open_engine(index_dir)


def _build(corpus_dir: Path | None, index_dir: Path, *, rebuild: bool, force: bool = False, repair: bool = False,
           workers: int | None = None, show_progress: bool = True):
    from index import build_index

    bar = None
    started = 0.0  # when the first article was indexed: the rate leaves out scanning and loading

    def articles_and_rate(documents: int | None) -> str | None:
        if not documents:
            return None
        return f"{documents:,} articles, {documents / max(time.monotonic() - started, 1e-3):,.0f}/s"

    def progress(done: int, total: int, documents: int) -> None:
        """Bytes read of the corpus (percent and time left), and articles indexed so far (count and rate)."""
        nonlocal bar, started
        if bar is None:
            started = time.monotonic()
            bar = click.progressbar(length=max(total, 1), label="Indexing", file=sys.stderr, show_pos=False,
                                    show_percent=True, show_eta=True, item_show_func=articles_and_rate)
            bar.__enter__()
        bar.update(done - bar.pos, documents)

    def warn(skipped) -> None:
        click.echo(f"warning: {skipped}", err=True)

    try:
        with _translated_errors():
            return build_index(corpus_dir, index_dir, rebuild=rebuild, progress=progress if show_progress else None,
                               warn=warn, force=force, repair=repair, workers=workers)
    except KeyboardInterrupt:
        click.echo("\ninterrupted: the index is as it was before this run", err=True)
        sys.exit(130)
    except OSError as error:  # a full disk, a read-only folder: the run is undone, the index left as it was
        where = f" ({error.filename})" if error.filename else ""
        raise click.ClickException(f"cannot write the index at {str(index_dir)!r}: {error.strerror or error}{where}; "
                                   "the index is as it was before this run") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _describe_report(report, index_dir: Path) -> str:
    what = "built" if report.rebuilt else "updated" if report.changed else "already up to date"
    if report.repaired:
        what = f"repaired ({', '.join(report.repaired)} replaced) and {what}"
    parts = [
        f"Index {what} at {str(index_dir)!r} in {report.took_s:.1f} s:",
        f"{report.added_files} files added, {report.updated_files} changed, {report.removed_files} removed, "
        f"{report.unchanged_files} unchanged; {report.documents_indexed} documents indexed",
    ]
    if report.languages:
        parts.append("; languages: " + ", ".join(f"{lang} {n}" for lang, n in report.languages.most_common()))
    if report.skipped:
        parts.append(f"; {len(report.skipped)} skipped (see warnings)")
    if report.unstemmed_languages:
        parts.append(f"; no stemmer for {', '.join(report.unstemmed_languages)}: exact matching only")
    return " ".join(parts[:1]) + " " + "".join(parts[1:]) + "."


def _print_result(result) -> None:
    shown = f"{result.offset + 1}-{result.offset + len(result.hits)} of " if result.hits else ""
    plural = "" if result.total == 1 else "s"
    query = f" for {result.query!r}" if result.query else ""
    click.echo(f"{shown}{result.total} result{plural}{query} ({result.took_ms:.0f} ms)")
    for note in result.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    if result.suggestion:
        click.echo(f"Did you mean: {click.style(result.suggestion, bold=True)}?  "
                   f"(corpus-search search {shlex.quote(result.suggestion)})")
    for number, hit in enumerate(result.hits, start=result.offset + 1):
        click.echo()
        click.secho(f"{number}. {hit.title}", bold=True)
        details = " · ".join(value for value in (hit.id, hit.lang, hit.date, hit.source) if value)
        click.secho(f"   {details}", dim=True)
        snippet = "".join(
            click.style(f.text, fg="yellow", bold=True) if f.is_match else f.text for f in hit.snippet
        )
        if snippet:
            click.echo(f"   {snippet}")
    facets = [(name, values) for name, values in result.facets.items() if values]
    if facets:
        click.echo()
        for name, values in facets:
            counts = " · ".join(f"{v.label or v.value} {v.count}" for v in values)
            click.echo(f"{FACET_TITLES.get(name, name.title())}: {counts}")


@main.group()
def cluster() -> None:
    """Run search nodes (Sphinx or Manticore searchd) on this machine, for the cluster backend.

    \b
    corpus-search cluster start --nodes 2 --data nodes/    start two nodes, print the index URL
    corpus-search cluster status --data nodes/             which nodes run, on which ports
    corpus-search cluster stop --data nodes/ [--node 2]    stop all nodes, or one (their data stays)
    """


def data_option(function):
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
                        help="Folder of the nodes' configuration, data, logs and pid files.")(function)


@cluster.command("start")
@click.option("--nodes", type=click.IntRange(1, 64), default=None,
              help="Nodes of a new cluster [default: 2; a cluster keeps the number it was started with].")
@click.option("--port", "first_port", type=click.IntRange(1024, 65000), default=None,
              help="First port of a new cluster, two per node [default: 9306, or free ports if it is taken].")
@click.option("--json", "as_json", is_flag=True, help="Print the nodes and the index URL as JSON.")
@data_option
def cluster_start(nodes, first_port, as_json, data_dir) -> None:
    """Start the nodes of the cluster in --data (those not running already) and print the index URL.

    Each node listens on loopback only, with its own two ports (SphinxQL for
    the product, Sphinx's protocol between nodes), holds one real-time index
    per language and a distributed index over every node. Use the URL printed
    as --index (or CORPUS_SEARCH_INDEX).
    """
    from index.sphinx_nodes import cluster_url, start_cluster

    with _translated_errors():
        states = start_cluster(data_dir, nodes, first_port)
    url = cluster_url([state.node for state in states])
    if as_json:
        _print_json({"url": url, "nodes": _node_rows(states, data_dir)})
        return
    _echo_nodes(states, data_dir)
    click.echo(url)


@cluster.command("stop")
@click.option("--node", "number", type=click.IntRange(min=1), default=None, help="Stop this node only.")
@click.option("--json", "as_json", is_flag=True, help="Print the nodes' state as JSON.")
@data_option
def cluster_stop(number, as_json, data_dir) -> None:
    """Stop every node of the cluster in --data, or node --node; nothing of their data is deleted."""
    from index.sphinx_nodes import stop_cluster

    with _translated_errors():
        states = stop_cluster(data_dir, number)
    if as_json:
        _print_json({"nodes": _node_rows(states, data_dir)})
    else:
        _echo_nodes(states, data_dir)


@cluster.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the nodes' state as JSON.")
@data_option
def cluster_status(as_json, data_dir) -> None:
    """Which nodes of the cluster in --data are running, and on which ports."""
    from index.sphinx_nodes import cluster_state, cluster_url

    with _translated_errors():
        states = cluster_state(data_dir)
    if as_json:
        _print_json({"url": cluster_url([s.node for s in states]), "nodes": _node_rows(states, data_dir)})
    else:
        _echo_nodes(states, data_dir)


def _node_rows(states, data_dir: Path) -> list[dict]:
    return [{"node": s.node.number, "running": s.running, "pid": s.pid, "sql_port": s.node.sql_port,
             "api_port": s.node.api_port, "folder": str(s.node.folder(data_dir))} for s in states]


def _echo_nodes(states, data_dir: Path) -> None:
    for state in states:
        node = state.node
        running = f"running (pid {state.pid})" if state.running else "stopped"
        click.echo(f"node {node.number}: {running}, SphinxQL 127.0.0.1:{node.sql_port}, "
                   f"agents {node.api_port}, {node.folder(data_dir)}", err=True)


def _print_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextlib.contextmanager
def _translated_errors():
    """Turn the engine's errors into one-line CLI errors: usage (exit 2) or other (exit 1)."""
    from search import CorpusSearchError, QueryError

    try:
        yield
    except QueryError as error:
        raise click.UsageError(str(error)) from None
    except CorpusSearchError as error:
        raise click.ClickException(str(error)) from None


if __name__ == "__main__":
    main()
