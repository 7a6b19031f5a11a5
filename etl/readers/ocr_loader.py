"""The OCR page code, loaded when a reader meets a scanned page (a PDF page without text, an image, pictures
of pages in a Word file).

Kept apart from etl.readers.ocr (the page code, which imports OpenCV and uses the engine) and from
etl.readers.ocr_engine (the engine, which knows nothing of pages), so that the imports run one way: a reader
imports this, this imports both, and a missing package becomes the reader's ReadError("ocr_missing").
"""

from __future__ import annotations

from types import ModuleType

from etl.document import ReadError

# what the dynamic loader says when a library cannot be mapped under the worker's address-space limit: the
# engine is there, the memory is not (the worker records "memory", not "not installed")
_NO_MEMORY = ("failed to map segment", "Cannot allocate memory")


def load_ocr() -> ModuleType:
    """etl.readers.ocr with its engine loaded, or ReadError("ocr_missing") naming the packages to install."""
    try:
        from etl.readers import ocr
        from etl.readers.ocr_engine import engine

        engine()
    except ImportError as e:
        if any(m in str(e) for m in _NO_MEMORY):  # installed, but its libraries do not fit the memory limit
            raise MemoryError(str(e)) from None
        missing = (e.name or "").split(".")[0] or "rapidocr"
        raise ReadError("ocr_missing", f"Python package {missing!r} missing: pip install rapidocr openvino "
                        "onnxruntime (the OCR models and their runtimes)") from None
    return ocr
