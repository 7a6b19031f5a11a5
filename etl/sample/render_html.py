"""HTML renderings: a plain CMS page, and Word-exported markup (MsoNormal paragraphs, spans that split
numbers, &nbsp; in empty cells), in UTF-8 or GBK."""

from __future__ import annotations

import html
import random

from etl.sample.layout import GENERATOR, Layout, Para, TableBlock

_ROLE_TAG = {"title": "h1", "heading": "h3"}


def _split_number(text: str, rng: random.Random) -> str:
    """Word often cuts a figure into several runs: <span>1</span><span>234</span>."""
    if len(text) < 2 or rng.random() < 0.5:
        return f"<span lang=EN-US style='font-size:10.5pt'>{html.escape(text)}</span>"
    cut = rng.randint(1, len(text) - 1)
    return "".join(f"<span lang=EN-US style='font-size:10.5pt;font-family:\"Times New Roman\"'>{html.escape(p)}</span>"
                   for p in (text[:cut], text[cut:]))


def _td_attrs(td) -> str:
    a = ""
    if td.rowspan > 1:
        a += f" rowspan={td.rowspan}"
    if td.colspan > 1:
        a += f" colspan={td.colspan}"
    return a


def _table(t: TableBlock, word: bool, rng: random.Random) -> str:
    out = []
    if word:
        out.append("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
                   "style='border-collapse:collapse;border:none'>")
    else:
        out.append('<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse">')
    for row in t.rows:
        out.append("<tr>")
        for td in row:
            if word:
                if td.text and not td.header:
                    inner = _split_number(td.text, rng)
                elif td.text:
                    inner = f"<span style='font-size:10.5pt;font-family:宋体'>{html.escape(td.text)}</span>"
                else:
                    inner = "<span lang=EN-US>&nbsp;</span>"
                out.append(f"<td{_td_attrs(td)} valign=middle style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>"
                           f"<p class=MsoNormal align=center style='text-align:center'>{inner}</p></td>")
            else:
                out.append(f"<td{_td_attrs(td)}>{html.escape(td.text)}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def _para(p: Para, word: bool) -> str:
    text = html.escape(p.text)
    if p.role in _ROLE_TAG and not word:
        return f"<{_ROLE_TAG[p.role]}>{text}</{_ROLE_TAG[p.role]}>"
    if p.role == "title":
        return f"<h1 style='text-align:center'>{text}</h1>"
    align = " align=right style='text-align:right'" if p.role in ("signature", "date") else \
        " style='text-indent:32.0pt'"
    if word:
        weight = ";font-weight:bold" if p.role == "heading" else ""
        return (f"<p class=MsoNormal{align}><span style='font-size:16.0pt;font-family:仿宋_GB2312{weight}'>"
                f"{text}</span></p>")
    return f"<p{align}>{text}</p>"


def render(lay: Layout, word: bool, encoding: str, rng: random.Random) -> bytes:
    """The report as an HTML page. `encoding` is 'utf-8' or 'gbk' (declared in the page)."""
    charset = "gbk" if encoding == "gbk" else "utf-8"
    head = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            if charset == "gbk" else '<meta charset="utf-8">')
    body = []
    for b in lay.blocks:
        if isinstance(b, Para):
            body.append(_para(b, word))
        else:
            body.append(_table(b, word, rng))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{head}
<meta name="generator" content="{GENERATOR}">
<meta name="ArticleTitle" content="{html.escape(lay.title)}">
<meta name="PubDate" content="{lay.published} 09:{rng.randint(0, 59):02d}">
<meta name="ContentSource" content="{html.escape(lay.agency)}">
<title>{html.escape(lay.title)}</title>
</head>
<body>
<div class="header">政府信息公开 &gt; 政府信息公开年报</div>
<div class="article">
<div class="info">发布日期：{lay.published}　来源：{html.escape(lay.agency)}</div>
<div class="content">
{chr(10).join(body)}
</div>
</div>
<div class="footer">样例数据站点 · 仅供测试</div>
</body>
</html>
"""
    return page.encode(charset, errors="xmlcharrefreplace")
