"""The 存在的主要问题及改进情况 chapter of a generated report: three problems and three measures drawn from
pools of sentences, each with figures and particulars of its own (a count, a month, a field of work), so
that no two reports say quite the same — as real agencies' chapters differ — while the sentences' stock
wording is shared by many agencies (the common wording the 雷同 check discounts).

A report whose chapter is copied (the "copied" defect, etl.sample.truth) prints its previous report's text
word for word, that year's figures and all. The figures here never use 件/条 or the words of a request or
a case (申请, 答复, 复议, 诉讼), so the narrative reader takes none of them for a fact the tables state.
"""

from __future__ import annotations

import random

FIELDS = ("财政预决算", "重大建设项目", "公共资源配置", "社会救助", "生态环境", "食品药品监管", "义务教育", "医疗卫生",
          "就业创业", "征地补偿", "安全生产", "农村集体资产", "住房保障", "市场监管")
UNITS = ("村（社区）", "科室", "站所", "下属单位", "乡镇（街道）")
OFFICES = ("法制科", "办公室", "法律顾问", "政策法规科", "综合科")
CHANNELS = ("政府门户网站", "政务新媒体", "政务服务大厅公开查阅点", "公开栏", "档案馆查阅点")

PROBLEMS = (
    "公开专栏更新不够及时，全年有{n}个栏目超过{m}个月未更新，最长的达{big}天",
    "政策解读数量偏少，全年仅发布解读材料{n}篇，图解、视频等形式占比不足{p}%",
    "基层政务公开标准目录梳理进度不一，{y}年以来尚有{n}个{unit}未完成目录编制",
    "政务新媒体运维力量薄弱，{n}个账号仅由兼职人员维护，平均{m}天更新一次",
    "政府信息公开指南更新滞后，现行指南仍为{y}年{mo}月版本",
    "信息发布审核把关还不够严格，全年自查发现表述错误{n}处、链接失效{big}个",
    "工作人员流动较大，{n}名新任信息员尚未参加系统培训，占信息员总数的{p}%",
    "{field}领域信息公开深度不够，仅公开了{n}个事项的办理结果",
    "意见征集反馈不够充分，{n}份征求意见稿未公开采纳情况，平均征集期仅{m}天",
    "{channel}使用率不高，全年查阅仅{big}人次",
    "公开内容的可读性有待提升，{p}%的文件未配发简明解读，{field}类文件尤为突出",
)
MEASURES = (
    "{mo}月底前完成{n}个栏目的清理整合，关停空白栏目{m}个",
    "每季度开展一次自查，全年组织业务培训{n}次、覆盖{big}人次",
    "由{office}对发布内容逐篇把关，实行“一审二核三签发”，审核时限压缩至{m}个工作日",
    "针对{field}领域编制专项公开清单，力争{mo}月前上线",
    "充实新媒体运维力量，明确{n}名专职人员负责，更新周期缩短至{m}天",
    "修订政府信息公开指南，于{mo}月底前发布新版",
    "推动{n}个{unit}完成标准目录编制并在{channel}公布",
    "每月通报栏目更新情况，对连续{m}个月未更新的栏目限期整改，全年力争整改{n}个",
    "丰富解读形式，全年推出图解、短视频等解读产品不少于{n}个",
    "完善意见征集反馈机制，征求意见结束后{m}个工作日内公开采纳情况，确保反馈率达到{p}%",
)
ORDINAL_WORDS = ("一是", "二是", "三是")


def short_name(kind: str) -> str:
    """How a report refers to its own agency: 我局, 我街道, 我单位."""
    return "我局" if kind == "department" else ("我街道" if kind == "subdistrict" else "我单位")


def _fill(template: str, rng: random.Random, year: int) -> str:
    return template.format(n=rng.randint(2, 60), m=rng.randint(2, 12), p=rng.randint(10, 95), big=rng.randint(20, 3000),
                           y=rng.randint(year - 6, year - 2), mo=rng.randint(3, 11), unit=rng.choice(UNITS),
                           field=rng.choice(FIELDS), office=rng.choice(OFFICES), channel=rng.choice(CHANNELS))


def problems_chapter(rng: random.Random, year: int, short: str) -> str:
    """The chapter's body: a paragraph of problems and one of measures (`short`: 我局, 我单位 …)."""
    problems = [_fill(t, rng, year) for t in rng.sample(PROBLEMS, 3)]
    measures = [_fill(t, rng, year + 1) for t in rng.sample(MEASURES, 3)]
    lead = rng.choice((f"{year}年，{short}政务公开工作虽取得一定成效，但仍存在一些不足：",
                       f"对照上级要求和公众期待，{short}{year}年的工作还存在以下问题：",
                       "存在的主要问题："))
    plan = rng.choice((f"{year + 1}年，{short}将重点做好以下工作：", "改进措施：",
                       f"下一步，{short}将采取以下措施："))
    said = "；".join(f"{o}{s}" for o, s in zip(ORDINAL_WORDS, problems, strict=True))
    done = "；".join(f"{o}{s}" for o, s in zip(ORDINAL_WORDS, measures, strict=True))
    return f"{lead}{said}。\n{plan}{done}。"
