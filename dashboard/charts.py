"""Chart builders: pure functions of a DataFrame returning a plotly Figure (no Streamlit), so the screen, the
PNG/SVG exports and the briefing all draw the same figure with the same template, colours and fonts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from etl import formats as F
from etl import metrics as M

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
COLORS = ("#1f5fa8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#30343f", "#e07a5f")
STATUS_COLORS = {"on_time": "#66a182", "late": "#edae49", "unknown": "#b8c4d6", "missing": "#d1495b",
                 "not_loaded": "#e4e4e4"}
SEVERITY_COLORS = {"error": "#d1495b", "warning": "#edae49", "info": "#8fb8de"}
FORMAT_COLORS = {"2019": "#8d6a9f", "2021": "#1f5fa8", None: "#999999"}
WIDTH, HEIGHT = 900, 480
_PLAIN = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}


def plain(text: object) -> str:
    """`text` shown literally by plotly, which reads <a href>, <b>, <br>… in every title, label, legend and
    hover text (and a $…$ string as TeX): agency and place names come from uploaded files."""
    return "".join(_PLAIN.get(ch, ch) for ch in str(text))


def plain_all(values: Sequence) -> list:
    """plain() of each value; a missing value (a NULL city…) stays missing."""
    return [v if v is None or (isinstance(v, float) and pd.isna(v)) else plain(v) for v in values]
# between the last year due in the 2019 form and the first due in the 2021 form (2020.5)
FORMAT_BREAK = F.FORMAT_FROM_YEAR[F.Format.F2021] - 0.5


def style(fig: go.Figure, title: str, subtitle: str = "", height: int = HEIGHT) -> go.Figure:
    """The one look: white template, CJK font, fixed colours, the filters and data date under the title."""
    text = plain(title) if not subtitle else f"{plain(title)}<br><sup>{plain(subtitle)}</sup>"
    fig.update_layout(template="plotly_white", font={"family": FONT, "size": 13, "color": "#30343f"},
                      colorway=list(COLORS), title={"text": text, "x": 0.01, "xanchor": "left"},
                      margin={"l": 60, "r": 30, "t": 90, "b": 100}, width=WIDTH, height=height,
                      # the legend at the foot of the figure, below the x-axis title: long English series
                      # names wrap onto a second row and would otherwise run over the axis title
                      legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "x": 0},
                      hoverlabel={"font": {"family": FONT}})
    return fig


def axis_title(metrics: Sequence[M.Metric], lang: str) -> str:
    """One metric: its label. Several on one axis: what they share (the legend names each), never the first
    series' label standing for all of them."""
    if len(metrics) == 1:
        return metrics[0].label(lang)
    m = metrics[0]
    if m.is_share:
        return "比例（%）" if lang == "zh" else "Share (%)"
    if m.is_rate:
        den = M.denominator_label(m, lang)
        return f"每百件{den.removeprefix('本年')}" if lang == "zh" else f"Per 100 {den[:1].lower()}{den[1:]}"
    units = {x.unit or M.MEASURE[x.numerator].unit for x in metrics}
    unit = units.pop() if len(units) == 1 else ""
    return (f"数量（{unit}）" if unit else "数量") if lang == "zh" else "Count"


def metric_axis(fig: go.Figure, metric: M.Metric, lang: str, axis: str = "y",
                together: Sequence[M.Metric] = ()) -> None:
    """Tick format for the metric's unit; the title from axis_title() over `together` (the series sharing the
    axis; default just this one)."""
    fmt = ".0%" if metric.is_share else ",.2f" if metric.is_rate else ",d"
    getattr(fig, f"update_{axis}axes")(title_text=axis_title(together or [metric], lang), tickformat=fmt,
                                       rangemode="tozero")


def _hover(metric: M.Metric, lang: str, base: bool = False) -> str:
    """Tooltip naming the numerator and the denominator behind a rate; with `base`, also the reports counted
    (customdata[2]) and a small-base note (customdata[3], "" when the base is large enough)."""
    val = "%{y:.1%}" if metric.is_share else "%{y:.2f}"
    more = ""
    if base:
        more = ("<br>计入报告 %{customdata[2]:,.0f} 份" if lang == "zh" else "<br>reports counted: %{customdata[2]:,.0f}")
        more += "%{customdata[3]}"
    if not metric.is_rate:
        return f"%{{x}}: %{{y:,.0f}}{more}<extra>{plain(metric.label(lang))}</extra>"
    num, den = ("分子", "分母") if lang == "zh" else ("numerator", "denominator")
    lp, rp = ("（", "）") if lang == "zh" else (" (", ") ")
    what = [plain(M.MEASURE[n].label(lang)) for n in (metric.numerator, metric.denominator)]
    return (f"%{{x}}: {val}<br>{num}{lp}{what[0]}{rp}%{{customdata[0]:,.0f}} / "
            f"{den}{lp}{what[1]}{rp}%{{customdata[1]:,.0f}}{more}<extra>{plain(metric.label(lang))}</extra>")


def low_base_note(lang: str, min_base: float) -> str:
    return (f"<br>基数不足（分母少于 {min_base:g}），偶然性大" if lang == "zh"
            else f"<br>small base (denominator under {min_base:g}): may swing by chance")


def metric_by_year(df: pd.DataFrame, metrics: Sequence[str], lang: str, title: str, subtitle: str = "",
                   group: str | None = None, min_base: float | None = None) -> go.Figure:
    """Lines by year for one or more metrics (same unit), or one metric split by `group`. Where `df` has the
    reports counted (`<metric>__n`), each point's tooltip gives its base: numerator, denominator and reports;
    with `min_base`, a rate's point over a smaller denominator is drawn hollow and its tooltip says so."""
    fig = go.Figure()
    for i, name in enumerate(metrics):
        m = M.get(name)
        parts = [(None, df)] if group is None else list(df.groupby(group, sort=True))
        base = f"{name}__n" in df.columns
        for j, (g, part) in enumerate(parts):
            part = part.sort_values("year")
            cols = [f"{name}__num", f"{name}__den"] + ([f"{name}__n"] if base else [])
            data = part[cols].astype(float).to_numpy().tolist()
            low = (part[f"{name}__den"] < min_base).to_numpy() if min_base is not None and m.is_rate \
                else [False] * len(part)
            if base:
                note = low_base_note(lang, min_base or 0)
                data = [[*row, note if flag else ""] for row, flag in zip(data, low, strict=True)]
            fig.add_trace(go.Scatter(
                x=part["year"], y=part[name], mode="lines+markers", name=m.label(lang) if g is None else plain(g),
                customdata=data, hovertemplate=_hover(m, lang, base),
                marker={"symbol": ["circle-open" if flag else "circle" for flag in low], "size": 8},
                line={"color": COLORS[(i + j) % len(COLORS)], "width": 2.5}, connectgaps=False))
    metric_axis(fig, M.get(metrics[0]), lang, together=[M.get(n) for n in metrics])
    fig.update_xaxes(title_text="年度" if lang == "zh" else "Year", dtick=1, tickformat="d")
    return style(fig, title, subtitle)


def by_form(df: pd.DataFrame, y_label: str, lang: str, title: str, subtitle: str = "") -> go.Figure:
    """Table 2 figures by year, one series per form: no line is ever drawn across the 2019→2021 break."""
    fig = go.Figure()
    for form, part in df.groupby("form", dropna=False, sort=True):
        label = F.TEMPLATE_LABELS[form][lang == "en"] if form in F.TEMPLATE_LABELS else "?"
        part = part.sort_values("year")
        if (part["year"] < FORMAT_BREAK).any() and (part["year"] > FORMAT_BREAK).any():
            # the same form on both sides of the break (a late adopter): a gap, not a line across it
            gap = pd.DataFrame({"year": [FORMAT_BREAK], "value": [None], "n_reports": [0]})
            part = pd.concat([part[part["year"] < FORMAT_BREAK], gap, part[part["year"] > FORMAT_BREAK]])
        fig.add_trace(go.Scatter(x=part["year"], y=part["value"], mode="lines+markers", name=label,
                                 connectgaps=False,
                                 line={"color": FORMAT_COLORS.get(form if isinstance(form, str) else None,
                                                                  "#999999"), "width": 2.5},
                                 customdata=part[["n_reports"]].to_numpy(),
                                 hovertemplate="%{x}: %{y:,.2f}<br>n=%{customdata[0]}<extra>" + label + "</extra>"))
    years = df["year"].tolist()
    if years and min(years) < FORMAT_BREAK < max(years):
        fig.add_vline(x=FORMAT_BREAK, line_dash="dash", line_color="#999999")
        fig.add_annotation(x=FORMAT_BREAK, y=1, yref="paper", text="格式变更" if lang == "zh" else "form change",
                           showarrow=False, xanchor="left", yanchor="bottom", font={"size": 11})
    fig.update_yaxes(title_text=y_label, rangemode="tozero", tickformat=",")
    fig.update_xaxes(title_text="年度" if lang == "zh" else "Year", dtick=1, tickformat="d")
    return style(fig, title, subtitle)


def bars(df: pd.DataFrame, x: str, y: str, lang: str, title: str, subtitle: str = "", metric: str | None = None,
         horizontal: bool = False, labels: dict | None = None, color: str | None = None) -> go.Figure:
    d = df.copy()
    cats = plain_all(d[x].map(lambda v: (labels or {}).get(v, v)))
    m = M.get(metric) if metric else None
    kw = {"marker_color": COLORS[0]}
    if horizontal:
        fig = go.Figure(go.Bar(y=cats, x=d[y], orientation="h", **kw))
        fig.update_yaxes(autorange="reversed")
        if m:
            metric_axis(fig, m, lang, "x")
    else:
        fig = go.Figure(go.Bar(x=cats, y=d[y], **kw))
        if m:
            metric_axis(fig, m, lang)
    if m and m.is_rate:
        base = f"{metric}__n" in d.columns  # the reports counted: each bar's base in full
        cols = [f"{metric}__num", f"{metric}__den"] + ([f"{metric}__n"] if base else [])
        data = [[*row, ""] if base else row for row in d[cols].astype(float).to_numpy().tolist()]
        fig.update_traces(customdata=data,
                          hovertemplate=_hover(m, lang, base).replace("%{x}", "%{y}" if horizontal else "%{x}")
                          .replace(": %{y", ": %{x" if horizontal else ": %{y"))
    return style(fig, title, subtitle, height=max(HEIGHT, 24 * len(d) + 160) if horizontal else HEIGHT)


def stacked(df: pd.DataFrame, x: str, y: str, color: str, lang: str, title: str, subtitle: str = "",
            labels: dict | None = None, colors: dict | None = None, horizontal: bool = False) -> go.Figure:
    fig = go.Figure()
    for i, (g, part) in enumerate(df.groupby(color, sort=False)):
        name = plain((labels or {}).get(g, g))
        c = (colors or {}).get(g, COLORS[i % len(COLORS)])
        if horizontal:
            fig.add_trace(go.Bar(y=plain_all(part[x]), x=part[y], name=name, orientation="h", marker_color=c))
        else:
            fig.add_trace(go.Bar(x=plain_all(part[x]), y=part[y], name=name, marker_color=c))
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return style(fig, title, subtitle, height=max(HEIGHT, 24 * df[x].nunique() + 160) if horizontal else HEIGHT)


def sankey(out: pd.DataFrame, labels: dict[str, str], lang: str, title: str, subtitle: str = "") -> go.Figure:
    """New + carried over → requests to handle → outcome groups and carried forward."""
    v = dict(zip(out["grp"], out["value"].fillna(0), strict=True))
    src_keys = ["new_received", "carried_over"]
    dst_keys = [g.key for g in F.OUTCOME_GROUPS] + ["carried_forward"]
    hub = "received"
    nodes = src_keys + [hub] + dst_keys
    idx = {k: i for i, k in enumerate(nodes)}
    link_s, link_t, link_v = [], [], []
    for k in src_keys:
        link_s.append(idx[k])
        link_t.append(idx[hub])
        link_v.append(float(v.get(k, 0)))
    for k in dst_keys:
        link_s.append(idx[hub])
        link_t.append(idx[k])
        link_v.append(float(v.get(k, 0)))
    node_colors = [COLORS[0], COLORS[5], "#30343f", "#66a182", "#00798c", "#d1495b", "#edae49", "#8d6a9f",
                   "#b8c4d6", "#999999"]
    named = [f"{labels.get(k, k)} {v.get(k, sum(link_v[:2]) if k == hub else 0):,.0f}" for k in nodes]
    # the hub's label would sit on the outcome nodes' labels in a narrow column: it goes above the hub
    fig = go.Figure(go.Sankey(
        node={"label": ["" if k == hub else n for k, n in zip(nodes, named, strict=True)], "customdata": named,
              "hovertemplate": "%{customdata}<extra></extra>", "color": node_colors, "pad": 18, "thickness": 18},
        link={"source": link_s, "target": link_t, "value": link_v, "color": "rgba(31,95,168,0.18)"}))
    fig.add_annotation(text=plain(named[idx[hub]]), x=0.5, y=1.0, xref="paper", yref="paper", xanchor="center",
                       yanchor="bottom", showarrow=False, font={"size": 12})
    return style(fig, title, subtitle)


def coverage_grid(df: pd.DataFrame, labels: dict[str, str], lang: str, title: str, subtitle: str = "") -> go.Figure:
    """Agency × year, one colour per status (on time, late, date unknown, missing, not loaded); a year the
    agency did not owe (not_due) is left blank."""
    order = ["on_time", "late", "unknown", "missing", "not_loaded"]
    code = {s: i for i, s in enumerate(order)}
    piv = df.assign(c=df["status"].map(code)).pivot_table(index="agency", columns="year", values="c",
                                                          aggfunc="first", sort=False)
    text = df.assign(t=df["status"].map(labels)).pivot_table(index="agency", columns="year", values="t",
                                                             aggfunc="first", sort=False).reindex_like(piv)
    n = len(order)
    scale = []
    for i, s in enumerate(order):
        scale += [[i / n, STATUS_COLORS[s]], [(i + 1) / n, STATUS_COLORS[s]]]
    fig = go.Figure(go.Heatmap(z=piv.to_numpy(), x=[str(c) for c in piv.columns], y=plain_all(piv.index),
                               zmin=-0.5, zmax=n - 0.5, colorscale=scale, text=text.to_numpy(),
                               hovertemplate="%{y} %{x}: %{text}<extra></extra>", xgap=2, ygap=2,
                               colorbar={"tickvals": list(range(n)), "ticktext": [labels[s] for s in order]}))
    fig.update_yaxes(autorange="reversed")
    return style(fig, title, subtitle, height=max(HEIGHT, 22 * len(piv) + 160))
