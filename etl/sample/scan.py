"""Generated reports as scans: the generator's text PDF rasterised and degraded like a 盖章扫描件.

Each page is rendered at a scan resolution, turned by a slight random angle, blurred a little, given
paper grain and dust, JPEG-compressed (grey, the stamped page in colour), and the last page gets a red
round stamp over its closing lines; the output is an image-only PDF (no text layer) with the same ground
truth as the report's "pdf" rendering. The stamp says 样例数据 仅供测试, so a generated scan can never pass
for a real agency's seal. Every random choice comes from the caller's rng: the same seed gives the same
bytes. Styles (STYLES): "noisy", the round trip's (bench/roundtrip_scans.py), and "compact", lighter grain
and stronger JPEG for the bundled corpus, whose size is capped (a noisy page costs ~0.5 MB at 150 dpi).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np

STAMP_TEXT = "样例数据 仅供测试"
_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@dataclass(frozen=True)
class ScanStyle:
    dpi: int = 200
    max_rotate: float = 1.5  # degrees either way
    blur: float = 0.6  # Gaussian sigma in px at 200 dpi
    quality: tuple[int, int] = (60, 85)  # JPEG quality range
    stamp: bool = True
    grain: float = 6.0  # paper grain: Gaussian noise sigma in grey levels (noise is what JPEG pays for)


STYLES = {"noisy": ScanStyle(), "compact": ScanStyle(quality=(45, 60), grain=3.0)}


def named_style(name: str, dpi: int) -> ScanStyle:
    """The named style (STYLES) at a scan resolution."""
    from dataclasses import replace

    return replace(STYLES[name], dpi=dpi)


def page_images(pdf: bytes, rng: random.Random, style: ScanStyle = ScanStyle()) -> list[bytes]:
    """The pages of a text PDF as degraded scan images (JPEG bytes: grey, the stamped page in colour)."""
    import cv2
    import pymupdf

    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = []
    for i, page in enumerate(src):
        pix = page.get_pixmap(dpi=style.dpi, colorspace=pymupdf.csGRAY)
        gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy()
        img = _degrade(gray, rng, style)
        if style.stamp and i == len(src) - 1:
            img = _stamp(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), rng, style.dpi)
        quality = rng.randint(*style.quality)
        out.append(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())
    return out


def scanned_pdf(pdf: bytes, rng: random.Random, style: ScanStyle = ScanStyle()) -> bytes:
    """An image-only PDF of the degraded pages, A4, byte-identical for the same rng state."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setCreator("disclosure-reports sample generator (scan)")
    for jpg in page_images(pdf, rng, style):
        c.drawImage(ImageReader(io.BytesIO(jpg)), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


def _degrade(gray: np.ndarray, rng: random.Random, style: ScanStyle) -> np.ndarray:
    import cv2

    h, w = gray.shape
    angle = rng.uniform(-style.max_rotate, style.max_rotate)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    sigma = style.blur * style.dpi / 200
    if sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = np.random.default_rng(rng.getrandbits(32))
    paper = noise.normal(0, style.grain, out.shape)  # paper grain
    specks = noise.random(out.shape) < 0.0004  # dust
    out = np.clip(out.astype(np.float32) - 8 + paper, 0, 255)
    out[specks] = 90
    return out.astype(np.uint8)


def _stamp(img: np.ndarray, rng: random.Random, dpi: int) -> np.ndarray:
    """A semi-transparent red ring with the sample text, over the closing lines (bottom right)."""
    from PIL import Image, ImageDraw, ImageFont

    h, w = img.shape[:2]
    r = int(dpi * 0.8)  # a 4 cm seal
    cx = int(w * rng.uniform(0.62, 0.75))
    ink_rows = np.flatnonzero((img[:, :, 0] < 128).sum(axis=1) > 3)
    cy = int(ink_rows[-1] - r * 0.4) if ink_rows.size else int(h * 0.7)  # over the last lines of text
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (215, 30, 35, 150)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, dpi // 40))
    star = [(cx + r * 0.25 * np.cos(a) * (1 if k % 2 == 0 else 0.4),
             cy + r * 0.25 * np.sin(a) * (1 if k % 2 == 0 else 0.4))
            for k, a in enumerate(np.linspace(-np.pi / 2, 3 * np.pi / 2, 11)[:-1])]
    d.polygon(star, fill=red)
    font = next((ImageFont.truetype(f, size=int(r * 0.22)) for f in _FONTS if _exists(f)), None)
    if font is not None:
        box = d.textbbox((0, 0), STAMP_TEXT, font=font)
        d.text((cx - (box[2] - box[0]) / 2, cy + r * 0.35), STAMP_TEXT, font=font, fill=red)
    base = Image.fromarray(img[:, :, ::-1]).convert("RGBA")
    return np.asarray(Image.alpha_composite(base, layer).convert("RGB"))[:, :, ::-1].copy()


def _exists(path: str) -> bool:
    import os

    return os.path.isfile(path)
