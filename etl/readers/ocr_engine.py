"""Loading the OCR module, with a clear reason when its engine is not installed.

Kept apart from etl.readers.ocr so that the readers can ask for OCR without importing OpenCV and ONNX
Runtime (a second of imports) unless a page actually needs it.
"""

from __future__ import annotations

from types import ModuleType

from etl.document import ReadError


def load_ocr() -> ModuleType:
    """etl.readers.ocr, or ReadError("ocr_missing") naming the packages to install."""
    try:
        from etl.readers import ocr

        ocr.engine()
    except ImportError as e:
        missing = (e.name or "").split(".")[0] or "rapidocr_onnxruntime"
        raise ReadError("ocr_missing", f"Python package {missing!r} missing: pip install rapidocr-onnxruntime "
                        "(it brings OpenCV and ONNX Runtime)") from None
    return ocr
