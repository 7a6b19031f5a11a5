"""PyMuPDF without its layout model and its LLM helpers.

PyMuPDF 2.x imports `pymupdf.layout` and `pymupdf4llm` whenever they are installed (both come with its
wheel): the first loads an ONNX layout-analysis model into ONNX Runtime, the second its own OCR helpers,
together ~0.4 s CPU and ~50 MiB in every process that reads a PDF, for features the project never calls (its
tables come from ruling lines, etl.readers.pdf; `to_markdown` is unused). PyMuPDF imports both inside
`try: … except ImportError`, so marking them absent before the first `import pymupdf` skips them; the
"consider pymupdf_layout" notice that table finding would then print is switched off as well.
"""

from __future__ import annotations

import sys

for _name in ("pymupdf.layout", "pymupdf4llm"):
    sys.modules.setdefault(_name, None)  # `import <name>` now raises ImportError

import pymupdf  # noqa: E402

if hasattr(pymupdf, "no_recommend_layout"):
    pymupdf.no_recommend_layout()

__all__ = ["pymupdf"]
