"""Small-count protection: no hidden cell can be recomputed from the published figures."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reports.suppression import PRIMARY, SECONDARY, augmented, protected_grid, suppress


def determined_cells(cells, hidden) -> set[tuple[int, int]]:
    """Hidden cells whose value follows from the published ones by linear algebra.

    Unknowns are the hidden cells of the augmented grid; each row and column gives one equation
    (cells sum to the total). A hidden cell is determined exactly when its unit vector lies in
    the row space of the equations restricted to the unknowns (rank does not grow)."""
    grid = augmented(cells)
    rows, cols = len(grid), len(grid[0])
    unknowns = sorted(hidden)
    index = {cell: n for n, cell in enumerate(unknowns)}
    equations = []
    for i in range(rows):  # row i: sum of its cells - its total = 0 (the total row likewise)
        coeffs = [Fraction(0)] * len(unknowns)
        for j in range(cols):
            if (i, j) in index:
                coeffs[index[(i, j)]] += 1 if j < cols - 1 else -1
        equations.append(coeffs)
    for j in range(cols):
        coeffs = [Fraction(0)] * len(unknowns)
        for i in range(rows):
            if (i, j) in index:
                coeffs[index[(i, j)]] += 1 if i < rows - 1 else -1
        equations.append(coeffs)

    def rank(matrix):
        m = [row[:] for row in matrix if any(row)]
        r = 0
        for col in range(len(unknowns)):
            pivot = next((k for k in range(r, len(m)) if m[k][col] != 0), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for k in range(len(m)):
                if k != r and m[k][col] != 0:
                    factor = m[k][col] / m[r][col]
                    m[k] = [a - factor * b for a, b in zip(m[k], m[r], strict=True)]
            r += 1
        return r

    base = rank(equations)
    found = set()
    for cell, n in index.items():
        unit = [Fraction(0)] * len(unknowns)
        unit[n] = Fraction(1)
        if rank([*equations, unit]) == base:
            found.add(cell)
    return found


def test_a_lone_small_count_is_protected_by_a_second_cell_in_its_row_and_column():
    cells = [
        [40, 3, 0],
        [25, 12, 1],
        [60, 30, 0],
    ]
    flags = suppress(cells, 5)
    assert flags[(0, 1)] == PRIMARY
    assert flags[(1, 2)] == PRIMARY
    assert SECONDARY in flags.values()
    assert determined_cells(cells, set(flags)) == set()
    # Without secondary suppression the small counts would be recovered from the totals.
    primaries = {cell for cell, flag in flags.items() if flag == PRIMARY}
    assert determined_cells(cells, primaries)


def test_displayed_cells_say_less_than_k_and_totals_stay_published():
    grid = protected_grid([[35, 3, 0], [20, 20, 2]], 5, cleared=False)
    assert grid[0][1]["text"] == "<5" and grid[0][1]["value"] is None
    shown = [c for line in grid for c in line if c["flag"] is None]
    assert all(str(c["value"]) == c["text"] for c in shown)
    assert grid[-1][-1]["text"] == "80"  # the grand total is published


def test_cleared_audience_sees_every_figure():
    grid = protected_grid([[35, 3, 0]], 5, cleared=True)
    assert [c["text"] for c in grid[0]] == ["35", "3", "0", "38"]


@pytest.mark.parametrize("seed", range(200))
def test_no_suppressed_cell_can_be_recovered_from_the_totals(seed):
    rnd = random.Random(seed)
    rows, cols = rnd.randint(1, 8), 3
    cells = [[rnd.choice([0, 1, 2, 3, 4, 6, 9, 15, 40]) for _ in range(cols)] for _ in range(rows)]
    k = rnd.choice([5, 10])
    flags = suppress(cells, k)
    grid = augmented(cells)
    # Every count from 1 to k-1 is hidden, wherever it is (totals included)...
    assert all(
        (i, j) in flags
        for i, line in enumerate(grid)
        for j, value in enumerate(line)
        if 0 < value < k
    )
    # ...and none of the hidden cells follows from what is published.
    assert determined_cells(cells, set(flags)) == set()
