"""The OCR engine: RapidOCR 3's PP-OCRv6 models, run by OpenVINO or ONNX Runtime, loaded once per process.

Kept apart from etl.readers.ocr (the page code) so that the readers can ask for OCR without importing
OpenCV and a neural-network runtime (a second of imports) unless a page actually needs it
(etl.readers.ocr_loader loads both).

Models: the `rapidocr` wheel ships PP-OCRv6 small detection and recognition and the PP-OCR direction
classifier; they are loaded from the installed package by path, so nothing is ever downloaded.

Runtime (setting `DISCLOSURE_OCR_RUNTIME`: `auto`, the default, `openvino` or `onnxruntime`):
- OpenVINO where it loads (x86-64 with SSE4.2, or ARM64): on a CPU with bf16 instructions (AVX-512 BF16,
  AMX) it computes in bf16 by its own choice, ~1.7x faster than ONNX Runtime here (bench/ocr.py);
- ONNX Runtime otherwise, or when OpenVINO is missing or fails to load: any CPU, f32, slower.
Each runs on one thread (`DISCLOSURE_OCR_THREADS`, default 1) without pinning it to a core: `etl build
--jobs N` scales by processes, and two threads per process are slower on a loaded machine.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import cache

from etl import settings
from etl.document import ReadError

RUNTIMES = ("openvino", "onnxruntime")
RUNTIME_SETTING = settings.setting("ocr_runtime").env
_MODELS = {"det": "PP-OCRv6_det_small.onnx", "rec": "PP-OCRv6_rec_small.onnx",
           "cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
_REC_HEIGHT = 48  # the recogniser's input height
_REC_BATCHES = (8, 4, 2, 1)  # short crops of one width recognised together: ~25% less time a crop
_REC_BATCH_WIDTH = 192  # px: wider crops go one at a time
_REC_STEP = 8  # px of input width per time step of the recogniser's output
_STRIP_WIDTH = 1120  # px: the widest strip of table-cell lines read in one call (one of _REC_WIDTHS)
_STRIP_GAP = 6  # px of white between two crops in a strip (besides their own margins)
_DIGITS = frozenset("0123456789")


class Engine:
    """Detection, recognition, digit-only re-reading and the up/down vote, on one runtime.

    Images in are grayscale or BGR uint8 arrays; every call runs on this process's one session of each
    model (rapidocr's classes hold them and post-process; the input is prepared here)."""

    def __init__(self, runtime: str, threads: int = 1):
        import importlib
        import sys

        import numpy as np

        if runtime == "openvino":
            # `import openvino` loads its model converter, which starts OpenVINO's usage telemetry (a client id
            # under ~/intel; a missing consent file counts as consent to send events). The reader only runs
            # models: the converter is left out, so nothing is written or sent.
            sys.modules.setdefault("openvino.tools.ovc", None)
        importlib.import_module(runtime)  # ModuleNotFoundError naming the runtime when it is not installed
        import rapidocr
        from rapidocr import RapidOCR
        from rapidocr.utils.typings import EngineType

        models = os.path.join(os.path.dirname(rapidocr.__file__), "models")
        paths = {k: os.path.join(models, name) for k, name in _MODELS.items()}
        absent = [p for p in paths.values() if not os.path.isfile(p)]
        if absent:  # never let rapidocr fetch them: nothing downloads at run time
            raise ModuleNotFoundError(f"rapidocr's wheel lacks {absent[0]}", name="rapidocr")
        kind = EngineType.OPENVINO if runtime == "openvino" else EngineType.ONNXRUNTIME
        params = {"Global.log_level": "critical", "Global.model_root_dir": models}
        for task, key in (("Det", "det"), ("Rec", "rec"), ("Cls", "cls")):
            params[f"{task}.engine_type"] = kind
            params[f"{task}.model_path"] = paths[key]
        params |= {"EngineConfig.openvino.inference_num_threads": threads,
                   "EngineConfig.openvino.num_streams": 1,
                   "EngineConfig.openvino.performance_hint": "LATENCY",
                   "EngineConfig.openvino.enable_cpu_pinning": False,  # many processes share the cores
                   "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                   "EngineConfig.onnxruntime.inter_op_num_threads": 1}
        ocr = RapidOCR(params=params)
        self.runtime = runtime
        self.det = ocr._load_det_model()
        self.rec = ocr._load_rec_model()
        self.cls = ocr._load_cls_model()
        chars = self.rec.postprocess_op.character
        self._digit_ids = np.array([i for i, ch in enumerate(chars) if ch in _DIGITS])
        self._chars = chars

    @property
    def precision(self) -> str:
        """The precision inference runs at ("bf16", "f32")."""
        if self.runtime != "openvino":
            return "f32"
        hint = self.rec.session.session.get_compiled_model().get_property("INFERENCE_PRECISION_HINT")
        return hint.get_type_name()  # "bf16" where the CPU has bf16 instructions, else "f32"

    @property
    def name(self) -> str:
        return f"PP-OCRv6 small on {'OpenVINO' if self.runtime == 'openvino' else 'ONNX Runtime'} " \
               f"({self.precision})"

    # --- detection -------------------------------------------------------------------------------------

    def detect(self, img):
        """Text line quadrilaterals (4 × 2 float32, pixels of `img`), for an image already at the size to
        detect at (the caller scales the page: its cost grows with the pixels)."""
        import cv2
        import numpy as np

        bgr = _bgr(img)
        h, w = bgr.shape[:2]
        rh, rw = max(32, round(h / 32) * 32), max(32, round(w / 32) * 32)  # the network's stride
        x = cv2.resize(bgr, (rw, rh)) if (rh, rw) != (h, w) else bgr
        x = np.ascontiguousarray((x.astype(np.float32) * (2 / 255) - 1).transpose(2, 0, 1)[np.newaxis])
        boxes, _ = self.det.postprocess_op(self._run(self.det, x), (h, w))
        if boxes is None or len(boxes) == 0:
            return []
        return [np.asarray(b, dtype=np.float32) for b in self.det.sorted_boxes(np.asarray(boxes))]

    # --- recognition -----------------------------------------------------------------------------------

    def _rec_input(self, crop):
        """The recogniser's input for one crop: 48 px high, its width padded up to the next of a few fixed
        widths (_rec_widths) with the mid grey the model was trained to ignore."""
        import cv2
        import numpy as np

        bgr = _bgr(crop)
        h, w = bgr.shape[:2]
        rw = max(1, int(np.ceil(_REC_HEIGHT * w / max(1, h))))
        x = cv2.resize(bgr, (rw, _REC_HEIGHT)).astype(np.float32).transpose(2, 0, 1) * (2 / 255) - 1
        out = np.zeros((3, _REC_HEIGHT, _rec_width(rw)), dtype=np.float32)
        out[:, :, :rw] = x[:, :, :out.shape[2]]
        return out

    def recognise(self, crops: list, together: bool = False) -> list[tuple[str, float]]:
        """Each text line crop's text and confidence (0–1).

        Apart: short crops (a number, a word) of one padded width go through 8, 4, 2 or 1 at a time (few
        shapes again), a long line alone. Together (the lines of a table's cells, each already 48 px
        high): the crops are laid side by side with white between them, _STRIP_WIDTH px at most, and
        each strip is read in one call, its characters going back to the crop they were read in — a
        lone "0" then costs its own width instead of the 96 px a crop is padded to (the time goes with
        the pixels). A crop the strip read nothing in is read again alone."""
        if together:
            return self._recognise_strips(crops)
        import numpy as np

        inputs = [self._rec_input(c) for c in crops]
        out: list[tuple[str, float]] = [("", 0.0)] * len(inputs)
        by_width: dict[int, list[int]] = {}
        for i, x in enumerate(inputs):
            by_width.setdefault(x.shape[2], []).append(i)
        for width, idx in by_width.items():
            k = 0
            while k < len(idx):
                n = next(b for b in _REC_BATCHES if b <= len(idx) - k) if width <= _REC_BATCH_WIDTH else 1
                part = idx[k:k + n]
                k += n
                probs = self._run(self.rec, np.stack([inputs[i] for i in part]))
                for i, p in zip(part, probs, strict=True):
                    out[i] = self._text(self._decode(p))
        return out

    def _recognise_strips(self, crops: list) -> list[tuple[str, float]]:
        import bisect

        import cv2
        import numpy as np

        lines = []
        for c in crops:
            c = c if c.ndim == 2 else cv2.cvtColor(c, cv2.COLOR_BGR2GRAY)
            if c.shape[0] != _REC_HEIGHT:
                c = cv2.resize(c, (max(1, round(c.shape[1] * _REC_HEIGHT / c.shape[0])), _REC_HEIGHT))
            lines.append(c)
        out: list[tuple[str, float]] = [("", 0.0)] * len(lines)
        alone: list[int] = []
        i = 0
        while i < len(lines):
            if lines[i].shape[1] > _STRIP_WIDTH:
                alone.append(i)
                i += 1
                continue
            group, width = [], 0
            while i < len(lines) and width + lines[i].shape[1] + (_STRIP_GAP if group else 0) <= _STRIP_WIDTH:
                width += lines[i].shape[1] + (_STRIP_GAP if group else 0)
                group.append(i)
                i += 1
            gap = np.full((_REC_HEIGHT, _STRIP_GAP), 255, np.uint8)
            parts = [p for j in group for p in (gap, lines[j])][1:]
            starts = np.cumsum([0] + [p.shape[1] for p in parts])[::2]  # where each crop begins
            # a character belongs to the crop whose span (to the middles of the gaps) holds its time step
            bounds = [int(starts[k + 1]) - _STRIP_GAP // 2 for k in range(len(group) - 1)]
            probs = self._run(self.rec, self._rec_input(np.hstack(parts))[np.newaxis])[0]
            chars: list[list[tuple[str, float]]] = [[] for _ in group]
            for ch, p, t in self._decode(probs):
                chars[bisect.bisect(bounds, t * _REC_STEP + _REC_STEP // 2)].append((ch, p))
            for k, j in enumerate(group):
                out[j] = self._text(chars[k])
                if not out[j][0]:
                    alone.append(j)
        for j, res in zip(alone, self.recognise([lines[j] for j in alone]), strict=True):
            out[j] = res
        return out

    def _decode(self, probs) -> list[tuple[str, float, int]]:
        """CTC decoding of one line's (time steps, classes) probabilities: (character, probability, time
        step) of each character read (repeats collapsed, blanks dropped)."""
        best = probs.argmax(axis=1)
        out = []
        prev = 0
        for t, k in enumerate(best):
            if k and k != prev:
                out.append((self._chars[k], float(probs[t, k]), t))
            prev = k
        return out

    @staticmethod
    def _text(chars) -> tuple[str, float]:
        """A line's text (outer spaces dropped) and confidence: the mean probability of its characters."""
        text = "".join(c[0] for c in chars).strip()
        probs = [c[1] for c in chars if not c[0].isspace()]
        return (text, sum(probs) / len(probs)) if text else ("", 0.0)

    def digits_only(self, crop) -> tuple[str, float] | None:
        """The recogniser's best reading of a crop among digits alone (CTC decoding with every other
        character masked), with its confidence; None when it sees no digit."""
        import numpy as np

        probs = self._run(self.rec, self._rec_input(crop)[np.newaxis])[0]  # (time steps, classes); class 0: CTC blank
        return decode_digits(probs, self._digit_ids, self._chars)

    def upside_down(self, crops: list) -> list[tuple[str, float]]:
        """The direction classifier's ("0" or "180", score) for each text line crop."""
        return list(self.cls([_bgr(c) for c in crops]).cls_res)

    @staticmethod
    def _run(model, x):
        import numpy as np

        # a copy: OpenVINO hands back its request's own output buffer, which the next call overwrites
        return np.array(model.session(x), copy=True)


def decode_digits(probs, digits, chars) -> tuple[str, float] | None:
    """CTC decoding of a recogniser's output (time steps × classes, class 0 the blank) among digits alone:
    where it saw a character (any), the best digit instead. With its confidence; None when no digit."""
    import numpy as np

    seen = probs.argmax(axis=1)
    text, confs, prev = [], [], 0
    for t, k in enumerate(seen):
        if k:
            d = int(digits[int(probs[t, digits].argmax())])
            if d != prev:
                text.append(chars[d])
                # the digit's share of what the recogniser saw there: low when it was sure of a letter
                confs.append(float(probs[t, d] / probs[t, k]) if probs[t, d] < probs[t, k]
                             else float(probs[t, d]))
            prev = d
        else:
            prev = 0
    return ("".join(text), float(np.mean(confs))) if text else None


def _widths() -> tuple[int, ...]:
    out = [96]  # a crop is padded to no less (a lone digit read in a 48 px square reads worse)
    while out[-1] < 4000:
        out.append(-(-out[-1] * 12 // 160) * 16)  # 1.2x, rounded up to 16
    return tuple(out)


_REC_WIDTHS = _widths()


def _rec_width(w: int) -> int:
    """The padded width of a crop `w` px wide: the next of a few fixed widths, each 1.2x the last, so the
    runtime sees few input shapes (OpenVINO prepares each new shape once: 3x a crop's time) at a cost of
    under 20% more pixels; a wider line is padded to a multiple of 16."""
    for x in _REC_WIDTHS:
        if w <= x:
            return x
    return -(-w // 16) * 16


def _bgr(img):
    import cv2

    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img


def runtime_choice() -> str:
    """The runtime asked for: "auto", "openvino" or "onnxruntime" (the setting, checked)."""
    choice = settings.raw("ocr_runtime").strip().lower() or "auto"
    if choice not in ("auto", *RUNTIMES):
        raise ReadError("ocr_missing", f"{RUNTIME_SETTING}={choice!r}: expected auto, openvino or onnxruntime")
    return choice


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# Address space the runtime may still reserve after loading (per inference shape, per thread), beyond the
# file's budget: it crashes (SIGSEGV), not raises, when a reservation fails under the cap. Reserved, not used.
ADDRESS_SLACK_MB = 2048
# A process whose cap is part of a shared memory budget (the upload previews, etl.warehouse.preview) keeps
# its cap strict: the engine then loads under it or the file ends as "memory".
STRICT_CAP = False


@contextmanager
def _room_to_load():
    """Load the engine outside a parse worker's address-space cap, then cap again with the same headroom.

    The runtime maps gigabytes of address space it never touches (thread stacks, arenas), which a worker's
    cap (what it held when it started + the file's budget) would count against the first scanned file: the
    engine is the worker's equipment, like the parser it imported before the cap, not the file's memory."""
    try:
        import resource
    except ImportError:  # not a POSIX system: no cap to make room in
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    before = _vm_bytes()
    if STRICT_CAP or soft == resource.RLIM_INFINITY or not before or hard != resource.RLIM_INFINITY and hard <= soft:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        yield
    finally:
        after = max(_vm_bytes(), before)
        resource.setrlimit(resource.RLIMIT_AS, (soft + (after - before) + ADDRESS_SLACK_MB * 1024 * 1024, hard))


@cache
def _load(choice: str, threads: int) -> Engine:
    with _room_to_load():
        if choice != "auto":
            eng = Engine(choice, threads)
        else:
            try:
                eng = Engine("openvino", threads)
            except Exception:  # noqa: BLE001 — not installed, or no OpenVINO CPU plugin for this processor
                eng = Engine("onnxruntime", threads)
        _warm_up(eng)
        return eng


def _warm_up(eng: Engine) -> None:
    """One small detection and recognition: the runtime maps its inference arenas on the first call, which
    belongs to loading the engine (inside its room), not to the first page."""
    import numpy as np

    page = np.full((64, 256, 3), 255, dtype=np.uint8)
    page[24:40, 40:200] = 0
    eng.detect(page)
    eng.recognise([page[16:48, 32:208]])


_override: list[Engine] = []


def engine() -> Engine:
    """This process's engine, loaded on first use (~1 s) and kept."""
    if _override:
        return _override[-1]
    return _load(runtime_choice(), max(1, settings.value("ocr_threads") or 1))


@contextmanager
def using(eng: Engine):
    """Run the page code on another engine for a while (bench/ocr.py compares engines in one process)."""
    _override.append(eng)
    try:
        yield eng
    finally:
        _override.pop()

