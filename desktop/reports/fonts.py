"""The bundled Amiri fonts, shaped by HarfBuzz, with extractable Arabic text.

ReportLab shapes Arabic through ``uharfbuzz`` (the ``reportlab[shaping]`` extra)
when a paragraph style has ``shaping=1``.  The contextual forms it then draws
(initial, medial, final, ligatures) have no Unicode code point in the font, so
ReportLab gives them private-use codes and its ToUnicode map sends them back to
those private codes: the page looks right but ``pdftotext``, copy-paste and
screen readers get nothing.  :class:`ShapedFont` shapes every word the reports
draw a second time, remembers which characters each glyph stands for (HarfBuzz
clusters), and writes those characters into the ToUnicode map of the PDF.

Everything drawn in a report goes through :func:`word_width` (see
``pdf_common.BidiParagraph``), which is where the glyphs are learnt.
"""

from __future__ import annotations

import struct
import threading
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import uharfbuzz as hb  # type: ignore[import-untyped]
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDocument, PDFStream
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from desktop.i18n import resources_dir

REGULAR = "BaomAmiri"
BOLD = "BaomAmiri-Bold"
FAMILY = REGULAR

# The features ReportLab's shapeFragWord asks HarfBuzz for: same glyphs, same widths.
_FEATURES = {"kern": True, "liga": True, "dlig": True}
_PRIVATE = range(0xE000, 0xF900)
_PRESENTATION_FORMS = range(0xFB50, 0xFF00)
_NOTHING = "\u200b"  # what a second glyph of one character (a detached dot, a mark part) reads as
_lock = threading.Lock()


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


class ShapedFont(TTFont):
    """A TrueType font whose shaped glyphs read back as the text they draw."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path), shapable=True)
        _ = self.hbFace  # lets ReportLab set up its private-glyph tables before the face is swapped
        face: Any = hb.Face(hb.Blob(without_kerning(path.read_bytes())))
        self.__hbFace__ = face  # the face ReportLab's shapeFragWord shapes with
        self._hb_font: Any = hb.Font(face)
        self._upem = int(face.upem)
        self._glyph_text: dict[int, str] = {}
        self._widths: dict[str, float] = {}  # word -> advance in 1/1000 em

    def width(self, word: str, size: float) -> float:
        """Shaped advance width of ``word`` at ``size`` points (learning its glyphs on the way)."""
        units = self._widths.get(word)
        if units is None:
            units = self._shape(word)
            self._widths[word] = units
        return units * size / 1000.0

    def _shape(self, word: str) -> float:
        buf = hb.Buffer()
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        buf.add_str(word)
        buf.guess_segment_properties()
        hb.shape(self._hb_font, buf, _FEATURES)
        infos = list(buf.glyph_infos)
        advance = sum(int(pos.x_advance) for pos in buf.glyph_positions)
        logical = infos if buf.direction != "rtl" else list(reversed(infos))
        glyphs: dict[int, list[int]] = {}  # cluster -> its glyphs, in logical order
        for info in logical:
            glyphs.setdefault(int(info.cluster), []).append(int(info.codepoint))
        clusters = sorted(glyphs)
        glyph_chars: dict[int, list[int]] = self.face.glyphToChar  # type: ignore[attr-defined]
        with _lock:
            for cluster, end in zip(clusters, [*clusters[1:], len(word)], strict=True):
                # Glyphs the font maps to a character already read back as it; the others share the rest.
                rest = list(word[cluster:end])
                private = []
                for gid in glyphs[cluster]:
                    own = [chr(code) for code in glyph_chars.get(gid, []) if code not in _PRIVATE]
                    if own and own[0] in rest and len(glyphs[cluster]) > 1:
                        rest.remove(own[0])
                    else:
                        private.append(gid)
                for gid, text in zip(private, _share("".join(rest), len(private)), strict=True):
                    known = self._glyph_text.get(gid)
                    if known is None or known == _NOTHING:
                        self._glyph_text[gid] = text
        return advance * 1000.0 / self._upem

    def _unicode_of(self, code: int) -> str:
        if code in _PRIVATE:
            gid = self.face.charToGlyph.get(code)
            text = self._glyph_text.get(gid) if gid is not None else None
            return text or _NOTHING
        char = chr(code)
        if code in _PRESENTATION_FORMS:
            return unicodedata.normalize("NFKC", char) or char
        return char

    def addObjects(self, doc: PDFDocument) -> None:
        subsets = [list(subset) for subset in self.state[doc].subsets]
        super().addObjects(doc)
        for index, subset in enumerate(subsets):
            base = b"".join((SUBSETN(index), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if isinstance(stream, PDFStream) and isinstance(stream.content, str):
                stream.content = _rewrite_cmap(stream.content, [self._unicode_of(code) for code in subset])


def _share(text: str, glyphs: int) -> list[str]:
    """The characters of one cluster spread over its glyphs: one each, the rest on the last, none for extras.

    A ligature (لا) takes both letters; a letter drawn as two glyphs (a kashida
    and the letter) gives the letter to the first and nothing to the second.
    """
    if glyphs <= 1:
        return [text]
    if len(text) >= glyphs:
        return [*text[: glyphs - 1], text[glyphs - 1 :]]
    return [*text, *[_NOTHING] * (glyphs - len(text))]


def without_kerning(data: bytes) -> bytes:
    """The font with its GPOS ``kern`` feature renamed, so that HarfBuzz does not apply it.

    Amiri's kerning opens a gap of 0.12 em after و and ر (room for their tails);
    text extractors read that gap as a space ("الهو ية").  Without it the letters
    sit a hair closer, and the PDF's text reads back whole.
    """
    tables = struct.unpack(">H", data[4:6])[0]
    for index in range(tables):
        record = 12 + 16 * index
        if data[record : record + 4] != b"GPOS":
            continue
        gpos = struct.unpack(">I", data[record + 8 : record + 12])[0]
        features = gpos + struct.unpack(">H", data[gpos + 6 : gpos + 8])[0]
        count = struct.unpack(">H", data[features : features + 2])[0]
        patched = bytearray(data)
        for feature in range(count):
            tag = features + 2 + 6 * feature
            if patched[tag : tag + 4] == b"kern":
                patched[tag : tag + 4] = b"xern"
        return bytes(patched)
    return data


def _rewrite_cmap(cmap: str, texts: list[str]) -> str:
    head, found, rest = cmap.partition("beginbfchar")
    end = rest.find("endbfchar")
    if not found or end < 0:
        return cmap
    head = head.rstrip().rsplit("\n", 1)[0]  # drops the old "<count> " before beginbfchar
    entries = [f"<{code:02X}> <{''.join(_utf16_hex(char) for char in text)}>" for code, text in enumerate(texts)]
    return f"{head}\n{len(entries)} beginbfchar\n" + "\n".join(entries) + "\n" + rest[end:]


def _utf16_hex(char: str) -> str:
    data = char.encode("utf-16-be")
    return data.hex().upper()


@cache
def register_fonts() -> tuple[ShapedFont, ShapedFont]:
    """Registers the regular and bold faces (once) and their ``<b>`` mapping."""
    if not hb:  # pragma: no cover - the import above fails first
        raise RuntimeError("uharfbuzz is required to print Arabic")
    regular = ShapedFont(REGULAR, fonts_dir() / "Amiri-Regular.ttf")
    bold = ShapedFont(BOLD, fonts_dir() / "Amiri-Bold.ttf")
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, REGULAR)
    addMapping(FAMILY, 1, 1, BOLD)
    return regular, bold


def font(bold: bool = False) -> ShapedFont:
    regular, heavy = register_fonts()
    return heavy if bold else regular


def word_width(word: str, size: float, bold: bool = False) -> float:
    return font(bold).width(word, size)


def space_width(size: float, bold: bool = False) -> float:
    return pdfmetrics.stringWidth(" ", BOLD if bold else REGULAR, size)
