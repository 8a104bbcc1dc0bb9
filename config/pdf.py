"""The CJK font for every PDF (reportlab): embedded TrueType, so the Chinese text extracts (pdftotext) and looks
the same everywhere. Found through the PDF_FONT_PATH setting or the usual Debian places; without one, reportlab's
built-in STSong-Light (not embedded) with a warning."""

import logging
from functools import lru_cache
from pathlib import Path

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
