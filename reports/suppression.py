"""Small-count protection: primary suppression of counts 1..k-1 and secondary suppression so
that no hidden cell can be recomputed from the row and column totals.

A table is published with its margins (row totals, column totals, grand total). Every cell of
that augmented grid appears in exactly two equations: its row's and its column's. Seen as a
graph whose nodes are the rows and columns and whose edges are the hidden cells, a hidden value
is determined by the published ones exactly when its edge is a *bridge* (it lies on no cycle);
the commonest case is a row or column with a single hidden cell. Secondary suppression adds the
smallest neighbouring cell until no hidden cell is a bridge.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import cellkey

# Rule sets, versioned: a report records the one it used (``Report.rules_version``) and every
# table carries it (``table["rules"]``), so every output (screen, XLSX, CSV, PDF, DHIS2/ADX)
# applies the same one: a value hidden in one format is hidden in all.
#
# * 2026.1 (suppression): counts 1..k-1 shown as <k, plus secondary suppression.
# * 2026.1-r5 (rounding): every figure, totals included, rounded on its own to the nearest
#   multiple of the base: 5, or 10 for the protection/GBV tables (k = 10). A count of 1 or 2
#   shows as 0, 3 or 4 as 5; rounded figures need not add up.
#
# * 2026.2 (cell key method, ``reports/cellkey.py``): every figure, totals included, gets the
#   noise its cell key gives (at most ±2; small counts 1..k-1 shown as 0 or k), the same for
#   the same cell in every report: combining reports gives noise, not people.
# * 2026.2-r5: the same perturbed figures, then rounded to base 5 (10 where k = 10). Rounding
#   a perturbed figure adds nothing an attacker could use: both options come from one noise.
# New reports use 2026.2 or 2026.2-r5; the 2026.1 sets stay to show reports built with them.
SUPPRESS, ROUND = "suppress", "round"
CELL_KEY, CELL_KEY_ROUND = "cell_key", "cell_key_round"
DEFAULT_K = 5
SENSITIVE_K = 10  # GBV and protection measures


@dataclass(frozen=True)
class RuleSet:
    version: str
    method: str


RULE_SETS = {
    "2026.1": RuleSet("2026.1", SUPPRESS),
    "2026.1-r5": RuleSet("2026.1-r5", ROUND),
    "2026.2": RuleSet("2026.2", CELL_KEY),
    "2026.2-r5": RuleSet("2026.2-r5", CELL_KEY_ROUND),
}
RULES_VERSION = "2026.1"  # what a report without a recorded rule set was built with
# The version a new report uses, by the protection chosen in the form: both are the cell key
# method now (suppression alone did not survive a second request, issue 13).
CURRENT = {SUPPRESS: "2026.2", ROUND: "2026.2-r5"}
CELL_KEY_METHODS = {CELL_KEY, CELL_KEY_ROUND}
# A report is refused as too fine to publish when more than this share of the non-zero
# cells of its breakdown tables would be hidden (or rounded to 0).
TOO_FINE_SHARE = 0.5


def rule_set(version: str | None) -> RuleSet:
    return RULE_SETS.get(version or RULES_VERSION, RULE_SETS[RULES_VERSION])


def base_for(k: int) -> int:
    """Rounding base of a table: 5, or 10 where k = 10 (protection and GBV)."""
    return SENSITIVE_K if k >= SENSITIVE_K else DEFAULT_K


def round_to(value: int, base: int) -> int:
    return base * ((value + base // 2) // base) if base else value


def k_for(measure: str) -> int:
    from reports.choices import Measure

    return SENSITIVE_K if measure == Measure.PROTECTION_SERVICES else DEFAULT_K


PRIMARY, SECONDARY = "primary", "secondary"


def augmented(cells: list[list[int]]) -> list[list[int]]:
    """The grid with its row totals (last column), column totals and grand total (last row)."""
    grid = [[*row, sum(row)] for row in cells]
    width = len(grid[0]) if grid else 1
    grid.append([sum(row[j] for row in grid) for j in range(width)])
    return grid


def _bridges(hidden: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Hidden cells lying on no cycle of the row/column graph: recoverable from the margins."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], tuple[int, int]]]] = {}
    for i, j in hidden:
        adjacency.setdefault(("r", i), []).append((("c", j), (i, j)))
        adjacency.setdefault(("c", j), []).append((("r", i), (i, j)))
    found = set()
    for edge in hidden:
        start, goal = ("r", edge[0]), ("c", edge[1])
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for other, via in adjacency[node]:
                if via != edge and other not in seen:
                    seen.add(other)
                    stack.append(other)
        if goal not in seen:
            found.add(edge)
    return found


def _suppress(cells: list[list[int]], k: int) -> dict[tuple[int, int], str]:
    """Which cells of ``augmented(cells)`` to hide, and why (primary or secondary)."""
    grid = augmented(cells)
    rows, cols = len(grid), len(grid[0])
    flags = {(i, j): PRIMARY for i in range(rows) for j in range(cols) if 0 < grid[i][j] < k}
    while True:
        bridges = _bridges(set(flags))
        if not bridges:
            return flags
        i, j = min(bridges)
        touched_rows = {r for r, _c in flags}
        touched_cols = {c for _r, c in flags}
        candidates = [(i, c) for c in range(cols) if (i, c) not in flags] + [
            (r, j) for r in range(rows) if (r, j) not in flags
        ]
        if not candidates:  # cannot happen with a 2x2 or larger grid; hide everything
            return {(r, c): flags.get((r, c), SECONDARY) for r in range(rows) for c in range(cols)}

        def cost(cell, i=i, j=j, touched_rows=touched_rows, touched_cols=touched_cols):
            r, c = cell
            closes_cycle = (r != i and r in touched_rows) or (c != j and c in touched_cols)
            value = grid[r][c]
            return (not closes_cycle, value == 0, value, cell)

        flags[min(candidates, key=cost)] = SECONDARY


def suppress(cells: list[list[int]], k: int) -> dict[tuple[int, int], str]:
    """Which cells of ``augmented(cells)`` to hide, and why (primary or secondary)."""
    if k <= 1:  # counts of records that are not people: nothing to protect
        return {}
    return _suppress(cells, k)


def augmented_keys(keys: list[list[int]]) -> list[list[int]]:
    """Cell keys of ``augmented(cells)``: keys add up like the counts (mod N)."""
    return [[v % cellkey.N for v in row] for row in augmented(keys)]


def masked(cells: list[list[int]], k: int, method: str = SUPPRESS) -> tuple[int, int]:
    """(non-zero body cells, how many of them the rule hides or rounds to 0; for the cell key
    method, how many are small counts 1..k-1, published as 0 or k)."""
    values = [(i, j, v) for i, row in enumerate(cells) for j, v in enumerate(row) if v]
    if k <= 1:
        return len(values), 0
    if method in CELL_KEY_METHODS:
        return len(values), sum(1 for _i, _j, v in values if v < k)
    if method == ROUND:
        base = base_for(k)
        return len(values), sum(1 for _i, _j, v in values if round_to(v, base) == 0)
    flags = suppress(cells, k)
    return len(values), sum(1 for i, j, _v in values if (i, j) in flags)


def protected_grid(
    cells: list[list[int]],
    k: int,
    *,
    cleared: bool,
    method: str = SUPPRESS,
    keys: list[list[int]] | None = None,
) -> list[list[dict]]:
    """The augmented grid as display cells: value (None when hidden), text and flag.
    Cleared audiences get the exact figures (``exact``); under the cell key method the others
    get each figure perturbed by its cell key (``keys``, the cells' key sums)."""
    grid = augmented(cells)
    if method in CELL_KEY_METHODS:
        if cleared or k <= 1:
            return [
                [{"value": v, "text": str(v), "flag": None, "exact": cleared} for v in row]
                for row in grid
            ]
        key_grid = augmented_keys(keys or [[0] * len(row) for row in cells])
        base = base_for(k) if method == CELL_KEY_ROUND else 0
        out = []
        for row, key_row in zip(grid, key_grid, strict=True):
            line = []
            for v, key in zip(row, key_row, strict=True):
                shown = round_to(cellkey.perturb(v, key, k), base)
                line.append(
                    {"value": shown, "text": str(shown), "flag": None, "perturbed": True,
                     "rounded": bool(base)}
                )  # fmt: skip
            out.append(line)
        return out
    if method == ROUND and not cleared and k > 1:
        base = base_for(k)
        return [
            [{"value": round_to(v, base), "text": str(round_to(v, base)), "flag": None,
              "rounded": True} for v in row]
            for row in grid
        ]  # fmt: skip
    flags = {} if cleared else suppress(cells, k)
    out = []
    for i, row in enumerate(grid):
        line = []
        for j, value in enumerate(row):
            flag = flags.get((i, j))
            if flag == PRIMARY:
                line.append({"value": None, "text": f"<{k}", "flag": flag})
            elif flag == SECONDARY:
                line.append({"value": None, "text": "x", "flag": flag})
            else:
                line.append({"value": value, "text": str(value), "flag": None})
        out.append(line)
    return out


def too_fine(tables: list[dict], version: str | None) -> bool:
    """Whether the breakdown tables of a report would be mostly hidden under its rule set:
    then the report is refused and a coarser level suggested, rather than published empty."""
    from reports.choices import BREAKDOWN_DIMS

    method = rule_set(version).method
    filled = hidden = 0
    for table in tables:
        if table.get("kind", "count") != "count" or table["dim"] not in BREAKDOWN_DIMS:
            continue
        n, m = masked([row["cells"] for row in table["rows"]], table["k"], method)
        filled, hidden = filled + n, hidden + m
    return filled > 0 and hidden > TOO_FINE_SHARE * filled
