"""The dashboard's environment reads go through etl.settings, at use time, and write nothing process-wide."""

from __future__ import annotations

import argparse
import os

import plotly.graph_objects as go

from dashboard import access, child, exports, previews
from etl import settings

SECRET = "pbkdf2_sha256$1$00$not-to-be-printed"


def test_the_settings_listing_never_prints_the_password(monkeypatch, capsys):
    monkeypatch.setenv("DISCLOSURE_ADMIN_PASSWORD", SECRET)
    monkeypatch.setenv("DISCLOSURE_PREVIEW_MEMORY_MB", "2048")
    settings.run(argparse.Namespace(lang="en"))
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("DISCLOSURE_ADMIN_PASSWORD"))
    assert SECRET not in out and line.split()[1] == "set"
    assert "'2048' (set)" in next(x for x in out.splitlines() if x.startswith("DISCLOSURE_PREVIEW_MEMORY_MB"))
    monkeypatch.delenv("DISCLOSURE_ADMIN_PASSWORD")
    settings.run(argparse.Namespace(lang="en"))
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("DISCLOSURE_ADMIN_PASSWORD"))
    assert line.split()[1] == "unset"


def test_the_password_and_the_preview_budget_are_read_when_needed(monkeypatch):
    monkeypatch.setenv("DISCLOSURE_ADMIN_PASSWORD", SECRET)
    assert access.setting() == SECRET
    for given, budget in (("2048", 2048), ("10", 1024), ("lots", 4608), ("", 4608)):
        monkeypatch.setenv("DISCLOSURE_PREVIEW_MEMORY_MB", given)
        assert previews._memory_setting() == budget


def test_a_child_gets_its_own_environment(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    before = dict(os.environ)
    env = child.env(EXTRA="1")
    assert env["PYTHONPATH"].split(os.pathsep) == [str(child.ROOT), "/elsewhere"] and env["EXTRA"] == "1"
    assert dict(os.environ) == before


def test_chart_export_finds_chromium_without_writing_the_environment(monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    path = exports.browser_path()
    assert os.access(path, os.X_OK)
    png = exports.figure_bytes(go.Figure(go.Bar(x=[1], y=[2])), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and "BROWSER_PATH" not in os.environ
