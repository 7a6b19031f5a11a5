"""The OCR confidence travels on the token (etl.extract.tables.stream.Token) from a Table's `conf` to the Cell
each value becomes; a table read without confidences gives cells read as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.document import Table
from etl.extract.tables import TableWalker, tokens
from etl.readers import read_document

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _conf(t: int, r: int, j: int) -> float:
    """A distinct, deterministic confidence for each cell of the document."""
    return round(0.01 + ((t * 131 + r * 31 + j * 7) % 97) / 100, 4)


@pytest.mark.parametrize("name", ["yaoyux-sheng/gov/2022.html", "yaoyux-sheng/agriculture/2022.html"])
def test_every_cell_keeps_the_confidence_of_the_cell_it_was_read_from(name: str) -> None:
    doc = read_document(SAMPLES / name)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert tables, name
    plain = TableWalker().run(tokens(doc))
    assert len(plain.cells) > 50 and {c.read for c in plain.cells} == {"text"}
    assert all(c.conf is None for c in plain.cells)

    confs_of: dict[str, set[float]] = {}
    for t, b in enumerate(tables):
        b.conf = [[_conf(t, r, j) for j in range(len(row))] for r, row in enumerate(b.rows)]
        for r, row in enumerate(b.rows):
            for j, text in enumerate(row):
                confs_of.setdefault(text.strip(), set()).add(_conf(t, r, j))
    walked = TableWalker().run(tokens(doc))
    # the same reading, now carrying each source cell's confidence
    assert [(c.table, c.row, c.col, c.value) for c in walked.cells] == [
        (c.table, c.row, c.col, c.value) for c in plain.cells]
    assert {c.read for c in walked.cells} == {"ocr"}
    assert all(c.conf in confs_of[c.raw] for c in walked.cells)
    assert {c.table for c in walked.cells} == {"t2", "t3", "t4"}
