"""The docs stay true: the reference pages equal what the registries generate now, every relative link of the
README and docs/ reaches a file (and a heading, where it names one), and the commands the README names exist."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from etl import docsgen
from etl import settings as S
from etl.cli import COMMANDS
from etl.commands.docs import stale

REFERENCE = ROOT / "docs" / "reference"
HAND_WRITTEN = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if REFERENCE not in p.parents)]
ALL_DOCS = [*HAND_WRITTEN, *sorted(REFERENCE.glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def test_the_reference_pages_are_generated_from_the_registries_as_they_are_now() -> None:
    bad = stale(REFERENCE, docsgen.generate())
    assert not bad, f"stale generated docs {bad}: run `make docs` (python -m etl docs)"


def test_a_registry_change_makes_its_page_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = S.Setting("docs_test", "DISCLOSURE_DOCS_TEST", "7", "测试用设置", "a setting added by the test", int)
    monkeypatch.setattr(S, "SETTINGS", (*S.SETTINGS, extra))
    pages = docsgen.generate()
    assert "`DISCLOSURE_DOCS_TEST`" in pages["settings.md"] and "测试用设置" in pages["settings.md"]
    assert stale(REFERENCE, pages) == ["settings.md"]


def test_every_registry_entry_reaches_its_page() -> None:
    from etl import filekinds, metrics, problems, reasons
    from etl.assess import rules as assess
    from etl.checks import categories
    from etl.collect import limits as collect_limits
    from etl.readers import limits as reader_limits
    from etl.warehouse import schema

    pages = docsgen.generate()
    expect = {
        "settings.md": [f"`{s.env}`" for s in S.SETTINGS] + [s.help_zh for s in S.SETTINGS],
        "checks.md": [f"`{r}`" for r in categories.RULES] + [zh for zh, _ in categories.RULES.values()],
        "metrics.md": [f"`{m.name}`" for m in metrics.METRICS] + [f"`{m.name}`" for m in metrics.MEASURES],
        "problems.md": [f"`{c}`" for c in problems.TITLES],
        "reasons.md": [f"| `{c}` | {zh} | {en} |" for c, (zh, en) in reasons.REASONS.items()],
        "filekinds.md": [f"`{e}`" for k in filekinds.READ_KINDS + filekinds.UNSUPPORTED for e in k.extensions if e],
        "warehouse.md": [f"## {t}\n" for t in schema.TABLES] + [f"`{t}`" for t in schema.GRAIN],
        "assessment.md": [f"| `{i.item}` | {i.name} |" for i in assess.read(assess.DEFAULT_FILE).items],
        "limits.md": [f"`{k}`" for k in vars(reader_limits) if k.startswith("MAX_")]
        + [f"| `{f.name}` | {docsgen.number(getattr(collect_limits.LIMITS, f.name))} |"
           for f in dataclasses.fields(collect_limits.Limits)],
    }
    for name, needles in expect.items():
        missing = [n for n in needles if n not in pages[name]]
        assert not missing, (name, missing)


def test_every_column_of_the_schema_is_documented() -> None:
    from etl.warehouse import schema

    tables = {t["name"]: t for t in docsgen.ddl_tables(schema.DDL)}
    assert set(tables) == set(schema.TABLES)
    declared = len(re.findall(r"^\s+\w+\s+(?:VARCHAR|INTEGER|DOUBLE|DATE|TIMESTAMP|BOOLEAN|JSON)\b", schema.DDL,
                              re.M))
    assert sum(len(t["columns"]) for t in tables.values()) == declared


def test_the_check_command_lists_stale_pages_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "reference"
    cmd = [sys.executable, "-m", "etl", "docs", "--out", str(out)]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    assert subprocess.run([*cmd, "--check"], cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    (out / "limits.md").write_text("edited by hand\n", encoding="utf-8")
    (out / "old.md").write_text("a page no registry makes\n", encoding="utf-8")
    r = subprocess.run([*cmd, "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert sorted(line.rsplit("/", 1)[-1] for line in r.stderr.splitlines() if line.startswith("stale:")) == \
        ["limits.md", "old.md"]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120).returncode == 0
    assert not (out / "old.md").exists() and stale(out, docsgen.generate()) == []


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)}


@pytest.mark.parametrize("doc", ALL_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file(doc: Path) -> None:
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)  # code blocks are not links
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in _anchors(dest)):
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: links to nothing: {broken}"


def test_every_reference_page_is_linked_from_the_hand_written_docs() -> None:
    linked = {(doc.parent / t.partition("#")[0]).resolve() for doc in HAND_WRITTEN
              for t in LINK.findall(doc.read_text(encoding="utf-8"))}
    unlinked = [p.name for p in REFERENCE.glob("*.md") if p.resolve() not in linked]
    assert not unlinked, f"reference pages no hand-written doc links to: {unlinked}"


def test_the_commands_the_readme_names_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"python -m etl ([a-z][a-z-]*)", readme))
    assert commands, "the README names no command"
    assert commands <= set(COMMANDS), commands - set(COMMANDS)
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    named = set(re.findall(r"(?:^|[`(])make ([a-z][a-z-]*)", readme, re.M))  # a command line, `make x`, (make x)
    assert {"demo", "test", "test-fast", "docs"} <= named, named
    assert named <= targets, named - targets
