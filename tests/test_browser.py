"""End to end in a real browser: Debian's Chromium driven by Playwright against a real server."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# As root and on a closed network, Chromium needs these (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it with apt-get", pytrace=False)
    pytestmark = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(seed_index):
    """The app under waitress on a free loopback port, for the module's tests."""
    yield from _served(seed_index)


@pytest.fixture(scope="module")
def real_server(real_index):
    """The same over 600 real articles (long sources, ids and names)."""
    yield from _served(real_index)


def _served(index_dir):
    from waitress.server import create_server

    httpd = create_server(create_app(index_dir), host="127.0.0.1", port=0, threads=4)

    def run_until_closed():
        try:
            httpd.run()
        except OSError:  # EBADF when the fixture closes the server under the loop: the end, not an error
            pass

    thread = threading.Thread(target=run_until_closed, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}"
    httpd.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def total(page) -> int:
    return int(page.locator("#total").inner_text().replace(",", ""))


def test_search_filter_unfilter_page_and_follow_an_entity(server, page):
    page.goto(server + "/")
    page.get_by_label("Search the corpus").fill("Poutine")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Poutine")
    assert total(page) == 4
    marks = page.locator(".snippet mark").all_inner_texts()
    assert "Vladimir Poutine" in marks and "Putin" in marks  # the French word, and its entity elsewhere
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

    page.locator('[data-facet="country"] a.facet-value', has_text="North Korea").click()
    page.wait_for_url("**country=KP**")
    assert total(page) == 1
    assert page.locator(".chip").inner_text().startswith("Countries: North Korea")

    page.get_by_label("Remove filter Countries: North Korea").click()
    page.wait_for_url("**/?q=Poutine")
    assert total(page) == 4 and page.locator(".chip").count() == 0

    page.goto(server + "/?q=Putin&per_page=2")
    first_page = page.locator(".hit h3").all_inner_texts()
    page.get_by_role("link", name="Next ›").click()
    page.wait_for_url("**page=2**")
    assert page.locator("ol.hits").get_attribute("start") == "3"
    assert not set(page.locator(".hit h3").all_inner_texts()) & set(first_page)

    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator(".text mark").count() > 0  # the query's words, highlighted in the article
    page.locator(".entities a.entity-link", has_text="Xi Jinping").click()
    page.wait_for_url("**person=Xi+Jinping**")
    assert total(page) == 5 and "Xi Jinping" in page.locator(".chip").inner_text()


def test_sort_applies_on_change_with_javascript(server, page):
    page.goto(server + "/?q=Putin")
    page.select_option("#sort", "date")
    page.wait_for_url("**sort=date**")
    assert page.locator("#sort").input_value() == "date"


def test_everything_works_with_javascript_off(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/?q=Shoigu")
    page.locator('[data-facet="lang"] a.facet-value', has_text="French").click()
    assert total(page) == 1
    page.get_by_role("button", name="Sort").click()  # the button JavaScript would hide
    assert total(page) == 1
    context.close()


def test_a_script_in_the_query_does_not_run(server, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server + "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&person=%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E")
    page.wait_for_load_state("load")
    assert dialogs == []
    assert page.get_by_label("Search the corpus").input_value() == "<script>alert(1)</script>"


def test_without_javascript_a_phone_shows_results_first_and_a_link_to_the_facets(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/?q=Putin")
    results_top = page.locator(".results").bounding_box()["y"]
    facets_top = page.locator(".facets").bounding_box()["y"]
    assert results_top < facets_top
    page.get_by_role("link", name="Filters ↓").click()
    assert page.evaluate("location.hash") == "#filters"
    assert page.locator('section[data-facet="person"] .facet-value').first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


@pytest.mark.parametrize("path", ["/?q=Stoccolma", "/?q=&org=Carabinieri", "/?q=regeringen"])
def test_real_articles_fit_a_phone_screen(real_server, browser, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(real_server + path)
    assert page.locator(".hit").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # long sources and ids wrap
    page.locator(".hit a").first.click()  # and the article page too
    page.wait_for_url("**/article**")  # evaluating mid-navigation finds no document
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_histogram_shows_matches_per_year_and_a_bar_narrows_to_its_year(real_server, browser):
    for width in (1280, 390, 320):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(real_server + "/?q=polisen")
        total = int(page.locator("#total").inner_text().replace(",", ""))
        bars = page.locator(".histogram rect.bar")
        counts = [int(bars.nth(i).get_attribute("data-count")) for i in range(bars.count())]
        assert bars.count() >= 2 and 0 < sum(counts) <= total  # undated articles have no bar
        assert page.locator(".histogram svg").bounding_box()["width"] <= width
        lines = page.evaluate("""[...document.querySelectorAll('.histogram figcaption > span:not(.what)')].map(el => {
            const range = document.createRange(); range.selectNodeContents(el); return range.getClientRects().length; })""")
        assert lines == [1, 1]  # the first and last years each on one line, at 390 px too ("199" over "4" was seen)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"histogram-{width}.png"))
        busiest = max(range(len(counts)), key=counts.__getitem__)
        year = bars.nth(busiest).get_attribute("data-year")
        page.locator(".histogram a").nth(busiest).click()
        page.wait_for_url(f"**from={year}**")
        assert int(page.locator("#total").inner_text().replace(",", "")) == counts[busiest]
        assert page.locator("#from").input_value() == year and page.locator("#to").input_value() == year
        context.close()


def _total(page) -> int:
    return int(page.locator("#total").inner_text().replace(",", ""))


def test_or_and_not_within_a_facet_on_the_page(server, page):
    page.goto(server + "/?person=Vladimir+Putin&person=Sergei+Shoigu")
    both = _total(page)
    people = page.locator('section[data-facet="person"]')
    assert people.locator(".any-toggle").get_attribute("aria-pressed") == "false"
    people.locator(".any-toggle").click()  # all of → any of
    page.wait_for_url("**any=person**")
    either = _total(page)
    assert either > both and people.locator(".any-toggle").get_attribute("aria-pressed") == "true"
    countries = page.locator('section[data-facet="country"]')
    name = countries.locator(".facet-value .label").first.inner_text()
    countries.locator("a.not").first.click()  # leave out the articles of the commonest country
    page.wait_for_url("**not_country=**")
    assert _total(page) < either
    assert page.locator(".chips").get_by_text(name).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "or-not.png"))


def test_the_export_links_download_the_whole_result_set(server, browser):
    import csv
    import json

    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "/?q=Putin&per_page=1")  # one hit shown, every hit exported
    total = _total(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert download.value.suggested_filename == "corpus-search.csv" and len(rows) == total > 1
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON Lines").click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert len(lines) == total and {line["id"] for line in lines} == {row["id"] for row in rows}
    context.close()


def _contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS colours given as rgb(…) strings."""
    def luminance(color: str) -> float:
        channels = [int(c) / 255 for c in color[color.index("(") + 1 : color.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_keyboard_reaches_the_results_through_a_skip_link_with_a_visible_focus_ring(server, page):
    page.goto(server + "/?q=Putin")
    page.keyboard.press("Tab")  # the first tab stop is the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _contrast(ring, background) >= 3, (ring, background)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"
    stops = 0
    while not page.evaluate("document.activeElement.closest('.hit') !== null") and stops < 10:
        page.keyboard.press("Tab")  # past the facets: the sort, the export links, then the first hit
        stops += 1
    assert page.evaluate("document.activeElement.closest('.hit') !== null") and stops <= 6, stops


def test_a_hits_provenance_is_one_line_even_for_long_sources(real_server, browser):
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(real_server + "/?q=interpellation")
        meta = page.locator(".hit .meta").first
        line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.hit .meta')).lineHeight)"))
        assert meta.bounding_box()["height"] < 1.6 * line  # one line, where sources and ids took two or three
        assert "riksdagen" in meta.get_attribute("title")  # the whole of it in the tooltip
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()


def test_a_facet_count_stays_on_one_line_beside_a_long_name(real_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(real_server + "/?q=regeringen")
    # The lines each count's text is laid out on (its box may be as tall as a name that takes two lines).
    lines = page.evaluate("""[...document.querySelectorAll('.facet-value .count')].filter(e => e.offsetParent)
        .map(e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; })""")
    assert len(lines) > 10
    assert set(lines) == {1}  # "17" beside "Maria Malmer Stenergard" had wrapped to "1" / "7"
    context.close()


def test_on_a_phone_the_facets_are_a_drawer_above_the_results(real_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(real_server + "/?q=polisen")
    drawer = page.locator("details.filters summary")
    assert drawer.is_visible() and drawer.bounding_box()["y"] < page.locator(".hit").first.bounding_box()["y"]
    value = page.locator('section[data-facet="person"] .facet-value').first
    assert not value.is_visible()  # closed: the results come first on screen
    drawer.click()
    assert value.is_visible() and value.bounding_box()["y"] < 1200
    value.click()  # a value chosen from the drawer filters the results
    page.wait_for_url("**person=**")
    assert page.locator(".chips .chip").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-drawer.png"))
    context.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    wide.goto(real_server + "/?q=polisen")
    assert not wide.locator("details.filters summary").is_visible()
    assert wide.locator('section[data-facet="person"] .facet-value').first.is_visible()
    wide.context.close()


def test_the_interface_speaks_the_browsers_language_and_switches_on_request(real_server, browser):
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(real_server + "/?q=polisen")  # no ui=: the browser asks for French (Accept-Language)
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.get_by_role("button", name="Rechercher").is_visible()
        assert page.locator("details.filters summary").inner_text().startswith("Filtres")
        assert "résultats" in page.locator(".summary .count").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # longer words still fit
        page.locator('nav.ui-languages a[lang="sv"]').click()  # the reader picks Swedish
        page.wait_for_url("**ui=sv**")
        assert page.evaluate("document.documentElement.lang") == "sv"
        assert page.get_by_role("button", name="Sök", exact=True).is_visible()
        assert "träffar" in page.locator(".summary .count").inner_text()
        if width == 1280:
            headings = " ".join(page.locator(".facets h2").all_inner_texts()).lower()  # CSS writes them in capitals
            assert "personer" in headings and "people" not in headings
        page.get_by_role("link", name="Italiano").click()
        page.wait_for_url("**ui=it**")
        assert "risultati" in page.locator(".summary .count").inner_text()
        page.locator(".hit h3 a").first.click()  # the article page keeps the language
        assert page.locator("a.back").inner_text() == "‹ Torna ai risultati"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"article-it-{width}.png"))
        context.close()


# Every element's own text, its colour and the first opaque background behind it (alpha blended onto white).
TEXT_COLOURS = """() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || [0, 0, 0, 0]; return m.map(Number).concat([1]).slice(0, 4); };
  const behind = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const [r, g, b, a] = parse(getComputedStyle(e).backgroundColor);
      if (a > 0.5) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim());
    const box = element.getBoundingClientRect();
    if (!own.length || box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.clip === "rect(0px, 0px, 0px, 0px)") continue;
    const [r, g, b, a] = parse(style.color);
    const back = behind(element);
    const color = [r, g, b].map((c, i) => Math.round(c * a + back[i] * (1 - a)));
    found.push({text: own.join(" ").slice(0, 40), tag: element.tagName, cls: element.className.baseVal ?? element.className,
                color: `rgb(${color})`, background: `rgb(${back})`, size: parseFloat(style.fontSize),
                weight: parseInt(style.fontWeight, 10)});
  }
  return found;
}"""


def test_every_text_meets_wcag_aa_contrast(real_server, browser):
    """4.5:1 for text, 3:1 for large text (24 px, or 18.7 px bold), on every page state, wide and narrow."""
    failures, measured, colours = set(), 0, set()

    def audit(page):
        nonlocal measured
        for item in page.evaluate(TEXT_COLOURS):
            large = item["size"] >= 24 or (item["size"] >= 18.66 and item["weight"] >= 700)
            ratio = _contrast(item["color"], item["background"])
            measured += 1
            colours.add((item["color"], item["background"]))
            if ratio < (3 if large else 4.5):
                failures.add((item["tag"], item["cls"], item["color"], item["background"], round(ratio, 2)))

    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for path in ("/?q=polisen&not_lang=it", "/?q=polisen&person=Morgan+Johansson&any=person",
                     "/?q=zzzqqqxx", "/article/no-such-id"):
            page.goto(real_server + path)
            if width == 390 and page.locator("details.filters summary").count():
                page.locator("details.filters summary").click()  # the drawer's own texts
            audit(page)
        page.goto(real_server + "/?q=polisen")
        page.locator(".hit h3 a").first.click()
        page.wait_for_url("**/article**")
        audit(page)
        context.close()
    assert measured > 300 and len(colours) >= 5, (measured, colours)  # links, marks, chips, counts, meta lines
    assert not failures, sorted(failures)
