"""`make bench`: speed and memory targets, on PostgreSQL, with 10,000 sub-risks.

Each benchmark module in BENCHMARKS has a `run(register)` that returns a list of
`Result`s; this script prints them as a table, writes bench-results/latest.json and
exits non-zero if a target is missed.
"""

import importlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

BENCHMARKS = ["bench.matrix", "bench.exports", "bench.api"]
SUBRISKS = int(os.environ.get("BENCH_SUBRISKS", "10000"))


@dataclass
class Result:
    name: str
    value: float
    unit: str
    target: str
    ok: bool


def _ensure_database(url):
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskregister.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks-only")
    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/riskregister_bench"
    )
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The benchmarks run on PostgreSQL: set DATABASE_URL to one.")
    _ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    from bench.generate import big_register_document
    from risks.models import Register
    from risks.services import register_create_from_document

    call_command("migrate", verbosity=0)
    reference = f"BENCH-{SUBRISKS}"
    Register.objects.filter(reference=reference).delete()
    register = register_create_from_document(
        data=big_register_document(reference=reference, subrisks=SUBRISKS)
    )

    results = []
    for module_name in sys.argv[1:] or BENCHMARKS:
        module = importlib.import_module(module_name)
        results.extend(module.run(register))

    width = max(len(result.name) for result in results)
    for result in results:
        mark = "ok  " if result.ok else "MISS"
        print(  # noqa: T201
            f"{mark} {result.name:<{width}}  {result.value:>10.3f} {result.unit:<6} "
            f"target {result.target}"
        )
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps([asdict(result) for result in results], indent=2)
    )
    Register.objects.filter(reference=reference).delete()
    sys.exit(0 if all(result.ok for result in results) else 1)


if __name__ == "__main__":
    main()
