"""The cell key method (ABS TableBuilder; ONS, Census 2021): noise that holds whatever is
requested.

* Every record counted in a report (a person, a service delivered, a kit handed out, an
  attendance, a referral, a diaspora member or participation) has a fixed **record key**, an
  integer in ``0..N-1`` (``N = 256``). It is a keyed hash of the record's id computed by
  PostgreSQL, ``hashint8extended(id, seed) & 255``, where ``seed`` comes from the server's
  ``REPORTS_RECORD_KEY_SECRET`` and the kind of record: nothing is stored, no table is
  rewritten, the key survives anonymisation (it depends on the id only), and nobody who does not
  hold the secret can compute it. The keys never leave the database: only their sums, inside the
  worker, and only the perturbed figures are published.
* A cell's **cell key** is the sum of its records' keys modulo ``N``, computed in the same SQL
  ``GROUP BY`` / ``GROUPING SETS`` as the count (for people served, over distinct people).
  Sums add up, so the key of a row total, a column total or a grand total is the sum of its
  cells' keys: the same set of records has the same cell key in every report.
* The published figure is ``value + noise``, the noise read from a **perturbation table**
  indexed by (value, cell key). The same cell therefore gets the same noise in every report, and
  subtracting two reports gives noise, not a person.

The perturbation table (``ptable``), rule set ``2026.2``:

* 0 stays 0 (a cell with no record has nobody to protect).
* A small count ``v`` in ``1..k-1`` is never published as itself: it is published as ``k``
  for ``round(N*v/k)`` of the ``N`` cell keys and as 0 otherwise (unbiased: the mean is ``v``).
* A count ``v >= k`` moves by at most ``D = 2``: 0 for half of the keys, ±1 for a fifth each,
  ±2 for a twentieth each (variance 0.8), never below ``k`` (near ``k`` the downward moves
  that would go below it are removed and the upward ones scaled so that the mean noise stays 0).

So a published 0 stands for 0 to k-1, a published k for 1 to k+2, and any other figure ``p``
for ``p-2`` to ``p+2``; totals are perturbed on their own and need not equal the sum of their
cells.

Why not the ONS package ``cell-key-perturbation``: it tabulates microdata in pandas (a whole
register in the worker's memory rather than a ``GROUP BY`` in PostgreSQL), and the table it
ships (``ptable_10_5_rule``) is a rounding rule whose noise does not depend on the cell key.
The method is small (a table lookup); it is implemented here as the ONS and the R packages
``cellKey``/``ptable`` document it.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

N = 256  # cell keys 0..N-1
MAX_NOISE = 2  # D
# Probability of each noise for a count far above k (symmetric, mean 0).
BASE_WEIGHTS = {0: 0.5, 1: 0.2, -1: 0.2, 2: 0.05, -2: 0.05}


def _secret() -> bytes:
    secret = getattr(settings, "REPORTS_RECORD_KEY_SECRET", "") or (
        "record-keys:" + settings.SECRET_KEY
    )
    return secret.encode()


def seed(kind: str) -> int:
    """The 64-bit seed of a kind of record (``person``, ``service``, ...), derived from the
    server's secret: a signed bigint for ``hashint8extended``."""
    digest = hmac.new(_secret(), kind.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def record_key_sql(column: str, param: str) -> str:
    """SQL of the record key of ``column`` (an id), with the seed passed as ``%(param)s``."""
    return f"(hashint8extended(({column})::bigint, %({param})s::bigint) & {N - 1})"


def _distribution(value: int, k: int) -> dict[int, float]:
    """Noise → probability for a count ``value`` (see the module's docstring)."""
    if value == 0:
        return {0: 1.0}
    if value < k:
        up = round(N * value / k) / N
        return {k - value: up, -value: 1 - up}
    weights = {d: w for d, w in BASE_WEIGHTS.items() if value + d >= k}
    down = sum(-d * w for d, w in weights.items() if d < 0)
    up = sum(d * w for d, w in weights.items() if d > 0)
    if up > 0:
        scale = down / up
        weights = {d: (w * scale if d > 0 else w) for d, w in weights.items()}
    total = sum(weights.values())
    return {d: w / total for d, w in weights.items() if w > 0}


@lru_cache(maxsize=64)
def _row(value: int, k: int) -> tuple[int, ...]:
    """The noise for each of the N cell keys: the distribution laid out over 0..N-1 (largest
    remainders, so the shares are as close to the probabilities as N slots allow)."""
    dist = _distribution(value, k)
    ordered = sorted(dist, key=lambda d: (abs(d), d))
    raw = {d: dist[d] * N for d in ordered}
    slots = {d: int(raw[d]) for d in ordered}
    for d in sorted(ordered, key=lambda d: -(raw[d] - slots[d]))[: N - sum(slots.values())]:
        slots[d] += 1
    out: list[int] = []
    for d in ordered:
        out.extend([d] * slots[d])
    return tuple(out)


def ptable_value(value: int, k: int) -> int:
    """The row of the table a count uses: beyond k + D every row is the same."""
    return min(value, k + MAX_NOISE + 1)


def noise(value: int, cell_key: int, k: int) -> int:
    if k <= 1 or value <= 0:
        return 0
    return _row(ptable_value(value, k), k)[cell_key % N]


def perturb(value: int, cell_key: int, k: int) -> int:
    """The published figure of a cell of true ``value`` and cell key ``cell_key``."""
    return value + noise(value, cell_key, k)


def bounds(published: int, k: int) -> tuple[int, int]:
    """The tightest range of true values that can give a published figure under this table
    (what an attacker who knows the rule, but not the cell keys, can infer from it alone)."""
    if k <= 1:
        return published, published
    possible = [
        v
        for v in range(0, max(published, k) + MAX_NOISE + 1)
        if published - v in set(_row(ptable_value(v, k), k))
    ]
    if not possible:
        raise ValueError(f"{published} is never published when k = {k}")
    return min(possible), max(possible)


def ptable(k: int, up_to: int | None = None) -> list[tuple[int, int, int]]:
    """The perturbation table as rows (value, cell key, noise), as the ONS publishes it."""
    top = up_to if up_to is not None else k + MAX_NOISE + 1
    return [(v, c, noise(v, c, k)) for v in range(1, top + 1) for c in range(N)]
