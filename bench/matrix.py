"""Matrix changes on a large register: time and query count.

`methodology_apply` is what saving a methodology change runs (pages and API):
it writes the changed cells, rates every sub-risk again with one UPDATE, records
history for the changed ratings and saves a version. It is timed for a one-cell
change and for a change of every cell, and its query count is compared with the
same change on a register a tenth of the size: it must not grow with the number
of sub-risks. The plain recompute primitive is measured the same way.

Each time is the best of `RUNS` changes, alternating between two matrices so that
every run really changes the ratings: the machine is shared, and the best run is
the one least slowed down by other work.
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import big_register_document
from bench.run import Result
from risks.defaults import DEFAULT_METHODOLOGY
from risks.document import methodology_to_document
from risks.methodology import MethodologyChange, methodology_apply
from risks.models import MatrixCell, Register, SubRisk
from risks.rating import recompute_ratings
from risks.services import register_create_from_document

SMALL = 1_000
RUNS = 3


def one_cell(change, run):
    change.matrix[3, 3] = "High" if run % 2 == 0 else "Medium"
    return "one cell (3 x 3 Medium <-> High)"


def every_cell(change, run):
    """Every cell one rank up, then back to the default matrix, and so on."""
    names = [level["name"] for level in sorted(change.rating_levels, key=_rank)]
    for key, name in DEFAULT_METHODOLOGY["matrix"].items():
        up = names[min(names.index(name) + 1, len(names) - 1)]
        change.matrix[key] = up if run % 2 == 0 else name
    return "every cell (one rank up and back)"


def _rank(level):
    return level["rank"]


def timed_apply(register, edit, run):
    """Applies `edit` to the register's methodology; returns what it measured."""
    methodology = register.methodology
    change = MethodologyChange.from_document(methodology_to_document(methodology))
    label = edit(change, run)
    change.reason = f"Benchmark: {label}"
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = methodology_apply(methodology=methodology, change=change, user=None)
        elapsed = time.perf_counter() - started
    return label, elapsed, len(queries), len(result.changes)


def run(register):
    total = SubRisk.objects.filter(area__register=register).count()
    small = _small_register()
    results = []
    try:
        for edit in (one_cell, every_cell):
            runs = [timed_apply(register, edit, number) for number in range(RUNS)]
            small_queries = [timed_apply(small, edit, n)[2] for n in range(RUNS)]
            label, _, queries, changed = runs[0]
            best = min(elapsed for _, elapsed, _, _ in runs)
            results += [
                Result(
                    f"apply {label}: {changed} of {total} ratings change, best of "
                    f"{RUNS} ({', '.join(f'{r[1]:.2f}' for r in runs)})",
                    best,
                    "s",
                    "< 1 s",
                    best < 1,
                ),
                Result(
                    f"apply {label}: queries at {total}",
                    queries,
                    "",
                    f"= queries at {SMALL} ({small_queries[0]})",
                    {r[2] for r in runs} == set(small_queries) == {queries},
                ),
            ]
        results += _recompute(register, small)
    finally:
        small.delete()
    return results


def _small_register():
    reference = f"BENCH-{SMALL}"
    Register.objects.filter(reference=reference).delete()
    return register_create_from_document(
        data=big_register_document(reference=reference, subrisks=SMALL, seed=11)
    )


def _timed_recompute(register, run):
    """Sets every cell to Very High (or Low) and rates every sub-risk again."""
    methodology = register.methodology
    subrisks = SubRisk.objects.filter(area__register=register)
    name = "Very High" if run % 2 == 0 else "Low"
    level = methodology.rating_levels.get(name=name)
    MatrixCell.objects.filter(methodology=methodology).update(rating=level)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = recompute_ratings(subrisks)
        elapsed = time.perf_counter() - started

    if count != subrisks.count():
        raise RuntimeError(f"Recomputed {count} of {subrisks.count()} ratings.")
    return count, elapsed, len(queries)


def _recompute(register, small):
    """The recompute primitive alone (`risks.rating.recompute_ratings`)."""
    runs = [_timed_recompute(register, number) for number in range(RUNS)]
    small_queries = _timed_recompute(small, 0)[2]
    count, _, queries = runs[0]
    best = min(elapsed for _, elapsed, _ in runs)
    return [
        Result(
            f"recompute {count} ratings, best of {RUNS} "
            f"({', '.join(f'{r[1]:.2f}' for r in runs)})",
            best,
            "s",
            "< 1 s",
            best < 1,
        ),
        Result(
            f"recompute queries at {count}",
            queries,
            "",
            f"= queries at {SMALL} ({small_queries})",
            queries == small_queries,
        ),
    ]
