"""The date labels (etl.datelabels) as every reader of them uses them: a label that dates the document or a page
update is never read as the date a report was published, since that date decides whether it was late."""

from __future__ import annotations

import datetime as dt

import lxml.html

from etl import datelabels
from etl.collect.pages import page_date
from etl.extract.metadata import find_published
from etl.readers.meta import meta_from_text


def test_every_label_dates_one_thing_once() -> None:
    names = [x.label for x in datelabels.LABELS]
    assert len(names) == len(set(names))
    assert set(datelabels.labels("published")).isdisjoint(datelabels.labels("written"))
    assert not set(datelabels.labels("written")) & set(datelabels.PUBLICATION_RANK)


def test_the_readers_fields_separate_written_from_published() -> None:
    meta = meta_from_text(["发文日期：2024-01-05", "公布日期：2024-01-20"])
    assert meta["published"] == "2024-01-20" and meta["written"] == "2024-01-05"
    assert "published" not in meta_from_text(["成文日期：2024-01-05"])


def test_a_written_on_date_is_not_a_publication_date() -> None:
    # the report body: a 发文日期 line at the top says when it was signed, not when it went up
    assert find_published({}, ["某某局2023年政府信息公开工作年度报告", "发文日期：2024-01-05", "正文"]) is None
    assert find_published({}, ["生成日期：2024-01-21", "正文"]) == "2024-01-21"


def test_the_collectors_page_date_prefers_publication_and_skips_written() -> None:
    page = lxml.html.fromstring("<html><body><h1>年度报告</h1><p>成文日期：2024-01-05</p>"
                                "<p>更新时间：2024-03-01</p><p>发布日期：2024-01-22</p></body></html>")
    assert page_date(page) == (dt.date(2024, 1, 22), "发布日期")
    only_written = lxml.html.fromstring("<html><body><p>发文日期：2024-01-05</p></body></html>")
    assert page_date(only_written) == (None, "")
