"""Finding report files under the user's sources, whatever the folder holds.

Every file is named by the path the user sees (their folder + the name as found, symlinks not resolved),
made printable: a name whose bytes are not UTF-8 (common after unpacking a GBK zip) keeps its odd bytes as
\\xNN escapes, so it can be stored and shown, and two such names never collapse into one. What the build
passes over on purpose — hidden files, pipes and devices, links leaving the folder or going nowhere — is
returned with its reason instead of being dropped without a word.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from etl.filekinds import not_a_report

# The kinds the build reads are etl.filekinds'; a file of another name is read by its content as well, unless
# etl.filekinds says what it is instead (reference data, a data file, an unsupported kind).

COLLECTOR_STATE = ".collect"  # etl.collect.store.STATE_DIR


@dataclass(frozen=True)
class Found:
    path: str  # what the OS opens (may hold surrogate escapes)
    display: str  # what is stored and shown


@dataclass(frozen=True)
class Skipped:
    display: str
    code: str  # an etl.reasons code
    detail: str = ""


def display(path: str) -> str:
    """A printable, lossless-enough form of a file name: undecodable bytes become \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def check(path: str, root: str | None) -> Skipped | None:
    """None when `path` is a regular file the build may read (links followed; with a `root`, only links that
    stay inside it); else why it is skipped. Nothing is opened: a FIFO or a device is refused from its mode."""
    shown = display(path)
    try:
        st = os.lstat(path)
    except OSError as e:
        return Skipped(shown, "unreadable", e.strerror or "")
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)  # follows the link: ELOOP or ENOENT for a loop or a dangling link
        except OSError as e:
            return Skipped(shown, "broken_link", e.strerror or "")
        target = os.path.realpath(path)
        if root is not None and not _inside(target, root):
            return Skipped(shown, "outside_link", f"→ {display(target)}")
    if not stat.S_ISREG(st.st_mode):
        return Skipped(shown, "not_regular")
    return None


def discover(srcs: list[Path]) -> tuple[list[Found], list[Skipped]]:
    """Report files under the sources (every file etl.filekinds does not name as something else: a report
    kind, or any other name, read by content), and what was passed over with its reason. Sources are made
    absolute without resolving links, so a report keeps the user's path."""
    found: list[Found] = []
    skipped: list[Skipped] = []
    for src in srcs:
        top = os.path.abspath(os.fspath(src))
        if not os.path.isdir(top):
            # a file named on the command line is read wherever its link points
            why = check(top, None)
            (skipped.append(why) if why else found.append(Found(top, display(top))))
            continue
        root = os.path.realpath(top)
        for here, dirs, files in os.walk(top, onerror=None):
            keep = []
            for d in sorted(dirs):
                full = os.path.join(here, d)
                if d == COLLECTOR_STATE:
                    continue  # `etl collect`'s job queue and HTTP cache: the tool's own state, no reports
                if d.startswith("."):
                    skipped.append(Skipped(display(full) + os.sep, "hidden"))
                elif os.path.islink(full):
                    # not descended (os.walk does not follow links); one that leaves the folder is named
                    target = os.path.realpath(full)
                    if not _inside(target, root):
                        skipped.append(Skipped(display(full) + os.sep, "outside_link", f"→ {display(target)}"))
                else:
                    keep.append(d)
            dirs[:] = keep
            for f in sorted(files):
                full = os.path.join(here, f)
                if f.startswith("."):
                    skipped.append(Skipped(display(full), "hidden"))
                    continue
                # every file is either read or listed with its reason: reference data the build reads
                # itself (agencies.csv, expected.csv, provenance.jsonl…), data files, unsupported kinds
                other = not_a_report(f)
                if other:
                    skipped.append(Skipped(display(full), *other))
                    continue
                why = check(full, root)
                (skipped.append(why) if why else found.append(Found(full, display(full))))
    return found, skipped
