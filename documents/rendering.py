"""HTML to PDF for Qiyue's documents: GB/T 9704 page, prepared Chinese fonts, fast repeated renders.

``render_pdf(html)`` is the one call documents need. What makes it fast, measured on a 7-page
agreement (``make bench`` re-measures against naive WeasyPrint in the same run):

- the fonts are prepared once (``documents.fonts``): TrueType cut to GB 2312 and what documents
  write beside it, plus one rare-character font, instead of 20–26 MB CFF collections that WeasyPrint
  would otherwise have fontconfig search and subset at every write;
- one WeasyPrint ``FontConfiguration`` and one parsed stylesheet (``@font-face`` rules + the
  GB/T 9704 CSS) per process, reused by every render, so fonts are registered and their faces
  loaded once, not per document;
- batches of a dozen documents or more go to a pool of worker processes (``render_pdf_batch``),
  each holding its own renderer, fed a bounded window of documents so memory stays flat however
  long the batch; a shorter batch is rendered in the calling process (``POOL_FROM``).

A document is rendered from its snapshot HTML only; anything that would put a placeholder in a
legal document fails loudly instead: a character no prepared font has (:class:`UnsupportedCharacters`),
an image or stylesheet that cannot be read (:class:`DocumentRenderingError`), no Chinese font
installed (:class:`documents.fonts.FontsMissing`).
"""

import atexit
import gc
import html.parser
import logging
import multiprocessing.util
import shutil
import threading
import unicodedata
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice
from multiprocessing import get_context
from pathlib import Path

from . import fonts as font_prep

logger = logging.getLogger(__name__)

BASE_STYLESHEET_PATH = Path(__file__).parent / "templates" / "documents" / "base_document.css"

# The system fonts the naive comparison asks fontconfig for, by the same roles.
SYSTEM_FAMILIES = {
    "Qiyue Song": "Noto Serif CJK SC",
    "Qiyue Hei": "Noto Sans CJK SC",
    "Qiyue Kai": "AR PL UKai CN",
}


class DocumentRenderingError(RuntimeError):
    """A document could not be rendered as written (e.g. an image it names cannot be read)."""


class UnsupportedCharacters(DocumentRenderingError):
    """The document has characters none of the prepared fonts can draw."""

    def __init__(self, chars):
        self.chars = "".join(sorted(chars))
        listed = "、".join(f"{c}（U+{ord(c):04X}）" for c in self.chars)
        super().__init__(
            f"文档含有无法排版的字符：{listed}。请改用规范汉字后重新生成。"
            f" / The document has characters no prepared font can draw: {listed}."
        )


def base_stylesheet() -> str:
    """The GB/T 9704 page and type CSS that document templates rely on (no @font-face)."""
    return BASE_STYLESHEET_PATH.read_text(encoding="utf-8")


def _url_fetcher():
    """Local files and data: URLs only (offline intranets), and a missing one stops the render."""
    try:
        from weasyprint import URLFetcher
    except ImportError:  # WeasyPrint < 67
        return None
    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


class _TextCollector(html.parser.HTMLParser):
    """The characters a browser would draw: text outside <script>, <style> and <title>."""

    HIDDEN = {"script", "style", "title", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chars = set()
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.chars.update(data)


def _drawn(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"})


def unsupported_characters(html_text: str, covered: frozenset) -> set:
    """Characters of the document's text that no prepared font has."""
    candidates = {c for c in set(html_text) - covered if _drawn(c)}
    if not candidates:  # the usual case, decided without parsing
        return set()
    collector = _TextCollector()
    collector.feed(html_text)
    collector.close()
    return collector.chars & candidates


class Renderer:
    """One process's PDF renderer: a font configuration and stylesheet reused by every render.

    WeasyPrint's font configuration is not safe to share between threads, so renders in one
    process are serialised by a lock; use :func:`render_pdf_batch` for throughput.
    """

    def __init__(self, fonts: "font_prep.PreparedFonts"):
        from weasyprint import CSS
        from weasyprint.text.ffi import harfbuzz_subset
        from weasyprint.text.fonts import FontConfiguration

        if harfbuzz_subset is None:
            logger.warning(
                "libharfbuzz-subset0 is not installed: WeasyPrint falls back to fontTools to "
                "subset fonts, about 5x slower (apt-get install libharfbuzz-subset0)"
            )
        self.fonts = fonts
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=fonts.font_face_css() + base_stylesheet(),
            font_config=self.font_config,
            url_fetcher=_url_fetcher(),
        )
        self._image_cache = {}  # seals and logos repeat across documents
        self._lock = threading.Lock()
        _open_renderers.add(self)

    def close(self) -> None:
        """Remove WeasyPrint's temporary copy of the fonts now.

        WeasyPrint removes it when the font configuration is collected, which never happens in
        a pool worker (os._exit) and fails during interpreter shutdown.
        """
        folder = getattr(self.font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            self.font_config._folder = None

    def render(self, html_text: str, *, base_url: str | None = None) -> bytes:
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError

        unsupported = unsupported_characters(html_text, self.fonts.covered_chars)
        if unsupported:
            raise UnsupportedCharacters(unsupported)
        with self._lock:
            if len(self._image_cache) > 64:
                self._image_cache.clear()
            try:
                document = HTML(string=html_text, base_url=base_url, url_fetcher=_url_fetcher())
                return document.write_pdf(
                    stylesheets=[self.stylesheet],
                    font_config=self.font_config,
                    cache=self._image_cache,
                )
            except FatalURLFetchingError as error:
                raise DocumentRenderingError(f"文档引用的资源无法读取 / {error}") from error


_renderers: dict = {}
_renderers_lock = threading.Lock()
_open_renderers = weakref.WeakSet()


@atexit.register
def _close_renderers() -> None:
    for renderer in list(_open_renderers):
        renderer.close()


def get_renderer(cache_dir=None, source_dirs=None) -> Renderer:
    """This process's renderer for a font cache, preparing the fonts on first use.

    The directories default to the settings (``VAR_DIR/fonts``, ``QIYUE_FONT_DIRS``).
    """
    cache_dir = Path(cache_dir) if cache_dir else font_prep.default_cache_dir()
    if source_dirs is None:
        source_dirs = font_prep.default_source_dirs()
    key = (cache_dir, tuple(Path(d) for d in source_dirs))
    with _renderers_lock:
        renderer = _renderers.get(key)
        if renderer is None:
            fonts = font_prep.prepared_fonts(cache_dir, source_dirs)
            renderer = _renderers[key] = Renderer(fonts)
        return renderer


def render_pdf(html_text: str, *, base_url: str | None = None) -> bytes:
    """The PDF of one document's HTML, on the GB/T 9704 page with the prepared fonts."""
    return get_renderer().render(html_text, base_url=base_url)


# --- Batches: a pool of worker processes, no Django in them --------------------------------------

_worker_renderer: Renderer | None = None


def _init_worker(cache_dir: str) -> None:
    global _worker_renderer
    _worker_renderer = Renderer(font_prep.PreparedFonts.load(Path(cache_dir)))
    # One render loads the fonts and fills WeasyPrint's caches; freezing what exists then keeps the
    # garbage collector's full passes from walking it all again every few documents (measured: a
    # 0.07 s stall every third render without it).
    _worker_renderer.render("<p>预热</p>")
    gc.freeze()
    # Pool workers leave through os._exit, past atexit: multiprocessing's own exit hook runs this.
    multiprocessing.util.Finalize(None, _close_renderers, exitpriority=10)


def _render_chunk(chunk: list, base_url: str | None) -> list:
    return [_worker_renderer.render(html_text, base_url=base_url) for html_text in chunk]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# A batch shorter than this is rendered in the calling process. A spawned worker starts in about
# 0.6 s of CPU (Python, WeasyPrint, the fonts, one warm-up render), the time of ten or more
# renders of a household's agreement in an already warm renderer (measured: 0.06 s for a page):
# two workers pay for themselves only from about a dozen papers.
POOL_FROM = 12


def render_pdf_batch(
    htmls: Iterable[str],
    workers: int = 2,
    *,
    base_url: str | None = None,
    chunk_size: int = 4,
    cache_dir=None,
    pool_from: int = POOL_FROM,
) -> Iterator[bytes]:
    """PDFs of many documents, in input order, rendered by ``workers`` processes.

    At most ``2 * workers`` chunks are in flight, so a batch of any length holds only a few
    documents' HTML and PDFs in memory; ``htmls`` may be a generator. Workers are spawned (no
    fork of a process holding GLib and database state) and load the prepared fonts by path.
    A batch of fewer than ``pool_from`` documents, or one worker, is rendered here, one by one.
    """
    iterator = iter(htmls)
    head = list(islice(iterator, max(pool_from, 1)))
    if workers <= 1 or len(head) < pool_from:
        renderer = get_renderer(cache_dir)
        for html_text in chain(head, iterator):
            yield renderer.render(html_text, base_url=base_url)
        return
    # Prepare the fonts here, once, before any worker needs them (no renderer in this process).
    cache_dir = font_prep.prepared_fonts(cache_dir).directory
    chunks = _chunks(chain(head, iterator), chunk_size)
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(str(cache_dir),)
    ) as pool:
        window = deque(
            pool.submit(_render_chunk, chunk, base_url) for chunk in islice(chunks, 2 * workers)
        )
        while window:
            pdfs = window.popleft().result()
            for chunk in islice(chunks, 1):
                window.append(pool.submit(_render_chunk, chunk, base_url))
            yield from pdfs


# --- The comparison `make bench` measures against -------------------------------------------------


def naive_stylesheet() -> str:
    """The same page and type, with the system fonts named directly (no preparation)."""
    css = base_stylesheet().replace(', "Qiyue Rare"', "")
    for ours, system in SYSTEM_FAMILIES.items():
        css = css.replace(f'"{ours}"', f'"{system}"')
    return css


def naive_render_pdf(html_text: str) -> bytes:
    """Plain WeasyPrint, as one would write it first: fresh fonts and stylesheet every time."""
    from weasyprint import CSS, HTML

    return HTML(string=html_text).write_pdf(stylesheets=[CSS(string=naive_stylesheet())])
