"""Tables 2, 3 and 4 read off a Document: a token stream (stream) walked row by row (walker), each table's
own rules in its module (proactive: table 2, requests: table 3, review: table 4). Imports run one way:
stream → labels → result → the tables' modules → walker."""

from etl.extract.tables.labels import chapter_of, match_key
from etl.extract.tables.result import TableResult
from etl.extract.tables.stream import CELL, PARA, Token, tokens
from etl.extract.tables.walker import TableWalker

__all__ = ["CELL", "PARA", "TableResult", "TableWalker", "Token", "chapter_of", "match_key", "tokens"]
