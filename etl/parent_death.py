"""Child processes that end with their parent: a build killed with -9 must not leave its parsers running.

Linux's prctl(PR_SET_PDEATHSIG) has the kernel signal a process when the thread that created it ends, even
when that thread's process is killed with SIGKILL and can run no clean-up. It is called in the child (the
parse workers, the Dask workers of a local cluster, a worker's parse sandbox). Elsewhere (macOS, Windows)
it does nothing and says so by returning False; those children still end when their pool closes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Have this process receive `sig` when its creator ends. `parent`, the pid expected as the parent: if
    it has already gone (it died before the prctl could take effect, and this process was adopted by
    init), exit at once. True when the kernel took the request."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True
