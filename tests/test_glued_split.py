"""Properties of the glued-run split enumerator (etl.extract.glued.split), checked with hypothesis against a
brute force over every way to cut the run: each reading re-joins to the run, cuts only inside tokens, has no
leading zero, has the cells asked for, is unique, satisfies its sums — and none is missed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import combinations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract.glued.split import INT, delimited, splits

digit_runs = st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=3)


def _cuts(tok: str) -> Iterator[tuple[str, ...]]:
    """Every way to cut one token into pieces."""
    inner = range(1, len(tok))
    for k in range(len(tok)):
        for at in combinations(inner, k):
            bounds = (0, *at, len(tok))
            yield tuple(tok[a:b] for a, b in zip(bounds, bounds[1:], strict=False))


def brute(tokens: Sequence[str], n: int, groups=(), piece_ok: Callable[[int, str], bool] | None = None
          ) -> set[tuple[str, ...]]:
    out = set()
    for parts in product(*(_cuts(t) for t in tokens)):
        cells = tuple(p for tok_parts in parts for p in tok_parts)
        if len(cells) != n:
            continue
        ok = (all(piece_ok(i, c) for i, c in enumerate(cells)) if piece_ok else
              all(INT.fullmatch(c) for c in cells))
        if ok and all(sum(int(cells[p]) for p in ps) == int(cells[t]) for ps, t in groups):
            out.add(cells)
    return out


def _follows_tokens(reading: tuple[str, ...], tokens: Sequence[str]) -> bool:
    """Each token is cut into one or more whole cells: no cell spans a space."""
    i = 0
    for tok in tokens:
        got = ""
        while got != tok:
            if i >= len(reading) or not tok.startswith(got + reading[i]):
                return False
            got += reading[i]
            i += 1
    return i == len(reading)


@st.composite
def run_and_width(draw):
    tokens = draw(digit_runs)
    digits = sum(map(len, tokens))
    return tokens, draw(st.integers(min_value=1, max_value=digits + 1))


@st.composite
def run_width_groups(draw):
    """A run, a width, and one or two disjoint sum groups (parts, total) over the cells."""
    tokens, n = draw(run_and_width())
    if n < 2:
        return tokens, n, ()
    order = draw(st.permutations(range(n)))
    k = draw(st.integers(min_value=2, max_value=n))
    groups = [(tuple(sorted(order[:k - 1])), order[k - 1])]
    rest = order[k:]
    if len(rest) >= 2 and draw(st.booleans()):
        groups.append((tuple(sorted(rest[:-1])), rest[-1]))
    return tokens, n, tuple(groups)


@settings(max_examples=300, deadline=None)
@given(run_and_width())
def test_every_split_rejoins_has_n_cells_no_leading_zero_and_none_is_missed(case):
    tokens, n = case
    got = splits(tokens, n, max_out=10_000)
    assert len(got) == len(set(got))  # unique
    for r in got:
        assert len(r) == n
        assert "".join(r) == "".join(tokens)
        assert _follows_tokens(r, tokens)
        assert all(c == "0" or (c and c[0] != "0") for c in r)
    assert set(got) == brute(tokens, n)


@settings(max_examples=300, deadline=None)
@given(run_width_groups())
def test_sum_groups_keep_exactly_the_splits_whose_totals_add_up(case):
    tokens, n, groups = case
    got = splits(tokens, n, groups, max_out=10_000)
    assert len(got) == len(set(got))
    for r in got:
        assert all(sum(int(r[p]) for p in ps) == int(r[t]) for ps, t in groups)
    assert set(got) == brute(tokens, n, groups)


@settings(max_examples=200, deadline=None)
@given(run_and_width(), st.integers(min_value=0, max_value=3))
def test_max_out_stops_one_past_the_limit(case, max_out):
    tokens, n = case
    got = splits(tokens, n, max_out=max_out)
    assert len(got) == min(len(brute(tokens, n)), max_out + 1)
    assert set(got) <= brute(tokens, n)


@settings(max_examples=200, deadline=None)
@given(run_and_width(), st.integers(min_value=0, max_value=99))
def test_piece_ok_decides_the_pieces_in_place_of_the_integer_rule(case, cap):
    tokens, n = case

    def ok(i: int, piece: str) -> bool:  # e.g. a column allowing leading zeros up to a cap
        return int(piece) <= cap + i

    got = splits(tokens, n, (), ok, max_out=10_000)
    assert len(got) == len(set(got))
    assert all(ok(i, c) for r in got for i, c in enumerate(r))
    assert set(got) == brute(tokens, n, (), ok)


@given(st.lists(st.integers(min_value=0, max_value=10**6).map(str), min_size=1, max_size=7))
def test_a_run_the_spaces_already_delimit_has_that_one_reading(cells):
    assert delimited(cells, len(cells))
    assert splits(cells, len(cells)) == [tuple(cells)]
