"""Page images (.png, .jpg, .tif — a multi-page TIFF is one page a frame): read by OCR.

An image's size is checked from its header before it is decoded (a 20,000 × 20,000 image is refused, not
decoded), and so is its frame count. A page scanned at more than 300 dpi is scaled to etl.readers.ocr's
resolution first: more pixels cost time and add nothing the recogniser uses.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from etl.document import Document, ReadError
from etl.readers.layout import PageItem, assemble
from etl.readers.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES

_A4_LONG_INCHES = 11.69
_PIL_ERRORS = (OSError, ValueError, SyntaxError, EOFError)  # what Pillow raises on damaged image data


def read_image(data: bytes, name: str = "") -> Document:
    pages = ocr_images([data])
    problems = [{"code": "ocr_pages", "message": f"read by OCR: {len(pages)} page image(s)", "where": None,
                 "params": {"variant": "image", "n": len(pages)}}]
    return Document(kind="image", blocks=assemble(pages), problems=problems, pages=len(pages), read="ocr")


def ocr_images(images: list[bytes]) -> list[tuple[float, list[PageItem]]]:
    """The pages (height, items) of page images, each image one page (a multi-page TIFF one page a frame),
    read by OCR. Raises ReadError for a damaged or oversized image, too many pages, or no text at all."""
    with _own_pixel_cap():
        return _ocr_images(images)


@contextmanager
def _own_pixel_cap() -> Iterator[None]:
    """Pillow's decompression-bomb check off while this reader opens and decodes images: its own cap
    (MAX_IMAGE_PIXELS) is checked from each header first, with its own reason. Pillow's process-wide limit
    is put back afterwards, so no other code in the process loses it."""
    from PIL import Image

    before = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = before


def _ocr_images(images: list[bytes]) -> list[tuple[float, list[PageItem]]]:
    from PIL import Image, ImageSequence

    from etl.readers.ocr_loader import load_ocr

    opened = []
    frames = 0
    for data in images:
        try:
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            frames += getattr(im, "n_frames", 1)
        except _PIL_ERRORS:
            raise ReadError("corrupt", "image data damaged or not an image") from None
        if w * h > MAX_IMAGE_PIXELS:
            raise ReadError("too_large", f"limit {MAX_IMAGE_PIXELS // 1_000_000} million pixels, image {w} × {h}")
        opened.append(im)
    if frames > MAX_OCR_PAGES:
        raise ReadError("too_many_pages", f"limit {MAX_OCR_PAGES} scanned pages, images have {frames} pages")
    ocr = load_ocr()
    pages = []
    n_words = 0
    try:
        for im in opened:
            for frame in ImageSequence.Iterator(im):
                page_no = len(pages) + 1
                fw, fh = frame.size
                if fw * fh > MAX_IMAGE_PIXELS:
                    raise ReadError("too_large", f"limit {MAX_IMAGE_PIXELS // 1_000_000} million pixels, page "
                                    f"{page_no} is {fw} × {fh}")
                rgb = np.asarray(frame.convert("RGB"))
                img, dpi = _scaled(ocr, rgb[:, :, ::-1].copy(), _dpi(frame.info.get("dpi"), fw, fh))
                height, items, n = ocr.page_items(img, dpi, page_no)
                pages.append((height, items))
                n_words += n
    except _PIL_ERRORS:
        raise ReadError("corrupt", "image data damaged (truncated or invalid)") from None
    if n_words == 0:
        raise ReadError("no_text", f"{len(pages)} page image(s), OCR found no text")
    return pages


def _dpi(stated, w: int, h: int) -> float:
    """The scan's resolution: as stated in the file when it agrees with an A4 page, else from the size
    (scanners often write 72 dpi whatever they scanned at)."""
    guess = max(w, h) / _A4_LONG_INCHES
    try:
        x = float(stated[0]) if stated else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    return x if x and 0.75 * guess <= x <= 1.33 * guess else max(guess, 50.0)


def _scaled(ocr, img: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    import cv2

    if dpi <= 300:
        return img, dpi
    f = ocr.OCR_DPI / dpi
    return cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), float(ocr.OCR_DPI)
