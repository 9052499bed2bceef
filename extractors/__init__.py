"""gongkai's extraction engine: one report document (PDF, HTML, DOCX/DOC, text, scans) → the canonical
Record of docs/format.md (every cell of the format version, present or with why not).

    >>> from extractors import extract
    >>> rec = extract("report.pdf")        # never raises for bad input: see rec.error
    >>> print(rec.to_json())

Modules: ``api`` (entry point), ``sniff`` (media type from bytes), readers ``pdf``/``html``/``docx``/
``text`` and ``ocr`` (scanned pages and images; imported only when a document needs it)
(→ ``grid.RawDocument``), ``assemble`` (grids → cells by labels), ``normalize`` (label keys),
``values`` (printed value → number/status), ``metadata``, ``render`` (human-readable table),
``sandbox`` (isolated workers with time/memory budgets).
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract"]


def __getattr__(name: str) -> Any:  # lazy: importing the package stays cheap
    if name == "extract":
        from extractors.api import extract

        return extract
    raise AttributeError(name)
