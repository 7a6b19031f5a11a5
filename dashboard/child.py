"""What a `python -m etl…` child process of the dashboard runs with: this checkout first on its import path.

The previews, the build, the source view and the casework rebuild run the project's modules in a child
process; each child gets its own environment (the server's, with ROOT ahead of any PYTHONPATH it had), never
a change to the server's own os.environ.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the checkout: the children's working directory and import root


def env(**extra: str) -> dict[str, str]:
    """A copy of the server's environment for a child: ROOT first on PYTHONPATH, then `extra`."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}
