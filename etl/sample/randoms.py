"""Small, fast, seeded distributions on top of random.Random (no numpy: keeps workers light and exact)."""

from __future__ import annotations

import math
import random
from bisect import bisect
from itertools import accumulate


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n <= 60:
        return sum(1 for _ in range(n) if rng.random() < p)
    sd = math.sqrt(n * p * (1 - p))
    return min(n, max(0, round(rng.gauss(n * p, sd))))


def multinomial(rng: random.Random, n: int, probs: list[float]) -> list[int]:
    """n draws over len(probs) categories (probs need not sum to 1)."""
    total = sum(probs)
    out = [0] * len(probs)
    if n <= 0 or total <= 0:
        return out
    if n <= 200:
        cum = list(accumulate(probs))
        for _ in range(n):
            i = bisect(cum, rng.random() * total)
            out[min(i, len(out) - 1)] += 1
        return out
    left, mass = n, total
    for i, p in enumerate(probs[:-1]):
        k = binomial(rng, left, p / mass) if mass > 0 else 0
        out[i] = k
        left -= k
        mass -= p
    out[-1] = left
    return out


def lognormal(rng: random.Random, median: float, sd: float) -> float:
    return median * math.exp(rng.gauss(0.0, sd))
