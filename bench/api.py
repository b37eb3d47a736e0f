"""The ratings feed under gunicorn: against a bare view, and 304 against 200.

Starts gunicorn on 127.0.0.1 with one sync worker, sends bounded loops of
requests from one client, one request at a time, alternating the kinds in
rounds so that they share the machine's conditions, and stops gunicorn.

"full" is the feed as any client without an ETag gets it: after the first
request at a content version, its rendered body is kept and sent again.
"built" is the same feed with that body thrown away before each request, as
on the first read after a change.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from bench.run import Result
from risks import roles
from risks.models import ApiToken
from risks.tokens import api_token_issue

HOST = "127.0.0.1"
ROUNDS = 6
PER_ROUND = 40
TIME_LIMIT = 120  # seconds for all the loops together
FEED = "/api/v1/ratings/?page_size=100"
BARE = "/bench/bare-ratings/"
BUILT = "/bench/built-ratings/?page_size=100"


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _get(port, url, headers):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", url, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, response.getheader("ETag"), body
    finally:
        connection.close()


def _wait_until_up(port, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped before serving")
        try:
            _get(port, BARE, {})
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within 30 s")


def _loop(port, url, headers, expected, count):
    started = time.perf_counter()
    for _ in range(count):
        status, _, _ = _get(port, url, headers)
        if status != expected:
            raise RuntimeError(f"{url} answered {status}, not {expected}")
    return time.perf_counter() - started


def _measure(port, key):
    auth = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    status, etag, body = _get(port, FEED, auth)
    if status != 200 or etag is None:
        raise RuntimeError(f"The feed answered {status} without an ETag")
    _, _, bare_body = _get(port, BARE, {})
    if len(bare_body) < len(body) * 0.9:
        raise RuntimeError("The bare view does not serve the same 100 rows")
    _, _, built_body = _get(port, BUILT, auth)
    if json.loads(built_body)["results"] != json.loads(body)["results"]:
        raise RuntimeError("The built feed does not serve the same 100 rows")
    kinds = {
        "bare": (BARE, {}, 200),
        "full": (FEED, auth, 200),
        "304": (FEED, {**auth, "If-None-Match": etag}, 304),
        "built": (BUILT, auth, 200),
    }
    for url, headers, expected in kinds.values():
        _loop(port, url, headers, expected, 10)  # warm-up

    seconds = dict.fromkeys(kinds, 0.0)
    requests = dict.fromkeys(kinds, 0)
    started = time.monotonic()
    for _ in range(ROUNDS):
        for name, (url, headers, expected) in kinds.items():
            seconds[name] += _loop(port, url, headers, expected, PER_ROUND)
            requests[name] += PER_ROUND
        if time.monotonic() - started > TIME_LIMIT:
            break
    return {name: requests[name] / seconds[name] for name in kinds}


def run(register):
    # The register was just written; production tables have statistics from
    # autovacuum, which the planner needs to read a page from an index.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    User = get_user_model()
    user = User.objects.create(username="bench-api-reader")
    user.groups.add(Group.objects.get(name=roles.VIEWER))
    key = api_token_issue(ApiToken(user=user, name="Benchmark"))
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.api_settings"}
    process = subprocess.Popen(  # noqa: S603 - a fixed command, no user input
        [
            sys.executable,
            "-m",
            "gunicorn",
            "riskregister.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    try:
        _wait_until_up(port, process)
        rates = _measure(port, key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        user.delete()

    ratio = rates["full"] / rates["bare"]
    speedup = rates["304"] / rates["full"]
    built_speedup = rates["304"] / rates["built"]
    return [
        Result("API bare view (precomputed JSON)", rates["bare"], "req/s", "-", True),
        Result("API ratings page of 100", rates["full"], "req/s", "-", True),
        Result("API ratings page of 100, built", rates["built"], "req/s", "-", True),
        Result("API ratings 304", rates["304"], "req/s", "-", True),
        # For information: what a 304 saves when no body was kept.
        Result("API 304 / built full GET", built_speedup, "x", "-", True),
        Result("API ratings / bare view", ratio, "x", ">= 0.5", ratio >= 0.5),
        Result("API 304 / full GET", speedup, "x", ">= 5", speedup >= 5),
    ]
