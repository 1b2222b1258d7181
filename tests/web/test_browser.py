"""The web page in a real browser: Debian's chromium, headless, driven by Playwright. Searches in
Chinese and English, filters, opens a document at its matching page, follows to the case
timeline, switches language, signs in as an auditor, checks phone width and runs axe-core."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web import harness

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_corpus):  # noqa: ANN001, ANN201
    settings = harness.build_archive(sample_corpus, tmp_path_factory.mktemp("web") / "var")
    with harness.served(settings) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    if harness.chromium_path() is None:
        message = f"Debian chromium is not installed at {harness.CHROMIUM} (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with harness.browser() as instance:
        yield instance


@pytest.fixture
def page(chromium, site):  # noqa: ANN001, ANN201
    context = chromium.new_context(base_url=site, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []  # console errors and failed requests (CSP violations show up here)
    tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    tab.on("requestfailed", lambda r: tab.problems.append(f"failed {r.url}"))
    yield tab
    context.close()


def search_box(page, text):  # noqa: ANN001, ANN201
    page.fill("#q", text)
    page.press("#q", "Enter")
    page.wait_for_load_state()


def hit_titles(page):  # noqa: ANN001, ANN201
    return page.locator(".hit-title").all_inner_texts()


def test_search_in_chinese_marks_matches_and_keeps_the_query_in_the_url(page):
    page.goto("/")
    search_box(page, "評選委員會")
    assert parse_qs(urlparse(page.url).query)["q"] == ["評選委員會"]
    assert re.match(r"共 \d+ 筆結果", page.inner_text("#status"))
    assert len(hit_titles(page)) == 10
    assert page.locator(".snippet mark").count() >= 10
    assert {"評選", "委員"} <= set(page.locator(".snippet mark").all_inner_texts())
    # the shared link reproduces the page, and pagination keeps the query
    page.click("nav.pager a[rel=next]")
    assert parse_qs(urlparse(page.url).query) == {"q": ["評選委員會"], "page": ["2"]}
    assert page.locator(".hits").get_attribute("start") == "11"
    assert page.problems == []


def test_search_in_english(page):
    page.goto("/?lang=en")
    search_box(page, "transparency")
    titles = hit_titles(page)
    assert titles and all(re.search(r"[A-Za-z]", t) for t in titles)
    assert re.match(r"\d+ results", page.inner_text("#status"))
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("transparen")


def test_filters_facets_and_sorting(page):
    page.goto("/?q=廠商")
    total = int(re.search(r"\d+", page.inner_text("#status")).group())
    page.click("details.filters summary")
    page.select_option("#doc_type", "award_notice")
    page.select_option("#sort", "date")
    page.click("details.filters button[type=submit]")
    page.wait_for_load_state()
    filtered = int(re.search(r"\d+", page.inner_text("#status")).group())
    assert 0 < filtered < total
    assert set(page.locator(".hit .type").all_inner_texts()) == {"決標公告"}
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)
    assert page.locator(".chips a", has_text="決標公告").count() == 1
    # a facet link narrows further; removing the chip widens again
    page.locator(".facets section", has_text="機關").locator("a").first.click()
    page.wait_for_load_state()
    assert "agency=" in page.url
    assert int(re.search(r"\d+", page.inner_text("#status")).group()) <= filtered
    page.locator(".chips a", has_text="決標公告").click()
    assert "doc_type" not in page.url
    # ROC dates in the date filter
    page.goto("/?q=廠商&date_from=113/01/01&date_to=113/12/31")
    years = {d[:4] for d in page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")}
    assert years == {"2024"}


def test_open_a_document_at_its_matching_page_then_its_case(page):
    page.goto("/?q=" + '"第3季辦理進度"')
    page.locator(".hit-title").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("#page-3")
    target = page.locator("section#page-3")
    assert target.locator("mark").count() >= 1
    assert target.evaluate("el => { const r = el.getBoundingClientRect();"
                           " return r.top < innerHeight && r.bottom > 0; }")
    image = target.locator("details.page-image img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    assert page.locator("#download").get_attribute("href").endswith("/file")
    case_id = page.inner_text("#case-link")
    page.click("#case-link")
    page.wait_for_load_state()
    assert case_id in page.inner_text("h1")
    items = page.locator("#timeline > li")
    assert items.count() >= 5
    order = items.evaluate_all("els => els.map(e => e.className)")
    assert order.index("stage-background") < order.index("stage-meeting_minutes") \
        < order.index("stage-award_notice")
    assert page.locator(".meeting").first.inner_text()
    page.wait_for_selector("#stage-chart[data-drawn=true]")
    assert page.problems == []


def test_contractor_and_agency_pages_draw_their_charts(page):
    page.goto("/?q=決標公告&doc_type=award_notice")
    page.locator(".contractors a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("廠商")
    page.wait_for_selector("#won-chart[data-drawn=true]")
    assert page.locator("table.data tbody tr").count() >= 1
    page.locator("table.data tbody a").first.click()
    page.wait_for_load_state()
    page.wait_for_selector("#awarded-chart[data-drawn=true]")
    assert page.problems == []


def test_switch_language_keeps_the_search(page):
    page.goto("/?q=廠商")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert parse_qs(urlparse(page.url).query) == {"q": ["廠商"], "lang": ["en"]}
    assert re.match(r"\d+ results", page.inner_text("#status"))
    assert page.locator(".hit .type").first.inner_text() in (
        "Award notice", "Tender notice", "Meeting minutes", "Meeting materials", "Background",
        "Planning", "Progress report", "Resolution", "Other")
    page.locator(".hit-title").first.click()  # links keep the language
    assert "lang=en" in page.url
    page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"


def test_auditor_sees_restricted_document_the_public_cannot_reach(chromium, site, page):
    page.goto("/?q=蛟龍計畫")
    assert "秘密調查局" not in " ".join(hit_titles(page))
    page.goto("/signin")
    page.fill("#username", harness.AUDITOR[0])
    page.fill("#password", "wrong password!!")
    page.click("form.signin button")
    assert page.locator("#signin-error").is_visible()
    page.fill("#password", harness.AUDITOR[1])
    page.click("form.signin button")
    page.wait_for_load_state()
    assert page.inner_text("#signed-in-user") == harness.AUDITOR[0]
    search_box(page, "蛟龍計畫")
    restricted = page.locator(".hit-title", has_text="秘密調查局")
    assert restricted.count() == 1
    restricted.click()
    page.wait_for_load_state()
    assert page.locator("#restricted-badge").is_visible()
    url = page.url
    # a fresh, anonymous browser gets the same answer as for a document that does not exist
    anonymous = chromium.new_context(base_url=site)
    other = anonymous.new_page()
    response = other.goto(url)
    assert response.status == 404 and "蛟龍" not in other.content()
    anonymous.close()
    # signing out ends the session
    page.click("header form.inline button")
    page.wait_for_load_state()
    assert page.goto(url).status == 404


def test_operator_page_needs_an_admin(page):
    page.goto("/operator")
    assert urlparse(page.url).path == "/signin"
    page.fill("#username", harness.ADMIN[0])
    page.fill("#password", harness.ADMIN[1])
    page.click("form.signin button")
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/operator"
    assert page.locator("#runs tbody tr").count() >= 2
    assert "完成" in page.inner_text("#runs")
    assert serious_violations(page) == []
    page.goto("/?q=蛟龍計畫")
    page.click("#save-search")
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/saved" and "蛟龍計畫" in page.inner_text("#saved-searches")
    assert serious_violations(page) == []


def test_phone_width_has_no_horizontal_scrolling(chromium, site):
    context = chromium.new_context(base_url=site, viewport={"width": 375, "height": 812},
                                   is_mobile=True, has_touch=True)
    tab = context.new_page()
    for url in ("/?q=評選委員會", "/?q=%22第3季辦理進度%22", "/cases"):
        tab.goto(url)
        assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), url
    context.close()


MAIN_PAGES = ["/", "/?q=評選委員會", "/?q=transparency&lang=en", "/?q=zzzz", "/cases",
              "/glossary", "/signin", "/documents/nope"]


def serious_violations(page) -> list:  # noqa: ANN001
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    return [(v["id"], v["impact"], len(v["nodes"])) for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_violations(page):
    urls = list(MAIN_PAGES)
    page.goto("/?q=" + '"第3季辦理進度"')
    doc = page.locator(".hit-title").first.get_attribute("href")
    page.goto(doc)
    case = page.get_attribute("#case-link", "href")
    page.goto(case)
    contractor = page.locator(".meta-list a[href^='/contractors/']").first.get_attribute("href")
    agency = page.locator(".meta-list a[href^='/agencies/']").first.get_attribute("href")
    urls += [doc, case, contractor, agency]
    report = {}
    for url in urls:
        page.goto(url)
        report[url] = serious_violations(page)
    assert all(not bad for bad in report.values()), report
