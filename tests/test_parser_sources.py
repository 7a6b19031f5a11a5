"""The build re-parses every file when the parser's source changes (etl.warehouse.build._PARSER_SOURCES is
hashed): every etl module the parser imports, however indirectly, must be in that list, or a change to it
would leave stale parses in an incremental build."""

from __future__ import annotations

from test_imports import _graph

from etl.filekinds import READ_KINDS
from etl.warehouse.build import _PARSER_SOURCES


def test_every_module_the_parser_imports_is_hashed() -> None:
    graph = _graph()
    seen: set[str] = set()
    # the parser, and the readers the file kinds registry names (imported by name when a file is read)
    todo = ["etl.parse", *(k.reader.partition(":")[0] for k in READ_KINDS)]
    while todo:
        name = todo.pop()
        if name in seen or name not in graph:
            continue
        if name == "etl.settings":  # read at run time, never part of a parse's result (its command lists limits)
            continue
        seen.add(name)
        todo += graph[name].imports
    assert {"etl.readers.pdf", "etl.extract.glued", "etl.formats"} <= seen  # the walk reaches the parser's parts

    def hashed(module: str) -> bool:
        path = module.removeprefix("etl.").replace(".", "/")
        return any(path == src.removesuffix(".py") or path.startswith(src + "/") or path == src
                   for src in _PARSER_SOURCES)

    missing = sorted(m for m in seen if m != "etl" and not hashed(m))  # (etl: the package's __init__)
    assert not missing, f"imported by the parser but not in _PARSER_SOURCES: {missing}"
