"""No English left on the Chinese UI.

Signed in as several roles of a demo-like county, every page reachable from the menus (and the
project page, a task page, the flow chart, sign-in, /report/, /verify/) is rendered in zh-hans;
its visible text (tags, scripts, styles and icon ligatures stripped) must hold no Latin word
outside a short allow-list. Codes and usernames in data (``township_lead_A``) are not words.
"""

import re
from html.parser import HTMLParser

import pytest

from processes import demo
from processes.models import ImplementationMode

# Words a Chinese official reads as they are.
ALLOWED = {"PDF", "ID", "Excel", "SHA", "English", "QR", "BPMN", "SVG", "CSV", "ICP"}
# A Latin word standing alone: not part of a code, path, address or identifier.
WORD = re.compile(r"(?<![\w/.@:#-])[A-Za-z][A-Za-z']+(?![\w/.@:-])")
HIDDEN_TAGS = {"script", "style", "svg", "template", "code", "noscript", "head"}
# Never followed: they leave the session, change state on GET, or are not pages.
SKIP = re.compile(r"logout|/i18n/|/admin/|download|\.pdf|\.xlsx|export|/static/|/media/|format=")
MAX_PAGES_PER_ROLE = 45


class VisibleText(HTMLParser):
    """The text a person sees: text nodes and the attributes browsers show."""

    def __init__(self):
        super().__init__()
        self.hidden = []  # the open tags whose content is not shown
        self.parts, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag in HIDDEN_TAGS or "material-icons" in classes or "qy-raw" in classes:
            self.hidden.append(tag)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"].split("#")[0])
        if not self.hidden and attrs.get("type") != "hidden":
            for name in ("placeholder", "title", "aria-label", "label"):
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.parts.append(attrs.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        if tag not in HIDDEN_TAGS:
            self.handle_starttag(tag, attrs)
            if self.hidden and self.hidden[-1] == tag:
                self.hidden.pop()

    def handle_endtag(self, tag):
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str) -> tuple[set[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    words = {w for part in parser.parts for w in WORD.findall(part)} - ALLOWED
    return words, parser.links


def shape(url: str) -> str:
    """One page per kind: /projects/7/ and /projects/8/ are the same template."""
    return re.sub(r"\d+", "N", url.split("?")[0])


def crawl(client, start_urls) -> dict[str, set[str]]:
    todo, seen_shapes, found = list(start_urls), set(), {}
    while todo and len(seen_shapes) < MAX_PAGES_PER_ROLE:
        url = todo.pop(0)
        if SKIP.search(url) or shape(url) in seen_shapes:
            continue
        seen_shapes.add(shape(url))
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        words, links = english_words(response.content.decode())
        if words:
            found[url] = words
        todo.extend(link for link in links if link and shape(link) not in seen_shapes)
    return found


def report(found) -> str:
    return "English on the Chinese UI:\n" + "\n".join(
        f"  {url}: {' '.join(sorted(words))}" for url, words in sorted(found.items())
    )


@pytest.fixture
def county(cast):
    """A county at work: a dividend project in implementation, a subsidy one at review."""
    dividend = demo.start_project(
        cast.user("village_secretary", "A1"),
        name="林下养鸡项目",
        industry="林下养鸡",
        village=cast.regions["A1"],
        mode=ImplementationMode.EQUITY_DIVIDEND,
        operator=cast.operators["A"],
        funds_amount="300000.00",
        scale="养鸡5000羽",
    )
    demo.advance_to(dividend, "progress_report")
    subsidy = demo.start_project(
        cast.user("village_secretary", "A2"),
        name="茶叶种植补助项目",
        industry="茶叶种植",
        village=cast.regions["A2"],
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds_amount="60000.00",
        scale="80亩",
    )
    demo.advance_to(subsidy, "township_review")
    return dividend, subsidy


def pages_of(project):
    task = demo.open_task(project)
    process = project.process
    flow = process.flow_class.instance
    return [
        "/",
        f"/projects/{project.pk}/",
        flow.reverse("process_chart_page", args=[process.pk]),
        flow.reverse("process_detail", args=[process.pk]),
        task.flow_task.reverse("detail", args=[task.process_id, task.pk]),
        task.flow_task.reverse("index", args=[task.process_id, task.pk]),
    ]


@pytest.mark.parametrize(
    "role, region",
    [
        ("village_secretary", "A1"),
        ("township_work_station", "A"),
        ("township_lead", "A"),
        ("county_poverty_office", "county"),
        ("county_discipline", "county"),
    ],
)
def test_signed_in_pages_show_no_english_on_the_chinese_ui(cast, county, role, region):
    dividend, subsidy = county
    client = cast.client(cast.user(role, region))
    start = ["/", *pages_of(dividend), *pages_of(subsidy)]
    found = crawl(client, start)
    assert not found, report(found)


def test_public_pages_show_no_english_on_the_chinese_ui(client, county):
    found = crawl(client, ["/accounts/login/", "/report/", "/verify/", "/no-such-page/"])
    assert not found, report(found)


def test_the_check_catches_an_english_word():
    words, _links = english_words(
        '<p>0-0 of 0 <i class="material-icons">draw</i> township_lead_A PDF</p>'
        '<md-outlined-text-field label="Created"></md-outlined-text-field>'
    )
    assert words == {"of", "Created"}
