"""Interface strings in Chinese (default) and English. Metric and table labels come from etl.metrics and
etl.formats; this module holds only the dashboard's own words."""

from __future__ import annotations

from etl import formats as F
from etl import model as _model
from etl.checks import categories as _categories
from etl.warehouse import reference as _reference

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("政府信息公开年度报告", "Disclosure annual reports"),
    "lang": ("语言 / Language", "语言 / Language"),
    "filters": ("筛选", "Filters"),
    "years": ("年度", "Years"),
    "province": ("省份", "Province"),
    "city": ("市", "City"),
    "county": ("县/区", "County"),
    "any": ("（全部）", "(all)"),
    "level": ("层级", "Level"),
    "kind": ("机关类型", "Agency kind"),
    "agency_search": ("机关名称包含", "Agency name contains"),
    "template": ("报告格式", "Report format"),
    "read_method": ("读取方式", "How read"),
    "not_adding_up_by_read": ("表格勾稽关系不成立的报告（按读取方式）", "Reports whose tables do not add up, by how read"),
    "not_adding_up_note": ("文字层报告中不成立的勾稽关系是原表印错；OCR 识别的报告中也可能是识别错误（唯一可证明的一位数字误识已更正并标注）。",
                           "In a text-layer report a table that does not add up was printed so; in an OCR'd report "
                           "it may also be misread (a misread the table proves, one digit, is corrected and marked)."),
    "n_not_adding_up": ("勾稽关系不成立", "Tables not adding up"),
    "cell_read": ("读取方式", "How read"),
    "ocr_conf": ("OCR 置信度", "OCR confidence"),
    "include_failed": ("包含数字有误的报告", "Include reports with errors in the figures"),
    "data_source": ("数据", "Data"),
    "data_all": ("全部", "All"),
    "data_real": ("仅真实数据", "Real only"),
    "data_sample": ("仅样例数据", "Sample only"),
    "reset": ("重置筛选", "Reset filters"),
    "sample_note": ("注意：当前视图包含程序生成的样例数据（名称含“样例”），并非真实政府报告。",
                    "Note: this view includes generated sample data (names contain 样例); these are not real reports."),
    "no_db": ("还没有数据仓库（{path}）。请先运行 `python -m etl build data/samples` 生成，然后刷新本页。",
              "No warehouse yet ({path}). Run `python -m etl build data/samples` first, then reload this page."),
    "no_match": ("没有符合当前筛选条件的报告。请放宽年度、地区或其他筛选条件，或点击侧栏“重置筛选”。",
                 "No reports match the current filters. Widen the years, region or other filters, or press "
                 "“Reset filters” in the sidebar."),
    "data_date": ("数据日期", "Data date"),
    # robustness: bad URLs and unexpected errors (never a traceback on screen)
    "bad_param": ("已忽略无效的网址参数 {keys}", "Ignored invalid URL parameter {keys}"),
    "bad_params": ("已忽略无效的网址参数 {keys}", "Ignored invalid URL parameters {keys}"),
    "report_not_found": ("未找到该报告（网址参数 report）。请在下方选择一份报告。",
                         "Report not found (URL parameter report). Pick a report below."),
    "page_failed": ("本页出现意外错误，未能完整显示。请刷新页面或放宽筛选条件；错误详情已记录在服务器日志中。",
                    "Something went wrong on this page, so it could not be shown in full. Reload the page or "
                    "widen the filters; the details were written to the server log."),
    "download_png": ("PNG", "PNG"),
    "download_svg": ("SVG", "SVG"),
    "download_csv": ("CSV", "CSV"),
    "download_xlsx": ("Excel", "Excel"),
    "briefing": ("生成简报（Word）", "Briefing (Word)"),
    "briefing_title": ("政府信息公开工作年度报告分析简报", "Briefing: government information disclosure reports"),
    "headline": ("主要数据", "Headline figures"),
    "briefing_byline": ("编制单位：{issuer}　生成日期：{date}　数据日期：{data_date}",
                        "Prepared by: {issuer} · Generated {date} · Data as of {data_date}"),
    "briefing_no_issuer": ("（未填写）", "(not stated)"),
    "briefing_issuer": ("编制单位（写入简报）", "Prepared by (printed in the briefing)"),
    "briefing_scope_head": ("范围", "Scope"),
    "briefing_scope": ("本简报依据数据仓库中“{filters}”范围内的年度报告编制。{year} 年共有 {agencies} 个机关的 {reports} 份报告；"
                       "{y0} 年有报告的 {prev} 个机关中，{missing} 个在 {year} 年没有报告。较上年的变化按同口径计算，"
                       "即两年均有报告的 {panel} 个机关。",
                       "This briefing covers the annual reports in the warehouse for {filters}. For {year} there are "
                       "{reports} reports from {agencies} agencies; of the {prev} agencies with a {y0} report, "
                       "{missing} have none for {year}. Changes vs {y0} are like for like: the {panel} agencies "
                       "that reported in both years."),
    "briefing_col_all": ("{y} 年（全部报告）", "{y} (all reports)"),
    "briefing_col_lfl": ("{y0} 年（同口径）", "{y0} (like for like)"),
    "briefing_col_lfl_change": ("同口径变化（{n} 个机关）", "Like-for-like change ({n} agencies)"),
    "briefing_col_all_change": ("全部报告口径变化（仅供参考）", "Change over all reports (for reference)"),
    "briefing_table_caption": ("表1　主要数据（{y1} 年；同口径为 {y0} 年和 {y1} 年均有报告的 {n} 个机关）",
                               "Table 1. Headline figures ({y1}; like for like: the {n} agencies reporting in "
                               "both {y0} and {y1})"),
    "briefing_figure": ("图{i}　{title}，{y0}–{y1} 年（{basis}）", "Figure {i}. {title}, {y0}–{y1} ({basis})"),
    "briefing_findings": ("主要问题", "Key findings"),
    "briefing_none": ("无。", "None."),
    "briefing_cat_summary": ("涉及 {n} 份报告，共 {findings} 项；按规则：{top}。问题最突出的：",
                             "{n} reports, {findings} findings; by rule: {top}. The most serious:"),
    "vs_prev": ("较上年", "vs previous year"),
    "lfl_help": ("同口径（{y0} 年和 {y1} 年均有报告的 {n} 个机关）：{y0} 年 {v0}，{y1} 年 {v1}。全部报告口径的变化：{all}。",
                 "Like for like (the {n} agencies that reported in both {y0} and {y1}): {v0} in {y0}, {v1} in "
                 "{y1}. Change over all reports: {all}."),
    "lfl_caption": ("数值为 {y1} 年全部报告；较上年的变化为同口径：{n} 个机关在 {y0} 年和 {y1} 年均有报告"
                    "（全部报告 {y0} 年 {n0} 份、{y1} 年 {n1} 份）。",
                    "Figures: all {y1} reports. Changes vs {y0} are like for like: the {n} agencies that reported "
                    "in both years (all reports: {n0} in {y0}, {n1} in {y1})."),
    "lfl_toggle": ("同口径（只计每年均有报告的机关）", "Like for like (only agencies that reported every year)"),
    "lfl_trend_caption": ("同口径：{n} 个机关在 {y0}–{y1} 年每年均有报告，图表只计这些机关。",
                          "Like for like: the {n} agencies that reported in every year {y0}–{y1}; the charts count "
                          "only them."),
    "lfl_trend_none": ("没有机关在 {y0}–{y1} 年每年均有报告，图表改为全部报告（各年报告机关不同，不可直接比较）。",
                       "No agency reported in every year {y0}–{y1}, so the charts show all reports (different "
                       "agencies each year: not like for like)."),
    "lfl_trend_all": ("全部报告：{y0}–{y1} 各年报告的机关不同，年度之间的变化部分反映报告机关的变化。",
                      "All reports {y0}–{y1}: different agencies reported each year, so changes partly show who "
                      "reported."),
    "lfl_gap": ("注意：两年报告的机关差别较大（同口径 {n} 个机关；全部报告 {y0} 年 {n0} 份、{y1} 年 {n1} 份），"
                "按全部报告计算的增减主要反映报告机关的变化，不宜引用。",
                "Note: the agencies reporting differ a lot between the years (like for like: {n} agencies; all "
                "reports: {n0} in {y0}, {n1} in {y1}), so a change over all reports mostly shows who reported."),
    "reports_loaded": ("已载入报告", "Reports loaded"),
    "trends": ("年度趋势", "Trends by year"),
    "metric": ("指标", "Metric"),
    "value": ("数值", "Value"),
    "year": ("年度", "Year"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "n_reports": ("报告数", "Reports"),
    "rate": ("比率", "Rate"),
    "definition": ("定义", "Definition"),
    "source_cells": ("来源单元格", "Source cells"),
    "unit": ("单位", "Unit"),
    # pages
    "page_overview": ("总览", "Overview"),
    "page_proactive": ("主动公开", "Proactive disclosure"),
    "page_requests": ("依申请公开", "Requests and outcomes"),
    "page_review": ("复议与诉讼", "Reconsideration and litigation"),
    "page_compare": ("对比", "Compare"),
    "page_quality": ("合规与数据质量", "Compliance and data quality"),
    "page_report": ("单份报告", "Report"),
    "page_glossary": ("指标说明", "Glossary"),
    "page_upload": ("载入报告", "Load reports"),
    # proactive
    "proactive_items": ("主动公开信息条数（总体情况文字）", "Items proactively published (overview text)"),
    "t2_measure": ("表二指标", "Table 2 measure"),
    "format_break_note": ("2019年格式（2019—2020年度报告）与2021年格式（2021年度起）的表二统计口径不同，"
                          "两种格式分开显示、不连线；只有规章/规范性文件和“处理决定数量”大致可比。",
                          "Table 2 of the 2019 form (reports for 2019–2020) and of the 2021 form (2021 on) measure "
                          "different things: the two forms are drawn as separate series with no line across the "
                          "break; only regulations/normative documents and decision counts are loosely comparable."),
    "format": ("格式", "Form"),
    "by_dimension": ("分组", "Group by"),
    "dim_province": ("省份", "Province"),
    "dim_city": ("市", "City"),
    "dim_level": ("层级", "Level"),
    "dim_kind": ("机关类型", "Agency kind"),
    "dim_sector": ("部门领域", "Sector"),
    "dim_agency": ("机关", "Agency"),
    "dim_peer": ("同类组（层级+类型）", "Peer group (level + kind)"),
    # requests
    "flow": ("申请办理流向", "Where requests went"),
    "applicants": ("申请人类型（本年新收）", "Applicant types (new requests)"),
    "rates_table": ("比率及其分母", "Rates with their denominators"),
    "top_agencies": ("申请量最大的机关", "Agencies carrying the most requests"),
    "outcome_group": ("办理结果", "Outcome"),
    # review
    "review_counts": ("复议与诉讼案件数", "Reconsideration and litigation cases"),
    "review_rates": ("每百件申请的复议与诉讼", "Challenges per 100 requests"),
    "correction_rates": ("纠错率（已审结案件）", "Correction rates (decided cases)"),
    "review_results": ("审理结果构成", "Results"),
    "by_agency": ("按机关", "By agency"),
    "corrected_agencies": ("有被纠错案件的机关", "Agencies with corrected cases"),
    "block": ("类别", "Block"),
    "result": ("结果", "Result"),
    # compare
    "compare_by": ("对比对象", "Compare"),
    "compare_pick": ("选择 2–5 个对象", "Pick 2–5 to compare"),
    "compare_need": ("请至少选择 2 个对象（最多 5 个）。", "Pick at least 2 (at most 5)."),
    "ranking": ("机关排名", "Agency ranking"),
    "rank": ("名次", "Rank"),
    "peer_percentile": ("同类组百分位", "Percentile in peer group"),
    "yoy": ("同比变化", "Change vs previous year"),
    "prev_value": ("{y0} 年数值", "{y0} value"),
    "rank_scope": ("排名范围", "Rank within"),
    "rank_scope_peer": ("同层级同类型", "Same level and kind"),
    "rank_scope_peer_province": ("同层级同类型且同省", "Same level, kind and province"),
    "rank_scope_all": ("全部机关", "All agencies"),
    "min_den": ("最少基数", "Minimum base"),
    "min_den_help": ("比率的分母（如办结申请数）少于此数的机关不参与排名，单独列出。",
                     "Agencies whose rate rests on fewer cases than this (its denominator) are listed apart, "
                     "not ranked."),
    "rank_note": ("{year} 年排名：{n} 个机关参与排名，在各自组内排名（并列同名次，下一名次顺延，如 1、1、3）；"
                  "分档按组内名次四等分（组内不足 4 个不分档）。{few} 个机关的{den}少于 {min}，不参与排名。",
                  "{year} ranking: {n} agencies ranked, each within its group (ties share a rank and the next "
                  "is skipped: 1, 1, 3); bands are quarters of the group by rank (none for groups under 4). {few} "
                  "agencies have fewer than {min} as the base ({den}) and are not ranked."),
    "rank_group": ("排名组", "Group"),
    "rank_of": ("组内机关数", "Agencies in group"),
    "band": ("分档", "Band"),
    "band_1": ("第一档（前 25%）", "Band 1 (top 25%)"),
    "band_2": ("第二档", "Band 2"),
    "band_3": ("第三档", "Band 3"),
    "band_4": ("第四档（后 25%）", "Band 4 (bottom 25%)"),
    "band_none": ("组内不足 4 个，不分档", "Group under 4, not banded"),
    "change_pp": ("较 {y0} 年变化（百分点）", "Change vs {y0} (percentage points)"),
    "change_abs": ("较 {y0} 年变化", "Change vs {y0}"),
    "too_few": ("基数少于 {min}，不参与排名", "Fewer than {min} cases: not ranked"),
    "rank_chart_group": ("图表显示的排名组", "Group shown in the chart"),
    # rankings follow the metric's direction (etl.metrics.Direction; {words}: its words); regions and peer
    # groups ranked like agencies; like for like wherever years are compared (dashboard.rankings, .panel)
    "rank_dir_higher_better": ("按{metric}由高到低排名，第 1 名、第一档最好（{words}）。",
                               "Ranked by {metric} from highest to lowest: rank 1 and band 1 are the best "
                               "({words})."),
    "rank_dir_lower_better": ("按{metric}由低到高排名，第 1 名、第一档最好（{words}）。",
                              "Ranked by {metric} from lowest to highest: rank 1 and band 1 are the best ({words})."),
    "rank_dir_neither": ("按{metric}由高到低排列，第 1 名数值最大；此指标{words}，名次只表示大小，不分档，不评优劣。",
                         "Listed by {metric} from highest to lowest, rank 1 the largest; for this metric "
                         "{words}, so a rank shows size only: no bands, no verdict."),
    "band_no_direction": ("不分档（无好坏之分）", "Not banded (no better direction)"),
    "direction": ("方向", "Direction"),
    "dim_county": ("县/区", "County"),
    "unit_ranking": ("地区与同类组排名", "Ranking of regions and peer groups"),
    "rank_unit": ("排名对象", "Rank"),
    "unit_province": ("省份", "provinces"),
    "unit_city": ("市", "cities"),
    "unit_county": ("县/区", "counties"),
    "unit_peer": ("同类组", "peer groups"),
    "unit_note": ("{year} 年：{n} 个{unit}参与排名，数值为其全部报告的分子之和 ÷ 分母之和（并列同名次，下一名次顺延，"
                  "如 1、1、3；分档按名次四等分，不足 4 个不分档）；{few} 个的{den}少于 {min}，不参与排名。"
                  "较上年变化为同口径：只计两年都填报了该指标的机关。",
                  "{year}: {n} {unit} ranked, each on the sum of its reports' numerators ÷ the sum of their "
                  "denominators (ties share a rank and the next is skipped: 1, 1, 3; bands are quarters by rank, "
                  "none under 4); {few} have fewer than {min} as the base ({den}) and are not ranked. The change "
                  "vs the previous year is like for like: only agencies that stated the figure in both years."),
    "worst_n_pick": ("列出最差的个数", "How many of the worst"),
    "worst_n": ("最差的 {n} 个{unit}：{metric} · {year}", "The worst {n} {unit}: {metric} · {year}"),
    "worst_none": ("{metric}{words}，没有“最差”之分；上表只按大小排列。",
                   "For {metric} {words}: there is no worst; the table above lists by size only."),
    "n_agencies": ("机关数", "Agencies"),
    "n_counted": ("计入报告数", "Reports counted"),
    "lfl_change": ("较上年变化（同口径）", "Change vs previous year (like for like)"),
    "lfl_change_pp": ("较上年变化（同口径，百分点）", "Change vs previous year (like for like, pp)"),
    "lfl_panel_n": ("同口径机关数", "Agencies like for like"),
    "lfl_stated_toggle": ("同口径（只计每年都填报了该指标的机关）",
                          "Like for like (only agencies that stated the figure in every year)"),
    "lfl_stated_caption": ("同口径：只计 {years}每年都填报了“{metric}”的机关（{n}）；每个点的基数（计入报告数，比率另有"
                           "分子、分母）见提示框和下表。",
                           "Like for like: only the agencies that stated “{metric}” in every year {years} ({n}); "
                           "each point's base (reports counted; for a rate, numerator and denominator) is in its "
                           "tooltip and the table below."),
    "n_agencies_of": ("{n} 个", "{n} agencies"),
    "lfl_stated_none": ("没有机关在 {years}每年都填报了“{metric}”，改为显示全部报告（各年填报的机关不同，不可直接比较）。",
                        "No agency stated “{metric}” in every year {years}, so all reports are shown (different "
                        "agencies each year: not like for like)."),
    "lfl_stated_all": ("全部报告：{years} 各年填报“{metric}”的机关不同，年度之间的变化部分反映填报机关的变化。",
                       "All reports {years}: different agencies stated “{metric}” each year, so changes partly "
                       "show who stated it."),
    "lfl_agency_note": ("每个机关各年的数值只来自该机关自己的报告，本身即为同口径；未填报的年度留空。",
                        "Each agency's figures come from its own reports only, so they are like for like; a year "
                        "it did not state is left blank."),
    "basis_lfl": ("同口径", "like for like"),
    "basis_all": ("全部报告", "all reports"),
    "low_base": ("基数不足", "Small base"),
    "low_base_warn": ("以下数值的{den}少于 {min}，偶然性大，不宜据以比较：{items}",
                      "These figures rest on fewer than {min} ({den}) and can swing by chance: {items}"),
    "low_base_cells": ("{n} 个数值的分母少于 {min}（标注“基数不足”），偶然性大，不宜据以比较。",
                       "{n} figures rest on a denominator under {min} (marked “Small base”) and can swing by chance."),
    "compare_change": ("{metric}：{y0}–{y1} 年变化", "{metric}: change {y0}–{y1}"),
    "change_lfl": ("同口径变化", "Like-for-like change"),
    "change_all": ("全部报告口径变化", "Change over all reports"),
    "value_in": ("{y} 年", "{y}"),
    "compare_base": ("{metric}：各年数值与基数", "{metric}: each year's figure and its base"),
    "builder_lfl_caption": ("同口径：每个指标只计所选年度（{years}）每年都填报了该指标的机关，各指标的机关因此可能不同；"
                            "“计入报告数”为每格实际计入的报告。",
                            "Like for like: each metric counts only the agencies that stated it in every year "
                            "picked ({years}), so the agencies may differ by metric; “Reports counted” gives each "
                            "cell's reports."),
    "builder_all_caption": ("全部报告：各年填报的机关不同，年度之间的变化部分反映填报机关的变化。",
                            "All reports: different agencies stated each figure each year, so changes partly show "
                            "who stated it."),
    "proactive_basis": ("{label} · {basis}", "{label} · {basis}"),
    # quality
    "findings_by_rule": ("按规则与严重程度统计的问题", "Findings by rule and severity"),
    "worst_agencies": ("问题最多的机关", "Agencies with the most failed checks"),
    "categories_note": ("问题分三类分别计数，互不重复：数字错误（表格勾稽、跨年衔接、文字与表格不一致等）；发布与完整性问题"
                        "（逾期、缺失、重复、不完整、格式与年度不符）；待核实的变动（与上年相比异常的增减，不一定有误）。",
                        "Findings are counted in three kinds that never overlap: errors in the figures (tables "
                        "not adding up, carry-over across years, prose vs tables …); publication and completeness "
                        "(late, missing, duplicate, incomplete, wrong year's form); changes to review (unusual "
                        "changes from last year, not necessarily wrong)."),
    "cat_help_figures": ("数字核对未通过的报告数。", "Reports failing a check of their figures."),
    "cat_help_process": ("有逾期、缺失、重复、不完整或格式问题的报告数（缺失的报告按机关和年度计）。",
                         "Reports late, duplicated, incomplete or in the wrong form, and missing agency-years."),
    "cat_help_review": ("有异常变动、需人工核实的报告数。", "Reports with an unusual change to look at."),
    "coverage_grid": ("报告覆盖情况（机关 × 年度）", "Coverage (agency × year)"),
    "coverage_legend": ("按时 / 逾期 / 无法判断是否按时（发布日期或截止日期不明） / 缺失（应报名单所列年度无报告） / "
                        "未载入（无应报名单，无法判断是否发布）；空白：不在应报范围",
                        "on time / late / timeliness unknown (publication date or deadline unknown) / missing (a "
                        "listed year with no report) / not loaded (no list: whether it was published is not "
                        "known); blank: not due"),
    "findings_list": ("问题清单", "Findings"),
    "ingest_errors": ("无法读取的文件", "Files that could not be read"),
    "skipped_files": ("已跳过的文件", "Files skipped"),
    "rule": ("规则", "Rule"),
    "severity": ("严重程度", "Severity"),
    "status": ("状态", "Status"),
    "responsibility": ("归属", "Whose"),
    "reading_gaps": ("本工具未能识读或未载入的内容（不计入报告问题）",
                     "What we could not read or did not load (not counted against any report)"),
    "reading_gaps_note": ("下列事项出自本工具的识读（如原文数字粘连、章节标题未能识别）或载入范围（未载入应报名单时未载入的年度），"
                          "不是报告本身的错误：不进入通报、占比和排名，需人工核对原文。",
                          "These come from our reading (digits printed run together, a heading not recognised) or from "
                          "what was loaded (a year not loaded, with no expected-reporters list): they are not the "
                          "reports' failures, never enter a notice, a share or a ranking, and need a look at the source."),
    "n_gap_findings": ("事项数", "Findings"),
    "n_gap_reports": ("涉及报告或机关年度", "Reports or agency-years"),
    "count": ("数量", "Count"),
    "message": ("说明", "Message"),
    "open_report": ("查看报告", "Open report"),
    "on_time": ("按时", "On time"),
    "late": ("逾期", "Late"),
    "unknown_date": ("无法判断是否按时", "Timeliness unknown"),
    "not_loaded": ("未载入", "Not loaded"),
    "missing": ("缺失", "Missing"),
    # table builder
    "page_builder": ("自定义表格", "Table builder"),
    "builder_rows": ("按行分组", "Rows by"),
    "builder_metrics": ("指标", "Metrics"),
    "builder_group": ("分组", "Group"),
    "builder_note": ("每个比率按各报告分子之和 ÷ 分母之和计算（只计两者均有数字的报告），并列出分子和分母；空白或“/”不计为 0。",
                     "Each rate is the sum of its numerators over the sum of its denominators (reports where both are "
                     "known), shown with both; a blank or \"/\" is never 0."),
    "builder_empty": ("请选择年度和指标。", "Pick years and metrics."),
    # 通报 page
    "page_notice": ("报送与通报", "Reporting and notice"),
    "old_warehouse": ("数据仓库由旧版本生成（结构版本 {have}，当前 {want}），部分页面可能无法显示。请运行 `python -m etl build` 重新生成。",
                      "The warehouse was built by an older version (schema {have}, this version reads {want}); "
                      "some pages may not show. Run `python -m etl build` to rebuild it."),
    "notice_by": ("按地区", "By region"),
    "notice_note": ("应报：该年度应发布报告的机关（列入应报名单的机关按名单所列年度；其他机关自其首份报告起，已有报告或按报告缺失核对应有而未见报告）；"
                    "已报：有报告；按时、逾期按发布日期与截止日期比较；未报：应有而未见报告。数字有误指表格勾稽、跨年衔接等数字核对未通过。",
                    "Expected: agencies due to report for the year (an agency on the expected-reporters list for "
                    "the years the list gives it; any other from its first report on: a report, or one the coverage "
                    "check finds missing); published: a report is loaded; on time and late compare its publication "
                    "date with the deadline; missing: due but not found. Errors in the figures: checks of the "
                    "tables' arithmetic and carry-over failed."),
    "expected_loaded": ("应报名单：已载入 {n} 个机关（{files}）。名单外的机关自其首份报告起计。",
                        "Expected-reporters list: {n} agencies loaded ({files}). Agencies not on it are expected "
                        "from their first report on."),
    "expected_none": ("未载入应报名单：无法判断哪些机关未发布年度报告，故不列“未报”；应报只计已载入的报告（生成的样例机关以样例数据自身的机关名录为应报名单）。"
                      "请在“导入报告”页上传应报名单（CSV）。",
                      "No expected-reporters list loaded: who did not publish cannot be told, so nobody is listed "
                      "as not published; only the reports loaded are counted as due (generated sample agencies use "
                      "the sample data's own roster). Load a list (CSV) on the Load page."),
    "expected_outside": ("另有 {n} 个列入名单的机关发布了名单所列年度以外的 {year} 年度报告，不计入应报。",
                         "{n} listed agencies also published a {year} report outside their listed years; not "
                         "counted as expected."),
    "notice_rates": ("{year} 年度报告报送情况", "Reporting for {year}"),
    "notice_all": ("合计", "All"),
    "n_unreported": ("未报", "Not published"),
    "reported_rate": ("报送率", "Reporting rate"),
    "on_time_rate": ("按时报送率", "On-time rate"),
    "notice_list": ("{year} 年度通报名单", "Notice list for {year}"),
    "notice_matter": ("事项", "Matter"),
    "notice_matter_missing": ("未发布年度报告", "No annual report"),
    "notice_matter_content": ("报告内容不规范", "Content not as required"),
    "notice_matter_figures": ("报告数字有误", "Errors in the figures"),
    "notice_no": ("序号", "No."),
    "notice_agency": ("单位", "Agency"),
    "notice_problems": ("存在问题", "Problems"),
    "notice_download": ("生成通报（Word）", "Notice (Word)"),
    "notice_wording": ("通报文字", "Wording of the notice"),
    "notice_f_title": ("标题", "Title"),
    "notice_f_recipients": ("主送机关", "Addressed to"),
    "notice_f_opening": ("开头", "Opening"),
    "notice_f_rectify": ("整改要求（含整改时限）", "What to do, and by when"),
    "notice_f_issuer": ("落款（发文机关）", "Issued by"),
    "notice_f_date": ("成文日期", "Date"),
    "notice_f_due_days": ("整改时限（天）", "Days to rectify"),
    # the 通报 itself (dashboard/notice.py): official wording an office edits on the page; nothing about the app
    "notice_title": ("关于{year}年度政府信息公开工作年度报告检查情况的通报",
                     "Notice on the review of the {year} government information disclosure annual reports"),
    "notice_recipients": ("各有关单位：", "To the agencies concerned:"),
    "notice_opening": ("根据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，各行政机关应当按时向社会公布本机关"
                       "上一年度政府信息公开工作年度报告，年度报告的内容和格式应当符合规定要求。现将{year}年度报告的发布和"
                       "内容检查情况通报如下。",
                       "Under Articles 49 and 50 of the Regulation on the Disclosure of Government Information, "
                       "each agency publishes its annual report on time, in the required content and form. The "
                       "review of the {year} reports is set out below."),
    "notice_rectify": ("请上述单位对照所列问题逐项整改，于{due}前在本单位政府信息公开专栏更正或重新发布年度报告，并将整改情况"
                       "书面报送。各单位要举一反三，严格按照规定的内容、格式和时限编制和发布年度报告。",
                       "The agencies listed are to correct each problem and republish or correct their annual "
                       "report by {due}, and report in writing what they did; every agency is to follow the "
                       "required content, form and deadline."),
    "notice_issuer": ("政务公开办公室", "Government Affairs Openness Office"),
    "notice_sample": ("（本通报依据程序生成的样例数据编制，仅供演示，所列单位均为虚构。）",
                      "(Made from generated sample data for demonstration; the agencies named are fictional.)"),
    "notice_part_overview": ("一、总体情况", "1. Overview"),
    "notice_scope": ("{year}年度应发布年度报告的单位共{expected}个，已发布{reported}个（报送率{rate}），其中按时发布{on_time}个、"
                     "逾期发布{late}个、发布日期不明{undated}个；未发布{missing}个。",
                     "For {year}, {expected} agencies were due to publish an annual report and {reported} did "
                     "({rate}): {on_time} on time, {late} late, {undated} with no known date; {missing} did not."),
    "notice_scope_no_list": ("未发布数按以往年度已发布年度报告的单位统计。",
                             " Agencies that did not publish are counted among those that published in earlier years."),
    "notice_nothing": ("{year}年度没有应发布年度报告的单位。", "No agency was due to report for {year}."),
    "notice_part_problems": ("二、存在的主要问题", "2. Problems found"),
    "notice_problems_intro": ("经检查，以下{n}个单位的年度报告存在问题：", "The annual reports of the following {n} agencies have problems:"),
    "notice_none": ("经检查，未发现需要通报的问题。", "No problem to notify was found."),
    "notice_part_rectify": ("三、整改要求", "3. What is to be done"),
    # 年报考评 page (dashboard/views/assess.py, etl/assess)
    "page_assess": ("年报考评", "Assessment"),
    "assess_note": ("按考评规则逐项扣分：只计确定属于报告本身的问题（未通过且责任在报告本身）；复议、诉讼被纠错按报告表四所填件数扣分，"
                    "未填数字的不计并注明。同类组指层级和机关类型相同的单位，组内按得分排名（得分相同名次相同）。",
                    "Points are deducted item by item under the rules: only problems certain to be the report's own "
                    "count; corrections on reconsideration or in court count the cases table 4 prints (a blank "
                    "cell is not counted, and said). A peer group is the agencies of one level and kind, ranked by "
                    "score (ties share a rank)."),
    "assess_rules_head": ("考评规则", "Scoring rules"),
    "assess_item": ("考评项目", "Item"),
    "assess_rules": ("所依据的检查", "Checks counted"),
    "assess_cells": ("计件单元格", "Cells counted"),
    "assess_points": ("每次扣分", "Points each"),
    "assess_cap": ("最多扣分", "At most"),
    "assess_threshold": ("雷同认定比例", "Copy threshold"),
    "assess_rules_download": ("下载考评规则（CSV）", "Download the rules (CSV)"),
    "assess_rules_hint": ("此处改动只用于本页计算；如需长期使用，下载后以 assessment.csv 为名放在报告文件夹根目录并重新构建"
                          "（雷同认定比例在重新构建时生效）。",
                          "Edits here score this page only; to keep them, save the download as assessment.csv in the "
                          "reports folder's root and rebuild (the copy threshold takes effect on a rebuild)."),
    "assess_peer": ("同类组", "Peer group"),
    "assess_peer_unknown": ("层级或类型不明", "Level or kind unknown"),
    "assess_n": ("参评单位", "Agencies assessed"),
    "assess_mean": ("平均得分", "Mean score"),
    "assess_n_deducted": ("有扣分的单位", "Agencies with deductions"),
    "assess_scores": ("{year} 年度考评得分", "Scores for {year}"),
    "assess_rank": ("组内排名", "Rank in group"),
    "assess_deducted": ("扣分合计", "Deducted"),
    "assess_score": ("得分", "Score"),
    "assess_unknown": ("件数不明的项目", "Items with an unknown count"),
    "assess_detail": ("扣分明细", "Deductions"),
    "assess_per": ("计分方式", "Counted"),
    "assess_points_off": ("本项扣分", "Points deducted"),
    "assess_why": ("扣分依据", "Why"),
    "assess_sheet_title": ("{year}年度政府信息公开工作年度报告考评得分表", "Assessment of the {year} annual disclosure reports"),
    "assess_rectify": ("对照所列问题逐项整改，在本单位政府信息公开专栏更正或重新发布年度报告，并书面报送整改情况。",
                       "Correct each problem listed, republish or correct the annual report, and report in writing."),
    "assess_download": ("下载考评得分表（Excel）", "Score sheet (Excel)"),
    "assess_similar": ("内容雷同的章节", "Copied chapters"),
    "assess_similar_note": ("比较各单位自行撰写的章节（总体情况、存在的主要问题及改进情况、其他需要报告的事项）与本单位上一份报告"
                            "及其他单位同年报告的同一章节；各单位普遍使用的表述和规定格式的文字不计。自有文字相同比例达到 {pct} 即认定雷同"
                            "（同年他单位的，发布在后者为雷同；发布日期相同或不明的无法认定）。",
                            "The chapters an agency writes itself (overview, problems and improvements, other matters) "
                            "are compared with the same chapter of its previous report and of other agencies' reports "
                            "of the same year; wording many agencies use and the form's own words do not count. {pct} "
                            "of a chapter's own wording found in the other makes it a copy (between agencies, the one "
                            "published later; equal or unknown dates cannot be decided)."),
    "assess_similar_floor": ("列出相同比例不低于", "List chapters at least this similar"),
    "assess_chapter": ("章节", "Chapter"),
    "assess_other": ("对照报告", "Compared with"),
    "assess_basis": ("比较对象", "Compared against"),
    "assess_basis_own_previous": ("本单位上一份报告", "the agency's previous report"),
    "assess_basis_same_year": ("其他单位同年报告", "another agency's report of the year"),
    "assess_similarity": ("自有文字相同比例", "Own wording shared"),
    "assess_similar_found": ("认定雷同", "Copied"),
    "assess_similar_unsure": ("无法判断孰先", "Who copied is unknown"),
    "assess_similar_none": ("未达认定比例或发布在先", "Below the threshold, or published first"),
    "assess_similar_pick": ("查看相同段落", "Show the shared passages"),
    "assess_passages_note": ("左右两栏中标色的是两章相同的段落（共 {n} 段，按不少于 10 个字计）。",
                             "Highlighted: the passages both chapters share ({n}, of 10 characters or more)."),
    "notice_file": ("{year}年度报告发布情况通报", "Notice on the {year} annual reports"),
    # publication on the web (etl collect)
    "web_publication": ("网上发布情况（网站采集）", "Publication on the web (collected)"),
    "web_note": ("范围：采集清单（SOURCES.csv）所列机关。发布日期取报告网页所载发布日期，其次取年报栏目列表日期；"
                 "网页未载日期的，以首次采集到的日期为准。截止日期按报告所属机关，未找到报告的按采集清单所填层级和类型。",
                 "Scope: the agencies listed in the collection's SOURCES.csv. A report is dated by its web page's "
                 "publication date, else the listing's date, else the day it was first collected. The deadline is "
                 "the report's agency's, or for agencies with no report found, the one for the level and kind "
                 "given in SOURCES.csv."),
    "web_year": ("报告年度", "Report year"),
    "as_of": ("截至日期", "As of"),
    "n_expected": ("应报", "Expected"),
    "n_published": ("已报", "Published"),
    "n_on_time": ("按时", "On time"),
    "n_late": ("逾期", "Late"),
    "n_missing": ("未报（已过截止日期）", "Missing (deadline passed)"),
    "n_not_due": ("未报（未到截止日期）", "Not yet (deadline ahead)"),
    "days_late": ("逾期天数", "Days late"),
    "first_seen": ("首次采集", "First collected"),
    "date_from": ("日期依据", "Date from"),
    "web_status": ("发布状态", "Publication status"),
    "collect_failures": ("采集未成功的地址", "Addresses the collection could not use"),
    "url": ("网址", "Address"),
    "open_source": ("打开原文网页", "Open the source page"),
    "page_url": ("报告网页", "Report page"),
    "fetched_at": ("采集时间", "Collected at"),
    # collecting from websites (load page)
    "collect_header": ("从机关网站采集", "Collect from agency websites"),
    "collect_help": ("上传采集清单 CSV（列：agency 机关名称、url 年报栏目或报告网址，可选 region、level、kind）。采集在后台运行，"
                     "遵守 robots.txt，每个网站每秒最多一次请求；文件保存在服务器的采集文件夹中，完成后自动载入数据仓库。",
                     "Upload a sources CSV (columns: agency, url of its annual-report column or of a report; optional "
                     "region, level, kind). The collection runs in the background, obeys robots.txt and asks each "
                     "site at most once a second; files are kept in the server's collection folder and loaded into the warehouse when it ends."),
    "upload_button": ("选择文件", "Upload"),
    "upload_drop": ("或将文件拖放到此处", "or drop files here"),
    "no_rows": ("（无数据）", "(no rows)"),
    "expected_header": ("应报名单", "Expected reporters"),
    "expected_help": ("应报名单确定哪些机关在哪些年度应发布年度报告：每行一个机关，列出名称（与报告所印一致）、起始年度、截止年度（空白：数据中的最早或最新年度），"
                      "可另列省、市、县、层级、类型。载入后以 {file} 保存在服务器的上传文件夹中，并重新生成数据仓库；名单外的机关仍自其首份报告起计。",
                      "The expected-reporters list says which agencies owe an annual report for which years: one "
                      "agency per row, its name as printed, the first and last year due (blank: the earliest or "
                      "latest year of the data), optionally province, city, county, level and kind. Loading saves "
                      "it as {file} in the server's uploads folder and rebuilds the warehouse; agencies not on it are still expected "
                      "from their first report on."),
    "expected_template": ("下载模板（现有机关）", "Template (agencies loaded)"),
    "expected_template_note": ("应报名单：name 为机关名称，from_year、to_year 为应报起止年度（空白为数据中的最早、最新年度）；以 # 开头的行为注释",
                               "expected reporters: name as printed, from_year and to_year the years due (blank: "
                               "the earliest / latest year of the data); lines starting with # are comments"),
    "expected_upload": ("上传应报名单（CSV）", "Expected-reporters list (CSV)"),
    "expected_read": ("名单共 {n} 个机关（起始年度空白 {open_from} 个，截止年度空白 {open_to} 个）。",
                      "The list names {n} agencies ({open_from} with no first year, {open_to} with no last year)."),
    "expected_load": ("载入名单并重新生成", "Load the list and rebuild"),
    "expected_kept": ("当前应报名单：{path}", "Current list: {path}"),
    "expected_remove": ("移除应报名单", "Remove the list"),
    "collect_sources": ("采集清单（SOURCES.csv）", "Sources (SOURCES.csv)"),
    "collect_listed": ("清单列出 {n} 个机关，分布在 {hosts} 个网站。", "The list names {n} agencies on {hosts} sites."),
    "collect_start": ("开始采集", "Start collecting"),
    "collect_running": ("正在{stage}：新文件 {new}，已更新 {changed}，未变化 {unchanged}，失败 {failed}",
                        "{stage}: {new} new, {changed} changed, {unchanged} unchanged, {failed} failed"),
    "collect_stage_collecting": ("采集", "Collecting"),
    "collect_stage_building": ("载入数据仓库", "Loading into the warehouse"),
    "collect_stop": ("停止采集", "Stop collecting"),
    "collect_stopped": ("采集已停止。", "The collection was stopped."),
    "collect_busy": ("正在进行一次采集：请等待其结束或先停止它。", "A collection is running: wait for it or stop it first."),
    "n_sources_lost": ("未找到报告的来源", "Sources with no report found"),
    "collect_failed": ("{at} 开始的采集未完成：采集或载入数据仓库时出错。",
                       "The collection started at {at} did not finish: {message}"),
    "collect_died": ("{at} 开始的采集未完成：后台进程中途退出（服务器重启或进程被终止）。",
                     "The collection started at {at} did not finish: its background process ended midway "
                     "(the server restarted, or the process was killed)."),
    "collect_last": ("上次采集完成于 {at}", "Last collection finished at {at}"),
    "n_sources": ("机关数", "Agencies"),
    "n_listing_pages": ("栏目页数", "Listing pages"),
    "n_files_found": ("报告文件", "Report files"),
    "n_new": ("新增", "New"),
    "n_changed": ("已更新", "Changed"),
    "n_unchanged": ("未变化", "Unchanged"),
    "n_agencies_found": ("找到报告的机关", "Agencies with a report found"),
    # report
    "pick_agency": ("机关", "Agency"),
    "pick_year": ("年度", "Year"),
    "no_report": ("请选择一份报告。", "Pick a report."),
    "metadata": ("基本信息", "Metadata"),
    "source": ("来源", "Source"),
    "problems": ("解析问题", "Parsing problems"),
    "findings": ("核对发现", "Findings"),
    "other_years": ("该机关其他年度", "Same agency, other years"),
    "highlight_note": ("标黄的单元格涉及核对发现。", "Highlighted cells are involved in a finding."),
    "marks_in_notes": ("带批注的单元格：批注说明该数值如何定位或识读。",
                       "Cells with a comment: the comment says how the value was placed or read."),
    "ocr_read_as": ("OCR 原识别为“{raw}”", "OCR read “{raw}”"),
    "placement_note": ("数值后带 † ‡ § 标记的单元格并非由表头直接标明所属列，表下注明其定位依据。",
                       "A value marked † ‡ § was not placed by a header cell naming its column; the note under "
                       "the table says how it was placed."),
    "placement_legend": ("定位标记", "Placement marks"),
    "placement": ("定位依据", "Placement"),
    "placed_stale": ("此数据仓库建于记录单元格定位依据之前，无法显示定位标记；请重新运行 `python -m etl build` 构建。",
                     "This warehouse was built before cells recorded how they were placed, so no placement marks "
                     "can be shown; run `python -m etl build` again."),
    "cell_details": ("单元格明细（含定位依据）", "Cells, with how each was placed"),
    "cell_table": ("表", "Table"),
    "cell_address": ("单元格", "Cell"),
    "cell_row": ("行", "Row"),
    "cell_col": ("列", "Column"),
    "cell_raw": ("原文", "As printed"),
    "cell_value": ("数值", "Value"),
    "cell_kind": ("类型", "Kind"),
    "published_on": ("发布日期", "Published"),
    "report_title": ("标题", "Title"),
    "deadline": ("截止日期", "Deadline"),
    "agency": ("机关", "Agency"),
    "region": ("地区", "Region"),
    # upload
    # {kinds}: etl.filekinds.kinds_words, the kinds the build reads
    "upload_help": ("上传年度报告文件（{kinds}），单个文件不超过 {mb} MB。扫描件经 OCR 识别，每页需数秒。",
                    "Upload annual report files ({kinds}), up to {mb} MB each. Scans are read by OCR, a few "
                    "seconds a page."),
    "too_big": ("{name}：文件超过 {mb} MB，未处理。", "{name}: larger than {mb} MB, skipped."),
    "read_error": ("{name}：无法读取——{reason}", "{name}: could not be read — {reason}"),
    "preview_waiting": ("排队等候解析：第 {place} 位（全站同时解析 {slots} 批上传）",
                        "Waiting to be read: number {place} in line ({slots} uploads are read at a time)"),
    "preview_running": ("正在解析上传的文件……", "Reading the uploaded files…"),
    "parsed": ("{name}：{agency}，{year} 年，{template}，{n} 个单元格",
               "{name}: {agency}, {year}, {template}, {n} cells"),
    "add_to_wh": ("加入数据仓库", "Add to the warehouse"),
    "added": ("已加入数据仓库（原有报告保留）。", "Added to the warehouse (the reports already loaded stay)."),
    "building": ("正在重建数据仓库……", "Rebuilding the warehouse…"),
    "build_failed": ("文件已保存，但数据仓库未能重建：{reason}", "The files were kept, but the warehouse could not be "
                     "rebuilt: {reason}"),
    "build_failed_log": ("详情已记录在服务器日志中，原有数据仓库保持不变。", "the details are in the server log; the "
                         "previous warehouse is unchanged."),
    "n_blank": ("空白或“/”的报告数", "Reports with a blank or “/”"),
    "n_stated": ("陈述该数的报告数", "Reports stating it"),
    "median_items": ("每份报告中位数", "Median per report"),
    "proactive_note": ("合计只包含在总体情况中陈述了条数的报告；各年陈述的报告不同，大机关缺报一年即可使合计明显下降，请同时参看报告数与中位数。",
                       "The total covers only reports whose overview states the count; which reports do varies by "
                       "year, and one large agency missing a year moves the total, so read it with the report "
                       "counts and the median."),
    "n_fail": ("未通过数", "Failed checks"),
    "n_error": ("错误数", "Errors"),
    "n_findings": ("发现数", "Findings"),
    "rules": ("涉及规则", "Rules"),
    "where": ("位置", "Where"),
    "finding_kind": ("问题类别", "Kind"),
    "export_column": ("导出数据中的列名", "Column name in exported data"),
    "missing_cells": ("缺少", "Missing"),
    "path": ("文件", "File"),
    "reason": ("原因", "Reason"),
    "seen_at": ("时间", "Seen at"),
    "expected": ("应为", "Expected"),
    "actual": ("实为", "Actual"),
}
# Words that are a vocabulary's own (etl.checks.categories): the kinds of finding heading the worst agencies'
# columns, the format-vs-year rule heading its section, the timeliness rule naming a 通报 matter.
STRINGS |= {f"n_cat_{k}": words for k, words in _categories.CATEGORIES.items()} | {
    "format_mismatch": _categories.RULES["format-vs-year"], "notice_matter_late": _categories.RULES["timeliness"]}


def t(key: str, lang: str = "zh", **fmt: object) -> str:
    zh, en = STRINGS[key]
    s = en if lang == "en" else zh
    return s.format(**fmt) if fmt else s


# levels and kinds of agency: owned by etl.warehouse.reference (which also reads them from spreadsheets)
LEVELS = _reference.LEVEL_NAMES
KINDS = _reference.KIND_NAMES
# how sure, how grave and whose a finding is: owned by etl.checks.categories
SEVERITIES = _categories.SEVERITIES
STATUSES = _categories.STATUSES
RESPONSIBILITIES = _categories.RESPONSIBILITIES
# table 3's outcome groups (etl.formats), then where the rest of the requests went
OUTCOME_GROUPS = {g.key: (g.zh, g.en) for g in F.OUTCOME_GROUPS} | {"carried_forward": ("结转下年度", "Carried forward")}
SECTORS = {"commerce": ("商务", "Commerce"), "education": ("教育", "Education"), "finance": ("财政", "Finance"),
           "public_security": ("公安", "Public security"), "natural_resources": ("自然资源", "Natural resources"),
           "health": ("卫生健康", "Health"), "ecology": ("生态环境", "Ecology")}
CELL_KINDS = {"number": ("数字", "Number"), "zero": ("零", "Zero"), "empty": ("空白", "Blank"),
              "na": ("不适用（“/”等）", "Not applicable (“/” etc.)"), "text": ("文字", "Text")}
# How a cell's column was decided (the warehouse's cells.placed): owned by etl.model.
PLACEMENTS = _model.PLACEMENT_NAMES
# Why, for the legend under a rebuilt table (header placement needs no note).
PLACEMENT_NOTES = {
    "position": ("表头部分单元格残缺或被截断，按该值在表头各列中的位置确定所属列。",
                 "some of the table's header cells were damaged or cut short, so the column was taken from "
                 "where the value stands among them."),
    "official_order": ("表头无法识别，该行恰好印有官方表格规定数量的数值，按官方列顺序依次归列。",
                       "the header could not be read, and the row printed exactly the official number of values, "
                       "so they were placed in the official column order."),
    "arithmetic": ("印出的数字无法直接切分（如数字粘连成“640020470”），这是表内勾稽关系（行合计等于各申请人列之和、"
                   "收支平衡、分项合计）唯一允许的读法。",
                   "the printed digits could not be split directly (e.g. run together as “640020470”); this is the "
                   "only reading the table's own identities allow (row total = sum of the applicant columns, "
                   "column balances, block sums)."),
}
# The mark after a value on the Report page; a header-placed cell has none.
PLACEMENT_MARKS = {"position": "†", "official_order": "‡", "arithmetic": "§"}

# Where a report stands on the web (dashboard.queries.web.WEB_STATUSES).
# late on the web is what the timeliness rule finds: its name
WEB_STATUSES = {"on_time": ("按时发布", "Published on time"), "late": _categories.RULES["timeliness"],
                "missing": ("未发布（已过截止日期）", "Not published (deadline passed)"),
                "not_due": ("尚未发布（未到截止日期）", "Not yet published (deadline ahead)"),
                "published_no_deadline": ("已发布（截止日期不明）", "Published (deadline unknown)"),
                "unpublished_no_deadline": ("尚未发布（截止日期不明）", "Not yet published (deadline unknown)")}
# which date a report's published_on holds (reports.published_from)
DATE_FROM = {"web_page": ("网页所载发布日期", "the web page's publication date"),
             "web_listing": ("年报栏目列表日期", "the date on the listing"),
             "report": ("报告落款日期", "the date the report states"),
             "override": ("人工更正的日期", "a corrected date")}
TEMPLATES = {str(k): v for k, v in F.TEMPLATE_LABELS.items()}
# How a report's text was obtained (reports.read_method) and how a cell's value was read (cells.read): owned by
# etl.model; the note under a table is the dashboard's.
READ_METHODS = _model.READ_METHOD_NAMES
CELL_READS = _model.CELL_READ_NAMES
CELL_READ_NOTES = {
    "ocr": ("该值由 OCR 从扫描图像识别；表内勾稽关系未能印证的低置信度数值另见“解析问题”。",
            "read by OCR from the scanned image; a low-confidence value the table's sums do not confirm is "
            "also listed under the parser's problems."),
    "ocr_corrected": ("OCR 识别结果与表内勾稽关系不符，且只有唯一的一位数字更正能使全部勾稽关系成立，已按此更正；"
                      "原识别结果保留在“原文”列。",
                      "what OCR read broke the table's sums, and exactly one single-digit change makes every sum "
                      "hold, so it was corrected; what OCR read is kept as the printed text."),
}
CELL_READ_MARKS = {"ocr": "°", "ocr_corrected": "※"}

RULES = _categories.RULES  # rule names: owned by etl.checks.categories


def name(table: dict[str, tuple[str, str]], key: str | None, lang: str = "zh") -> str:
    """Label of a taxonomy value (level, kind, severity…), the key itself when unknown."""
    if key is None:
        return "—"
    pair = table.get(key)
    return key if pair is None else (pair[1] if lang == "en" else pair[0])


# --- review, corrections, the source beside the tables, who may edit (etl/casework, dashboard/casework.py,
# dashboard/source_panel.py, dashboard/access.py) ------------------------------------------------------------
STRINGS.update({
    "page_casework": ("审核与更正", "Review & corrections"),
    "cw_page_note": ("审核标记、人工更正和操作记录保存在数据仓库旁的审核库中，重建数据不会丢失；每次重建后自动核对已确认、已通报问题的整改情况。",
                     "Review marks, corrections and the change log are kept in the review store beside the warehouse, "
                     "so a rebuild never loses them; every rebuild checks whether confirmed and notified findings "
                     "were rectified."),
    "cw_state": ("审核状态", "Review state"),
    "cw_outcome": ("整改情况", "Follow-up"),
    "cw_review_form": ("审核标记（确认、排除或已通报）", "Review (confirm, dismiss or mark notified)"),
    "cw_choose_findings": ("选择问题", "Findings"),
    "cw_choose_placeholder": ("请选择", "Choose"),
    "cw_reason": ("理由", "Reason"),
    "cw_note": ("备注", "Note"),
    "cw_save_marks": ("保存审核标记", "Save review marks"),
    "cw_choose_first": ("请先选择问题", "Choose the findings first"),
    "cw_marked": ("已将 {n} 个问题标记为“{state}”", "{n} finding(s) marked “{state}”"),
    "cw_mark_notified": ("将以上 {n} 个问题标记为“已通报”", "Mark these {n} findings notified"),
    "cw_notice_dismissed": ("已排除的 {n} 个问题不列入通报。", "{n} dismissed finding(s) are left out of the notice."),
    "cw_follow_up": ("整改跟踪", "Follow-up"),
    "cw_follow_up_note": ("已确认、已通报的问题在每次重建后核对：同一机关同一年度的有效报告仍有此问题为“仍未整改”；"
                          "重新发布的报告不再有此问题为“已整改”；同一报告因更正读数等不再有此问题为“不再成立”。",
                          "Confirmed and notified findings are checked at every rebuild: still in the agency-year's "
                          "active report is “still open”; gone from a republished report is “rectified”; gone from "
                          "the same report (a corrected reading) is “withdrawn”."),
    "cw_mark_note": ("{mark} {user} 于 {at} 更正：{reason}（原为 {printed}）",
                     "{mark} corrected by {user} on {at}: {reason} (was {printed})"),
    "cw_correct": ("人工更正（发布日期、机关信息、单元格数值）", "Correct (publication date, agency, a cell's value)"),
    "cw_correct_note": ("更正保存在审核库中，下次重建数据时生效；原印数值保留并在更正处标注 ✎。",
                        "A correction is stored in the review store and applies at the next rebuild; the printed "
                        "value is kept and the corrected one marked ✎."),
    "cw_target": ("更正对象", "What to correct"),
    "cw_unchanged": ("（不更改）", "(unchanged)"),
    "cw_cell": ("单元格", "Cell"),
    "cw_save_correction": ("保存更正", "Save the correction"),
    "cw_nothing": ("没有要更正的内容", "Nothing to correct"),
    "cw_saved_correction": ("已保存 {n} 项更正，重建数据后生效", "{n} correction(s) saved; they apply at the next rebuild"),
    "cw_pending": ("有 {n} 项更正尚未生效，重建数据后生效。", "{n} correction(s) wait for the next rebuild."),
    "cw_rebuild": ("重建数据（使更正生效）", "Rebuild (apply corrections)"),
    "cw_rebuilt": ("数据已重建", "Rebuilt"),
    "cw_build_failed": ("重建失败：{reason}", "The rebuild failed: {reason}"),
    "cw_corrections": ("人工更正", "Corrections"),
    "cw_corrections_note": ("每项更正在每次重建时应用，原印数值保留；可导出、可撤销，撤销后下次重建恢复原印数值。",
                            "Every correction applies at each rebuild with the printed value kept; exportable and "
                            "revocable (the next rebuild restores the printed value)."),
    "cw_number": ("编号", "No."),
    "cw_concerns": ("涉及", "Concerns"),
    "cw_what": ("项目", "Item"),
    "cw_value": ("更正为", "Set to"),
    "cw_by": ("操作人", "By"),
    "cw_at": ("时间", "When"),
    "cw_in_force": ("是否生效", "In force"),
    "cw_yes": ("是", "yes"),
    "cw_no": ("否", "no"),
    "cw_revoked": ("撤销", "Revoked"),
    "cw_import": ("从 CSV 导入更正", "Import corrections from CSV"),
    "cw_import_note": ("列：target, report, agency, year, cell, field, value, reason（也可用中文列名）；"
                       "命令行 python -m etl override export 导出的文件可直接导入。",
                       "Columns: target, report, agency, year, cell, field, value, reason; a file written by "
                       "python -m etl override export imports as it is."),
    "cw_import_go": ("导入", "Import"),
    "cw_revoke_pick": ("撤销更正", "Revoke corrections"),
    "cw_revoke": ("撤销", "Revoke"),
    "cw_revoked_n": ("已撤销 {n} 项更正，重建数据后恢复原印数值", "{n} correction(s) revoked; the next rebuild restores the printed values"),
    "cw_history": ("操作记录", "Change log"),
    "cw_action": ("操作", "Action"),
    "src_header": ("原文", "The source"),
    "src_focus": ("定位到", "Go to"),
    "src_page": ("页码（共 {n} 页）", "Page (of {n})"),
    "src_page_n": ("第 {n} 页", "page {n}"),
    "src_line_n": ("第 {n} 行", "line {n}"),
    "src_page_caption": ("原文第 {n} 页，共 {total} 页；所选位置印在{where}。",
                         "Page {n} of {total} of the source; the chosen place is printed on {where}."),
    "src_lines_caption": ("原文共 {total} 行；所选位置在{where}（高亮）。",
                          "The source has {total} lines; the chosen place is on {where} (highlighted)."),
    "src_line": ("行", "Line"),
    "src_text": ("原文", "Text"),
    "src_missing": ("原文件已不在载入时的位置，无法显示。", "The source file is no longer where it was loaded from."),
    "src_changed": ("原文件在载入后已被改动，显示的内容将与本页数据不一致；请重建数据。",
                    "The source file changed after it was loaded: rebuild to see it beside its figures."),
    "src_unreadable": ("无法显示原文：{reason}", "The source cannot be shown: {reason}"),
    "src_no_text": ("原文中没有可显示的文字。", "The source has no text to show."),
    "src_place": ("原文位置", "In the source"),
    "src_open": ("在原文中查看", "Show in source"),
    "edit_access": ("编辑权限", "Editing"),
    "edit_signed_in": ("已登录：{user}（载入、重建、审核、更正将以此名记录）",
                       "Signed in as {user} (loads, rebuilds, reviews and corrections are logged under it)"),
    "edit_sign_out": ("退出", "Sign out"),
    "edit_name": ("姓名", "Your name"),
    "edit_password": ("编辑密码", "Editing password"),
    "edit_sign_in": ("登录", "Sign in"),
    "edit_wrong": ("密码不正确（或未填写姓名）", "Wrong password (or no name given)"),
    "edit_password_note": ("浏览无需登录；载入报告、重建数据、审核标记和人工更正需要编辑密码。",
                           "Viewing needs nothing; loading, rebuilding, reviewing and correcting need the editing "
                           "password."),
    "edit_local_only": ("未设置编辑密码：仅本机浏览器可以载入、重建、审核和更正，操作以下方姓名记录。",
                        "No editing password is set: only a browser on this machine may load, rebuild, review and "
                        "correct, logged under the name below."),
    "edit_disabled": ("编辑已停用：未设置编辑密码时，只有本机浏览器可以载入、重建、审核和更正。",
                      "Editing is off: with no editing password set, only a browser on the server's machine may "
                      "load, rebuild, review and correct."),
    "edit_refused": ("此操作需要编辑密码：请在侧栏“编辑权限”中登录。",
                     "This needs the editing password: sign in under “Editing” in the sidebar."),
})
