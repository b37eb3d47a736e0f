"""Exports and imports of a large register: speed, and memory for the CSV stream."""

import json
import time
import tracemalloc

from django.contrib.auth import get_user_model

from bench.run import Result
from risks.exports.common import ExportScope
from risks.exports.document import register_to_document
from risks.exports.tabular import csv_lines
from risks.exports.workbook import register_to_workbook
from risks.imports.services import import_batch_apply, import_batch_create
from risks.models import Register

MB = 1024 * 1024


def _stream_csv(register, subrisks):
    rows = 0
    for _ in csv_lines(register, subrisks):
        rows += 1
    return rows - 1


def _csv_peak(register, subrisks):
    tracemalloc.start()
    try:
        _stream_csv(register, subrisks)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def run(register):
    results = []
    scope = ExportScope.for_register(register)
    count = scope.subrisks.count()

    rows, elapsed = _timed(_stream_csv, register, scope.subrisks)
    if rows != count:
        raise RuntimeError(f"The CSV held {rows} of {count} sub-risks.")
    results.append(
        Result(f"CSV export of {rows} sub-risks", elapsed, "s", "< 2 s", elapsed < 2)
    )
    # Both runs read more rows than one fetch holds, so a flat stream peaks alike.
    small = scope.subrisks.filter(pk__in=scope.subrisks.values("pk")[: count // 2])
    small_peak = _csv_peak(register, small)
    full_peak = _csv_peak(register, scope.subrisks)
    results.append(
        Result(
            f"CSV peak memory, {count // 2} rows",
            small_peak / MB,
            "MB",
            "(reference)",
            True,
        )
    )
    results.append(
        Result(
            f"CSV peak memory, {count} rows",
            full_peak / MB,
            "MB",
            "flat: < 1.2x the half-size run",
            full_peak < 1.2 * small_peak,
        )
    )

    cpu = time.process_time()
    content, elapsed = _timed(
        register_to_workbook, register, scope.subrisks, areas=scope.areas
    )
    cpu = time.process_time() - cpu
    results.append(
        Result(
            f"Excel export of {count} sub-risks", elapsed, "s", "< 15 s", elapsed < 15
        )
    )
    results.append(
        Result("Excel export, CPU time of this process", cpu, "s", "(info)", True)
    )
    results.append(Result("Excel file size", len(content) / MB, "MB", "(info)", True))

    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    copy = f"{register.reference}-COPY"
    Register.objects.filter(reference=copy).delete()
    started = time.perf_counter()
    document = register_to_document(register)
    exported = time.perf_counter() - started
    document["register"]["reference"] = copy
    content = json.dumps(document).encode()
    batch, checked = _timed(
        import_batch_create, user=user, filename="bench.json", content=content
    )
    copied, applied = _timed(import_batch_apply, batch=batch, user=user)
    total = exported + checked + applied
    results.append(Result("JSON export", exported, "s", "(part of the next)", True))
    results.append(
        Result("JSON import dry run, new register", checked, "s", "(part)", True)
    )
    results.append(
        Result("JSON import apply, new register", applied, "s", "(part)", True)
    )
    results.append(
        Result(
            "JSON export + re-import (dry run + apply)",
            total,
            "s",
            "< 30 s",
            total < 30,
        )
    )
    if copied.areas.count() != register.areas.count():
        raise RuntimeError("The re-imported register lost areas.")

    for area in document["areas"][::10]:
        for subrisk in area["subrisks"]:
            subrisk["likelihood"] = 6 - subrisk["likelihood"]
            subrisk["statement"] += " (reviewed)"
    changed = sum(len(area["subrisks"]) for area in document["areas"][::10])
    batch, checked = _timed(
        import_batch_create,
        user=user,
        filename="bench.json",
        content=json.dumps(document).encode(),
        register=copied,
    )
    _, applied = _timed(import_batch_apply, batch=batch, user=user)
    results.append(
        Result(
            f"JSON re-import onto the register, {changed} sub-risks changed",
            checked + applied,
            "s",
            "< 30 s",
            checked + applied < 30,
        )
    )
    Register.objects.filter(reference=copy).delete()
    return results
