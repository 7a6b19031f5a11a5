"""Why a file did not become a report: one code per reason, with its wording in both UI languages.

Readers raise ReadError(code, detail); the build records skipped files and worker failures with the same
codes. The warehouse stores the code and both wordings, so users read a reason in their language and never
raw exception text. Details are short English facts ("limit 20 MB, file 212 MB") appended to either wording.
"""

from __future__ import annotations

import re

# code -> (Chinese, English)
REASONS: dict[str, tuple[str, str]] = {
    # the file's content
    "empty": ("空文件", "empty file"),
    "corrupt": ("文件已损坏，无法读取", "damaged file, cannot be read"),
    "encrypted": ("文件已加密（需要密码）", "encrypted file (password required)"),
    "no_text": ("没有可识别的文字（无文字层，OCR 也未识别出文字）", "no readable text (no text layer, and OCR found none)"),
    "ocr_missing": ("未安装 OCR 引擎，无法识别扫描件", "OCR engine not installed: scanned pages cannot be read"),
    "unsupported": ("不支持的文件类型", "unsupported file kind"),
    "converter_missing": ("未安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui），无法转换旧版 Word 文件（.doc/.wps）",
                          "LibreOffice not installed (Debian package libreoffice-writer-nogui): legacy Word "
                          "files (.doc/.wps) cannot be converted"),
    "convert_failed": ("LibreOffice 无法读取此旧版 Word 文件（.doc/.wps）",
                       "LibreOffice could not read this legacy Word file (.doc/.wps)"),
    "encoding": ("无法识别的文字编码", "text in an unknown encoding"),
    "binary": ("不是文本文件（二进制内容）", "not a text file (binary content)"),
    "not_report": ("未识别出年度报告内容（无表格、章节或数字）",
                   "nothing recognizable as an annual report (no tables, chapters or figures)"),
    # limits (etl/readers/limits.py, etl/warehouse/workers.py; docs/reference/limits.md)
    "too_large": ("文件超过大小上限", "file over the size limit"),
    "too_many_pages": ("页数超过上限", "more pages than the limit"),
    "too_many_cells": ("表格单元格数超过上限", "tables expand to more cells than the limit"),
    "timeout": ("解析超时", "parsing took longer than the time limit"),
    "memory": ("解析所需内存超过上限", "parsing needed more memory than the limit"),
    "crashed": ("解析进程意外退出", "the parsing process died"),
    "parser_error": ("解析程序出错（请报告此问题）", "parser error (please report it)"),
    # the file system
    "unreadable": ("无法读取文件", "cannot read the file"),
    "hidden": ("隐藏文件，已跳过", "hidden file, skipped"),
    "not_regular": ("不是普通文件（管道、设备或套接字），已跳过", "not a regular file (pipe, device or socket), skipped"),
    "outside_link": ("符号链接指向所选文件夹之外，已跳过", "symbolic link pointing outside the folder, skipped"),
    "broken_link": ("符号链接无效或循环，已跳过", "broken or looping symbolic link, skipped"),
    "duplicate": ("与另一文件内容相同，只载入一次", "identical to another file, loaded once"),
    "reference": ("参考数据（机构名录、应报名单、采集记录等），不是报告",
                  "reference data (agency list, expected reporters, collection records …), not a report"),
    "data_file": ("数据文件（CSV、JSON 等），不是报告", "a data file (CSV, JSON …), not a report"),
    # the web (`etl collect`): why an address gave no report file
    "js_only": ("网页内容由脚本动态加载（空壳页面），无法在此读取", "the page is an empty shell filled in by JavaScript"),
    "login_wall": ("网页需要登录", "the page asks for a login"),
    "captcha_wall": ("网页需要输入验证码", "the page asks for a captcha"),
    "http_404": ("链接失效（404，文件不存在）", "broken link (404, no such file)"),
    "http_error": ("网站返回错误", "the site answered with an error"),
    "robots_forbidden": ("网站的 robots.txt 禁止采集此路径", "the site's robots.txt forbids this path"),
    "fetch_timeout": ("网站在时限内未响应", "the site did not answer within the time limit"),
    "download_too_large": ("下载文件超过大小上限", "download over the size limit"),
    "no_reports_listed": ("栏目页面上没有标题为年度报告的条目", "the listing has no entry titled as an annual report"),
    "no_report_content": ("报告页面既无报告正文也无附件", "the report page holds neither the report nor an attachment"),
    "fetch_failed": ("无法下载", "could not be downloaded"),
    # addresses the collector refuses (etl.collect.netguard), unless the operator allows the network
    "address_loopback": ("地址指向本机（回环地址），已拒绝访问", "the address is this machine (loopback): refused"),
    "address_private": ("地址属于内部网络（私有地址），已拒绝访问", "the address is on an internal network: refused"),
    "address_link_local": ("地址为链路本地地址（含云主机元数据地址），已拒绝访问",
                           "link-local address (the cloud metadata service included): refused"),
    "address_reserved": ("地址为保留、组播或未指定地址，已拒绝访问", "reserved, multicast or unspecified address: refused"),
    "address_scheme": ("只采集 http/https 地址", "only http and https addresses are fetched"),
    # the collector's bounds (etl.collect.limits; docs/reference/limits.md)
    "page_too_large": ("网页超过大小上限", "web page over the size limit"),
    "too_many_links": ("列表页链接数超过上限（疑似陷阱），只跟进了前面的条目",
                       "the listing has more links than the limit (a trap?): only the first were followed"),
    "too_many_listing_pages": ("栏目列表页数超过上限（疑似无尽或不断增长的分页），其余未采集",
                               "the column has more listing pages than the limit (endless or growing pagination?): "
                               "the rest were not fetched"),
    "too_many_report_pages": ("栏目指向的报告页数超过上限，其余未采集",
                              "the column points at more report pages than the limit: the rest were not fetched"),
    "url_trap": ("链接地址过长或自我重复（疑似陷阱），未跟进", "a link too long or repeating itself (a trap?): not followed"),
    "redirect_loop": ("重定向循环或次数过多", "a redirect loop or too many redirects"),
    "host_request_limit": ("对该网站的请求数达到上限，其余未采集", "requests to this site reached the limit: the rest were "
                           "not fetched"),
    "host_byte_limit": ("从该网站下载的数据量达到上限，其余未采集", "data downloaded from this site reached the limit: the "
                        "rest were not fetched"),
    "run_request_limit": ("本次采集的请求数达到上限，采集已停止", "the run's requests reached the limit: it stopped"),
    "run_byte_limit": ("本次采集的下载量达到上限，采集已停止", "the run's downloads reached the limit: it stopped"),
    "run_time_limit": ("本次采集的时长达到上限，采集已停止（再次运行可继续）",
                       "the run reached its time limit and stopped (run it again to continue)"),
    "run_memory_limit": ("采集程序内存达到上限，采集已停止", "the collector reached its memory limit and stopped"),
    "stopped_by_user": ("采集已被中止（Ctrl+C、终止信号或停止按钮）", "the collection was stopped (Ctrl+C, a signal or the "
                        "stop button)"),
    "not_reached": ("采集停止前未处理到此来源", "the run stopped before reaching this source"),
    "disk_full": ("磁盘空间已满，文件未保存，采集已停止", "no space left on the disk: the file was not saved and the run "
                  "stopped"),
    "write_failed": ("无法保存文件", "the file could not be saved"),
}


# The details the limits, the converter and the file system attach (short English facts), in Chinese, so the
# Chinese reason reads in Chinese throughout; a detail of another form keeps its words (a name, a number).
_DETAILS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), zh) for p, zh in (
    (r"limit ([\d.]+) s", r"上限 \1 秒"),
    (r"converter limit ([\d.]+) s", r"转换上限 \1 秒"),
    (r"limit (\d+) MB, file (\d+) MB", r"上限 \1 MB，文件 \2 MB"),
    (r"limit (\d+) MB", r"上限 \1 MB"),
    (r"limit (\d+) million pixels, image (\d+) × (\d+)", r"上限 \1 百万像素，图片 \2 × \3"),
    (r"limit (\d+) million pixels, page (\d+) is (\d+) × (\d+)", r"上限 \1 百万像素，第 \2 页 \3 × \4"),
    (r"LibreOffice exit code (-?\d+)", r"LibreOffice 退出码 \1"),
    (r"exit code (-?\d+)", r"退出码 \1"),
    (r"converted \.docx over (\d+) MB", r"转换后的 .docx 超过 \1 MB"),
    (r"structure nested too deeply", "结构嵌套过深"),
    (r"Permission denied", "没有读取权限"),
    (r"No such file or directory", "文件不存在"),
    (r"Is a directory", "这是文件夹"),
    (r"Too many levels of symbolic links", "符号链接循环"),
    (r"Python package '(\w+)' missing: pip install rapidocr-onnxruntime \(it brings OpenCV and ONNX Runtime\)",
     r"缺少 Python 包 \1，安装命令：pip install rapidocr-onnxruntime（含 OpenCV 与 ONNX Runtime）"),
))


def detail_zh(detail: str) -> str:
    """A detail in Chinese when it has one of the known forms, else as it is."""
    for pattern, zh in _DETAILS_ZH:
        if m := pattern.fullmatch(detail):
            return m.expand(zh)
    return detail


def wording(code: str, detail: str = "") -> tuple[str, str]:
    """(Chinese, English) reason for `code`, each followed by the detail when there is one."""
    zh, en = REASONS.get(code, REASONS["parser_error"])
    return (f"{zh}：{detail_zh(detail)}" if detail else zh), (f"{en}: {detail}" if detail else en)
