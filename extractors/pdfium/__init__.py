"""A page's characters and ruling lines read by PDFium, in the shapes pdfplumber's table finder reads.

pdfplumber stays our table finder, text extractor and debug drawing; what it costs is pdfminer, which
tokenises every content stream in Python (about nine tenths of the time of a text page). This package
reads the same page with PDFium (``pypdfium2``, C++, Apache/BSD) and returns what
``pdfplumber.Page.objects`` would hold, so the rest of the reader does not know which parser ran:

* ``char`` — one dict per glyph, geometry computed the way pdfminer's ``LTChar`` does it (origin, the
  text matrix, the advance width, the font's descent from its descriptor; ``x0``, ``top``,
  ``upright``, ``size``, ``matrix`` …), in content-stream order;
* ``rect`` / ``line`` / ``curve`` — painted paths classified the way pdfminer's ``paint_path`` does
  (one object per subpath; a closed axis-parallel four-sided subpath is a rect, a single segment a
  line, anything else a curve whose points are the segment end points);
* ``image`` — the bounding box of each image.

Colours, dash patterns, marked-content ids and path operators are not filled in (nothing here reads
them); ``matrix`` has horizontal scaling (``Tz``) folded into its first column; whitespace glyphs
that PDFium inserts itself (word and line breaks) are left out.

PDFium is not pdfminer. Where it would give a page differently, :func:`page_objects` raises
:class:`Unsupported` and the caller reads that page with pdfminer instead (``extractors.pdf``):

* a glyph without a Unicode mapping (pdfminer writes ``(cid:N)``, which the text-layer test counts);
  control characters (PDFium's marks for hyphens at line ends); ligatures split into pieces;
  right-to-left text (PDFium reorders it);
* ``/ActualText`` marked content (PDFium substitutes it; pdfminer reads the glyphs);
* a text object PDFium dropped that is not a fake-bold copy of one it kept;
* fonts whose metrics pdfminer takes from elsewhere: Type 3, vertical writing, embedded encoding
  CMaps, a font PDFium names that the page's resources do not (or name twice, differently).

Font metrics (descent, the descriptor's font name, the writing mode) are read from the font
dictionaries through pdfminer's already-open document, exactly as pdfminer would take them, without
parsing any content stream (a ``ToUnicode`` map only for a font whose widths need correcting).

Modules, one stage each: ``lib`` (the C functions), ``geometry`` (pdfminer's coordinates), ``fonts``
(font metrics as pdfminer reads them), ``chars`` (glyphs), ``paths`` (rects, lines, curves),
``document`` (a page's objects, and when to leave a page to pdfminer).
"""

from extractors.pdfium.document import PdfiumDocument
from extractors.pdfium.fonts import FontMetrics, font_metrics
from extractors.pdfium.lib import Unsupported

__all__ = ["FontMetrics", "PdfiumDocument", "Unsupported", "font_metrics"]
