"""Browser journeys: Playwright (sync API) driving Debian's chromium against the live server.

A ``person`` acts only through what is on screen: the login page, visible links, buttons and
labelled inputs, never scripts that set values or direct POSTs. On every page it sees, the
harness fails the test on a response ≥ 500, a request to any host but the live server, a
Content-Security-Policy violation (Chromium's console report, naming the directive), or a page
wider than the viewport. Each journey runs at desktop (1280×800) and phone (390×844).

Screenshots land in ``$QIYUE_VAR_DIR/screenshots/`` (default ``var/screenshots``): always on
failure, and at every step with ``QIYUE_SCREENSHOTS=1``. ``QIYUE_CHROMIUM`` names the browser
binary (default: Debian's ``/usr/bin/chromium-headless-shell``, the same engine built for headless
use, which draws a journey's pages with a quarter less CPU than the full ``/usr/bin/chromium``,
the fallback; nothing is downloaded).
"""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The sync API runs an event loop in the test's thread; the ORM calls of a test's set-up are
# still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from processes.flows import ProjectFlow  # noqa: E402

CHROMIUM_BINARIES = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
PASSWORD = "browser-journey-1"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The entries of the 任务 app's menu; the desk's menu lists the apps instead.
TASK_LISTS = ("待办", "待签收", "已办")
WAIT_SECONDS = 15
expect.set_options(timeout=WAIT_SECONDS * 1000)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # The live server needs real commits. serialized_rollback puts back what the
            # migrations made (permissions, the audit chain's head), which the flush after a
            # serialized transactional test elsewhere does not recreate.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def screenshots_dir() -> Path:
    var = Path(os.environ.get("QIYUE_VAR_DIR") or REPO_ROOT / "var")
    path = var / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# One browser per test: Playwright's sync API keeps an asyncio loop running in the thread while
# it is open, and code under test elsewhere (pyHanko's validation) calls asyncio.run().
@pytest.fixture(scope="session")
def chromium():
    """One browser for the test process (as pytest-playwright keeps one): each person gets a
    context of its own (people), as isolated as a new browser, without starting Playwright's
    driver and Chromium again for every journey."""
    executable = os.environ.get("QIYUE_CHROMIUM") or next(
        (path for path in CHROMIUM_BINARIES if Path(path).exists()), CHROMIUM_BINARIES[0]
    )
    if not Path(executable).exists():
        pytest.fail(
            f"no browser at {executable}: install Debian's chromium-headless-shell "
            "(scripts/sysdeps.sh)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


# One short wait of the loop in _wait: Playwright drops the re-check steps longer than a fifth of
# a wait's timeout, so 2.4 s leaves 0, 20, 50, 100, 100 ms and then every 100 ms.
SHORT_WAIT_MS = 2_400


def _wait(locator, state):
    """Wait until ``locator`` is in ``state`` ("visible", "detached") for up to the journeys'
    15 s, checking about every 100 ms. One Playwright wait (or ``expect``) checks at once,
    after 20, 50, 100 and 100 ms, and from then on every 500 ms: a page drawn in 300 ms was
    noticed only after 770. So the wait is asked again in short waits, each starting afresh.
    Like ``expect``, the wait is strict: a locator matching two elements is an error."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            locator.wait_for(state=state, timeout=SHORT_WAIT_MS)
            return
        except PlaywrightTimeoutError:
            if time.monotonic() > deadline:
                raise


def shown(locator):
    _wait(locator, "visible")


def gone(locator):
    """Nothing on the page matches ``locator`` (as ``expect(locator).to_have_count(0)``)."""
    _wait(locator.first, "detached")


class Person:
    """One person at one browser, seeing pages as they come."""

    def __init__(self, context, base_url, viewport, name):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.viewport = viewport
        self.name = name
        self.problems = []
        self.pages_seen = []
        self.step = 0
        self.every_step = os.environ.get("QIYUE_SCREENSHOTS") == "1"
        host = urlsplit(self.base_url).netloc
        # Only what is not the live server's is stopped and reported: a regular expression the
        # browser side matches, so the server's own requests (hundreds per journey: pages,
        # scripts, styles, fonts) are not each handed to Python and back.
        elsewhere = re.compile(rf"^(?!{re.escape(self.base_url)}/|data:|blob:)")
        context.route(elsewhere, lambda route: self._route(route, host))
        context.set_default_timeout(15_000)
        self.page = context.new_page()
        self.page.on("response", self._response)
        self.page.on("console", self._console)

    # --- what the harness watches ---------------------------------------------------------

    def _route(self, route, host):
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == host:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def _response(self, response):
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")

    def _console(self, message):
        # Chromium reports every refused script, style, image or frame on the console.
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            directive = re.search(r"directive:?\s*[\"']([a-z-]+)", text)
            what = directive.group(1) if directive else "?"
            where = message.location.get("url") or self.page.url
            self.problems.append(f"CSP violation ({what}) on {where}: {text[:400]}")

    def look(self):
        """Check the page now on screen: no server errors so far, nothing wider than the
        viewport (read only)."""
        self.page.wait_for_load_state()
        url = self.page.url
        if url not in self.pages_seen:
            self.pages_seen.append(url)
        # Measured once the page's fonts are in: until the icon font arrives, an icon's ligature
        # ("arrow_drop_down") is laid out as a word of text, and a first page in a fresh browser on a
        # busy machine was once measured at that moment, 1784 px wide on the 1280 px desktop.
        scroll, client = self.page.evaluate(
            "document.fonts.ready.then(() =>"
            " [document.documentElement.scrollWidth, document.documentElement.clientWidth])"
        )
        # A mobile browser widens its layout viewport to fit a too-wide page: compare with the
        # screen's width too, not only with clientWidth.
        width = min(client, VIEWPORTS[self.viewport]["width"])
        if scroll > width:
            self.problems.append(f"{url} is {scroll} px wide on a {width} px {self.viewport}")
        if self.every_step:
            self.shot()
        assert not self.problems, "\n".join(self.problems)

    def shot(self, label=""):
        self.step += 1
        path = self.page.url.replace(self.base_url, "").strip("/").replace("/", "_") or "home"
        name = f"{self.name}-{self.viewport}-{self.step:02d}-{label or path}"[:150]
        file = screenshots_dir() / (re.sub(r"[^\w.-]+", "_", name) + ".png")
        self.page.screenshot(path=str(file), full_page=True)
        return file

    # --- what a person does ---------------------------------------------------------------

    def open(self, path):
        """Type an address (a bookmark, a link in a notice)."""
        self.page.goto(self.base_url + path)
        self.look()

    def log_in(self, user):
        self.open("/accounts/login/")
        self.page.get_by_label("用户名").fill(user.username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        gone(self.page.get_by_role("button", name="登录"))
        self.look()

    def menu(self, label):
        """Follow an entry of the side menu; on a phone, open the menu first."""
        # "待签收 1", "warning 督办看板": the name may carry its icon's ligature and a count.
        name = re.compile(rf"^\s*([a-z_]+\s+)?{re.escape(label)}(\s+\(?\d+\)?)?\s*$")
        entry = self.page.locator(".vf-page__menu").get_by_role("link", name=name)
        if label in TASK_LISTS and entry.count() == 0:  # the desk's menu lists apps: 任务 first
            self.menu("任务")
            # The tasks app opens on the inbox: wait for it (on a phone its menu entries exist
            # only once the menu is opened, below).
            shown(self.page.get_by_role("heading", name="待办", exact=True))
        if not entry.first.is_visible():
            self.page.get_by_role("button", name=re.compile("navigation menu|导航")).click()
        entry.first.click()
        self.settle()
        self.look()

    def reload(self):
        """Press F5."""
        self.page.reload()
        self.look()

    def user_menu(self, label):
        """Follow an entry of the menu under one's own name (待我签署, 抄送我的, …)."""
        toggle = self.page.get_by_role("button", name="arrow_drop_down")
        if not toggle.first.is_visible():
            self.page.get_by_role("button", name=re.compile("navigation menu|导航")).click()
        toggle.first.click()
        self.menu(label)

    def settle(self):
        """Wait until a Turbo visit or form submission started by the last click is drawn:
        Turbo marks the page (or the form) aria-busy until the answer is on screen."""
        gone(self.page.locator("[aria-busy=true]"))
        self.page.wait_for_load_state()

    def click(self, name, role="link", exact=False):
        target = self.page.get_by_role(role, name=name, exact=exact).first
        shown(target)
        target.click()
        self.settle()
        self.look()

    def open_task(self, project_name, task_title=None):
        """In a task list, open the row of ``project_name`` (and ``task_title``) by its number."""
        rows = self.page.get_by_role("row").filter(has_text=project_name)
        if task_title:
            rows = rows.filter(has_text=task_title)
        link = rows.first.get_by_role("link").first
        shown(link)
        link.click()
        self.settle()
        self.look()

    def take(self, project_name, task_title=None):
        """From 待签收, open a step of ``project_name`` and claim it onto its form."""
        self.menu("待签收")
        self.open_task(project_name, task_title)
        self.press("签收并继续办理")

    def submit(self):
        """Press 办理 and land back at 待签收, the step done."""
        self.press("办理", exact=True)
        self.back_at_list("待签收")

    def press(self, name, exact=False):
        self.click(name, role="button", exact=exact)

    def field(self, label):
        """The field labelled ``label``, written as the page shows it ("举报内容:", or the
        Material form's "举报内容*" for a required field)."""
        base = re.escape(label.rstrip(":：*"))
        return self.page.get_by_label(re.compile(rf"^\s*{base}\s*[:：]?\s*\*?\s*$")).first

    def upload(self, label, path):
        """Click the file field labelled ``label`` and choose ``path`` in the file chooser."""
        # The Material file field lays its (transparent) file input over the visible box:
        # that input is what a person's click lands on.
        target = self.page.locator(f'input[type=file][label="{label.rstrip(":：*")}"]').first
        with self.page.expect_file_chooser() as chooser:
            target.click()
        chooser.value.set_files(path)

    def fill(self, label, value):
        field = self.field(label)
        shown(field)
        field.fill(value)

    def choose(self, label, option):
        """Open the (Material) select labelled ``label`` and pick ``option``."""
        field = self.page.get_by_role("button", name=re.compile("^" + re.escape(label))).first
        shown(field)
        field.click()
        choice = self.page.get_by_role("option", name=option)
        shown(choice.first)
        choice.first.click()
        expect(field).to_contain_text(option)

    def pick(self, label, option):
        """Pick the option containing ``option`` in the plain <select> labelled ``label``."""
        field = self.field(label)
        shown(field)
        text = field.locator("option").filter(has_text=option).first.inner_text()
        field.select_option(label=text.strip())

    def tick(self, label):
        box = self.field(label)
        shown(box)
        box.check()

    def see(self, text, exact=False):
        target = self.page.get_by_text(text, exact=exact).filter(visible=True).first
        shown(target)
        self.look()
        return target

    def back_at_list(self, title):
        """After a submission: the task list ``title`` (待办, 待签收) is what is on screen."""
        shown(self.page.get_by_role("heading", name=title, exact=True))
        self.look()

    def at(self, pattern):
        self.page.wait_for_url(re.compile(pattern))
        self.look()


@pytest.fixture
def people(chromium, live_server, viewport, request):
    """``people(user)`` gives a logged-in person (or ``people()`` a visitor) in a browser
    context of its own at the test's viewport."""
    opened = []
    phone = viewport == "phone"

    def person(user=None):
        context = chromium.new_context(
            viewport=VIEWPORTS[viewport],
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            # The system setting "fewer animations": the side menu opens at once instead of
            # sliding in for a quarter of a second (qiyue.css), which a click would wait out.
            reduced_motion="reduce",
        )
        who = user.username if user is not None else "visitor"
        who += f"-{len(opened) + 1}"  # the same user may open a second browser
        visitor = Person(context, live_server.url, viewport, f"{request.node.name}-{who}")
        opened.append(visitor)
        if user is not None:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            visitor.log_in(user)
        return visitor

    yield person
    report = getattr(request.node, "report_call", None)
    for visitor in opened:
        if report is None or report.failed:
            try:
                print(f"screenshot: {visitor.shot('failure')}")
            except Exception as error:  # the page may be gone; the failure is what matters
                print(f"no screenshot: {error}")
        visitor.context.close()


@pytest.fixture
def start_url():
    return ProjectFlow.start.reverse("execute")
