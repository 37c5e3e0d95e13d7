"""Turn raw note bytes or table cells into normalized note text, or a reason to skip them.

Every offset later stages report (mention start/end) indexes the text returned here, so the
normalization is done once, here, and nowhere else.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

CP1252_WARNING = "not UTF-8; decoded as cp1252"
LATIN1_WARNING = "not UTF-8 or cp1252; decoded as latin-1"
UTF16_WARNING = "not UTF-8; decoded as UTF-16 (byte order mark)"

# Control characters that never occur in a text note (tab, LF, VT, FF, CR are allowed), C1
# controls (what latin-1 makes of binary bytes), and the replacement character.
_NON_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_BINARY_SAMPLE_CHARS = 8192
_BINARY_MAX_SHARE = 0.10
# Line breaks other than LF all become LF; each is one character, so this keeps the length.
_LINE_BREAKS = str.maketrans({"\f": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n"})


@dataclass(frozen=True)
class NoteText:
    """The usable text of one note, or why there is none."""

    text: str = ""
    skip: str | None = None  # reason the note cannot be used
    warning: str | None = None  # e.g. CP1252_WARNING
    bad_line: int | None = None  # line of the first byte that was not UTF-8


def size_reason(n_bytes: int, limit: int) -> str:
    """Why an oversized note is skipped, with the option that lifts the limit."""
    return (
        f"note is {n_bytes / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit "
        f"(raise it with --max-note-mb)"
    )


def decode_bytes(raw: bytes) -> tuple[str, str | None, int | None]:
    """Decode note bytes: UTF-8 (BOM stripped), else UTF-16 with a BOM, else UTF-8 with each byte that
    is not UTF-8 read as cp1252 (latin-1 for the five bytes cp1252 leaves undefined).

    Returns:
        (text, warning or None, offset of the first non-UTF-8 byte or None).
    """
    skipped = 0
    if raw.startswith(codecs.BOM_UTF8):
        skipped = len(codecs.BOM_UTF8)
        raw = raw[skipped:]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), UTF16_WARNING, 0
        except UnicodeDecodeError:
            pass  # not really UTF-16: let the binary check below judge it
    try:
        return raw.decode("utf-8"), None, None
    except UnicodeDecodeError as exc:
        bad = skipped + exc.start
    # Only the bytes that are not UTF-8 are read as cp1252: an export that pasted cp1252 text
    # ("\x96" en dash) into UTF-8 keeps its UTF-8 characters, and a pure cp1252 export reads as before.
    text = raw.decode("utf-8", errors=_CP1252_FALLBACK)
    # the 5 bytes cp1252 leaves undefined are read as latin-1 (C1 controls): the binary check judges them
    undefined = _CP1252_UNDEFINED.search(text) is not None
    return text, LATIN1_WARNING if undefined else CP1252_WARNING, bad


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the undecodable bytes read as cp1252, or latin-1 where cp1252 has none."""
    assert isinstance(exc, UnicodeDecodeError)
    chunk = exc.object[exc.start : exc.end]
    return "".join(_cp1252_char(byte) for byte in chunk), exc.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252_FALLBACK = "chartabstract-cp1252"
codecs.register_error(_CP1252_FALLBACK, _decode_as_cp1252)
_CP1252_UNDEFINED = re.compile("[\x81\x8d\x8f\x90\x9d]")


def normalize_text(text: str) -> str:
    """Strip a BOM, make CRLF and lone CR into LF, and form feeds (page breaks) into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_LINE_BREAKS)


def text_from_bytes(raw: bytes, limit: int) -> NoteText:
    """Check size and binary content, decode and normalize one note's bytes."""
    if len(raw) > limit:
        return NoteText(skip=size_reason(len(raw), limit))
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in raw and not utf16:
        return NoteText(skip="binary file (contains NUL bytes), not a text note")
    text, warning, bad = decode_bytes(raw)
    return _finish(text, warning, None if bad is None else raw[:bad].count(b"\n") + 1)


def text_from_str(value: str, limit: int) -> NoteText:
    """Check size and binary content and normalize one note given as a string (a table cell).

    Cells read with ``errors="surrogateescape"`` carry undecodable bytes as lone surrogates;
    those cells are re-decoded from their bytes like a file would be.
    """
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError:
        return text_from_bytes(value.encode("utf-8", "surrogateescape"), limit)
    if len(raw) > limit:
        return NoteText(skip=size_reason(len(raw), limit))
    return _finish(value, None, None)


def _finish(text: str, warning: str | None, bad_line: int | None) -> NoteText:
    if "\x00" in text:
        return NoteText(skip="binary data (contains NUL characters), not a text note")
    sample = text[:_BINARY_SAMPLE_CHARS]
    if sample and len(_NON_TEXT.findall(sample)) > _BINARY_MAX_SHARE * len(sample):
        return NoteText(skip="binary file (mostly non-text bytes), not a text note")
    text = normalize_text(text)
    if not text.strip():
        return NoteText(skip="empty note", warning=warning, bad_line=bad_line)
    return NoteText(text=text, warning=warning, bad_line=bad_line)
