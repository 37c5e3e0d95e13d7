"""One pass over a note tells which target regexes may match it: Hyperscan in prefilter mode.

Hyperscan compiles every target regex of the rules into one automaton and scans a note once, at
memory speed (about 260 M characters/s here). Compiled in prefilter mode it reports a superset
of each regex's matches (constructs it cannot run, such as lookarounds, are widened), so a rule
it does not report cannot match and its Python regex need not run. On the realistic note mix of
bench/scale_bench.py the literal tests of ``prefilter.py`` let 4,571 rule runs through for 1,027
real matches; this scan lets 1,157 through (tests/nlp/test_scanner.py checks the superset).

Hyperscan and Python's ``re`` agree on ASCII, but on some other characters their ``\\w``, ``\\s``,
``\\d`` or case folding differ (Unicode versions differ; Python counts U+001C..U+001F as space).
Those characters are found by probing both engines; the same scan looks for them (one more
pattern in the database), and a note holding one is left to the literal tests. Compiling takes seconds, so the database and the probe result are cached on disk, keyed by
the patterns and the library versions (``CHARTABSTRACT_CACHE_DIR``, default ~/.cache/chartabstract;
rule patterns only, never note text). Where no Hyperscan wheel exists the import fails and the
prefilter keeps its literal tests: the same output, slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

try:
    import hyperscan
except ImportError:  # pragma: no cover - platforms without a wheel
    hyperscan = None

_PROBES = (r"\s", r"\w", r"\d", r"[a-z]")  # the classes the rules lean on, and case folding
_MEMORY: dict[str, tuple[object, frozenset[int]]] = {}


def cache_dir() -> Path:
    """Where compiled scanners are kept (rule patterns only, never note text)."""
    configured = os.environ.get("CHARTABSTRACT_CACHE_DIR")
    if configured:
        return Path(configured)
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "chartabstract"
    home = os.path.expanduser("~")
    if home == "~":  # no home directory (a container's anonymous user): not the working directory
        return Path(tempfile.gettempdir()) / f"chartabstract-cache-{getattr(os, 'getuid', lambda: 0)()}"
    return Path(home) / ".cache" / "chartabstract"


class RuleScanner:
    """Which of a list of case-insensitive regexes may match a text, found in one scan."""

    def __init__(self, database: object, scanned: frozenset[int], unsafe_id: int) -> None:
        self._database = database
        self._scratch = hyperscan.Scratch(database)  # a loaded database comes without one
        self.scanned = scanned  # indices of the patterns in the database; the others are not scanned
        self._unsafe_id = unsafe_id  # reported for a character where the engines disagree

    @classmethod
    def build(cls, patterns: list[str]) -> RuleScanner | None:
        """A scanner for these patterns (compiled with re.IGNORECASE), or None without Hyperscan."""
        if hyperscan is None or not patterns:
            return None
        unsafe = _unsafe_characters()
        key = _digest(["database", _FORMAT, hyperscan.__version__, _flags(), patterns, unsafe])
        if key not in _MEMORY:
            _MEMORY[key] = _load_or_compile(key, patterns, unsafe)
        database, scanned = _MEMORY[key]
        return cls(database, scanned, len(patterns)) if scanned else None

    def may_match(self, text: str) -> set[int] | None:
        """Indices of the scanned patterns that may match, or None: this text needs the literal tests."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: not valid UTF-8
            return None
        found: set[int] = set()
        self._database.scan(data, match_event_handler=_report, context=found, scratch=self._scratch)  # type: ignore[attr-defined]
        return None if self._unsafe_id in found else found


def _report(index: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(index)


def _flags() -> int:
    return (hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER
            | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_SINGLEMATCH)


# Python syntax that Hyperscan (PCRE syntax) reads differently: "{,3}" is a repeat in Python and
# literal text in PCRE; "[[:alpha:]]" holds a POSIX class in PCRE and a plain set in Python. Such
# patterns are not scanned; the literal tests decide for them. (Syntax PCRE lacks, such as "(?a)"
# or "\\u00e9", fails to compile and is not scanned either.)
_DIFFERENT_SYNTAX = re.compile(r"(?<!\\)\{,|\[:[A-Za-z]+:\]")
# part of every cache key: change it when what gets compiled, or how, changes
_FORMAT = 2


def _load_or_compile(key: str, patterns: list[str], unsafe: list[tuple[int, int]]) -> tuple[object, frozenset[int]]:
    path = cache_dir() / f"scanner-{key}.hsdb"
    try:
        header, _, blob = path.read_bytes().partition(b"\n")
        return hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK), frozenset(json.loads(header))
    except (OSError, ValueError, hyperscan.HyperscanError):
        pass  # not cached yet, or built by another Hyperscan or CPU: compile again
    scanned = [i for i, pattern in enumerate(patterns) if not _DIFFERENT_SYNTAX.search(pattern)]
    try:
        database = _compile(patterns, scanned, unsafe)
    except hyperscan.HyperscanError:  # a construct Hyperscan lacks even in prefilter mode: find it
        scanned = [i for i in scanned if _compiles(patterns[i])]
        database = _compile(patterns, scanned, unsafe)
    _write(path, json.dumps(scanned).encode() + b"\n" + hyperscan.dumpb(database))
    return database, frozenset(scanned)


def _compile(patterns: list[str], ids: list[int], unsafe: list[tuple[int, int]]) -> object:
    """The scanned patterns, and a class of the unsafe characters under the next free id."""
    expressions = [patterns[i].encode("utf-8") for i in ids]
    flags = [_flags()] * len(ids)
    if unsafe:
        expressions.append(("[" + "".join(_range(a, b) for a, b in unsafe) + "]").encode("utf-8"))
        flags.append(hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH)
        ids = [*ids, len(patterns)]
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=ids, flags=flags)
    return database


def _compiles(pattern: str) -> bool:
    try:
        _compile([pattern], [0], [])
    except hyperscan.HyperscanError:
        return False
    return True


def _unsafe_characters() -> list[tuple[int, int]]:
    """The code point ranges where Python's re and Hyperscan disagree on a probe."""
    key = _digest(["unicode", _FORMAT, hyperscan.__version__, unicodedata.unidata_version, sys.version_info[:2]])
    path = cache_dir() / f"unicode-{key}.json"
    try:
        return [(a, b) for a, b in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        ranges = _probe_ranges()
        _write(path, json.dumps(ranges).encode())
        return ranges


def _probe_ranges() -> list[tuple[int, int]]:
    """Scan every code point with each probe in both engines; keep the disagreements as ranges."""
    points = [cp for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF and cp != 0x0A]
    text = "\n".join(map(chr, points))  # one code point per line: a match is one line
    data = text.encode("utf-8")
    line_of_byte_end = {}
    offset = 0
    for index, cp in enumerate(points):
        offset += len(chr(cp).encode("utf-8"))
        line_of_byte_end[offset] = index
        offset += 1
    disagree: set[int] = set()
    for probe in _PROBES:
        flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | (hyperscan.HS_FLAG_CASELESS if probe == "[a-z]" else 0)
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=[probe.encode()], ids=[0], flags=[flags])
        theirs: set[int] = set()
        database.scan(data, match_event_handler=lambda _i, _s, end, _f, _c: theirs.add(line_of_byte_end.get(end, -1)))
        matches = re.finditer(probe, text, re.IGNORECASE if probe == "[a-z]" else 0)
        ours = {m.start() // 2 for m in matches if m.start() % 2 == 0}  # not the newlines between points
        disagree |= (theirs - {-1}) ^ ours
    ranges: list[tuple[int, int]] = []
    for cp in sorted(points[i] for i in disagree):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def _range(first: int, last: int) -> str:
    """A PCRE class item for the code points first..last."""
    return f"\\x{{{first:x}}}" if first == last else f"\\x{{{first:x}}}-\\x{{{last:x}}}"


def _digest(parts: list[object]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:20]


def _write(path: Path, data: bytes) -> None:
    """Write atomically (workers may build at once); an unwritable cache only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
