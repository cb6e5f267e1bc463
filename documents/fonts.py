"""Chinese fonts for the PDFs, prepared once from the system's font packages.

WeasyPrint subsets every font it embeds, and the Debian CJK fonts are huge (Noto Serif CJK: 65,535
CFF glyphs in a 26 MB collection). So we reduce them once, ahead of time, into ``VAR_DIR/fonts``:

- ``Qiyue Song`` (body, from Noto Serif CJK SC, else AR PL UMing CN), ``Qiyue Hei`` (一、 headings,
  from Noto Sans CJK SC) and ``Qiyue Kai`` (（一） headings, from AR PL UKai CN), each cut down to
  GB 2312 plus ASCII, Latin-1, 〇, ¥, — and the punctuation and full-width forms documents use
  (:func:`document_charset`): about 7,700 glyphs.
- ``Qiyue Song`` and ``Qiyue Hei`` in a real bold weight too (from Noto Serif / Sans CJK SC
  Bold, same characters), declared ``font-weight: bold``: the title and the 一、 headings are set
  in it, instead of a bold the renderer would fake or, as before, none at all.
- ``Qiyue Rare``: every other Han character and symbol of the Song source (喆 堃 珺 犇 䶮 …, about
  25,000 glyphs), listed last in every ``font-family`` so that WeasyPrint falls back to it glyph by
  glyph. Names outside GB 2312 therefore render in the same design as the body text.

They are cut down by HarfBuzz's subsetter (:mod:`documents.fontcut`, a quarter of a second for the
rare-character font where fontTools took 17 s). All six are TrueType: Noto's CFF outlines are
converted once (cu2qu), since TrueType fonts are cheaper to subset at write time (measured: see
``make bench`` and the rendering module's docstring).

``python manage.py build_fonts`` builds the cache; :func:`prepared_fonts` builds it lazily if it is
missing or if the source fonts changed, under a file lock, writing every file to a temporary name
and renaming it into place. Without any CJK font installed it raises :class:`FontsMissing`, which
names the Debian packages to install.

Nothing here needs Django except the defaults for the two directories (``settings.VAR_DIR`` or
``settings.QIYUE_FONT_CACHE_DIR``, and ``settings.QIYUE_FONT_DIRS`` for where the installed fonts
are), so PDF worker processes can use a prepared cache by path.
"""

import fcntl
import io
import json
import logging
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from . import fontcut

logger = logging.getLogger(__name__)

# Bump when the way fonts are prepared changes, so that existing caches are rebuilt.
FORMAT_VERSION = 3  # 2: the bold Song and Hei; 3: subset by HarfBuzz (no BASE table)

DEBIAN_PACKAGES = ("fonts-noto-cjk", "fonts-arphic-ukai")
INSTALL_COMMAND = "apt-get install " + " ".join(DEBIAN_PACKAGES)

DEFAULT_SOURCE_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)


@dataclass(frozen=True)
class Candidate:
    family: str  # the name table's family (name ID 1) of the face inside the file
    file_names: tuple[str, ...]
    package: str


# For each role, the source fonts in order of preference.
NOTO_SERIF = Candidate(
    "Noto Serif CJK SC",
    ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf", "NotoSerifSC-Regular.otf"),
    "fonts-noto-cjk",
)
UMING = Candidate("AR PL UMing CN", ("uming.ttc",), "fonts-arphic-uming")
SOURCES = {
    "song": (NOTO_SERIF, UMING),
    "song_bold": (
        Candidate(
            "Noto Serif CJK SC",
            ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf", "NotoSerifSC-Bold.otf"),
            "fonts-noto-cjk",
        ),
    ),
    "hei": (
        Candidate(
            "Noto Sans CJK SC",
            ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf"),
            "fonts-noto-cjk",
        ),
    ),
    "hei_bold": (
        Candidate(
            "Noto Sans CJK SC",
            ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
            "fonts-noto-cjk",
        ),
    ),
    "kai": (Candidate("AR PL UKai CN", ("ukai.ttc",), "fonts-arphic-ukai"),),
    "rare": (NOTO_SERIF, UMING),
}
ROLE_TITLES = {
    "song": "宋体 Song",
    "song_bold": "粗宋 Song Bold",
    "hei": "黑体 Hei",
    "hei_bold": "粗黑 Hei Bold",
    "kai": "楷体 Kai",
    "rare": "宋体 Song",
}

# The CSS family each prepared font is declared as (documents/templates/documents/base_document.css).
FAMILIES = {
    "song": "Qiyue Song",
    "song_bold": "Qiyue Song",
    "hei": "Qiyue Hei",
    "hei_bold": "Qiyue Hei",
    "kai": "Qiyue Kai",
    "rare": "Qiyue Rare",
}
BOLD_ROLES = ("song_bold", "hei_bold")  # declared font-weight: bold under their family
MAIN_ROLES = ("song", "song_bold", "hei", "hei_bold", "kai")

# Left out of the rare-character font: nothing in a Chinese agreement needs them, and Hangul alone
# would add 11,000 glyphs to every build.
EXCLUDED_FROM_RARE = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul Syllables, Jamo Extended-B
    (0xFF61, 0xFFDC),  # half-width katakana and Hangul
)


class FontsMissing(RuntimeError):
    """No usable Chinese fonts: neither installed ones to prepare nor a prepared cache."""

    def __init__(self, missing_roles, searched):
        self.missing_roles = tuple(missing_roles)
        self.searched = tuple(str(path) for path in searched)
        packages = sorted({c.package for role in missing_roles for c in SOURCES[role][:1]})
        self.packages = tuple(packages)
        roles = "、".join(ROLE_TITLES[role] for role in self.missing_roles)
        super().__init__(
            f"未找到生成公文 PDF 所需的中文字体（{roles}）。请安装 Debian 软件包 "
            f"{' 和 '.join(packages)}：{INSTALL_COMMAND}，然后运行 python manage.py build_fonts。"
            f" / No Chinese font found for PDF documents ({roles}). Install the Debian "
            f"package(s) {', '.join(packages)}: {INSTALL_COMMAND}, then run "
            f"python manage.py build_fonts. Searched: {', '.join(self.searched) or '(nothing)'}."
        )


@dataclass(frozen=True)
class SourceFont:
    role: str
    path: Path
    index: int  # face index inside a .ttc collection, 0 for a single font
    family: str

    def identity(self) -> dict:
        stat = self.path.stat()
        return {
            "path": str(self.path),
            "index": self.index,
            "family": self.family,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        }


@dataclass(frozen=True)
class PreparedFonts:
    """The prepared fonts of one cache directory, as its manifest describes them."""

    directory: Path
    files: dict  # role -> Path
    main_chars: frozenset  # characters Song, Hei and Kai (and the bold weights) all have
    rare_chars: frozenset  # characters only the rare-character font has

    @classmethod
    def load(cls, directory: Path) -> "PreparedFonts":
        """Read a cache built before; raises OSError or ValueError if it is absent or stale."""
        directory = Path(directory)
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("version") != FORMAT_VERSION:
            raise ValueError(f"font cache format {manifest.get('version')}, not {FORMAT_VERSION}")
        files = {role: directory / manifest["fonts"][role]["file"] for role in FAMILIES}
        for path in files.values():
            if not path.is_file():
                raise FileNotFoundError(path)
        return cls(
            directory=directory,
            files=files,
            main_chars=frozenset(manifest["main_chars"]),
            rare_chars=frozenset(manifest["rare_chars"]),
        )

    @property
    def covered_chars(self) -> frozenset:
        return self.main_chars | self.rare_chars

    def font_face_css(self) -> str:
        """``@font-face`` rules declaring the four families (Song and Hei in two weights),
        by absolute file URL."""
        return "".join(
            f'@font-face {{ font-family: "{FAMILIES[role]}"; '
            f"font-weight: {'bold' if role in BOLD_ROLES else 'normal'}; "
            f'src: url("{path.as_uri()}") format("truetype"); }}\n'
            for role, path in self.files.items()
        )


# --- Which characters ---------------------------------------------------------------------------


@cache
def gb2312_chars() -> frozenset:
    """The 7,445 characters of GB 2312, by decoding every valid two-byte code."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _ranges(*ranges):
    return {chr(code) for start, end in ranges for code in range(start, end + 1)}


@cache
def document_charset() -> frozenset:
    """What Song, Hei and Kai (both weights) are prepared for: GB 2312 and what documents write beside it.

    GB 2312 lacks characters every agreement uses: ¥ (U+00A5), the em dash — (U+2014, Python's
    codec maps GB 2312's dash to ― U+2015), 〇 in dates (二〇二六年), and Latin-1 letters.
    """
    return gb2312_chars() | _ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1: ¥ · × ÷ ± § ° é ü
        (0x2010, 0x203B),  # dashes, quotes, … ‰ ※
        (0x2103, 0x2103),  # ℃
        (0x2116, 0x2116),  # №
        (0x2160, 0x217F),  # Roman numerals Ⅰ Ⅱ Ⅲ
        (0x2190, 0x2193),  # arrows
        (0x2460, 0x24FF),  # ① ② ③, ⑴, ⒈
        (0x25A0, 0x25CF),  # ■ □ ▲ △ ○ ◎ ●
        (0x2605, 0x2606),  # ★ ☆
        (0x3000, 0x303F),  # CJK punctuation: 、。〇〔〕《》【】
        (0xFF01, 0xFF5E),  # full-width forms: （），：；０-９
        (0xFFE0, 0xFFE6),  # ￠ ￡ ￥
    )


def _excluded_from_rare(code: int) -> bool:
    return any(start <= code <= end for start, end in EXCLUDED_FROM_RARE)


# --- Finding the system's fonts -----------------------------------------------------------------


def default_source_dirs() -> list[Path]:
    from django.conf import settings

    return [Path(d) for d in getattr(settings, "QIYUE_FONT_DIRS", DEFAULT_SOURCE_DIRS)]


def default_cache_dir() -> Path:
    """``settings.QIYUE_FONT_CACHE_DIR`` if set (so throw-away VAR_DIRs can share one cache),
    else ``VAR_DIR/fonts``."""
    from django.conf import settings

    configured = getattr(settings, "QIYUE_FONT_CACHE_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "fonts"


def _face_index(path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() == ".ttc":
            faces = TTCollection(str(path), lazy=True).fonts
        else:
            faces = [TTFont(str(path), lazy=True)]
    except (OSError, TTLibError):
        return None
    for index, face in enumerate(faces):
        if face["name"].getDebugName(1) == family:
            return index
    return None


def find_source_fonts(source_dirs=None) -> dict:
    """The installed font for each role; raises :class:`FontsMissing` naming what is missing."""
    source_dirs = [Path(d) for d in (default_source_dirs() if source_dirs is None else source_dirs)]
    wanted = {name for candidates in SOURCES.values() for c in candidates for name in c.file_names}
    found = {}  # file name -> paths
    for directory in source_dirs:
        for root, _dirs, names in os.walk(directory):
            for name in names:
                if name in wanted:
                    found.setdefault(name, []).append(Path(root) / name)
    sources, missing = {}, []
    for role, candidates in SOURCES.items():
        sources[role] = _first_matching(candidates, found, role)
        if sources[role] is None:
            missing.append(role)
    if missing:
        raise FontsMissing(missing, source_dirs)
    return sources


def _first_matching(candidates, found, role):
    for candidate in candidates:
        for name in candidate.file_names:
            for path in sorted(found.get(name, ())):
                index = _face_index(path, candidate.family)
                if index is not None:
                    return SourceFont(role, path, index, candidate.family)
    return None


# --- Building -----------------------------------------------------------------------------------


def _load_cmap(source: SourceFont) -> set:
    from fontTools.ttLib import TTFont

    font = TTFont(str(source.path), fontNumber=source.index, lazy=True)
    return set(font.getBestCmap())


def _subset(source: SourceFont, codepoints, target: Path) -> dict:
    """Cut ``source`` down to ``codepoints`` (HarfBuzz), as TrueType, written atomically to
    ``target``."""
    from fontTools.ttLib import TTFont

    started = time.perf_counter()
    data = fontcut.subset(
        source.path,
        source.index,
        codepoints,
        features=("kern",),  # the SC face's cmap already gives the simplified forms
        drop_tables=("FFTM", "VORG", "vhea", "vmtx"),
        # PDF viewers do not use TrueType hints at document sizes; the name records are kept
        # (copyright and licence); no glyph names.
        flags=fontcut.NO_HINTING | fontcut.DESUBROUTINIZE | fontcut.NOTDEF_OUTLINE,
    )
    font = TTFont(io.BytesIO(data))
    if "CFF " in font:
        fontcut.cff_to_truetype(font)
    _atomic_save(font, target)
    return {"glyphs": font["maxp"].numGlyphs, "seconds": round(time.perf_counter() - started, 2)}


def _atomic_save(font, target: Path) -> None:
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as tmp:
        try:
            font.save(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


def _atomic_write_text(target: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=".tmp-", delete=False
    ) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


def build_fonts(cache_dir=None, source_dirs=None, *, workers: int = 2) -> PreparedFonts:
    """Prepare the six fonts into ``cache_dir`` from the installed ones (tens of seconds)."""
    cache_dir = Path(cache_dir or default_cache_dir())
    cache_dir.mkdir(parents=True, exist_ok=True)
    sources = find_source_fonts(source_dirs)
    with _build_lock(cache_dir):
        return _build_locked(cache_dir, sources, workers)


def _build_locked(cache_dir: Path, sources: dict, workers: int) -> PreparedFonts:
    started = time.perf_counter()
    cmaps = {role: _load_cmap(source) for role, source in sources.items()}
    main = {ord(c) for c in document_charset()}
    for role in MAIN_ROLES:
        main &= cmaps[role]
    rare = {code for code in cmaps["rare"] - main if not _excluded_from_rare(code)}
    jobs = {"rare": rare, **{role: main for role in MAIN_ROLES}}  # the largest first
    targets = {role: cache_dir / f"qiyue-{role.replace('_', '-')}.ttf" for role in jobs}
    if workers > 1 and "fork" in get_all_start_methods():
        # fork, not spawn: a spawned child re-imports the caller's __main__, and an unguarded
        # script would then wait forever for the lock this process holds.
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            futures = {
                role: pool.submit(_subset, sources[role], codes, targets[role])
                for role, codes in jobs.items()
            }
            stats = {role: future.result() for role, future in futures.items()}
    else:
        stats = {role: _subset(sources[role], codes, targets[role]) for role, codes in jobs.items()}
    manifest = {
        "version": FORMAT_VERSION,
        "sources": {role: source.identity() for role, source in sources.items()},
        "fonts": {
            role: {"file": targets[role].name, "family": FAMILIES[role], **stats[role]}
            for role in FAMILIES
        },
        "main_chars": "".join(sorted(map(chr, main))),
        "rare_chars": "".join(sorted(map(chr, rare))),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    _atomic_write_text(
        cache_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1)
    )
    logger.info("prepared PDF fonts in %s in %.1f s", cache_dir, manifest["build_seconds"])
    return PreparedFonts.load(cache_dir)


@contextmanager
def _build_lock(cache_dir: Path):
    """An exclusive lock on the cache directory, across processes (flock)."""
    with open(cache_dir / ".build.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _is_current(cache_dir: Path, sources: dict | None) -> bool:
    """Whether the cache exists and was built from these very source files (when we know them)."""
    try:
        PreparedFonts.load(cache_dir)
        manifest = json.loads((cache_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return False
    if sources is None:
        return True
    return manifest["sources"] == {role: s.identity() for role, s in sources.items()}


def prepared_fonts(cache_dir=None, source_dirs=None) -> PreparedFonts:
    """The prepared fonts, building them first if they are missing or their sources changed.

    A cache is used as it is when no source fonts are installed (a machine may carry only the
    cache); with neither, :class:`FontsMissing` is raised.
    """
    cache_dir = Path(cache_dir or default_cache_dir())
    try:
        sources = find_source_fonts(source_dirs)
    except FontsMissing:
        if _is_current(cache_dir, None):
            return PreparedFonts.load(cache_dir)
        raise
    if _is_current(cache_dir, sources):
        return PreparedFonts.load(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(cache_dir):
        if _is_current(cache_dir, sources):  # another process built it while we waited
            return PreparedFonts.load(cache_dir)
        logger.warning("preparing the PDF fonts in %s (once; takes about a minute)", cache_dir)
        return _build_locked(cache_dir, sources, workers=2)
