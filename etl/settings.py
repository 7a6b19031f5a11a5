"""Every setting an operator can change, declared once: its name, environment variable, default and help.

Modules read a setting through `value(NAME)` at the moment they need it (never at import, so a test or a
server that sets the variable later is obeyed) and nothing here writes `os.environ`. `python -m etl settings`
prints the list, with the value each setting has in the current environment; docs/reference/settings.md is
generated from this list (`python -m etl docs`). The per-file reader limits (etl.readers.limits) and the collector's bounds (etl.collect.limits)
are constants of their own modules, printed by the same command.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str  # as the variable would spell it; "" = unset
    help_zh: str
    help_en: str
    kind: type = str  # str | int | float | bool | path (str)
    secret: bool = False  # its value is never printed (the listing says only whether it is set)


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "DISCLOSURE_DB", "data/warehouse.duckdb",
            "仪表盘读取的数据仓库文件", "the warehouse file the dashboard reads"),
    Setting("uploads", "DISCLOSURE_UPLOADS", "data/uploads",
            "在“载入”页上传的文件存放的文件夹", "folder that keeps files uploaded on the Load page"),
    Setting("collected", "DISCLOSURE_COLLECTED", "data/collected",
            "在“载入”页启动的网站采集写入的文件夹", "folder a collection started on the Load page writes to"),
    Setting("ocr_runtime", "DISCLOSURE_OCR_RUNTIME", "auto",
            "OCR 模型的运行时：auto（默认，能用 OpenVINO 就用，否则 ONNX Runtime）、openvino 或 onnxruntime",
            "runtime of the OCR models: auto (default: OpenVINO where it loads, else ONNX Runtime), openvino "
            "or onnxruntime"),
    Setting("ocr_threads", "DISCLOSURE_OCR_THREADS", "1",
            "每个进程的 OCR 线程数（用 --jobs 按进程扩展更快）",
            "OCR threads per process (scale with --jobs processes instead)", int),
    Setting("soffice", "DISCLOSURE_SOFFICE", "",
            "LibreOffice 程序路径（默认在 PATH 中查找 soffice）",
            "path of the LibreOffice program (default: soffice on PATH)"),
    Setting("preview_memory_mb", "DISCLOSURE_PREVIEW_MEMORY_MB", "4608",
            "“载入”页所有预览合计可用的内存（MB，至少 1024）",
            "memory all previews on the Load page may use together (MB, at least 1024)", int),
    Setting("admin_password", "DISCLOSURE_ADMIN_PASSWORD", "",
            "编辑密码（`python -m etl review hash-password` 生成的哈希，或密码本身）；未设时仅本机可编辑",
            "editing password (a hash from `python -m etl review hash-password`, or the password); "
            "unset: only a browser on the server's machine may edit", secret=True),
    Setting("browser", "BROWSER_PATH", "",
            "导出 PNG/SVG 图表用的 Chromium 路径（默认查找 chromium）",
            "Chromium used to export charts as PNG/SVG (default: chromium on PATH)"),
    Setting("collect_allow_networks", "DISCLOSURE_COLLECT_ALLOW_NETWORKS", "",
            "允许采集访问的内网网段（逗号分隔，如 10.1.0.0/16；默认全部拒绝）",
            "internal networks the collector may fetch from (comma-separated CIDRs; default none)"),
    Setting("build_timing", "ETL_BUILD_TIMING", "",
            "设为 1 时，构建在标准错误输出打印各阶段耗时", "1: the build prints each stage's time on stderr", bool),
    Setting("build_pause", "ETL_BUILD_PAUSE", "",
            "测试用：构建在指定阶段暂停（stage:秒,…）", "test hook: the build sleeps at named stages (stage:secs,…)"),
    Setting("preview_parent", "DISCLOSURE_PREVIEW_PARENT", "",
            "内部：仪表盘为上传预览进程设置的父进程号，预览随其退出",
            "internal: the pid the dashboard sets for an upload preview, which dies with it", int),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    return _BY_NAME[name]


def raw(name: str) -> str:
    """The setting as spelled in the environment, else its default ("" when unset)."""
    s = _BY_NAME[name]
    return os.environ.get(s.env) or s.default


def value(name: str) -> Any:
    """The setting's value, typed: int/float parsed, bool true for 1/true/yes/on, "" → None for text."""
    s = _BY_NAME[name]
    text = raw(name).strip()
    if s.kind is bool:
        return text.lower() in {"1", "true", "yes", "on"}
    if not text:
        return None
    try:
        return s.kind(text)
    except ValueError as e:
        raise SystemExit(f"setting {s.env}={text!r} is not a valid {s.kind.__name__}: {e}") from None


def _limits() -> list[tuple[str, str, Any]]:
    """The constant bounds of their own modules, for the listing."""
    from etl.collect import limits as C
    from etl.readers import limits as R

    out = [("etl.readers.limits", k, v) for k, v in vars(R).items() if k.isupper() and k != "MB"]
    out += [("etl.collect.limits", k, v) for k, v in C.as_dict(C.LIMITS).items()]
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the help column")


def run(args: argparse.Namespace) -> int:
    zh = args.lang == "zh"
    print("# settings (environment variables)")
    for s in SETTINGS:
        now = os.environ.get(s.env)
        if s.secret:  # a password (or its hash) stays off the screen and out of logs
            shown = "set" if now else "unset"
        else:
            shown = f"{now!r} (set)" if now is not None else (repr(s.default) if s.default else "unset")
        print(f"{s.env:36} {shown:28} {s.help_zh if zh else s.help_en}")
    print("\n# limits (constants; the collector's can be changed per run with `etl collect --limit NAME=VALUE`)")
    for module, name, v in _limits():
        print(f"{module}.{name:28} {v}")
    return 0
