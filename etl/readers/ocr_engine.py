"""Loading the OCR module, with a clear reason when its engine is not installed.

Kept apart from etl.readers.ocr so that the readers can ask for OCR without importing OpenCV and ONNX
Runtime (a second of imports) unless a page actually needs it.
"""

from __future__ import annotations

from types import ModuleType

from etl.document import ReadError

# what the dynamic loader says when a library cannot be mapped under the worker's address-space limit: the
# engine is there, the memory is not (the worker records "memory", not "not installed")
_NO_MEMORY = ("failed to map segment", "Cannot allocate memory")


def load_ocr() -> ModuleType:
    """etl.readers.ocr, or ReadError("ocr_missing") naming the packages to install."""
    try:
        from etl.readers import ocr

        ocr.engine()
    except ImportError as e:
        if any(m in str(e) for m in _NO_MEMORY):  # installed, but its libraries do not fit the memory limit
            raise MemoryError(str(e)) from None
        missing = (e.name or "").split(".")[0] or "rapidocr_onnxruntime"
        raise ReadError("ocr_missing", f"Python package {missing!r} missing: pip install rapidocr-onnxruntime "
                        "(it brings OpenCV and ONNX Runtime)") from None
    return ocr
