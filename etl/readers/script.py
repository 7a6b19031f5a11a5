"""Traditional characters and inline pinyin, folded away once per document before any label is matched.

Mirror sites republish reports converted to traditional characters (信息公開工作年度報告), some with the
pinyin after each character (網(wǎng)站, 制發(fā)件數(shù)). Every label in etl/formats.py is simplified, so a
document that shows traditional characters is converted with OpenCC's t2s table (a maintained
dictionary, rather than a hand-typed character list) and its pinyin annotations are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from etl.document import Document, Paragraph, Table

# Frequent traditional-only characters of these reports: one of them is enough to fold the document.
# A simplified document never contains them, so it costs one regex scan and is left untouched.
_TRADITIONAL = re.compile("[開報資項請數發關條處門網應與會時對為過來們個體員際權務動後機構設監辦結據標總計類]")
# "(wǎng)": lower-case Latin letters with at least one tone mark, in brackets, right after a character.
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(rf"[(（](?=[a-z{_TONES}ü]*[{_TONES}])[a-z{_TONES}ü]{{1,7}}[)）]")


@lru_cache(maxsize=1)
def _converter():  # loaded only when a traditional document shows up
    import opencc

    return opencc.OpenCC("t2s")


def needs_folding(text: str) -> bool:
    return _TRADITIONAL.search(text) is not None


def fold(text: str) -> str:
    return _converter().convert(_PINYIN.sub("", text))


def fold_document(doc: Document) -> Document:
    """Convert a traditional-character document to simplified in place (and say so in its meta)."""
    sample = "".join(b.text if isinstance(b, Paragraph) else "".join(c for r in b.rows for c in r)
                     for b in doc.blocks[:400])
    if not needs_folding(sample):
        return doc
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            b.text = fold(b.text)
        elif isinstance(b, Table):
            b.rows = [[fold(c) for c in row] for row in b.rows]
    doc.meta = {k: fold(v) for k, v in doc.meta.items()}
    doc.meta["script"] = "traditional"
    return doc
