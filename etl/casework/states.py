"""The vocabularies of the office's review and corrections, with their Chinese and English words: the one owner
(etl.casework.store, the build, the CLI and the dashboard all import them).

A review *state* is what an analyst decided about a finding; a follow-up *outcome* is what the latest build
found about it; an override *field* is what a correction may change.
"""

from __future__ import annotations

# What an analyst marks a finding as (etl.casework.store.Store.mark). A dismissed finding leaves the 通报 and
# the assessment; it stays counted by the checks' shares and rankings (those say what the checks find; a
# figure that was misread is corrected by an override, and then the checks no longer find it).
STATES: dict[str, tuple[str, str]] = {
    "confirmed": ("已确认", "Confirmed"),
    "dismissed": ("已排除", "Dismissed"),
    "notified": ("已通报", "Notified"),
}
UNREVIEWED = "unreviewed"  # no mark: the state filters' name for it
UNREVIEWED_WORDS = ("未审核", "Not reviewed")
# the states that may be named in a filter, unreviewed first
FILTER_STATES: dict[str, tuple[str, str]] = {UNREVIEWED: UNREVIEWED_WORDS, **STATES}
# states that still owe a correction from the agency: their follow-up outcome is what the office looks at
FOLLOWED = ("confirmed", "notified")

# What the latest build found about a marked finding (etl.casework.follow).
OUTCOMES: dict[str, tuple[str, str]] = {
    "open": ("仍未整改", "Still open"),
    "rectified": ("已整改（重新发布的报告不再有此问题）", "Rectified (the republished report no longer has it)"),
    "withdrawn": ("不再成立（同一报告经更正读数或规则调整后不再有此问题）",
                  "Withdrawn (the same report no longer has it, after a corrected reading or changed checks)"),
    "gone": ("报告已不在库中", "Report no longer loaded"),
}

# What a correction changes: target -> fields, and each field's words.
TARGETS: dict[str, tuple[str, str]] = {
    "published_on": ("发布日期", "Publication date"),
    "agency": ("机关信息", "Agency"),
    "cell": ("表格单元格", "Table cell"),
}
FIELDS: dict[str, tuple[str, str]] = {
    "published_on": ("发布日期", "Publication date"),
    "province": ("省份", "Province"),
    "city": ("市", "City"),
    "county": ("县/区", "County"),
    "level": ("层级", "Level"),
    "kind": ("机关类型", "Agency kind"),
    "value": ("数值", "Value"),
}
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "published_on": ("published_on",),
    "agency": ("province", "city", "county", "level", "kind"),
    "cell": ("value",),
}
# The mark beside a corrected value wherever it is shown (the Report page's tables and metadata).
OVERRIDE_MARK = "✎"

# Actions written to the log (etl.casework.store history).
ACTIONS: dict[str, tuple[str, str]] = {
    "mark": ("审核标记", "Review mark"),
    "note": ("备注", "Note"),
    "follow_up": ("整改跟踪", "Follow-up"),
    "override": ("人工更正", "Correction"),
    "revoke": ("撤销更正", "Correction revoked"),
    "load": ("载入报告", "Reports loaded"),
    "rebuild": ("重建数据", "Rebuilt"),
    "expected_list": ("应报名单", "Expected-reporters list"),
    "collect": ("网站采集", "Collection from websites"),
}


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "zh") -> str:
    """The word for `key` in `table` ("—" for none, the key itself when unknown)."""
    if key is None:
        return "—"
    pair = table.get(key)
    return key if pair is None else pair[lang == "en"]


def state_of(words: str) -> str | None:
    """A state given as its code or its Chinese/English word (the CLI and the CSV import accept both)."""
    w = words.strip()
    for code, (zh, en) in FILTER_STATES.items():
        if w in (code, zh) or w.lower() == en.lower():
            return code
    return None


def target_of(words: str) -> str | None:
    w = words.strip()
    for code, (zh, en) in TARGETS.items():
        if w in (code, zh) or w.lower() == en.lower():
            return code
    return None


def field_of(words: str) -> str | None:
    w = words.strip()
    for code, (zh, en) in FIELDS.items():
        if w in (code, zh) or w.lower() == en.lower():
            return code
    return None
