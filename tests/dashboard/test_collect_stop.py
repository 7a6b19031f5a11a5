"""The Load page's stop button ends a running background collection (issue 26): the run and everything in
its process group end, and a new collection may start at once."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dash_helpers import open_app

from dashboard.i18n import t
from etl.collect import background, store


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_stop_button_ends_a_running_collection(warehouse, tmp_path, monkeypatch, lang):
    out = tmp_path / "collected"
    # a stand-in for a collection that would run for hours: a process group of its own, as start() makes it
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    try:
        background._write(out, pid=p.pid, stage="collecting", started_at=store.now())
        monkeypatch.setenv("DISCLOSURE_DB", str(warehouse))
        monkeypatch.setenv("DISCLOSURE_COLLECTED", str(out))
        at = open_app("upload", {"lang": lang})
        running = t("collect_running", lang, stage=t("collect_stage_collecting", lang), new=0, changed=0,
                    unchanged=0, failed=0)
        assert running in [i.value for i in at.info]
        at.button(key="collect_stop").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert p.wait(timeout=30) is not None  # ended by the button, not by the test
        assert background.status(out)["stage"] == "stopped"
        assert t("collect_stopped", lang) in [i.value for i in at.info]
    finally:
        p.kill()
        p.wait()
