"""OCR of page images (scanned PDFs, .png/.jpg/.tif): the words and ruling lines of a page, in points.

Engine: RapidOCR 3's PP-OCRv6 models on OpenVINO or ONNX Runtime (etl.readers.ocr_engine), whose wheel
ships the models, so nothing downloads at run time. A page image becomes what the PDF reader gets from a text layer — words
with boxes and horizontal/vertical ruling segments — and the layout engine the PDF reader uses
(etl.readers.layout) builds the cells from them, so a scanned table is read by exactly the rules a text-layer
table is.

Steps, each because real scans need it:
1. red ink (a 盖章 stamp) is removed before anything else reads the page;
2. a page scanned sideways or upside down is turned upright, and a slight skew (a few degrees) is
   measured from the page's own lines of ink and straightened — ruling lines must be straight to be found;
3. ruling lines are found with morphological openings; inside a ruled cell the ink is cut into text
   lines and each line is recognised directly, without text detection: detection on a whole page misses
   lone small digits (a "0" in a wide cell), which are exactly the cells that matter;
4. text outside ruled tables is found by the detection model and recognised line by line.

Every word carries the engine's confidence (0–1), which the layout engine passes on to the table cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from etl.readers import layout
from etl.readers.ocr_engine import engine

# Resolution pages are read at: recognition normalises text lines to 48 px high, so 200 dpi (a 12 pt
# character is ~33 px) keeps every stroke; more costs time and gains nothing.
OCR_DPI = 200
_MAX_SKEW = 5.0  # degrees: a skew searched for (a page feeder turns a page by one or two)
_INK = 0.0008  # share of dark pixels below which a page is blank
# Text detection's input, longest side in px: A4 at ~110 dpi. Body text is then ~18 px high, which the
# detector finds; its cost grows with the pixels (a 200 dpi page as is takes 3x as long).
_DET_SIDE = 1024
_SIDE_INK = 0.35  # share of ink beside a rule past which it is a run of touching characters, not a rule
_MIN_SPEC = 6  # px: connected ink smaller than this in both directions is scanner noise


@dataclass
class OcrPage:
    """One page as the layout engine (etl.readers.layout) takes it: coordinates in points (1/72 inch)."""

    width: float
    height: float
    # (x0, y0, x1, y1, text, block, line, word, conf): PyMuPDF's word tuple plus the confidence
    words: list[tuple] = field(default_factory=list)
    hs: list[tuple[float, float, float]] = field(default_factory=list)  # (x0, x1, y)
    vs: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    rotated: int = 0  # quarter turns applied to make the page upright
    skew: float = 0.0  # degrees straightened


def pixmap_array(pix) -> np.ndarray:
    """A PyMuPDF RGB pixmap as an OpenCV BGR array."""
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


# --- preparing the image -------------------------------------------------------------------------------

def to_gray(img: np.ndarray) -> np.ndarray:
    """Grayscale with red ink (stamps, red 红头 lines) turned white: black text under a stamp stays dark."""
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    b, g, r = cv2.split(img)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    red = (cv2.subtract(r, cv2.max(g, b)) > 50) & (r > 120)  # uint8 arithmetic saturates at 0
    gray[red] = 255
    return gray


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255 (Otsu threshold on a lightly smoothed page)."""
    _, ink = cv2.threshold(cv2.GaussianBlur(gray, (3, 3), 0), 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def _rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _profile_score(ink_small: np.ndarray, degrees: float) -> float:
    """How sharply ink falls into horizontal bands (text lines, rules) when turned by `degrees`."""
    h, w = ink_small.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    rows = cv2.warpAffine(ink_small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0).sum(axis=1,
                                                                                           dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def skew_angle(ink: np.ndarray) -> float:
    """The rotation (degrees) that makes the lines of a page horizontal: the angle whose row profile has
    the sharpest edges, searched coarse then fine."""
    scale = 800 / max(ink.shape)
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else ink
    best = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.5), key=lambda a: _profile_score(small, a))
    fine = max(np.arange(best - 0.5, best + 0.51, 0.05), key=lambda a: _profile_score(small, a))
    return round(float(fine), 2)


def _sideways(ink: np.ndarray) -> bool:
    """Text lines run vertically: the column profile is sharper than the row profile."""
    scale = 600 / max(ink.shape)
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else ink
    rows = small.sum(axis=1, dtype=np.float64)
    cols = small.sum(axis=0, dtype=np.float64)
    return float(np.square(np.diff(cols)).sum()) > 1.5 * float(np.square(np.diff(rows)).sum())


# --- ruling lines ----------------------------------------------------------------------------------------

def _lines(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of horizontal and vertical rules (ink runs longer than any character stroke), and the
    bounding boxes (x, y, w, h, area) of the horizontal ones."""
    hlen = max(20, int(dpi * 0.5))  # 36 pt: longer than any word's horizontal stroke
    closed_h = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    closed_v = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    h = cv2.morphologyEx(closed_h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hlen, 1)))
    h, h_boxes = _rules_only(h, ink, horizontal=True)
    v = cv2.morphologyEx(closed_v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT,
                                                                            (1, _vertical_len(h, dpi))))
    return h, v, h_boxes


def _boxes(mask: np.ndarray) -> np.ndarray:
    """The bounding boxes (x, y, w, h, area) of a mask's connected components."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:n]


def _rules_only(mask: np.ndarray, ink: np.ndarray, horizontal: bool) -> tuple[np.ndarray, np.ndarray]:
    """`mask` without the components _segments would not take as rules (runs of touching text), and the
    boxes of those it keeps (removing whole components leaves the others as they were)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    h_img, w_img = ink.shape
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if horizontal:
            a = np.count_nonzero(ink[max(0, y - 3), x:x + w])
            b = np.count_nonzero(ink[min(h_img - 1, y + h + 2), x:x + w])
            keep[i] = max(a, b) <= _SIDE_INK * w
        else:
            a = np.count_nonzero(ink[y:y + h, max(0, x - 3)])
            b = np.count_nonzero(ink[y:y + h, min(w_img - 1, x + w + 2)])
            keep[i] = max(a, b) <= _SIDE_INK * h
    return np.where(keep[labels], mask, 0).astype(np.uint8), stats[keep]


def _vertical_len(hmask: np.ndarray, dpi: float) -> int:
    """The shortest ink run taken for a vertical rule: 14 pt (longer than a body-text stroke), or less when
    the page has table rows lower than that (a rule is then as short as its row)."""
    longest = int(dpi * 0.2)
    rows = np.flatnonzero(hmask.max(axis=1))
    if rows.size < 2:
        return longest
    starts = rows[np.concatenate(([True], np.diff(rows) > 3))]  # one y per rule (a rule is a few px thick)
    gaps = np.diff(starts)
    gaps = gaps[gaps > dpi * 0.08]  # not the two lines of a double rule
    if not gaps.size:
        return longest
    return int(max(10, min(longest, 0.8 * gaps.min())))


def _segments(boxes: np.ndarray, ink: np.ndarray, horizontal: bool, k: float) -> list[tuple[float, float, float]]:
    """Each connected rule (its box, from _boxes) as a segment in points: (x0, x1, y) or (x, y0, y1).

    A run of ink long enough to be a rule may also be a line of text whose strokes touch (a blurred scan):
    a rule has paper on both sides along most of its length (crossing rules aside), a run along the edge of
    a text line has the rest of its characters on one side."""
    out = []
    h_img, w_img = ink.shape
    for x, y, w, h, _area in boxes:
        if horizontal and w > 4 * h:
            above = ink[max(0, y - 3), x:x + w]
            below = ink[min(h_img - 1, y + h + 2), x:x + w]
            if max(np.count_nonzero(above), np.count_nonzero(below)) > _SIDE_INK * w:
                continue
            out.append((x * k, (x + w) * k, (y + h / 2) * k))
        elif not horizontal and h > 4 * w:
            left = ink[y:y + h, max(0, x - 3)]
            right = ink[y:y + h, min(w_img - 1, x + w + 2)]
            if max(np.count_nonzero(left), np.count_nonzero(right)) > _SIDE_INK * h:
                continue
            out.append(((x + w / 2) * k, y * k, (y + h) * k))
    return out


def _open_edges(hs: list[tuple[float, float, float]], vs: list[tuple[float, float, float]]
                ) -> list[tuple[float, float, float]]:
    """Closing rules for a table cut by a page break: its verticals run on past its last (or before its
    first) horizontal rule and stop together at the page's edge of the table, where no rule is printed.
    Three or more verticals ending together, each a row's height past the rules they cross, close the row."""
    out = []
    for side in (1, 0):  # bottom ends, then top ends
        ends: list[tuple[float, float]] = []  # (y where the vertical stops, x)
        for x, y0, y1 in vs:
            crossed = [hy for hx0, hx1, hy in hs if hx0 - 2 <= x <= hx1 + 2 and y0 - 2 <= hy <= y1 + 2]
            if not crossed:
                continue
            beyond = y1 - max(crossed) if side else min(crossed) - y0
            if beyond > 8:  # points: more than a rule's blur, as much as a low row
                ends.append((y1 if side else y0, x))
        ends.sort()
        i = 0
        while i < len(ends):
            j = i
            while j + 1 < len(ends) and ends[j + 1][0] - ends[i][0] <= 3:
                j += 1
            if j - i + 1 >= 3:
                xs = [x for _, x in ends[i:j + 1]]
                out.append((min(xs), max(xs), sum(y for y, _ in ends[i:j + 1]) / (j - i + 1)))
            i = j + 1
    return out


# --- recognition -----------------------------------------------------------------------------------------

def _bands(ink: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Horizontal bands of ink separated by at least `gap` empty rows: the text lines of a cell."""
    rows = ink.max(axis=1) > 0
    out: list[tuple[int, int]] = []
    start = None
    blank = 0
    for i, on in enumerate(rows):
        if on:
            if start is None:
                start = i
            blank = 0
            end = i
        elif start is not None:
            blank += 1
            if blank >= gap:
                out.append((start, end + 1))
                start = None
    if start is not None:
        out.append((start, end + 1))
    return out


def _clean(ink: np.ndarray) -> np.ndarray:
    """Ink without specks smaller than _MIN_SPEC in both directions (JPEG noise, dust)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    keep[1:] = (stats[1:, cv2.CC_STAT_WIDTH] >= _MIN_SPEC) | (stats[1:, cv2.CC_STAT_HEIGHT] >= _MIN_SPEC)
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _cell_lines(text_ink: np.ndarray, box: tuple[int, int, int, int], dpi: float
                ) -> list[tuple[int, int, int, int]]:
    """Pixel boxes of the text lines inside one ruled cell (empty for a blank cell)."""
    x0, y0, x1, y1 = box
    sub = _clean(text_ink[y0:y1, x0:x1])
    if not sub.any():
        return []
    out = []
    for a, b in _bands(sub, gap=max(2, int(dpi * 0.015))):
        cols = np.flatnonzero(sub[a:b].max(axis=0))
        if b - a < _MIN_SPEC and cols[-1] - cols[0] < _MIN_SPEC:
            continue
        out.append((x0 + int(cols[0]), y0 + a, x0 + int(cols[-1]) + 1, y0 + b))
    return out


# Text as the recogniser reads it (its input is 48 px high; its time grows with the input's width, so
# with the text's height): a short number in a table cell 28 px high, words (running text, a row's label)
# and long numbers 20 px, each in a white margin. Measured on the real reports' scans and the generated
# ones at 150–300 dpi: these read the same at 20 px as at 30–38 px, and a lone digit needs the larger size.
_REC_HEIGHT = 48
_TEXT_PX = 28
_LINE_PX = 20
_WORDS = 2.5  # width / height past which a cell's line is words (3+ characters) or a long number


def _crop(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A cell's text line as the recogniser reads it best: a number's ink _TEXT_PX high in a white margin
    (measured on real scans: a lone "0" cut tight reads "o"), a wider line (words, a long number)
    _LINE_PX high, as running text is."""
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    px = _LINE_PX if x1 - x0 > _WORDS * (y1 - y0) else _TEXT_PX
    f = px / max(1, y1 - y0)
    if abs(f - 1) > 0.05:
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    m = (_REC_HEIGHT - crop.shape[0]) // 2
    return cv2.copyMakeBorder(crop, m, m, m, m, cv2.BORDER_CONSTANT, value=255)


def _recognise(crops: list[np.ndarray], together: bool = False) -> list[tuple[str, float]]:
    return engine().recognise(crops, together) if crops else []


# Letters and marks the recogniser reads for a digit when a number stands alone in a cell ("o" for 0):
# a cell text made only of these is read again with the recogniser limited to digits.
LOOKALIKES = frozenset("oOD〇QlI|i丨Zz")


def _upside_down(gray: np.ndarray, boxes: list[np.ndarray]) -> bool:
    """The direction classifier's vote over a few of the page's longer text lines."""
    crops = sorted(boxes, key=lambda b: -(b[:, 0].max() - b[:, 0].min()))[:12]
    imgs = []
    for b in crops:
        x0, y0 = (int(v) for v in b.min(axis=0))
        x1, y1 = (int(v) for v in b.max(axis=0))
        if x1 - x0 > 2 * (y1 - y0) > 0:
            imgs.append(gray[max(0, y0):y1, max(0, x0):x1])
    if not imgs:
        return False
    flipped = sum(1 for label, score in engine().upside_down(imgs) if label == "180" and score > 0.9)
    return flipped > len(imgs) / 2


def _quad_crop(gray: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """A detected line of running text, cut to its ink and scaled so the ink is _LINE_PX high in a white
    margin."""
    w = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    h = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(pts.astype(np.float32), dst)
    crop = cv2.warpPerspective(gray, m, (max(w, 1), max(h, 1)), borderMode=cv2.BORDER_REPLICATE)
    ink = _clean(_ink(crop))
    rows, cols = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
    if rows.size:
        crop = crop[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    f = _LINE_PX / crop.shape[0]
    if abs(f - 1) > 0.05:  # shrunk here by area averaging: the engine's own resize aliases
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    m = (_REC_HEIGHT - crop.shape[0]) // 2
    return cv2.copyMakeBorder(crop, m, m, m, m, cv2.BORDER_CONSTANT, value=255)


# --- the page --------------------------------------------------------------------------------------------

def page_items(img: np.ndarray, dpi: float, page_no: int) -> tuple[float, list[layout.PageItem], int]:
    """(page height, items, number of words) of one page image, read by OCR and laid out."""
    page = read_page(img, dpi)
    items = layout.page_items(page.words, (page.hs, page.vs), page_no) if page.words else []
    return page.height, items, len(page.words)


def read_page(img: np.ndarray, dpi: float) -> OcrPage:
    """OCR one page image (BGR or grayscale) scanned at `dpi` into words and rules in points."""
    gray = to_gray(img)
    ink = _ink(gray)
    k = 72.0 / dpi
    if cv2.countNonZero(ink) < _INK * ink.size:
        return OcrPage(gray.shape[1] * k, gray.shape[0] * k)
    turns = 0
    if _sideways(ink):
        gray, ink, turns = np.rot90(gray).copy(), np.rot90(ink).copy(), 1
    skew = skew_angle(ink)
    if abs(skew) >= 0.2:  # below that a rule drifts under 5 px across the page: left as is
        gray = _rotate(gray, skew)
        ink = _ink(gray)
    return _read_upright(gray, ink, dpi, turns, skew, vote=True)


def _read_upright(gray: np.ndarray, ink: np.ndarray, dpi: float, turns: int, skew: float, vote: bool
                  ) -> OcrPage:
    eng = engine()
    k = 72.0 / dpi
    page_h, page_w = gray.shape
    hmask, vmask, h_boxes = _lines(ink, dpi)
    hs, vs = _segments(h_boxes, ink, True, k), _segments(_boxes(vmask), ink, False, k)
    hs += _open_edges(hs, vs)
    grids = layout.find_grids(hs, vs)  # the cells words land in, by the rules of a text-layer PDF
    # rules erased for recognition (a rule touching a digit reads as "1"), inside tables only: outside
    # them a long stroke is part of a large character (a title), not a rule
    in_tables = np.zeros_like(ink)
    for g in grids:
        x0, y0, x1, y1 = (int(v / k) for v in (g.x0, g.y0, g.x1, g.y1))
        in_tables[max(0, y0 - 6):y1 + 7, max(0, x0 - 6):x1 + 7] = 255
    rules = cv2.bitwise_and(cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((3, 3), np.uint8)), in_tables)
    text_ink = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    plain = gray.copy()
    plain[rules > 0] = 255

    # free text: detection on the page with every ruled table blanked
    free_img = plain.copy()
    for g in grids:
        free_img[int(g.y0 / k):int(g.y1 / k) + 1, int(g.x0 / k):int(g.x1 / k) + 1] = 255
    f = min(1.0, _DET_SIDE / max(free_img.shape))
    small = cv2.resize(free_img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else free_img
    boxes = [b / f for b in eng.detect(small)]
    if vote and boxes and _upside_down(free_img, boxes):  # read again the right way up (once)
        gray = np.rot90(gray, 2).copy()
        return _read_upright(gray, _ink(gray), dpi, turns + 2, skew, vote=False)
    words: list[tuple] = []
    crops = [_quad_crop(free_img, b) for b in boxes]
    for i, (b, (text, conf)) in enumerate(zip(boxes, _recognise(crops), strict=True)):
        text = text.strip()
        if text:
            words.append((float(b[:, 0].min()) * k, float(b[:, 1].min()) * k, float(b[:, 0].max()) * k,
                          float(b[:, 1].max()) * k, text, 0, i, 0, conf))

    # ruled cells: each text line recognised directly
    inset = max(2, int(dpi * 0.01))
    lines: list[tuple[int, int, int, int]] = []
    for g in grids:
        for c in g.cells:
            box = (int(c.x0 / k) + inset, int(c.top / k) + inset, int(c.x1 / k) - inset, int(c.bottom / k) - inset)
            if box[2] - box[0] > 2 and box[3] - box[1] > 2:
                lines.extend(_cell_lines(text_ink, box, dpi))
    crops = [_crop(plain, b) for b in lines]
    for j, (box, (text, conf)) in enumerate(zip(lines, _recognise(crops, together=True), strict=True)):
        text = text.strip()
        if text and len(text) <= 8 and set(text) <= LOOKALIKES:
            text, conf = eng.digits_only(crops[j]) or (text, conf)
        if text:
            x0, y0, x1, y1 = box
            words.append((x0 * k, y0 * k, x1 * k, y1 * k, text, 1, j, 0, conf))
    return OcrPage(page_w * k, page_h * k, words, hs, vs, turns % 4, skew)
