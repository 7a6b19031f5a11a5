"""What a build did, in words: one set of facts (counts and reason codes, no paths) and its wording in both UI
languages. The CLI prints it in English (after the sources and the warehouse path, for the operator); with
`--summary-json` it prints the facts as one JSON line, which the dashboard's Load page words in the reader's
language — never a server path or English in the Chinese interface."""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import Any

from etl.reasons import wording

# line -> (Chinese, English)
WORDS: dict[str, tuple[str, str]] = {
    "sources": ("数据来源：{sources} 个文件夹", "{sources} source folder(s)"),
    "up_to_date": ("数据仓库已是最新：{reused} 个文件未变，无需重建（用时 {seconds} 秒）。",
                   "The warehouse is up to date: {reused} files unchanged, nothing to rebuild ({seconds} s)."),
    "built": ("数据仓库已更新：共 {reports} 份报告（新解析 {parsed} 份，沿用 {reused} 份；新增 {added} 份，替换 {replaced} 份，"
              "移除 {dropped} 份）；{errors} 个文件无法读取；{failed} 项核对未通过，{uncertain} 项待核实；用时 {seconds} 秒。",
              "Warehouse updated: {reports} reports ({parsed} parsed, {reused} reused; {added} added, {replaced} "
              "replaced, {dropped} dropped); {errors} unreadable files; {failed} failed checks, {uncertain} "
              "uncertain; {seconds} s."),
    "unreadable": ("无法读取：{reasons}", "Unreadable: {reasons}"),
    "skipped": ("已跳过：{reasons}", "Skipped: {reasons}"),
}
COUNTS = ("reports", "parsed", "reused", "added", "replaced", "dropped", "errors", "failed", "uncertain")


def facts(info: Mapping[str, Any], n_sources: int, n_fail: int, n_uncertain: int) -> dict[str, Any]:
    """The build's result as plain data (build()'s info, the finding counts): counts, seconds and the reasons
    files were not read or skipped as {code: n} — no path."""
    def codes(counter: Any) -> dict[str, int]:
        return dict(collections.Counter(counter or {}).most_common())

    return {"unchanged": bool(info.get("unchanged")), "sources": n_sources,
            "reports": int(info.get("n_reports") or 0), "parsed": int(info.get("n_parsed") or 0),
            "reused": int(info.get("n_reused") or 0), "added": int(info.get("n_added") or 0),
            "replaced": int(info.get("n_replaced") or 0), "dropped": int(info.get("n_dropped") or 0),
            "errors": int(info.get("n_errors") or 0), "failed": int(n_fail), "uncertain": int(n_uncertain),
            "seconds": round(float(info.get("seconds") or 0), 1),
            "unreadable": codes(info.get("errors")), "skipped": codes(info.get("skipped"))}


def _reasons(counts: Mapping[str, int], lang: str) -> str:
    words = [f"{wording(code)[0]} {n} 个" if lang == "zh" else f"{n} × {wording(code)[1]}"
             for code, n in counts.items()]
    return ("；" if lang == "zh" else "; ").join(words)


def lines(f: Mapping[str, Any], lang: str) -> list[str]:
    """The summary in `lang`, one line per fact (the sources, the result, unreadable and skipped files)."""
    def say(key: str, **kw: Any) -> str:
        zh, en = WORDS[key]
        return (zh if lang == "zh" else en).format(**kw)

    nums = {k: f"{int(f.get(k) or 0):,}" for k in COUNTS} | {"reused": f"{int(f.get('reused') or 0):,}"}
    seconds = f"{float(f.get('seconds') or 0):.1f}"
    out = [say("sources", sources=int(f.get("sources") or 0))]
    out.append(say("up_to_date", reused=nums["reused"], seconds=seconds) if f.get("unchanged")
               else say("built", seconds=seconds, **nums))
    if f.get("unreadable"):
        out.append(say("unreadable", reasons=_reasons(f["unreadable"], lang)))
    if f.get("skipped"):
        out.append(say("skipped", reasons=_reasons(f["skipped"], lang)))
    return out
