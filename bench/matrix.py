"""A matrix change on a large register: recompute time and query count."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.run import Result
from risks.models import MatrixCell, SubRisk
from risks.rating import recompute_ratings


def run(register):
    methodology = register.methodology
    subrisks = SubRisk.objects.filter(area__register=register)
    very_high = methodology.rating_levels.get(name="Very High")
    MatrixCell.objects.filter(methodology=methodology).update(rating=very_high)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        count = recompute_ratings(subrisks)
        elapsed = time.perf_counter() - started

    if count != subrisks.count():
        raise RuntimeError(f"Recomputed {count} of {subrisks.count()} ratings.")
    return [
        Result(f"recompute {count} ratings", elapsed, "s", "< 1 s", elapsed < 1),
        Result(
            "recompute queries",
            len(queries),
            "",
            "constant (<= 3)",
            len(queries) <= 3,
        ),
    ]
