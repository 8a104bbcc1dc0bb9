"""The CJK font for every PDF (reportlab): embedded TrueType, so the Chinese text extracts (pdftotext) and looks
the same everywhere. Found through the PDF_FONT_PATH setting or the usual Debian places; without one, reportlab's
built-in STSong-Light (not embedded) with a warning."""

import logging
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

log = logging.getLogger(__name__)
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
]
FONT = "CJK"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register and return the font name to use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    paths = [p for p in [getattr(settings, "PDF_FONT_PATH", "")] if p] + CANDIDATES
    for path in paths:
        if Path(path).exists():
            kwargs = {"subfontIndex": 0} if path.endswith(".ttc") else {}
            pdfmetrics.registerFont(TTFont(FONT, path, **kwargs))
            return FONT
    log.warning("No CJK TrueType font found (set PDF_FONT_PATH); using STSong-Light, which is not embedded.")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def styles(font: str):
    """The paragraph styles every PDF uses (CJK word wrap)."""
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=6),
        "cover": ParagraphStyle("cover", parent=base, fontSize=24, leading=34, alignment=1, spaceAfter=12),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4),
    }


def paragraph(text: object, style):
    """A reportlab Paragraph that shows `text` as it is. Every Paragraph of every PDF is built here.

    reportlab reads a paragraph's text as markup: a note holding `<a href>` would add a link, `<img src="/etc/…">`
    would pull a file from the server's disk, and an unbalanced tag would break the whole document. So &, < and >
    are escaped, and a line break in the text (LF, CR LF or CR) becomes <br/>."""
    from reportlab.platypus import Paragraph

    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def numbered_canvas(font: str, label):
    """A canvas class that prints "page n of m" on every page (two passes: pages are counted first).

    `label(n, m)` returns the text, in the current language."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.drawRightString(A4[0] - 15 * mm, 10 * mm, label(self._pageNumber, total))
                super().showPage()
            super().save()

    return NumberedCanvas
