"""Figures stated in prose, including PDF text wrapped mid-phrase."""

from etl.extract.narrative import narrative_facts


def test_counts_in_one_sentence():
    got = narrative_facts("本年度共收到政府信息公开申请584件（含上年结转18件），办结564件，结转下年度继续办理20件。")
    assert got == {"requests_received": 584, "requests_processed": 564, "requests_carried_forward": 20}


def test_carried_forward_is_not_the_previous_clause():
    assert narrative_facts("本年度收到政府信息公开申请8件，结转下年度继续办理0件。") == {
        "requests_received": 8, "requests_carried_forward": 0}


def test_wrapped_pdf_text_and_review_litigation():
    text = ("全市共受理政府信息公开申请3119 件，答\n复3050 件（含上年度结转申请34 件，另有103 件顺延到下年度\n答复）。"
            "政府信息公开行政复议351\n件，其中结果维持72 件；政府信息公开行政诉讼46 件。主动公开各类政\n府信息5500 余条。")
    assert narrative_facts(text) == {"requests_received": 3119, "requests_processed": 3050,
                                     "requests_carried_forward": 103, "review_total": 351,
                                     "litigation_total": 46, "proactive_items": 5500}


def test_stated_zero_and_nothing_invented():
    assert narrative_facts("本年度未收到政府信息公开申请，未发生行政复议、行政诉讼。") == {
        "requests_received": 0, "review_total": 0, "litigation_total": 0}
    assert narrative_facts("本年度工作平稳推进。") == {}
