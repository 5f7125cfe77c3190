"""Instructions per request under callgrind: POST /api/v1/checks against GET /healthz.

Timings on a shared virtual machine move by 10-30 % between runs of the same code, which
hides the few per cent most changes are worth. Instructions executed do not: callgrind counts
them exactly, whatever else the machine is doing. Each endpoint is run in two child
processes under ``valgrind --tool=callgrind`` (same warm-up, then a few or many requests
through the Flask test client); the difference divided by the extra requests is the
instructions one request costs. What it cannot see: time in the kernel (SQLite's writes,
locks, page faults) and in the database server, so confirm a real gain with bench_http.py.

Needs valgrind (``apt-get install -y valgrind``); takes a few minutes. Example::

    .venv/bin/python bench/bench_instructions.py --database-url sqlite:////tmp/scale/large.sqlite3
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from common import DEFAULT_URL, database_label, make_app, print_table, scenarios

FEW, MANY = 50, 250
WARM_UP_CHECKS = 150
COLLECTED = re.compile(r"Collected : (\d+)")


def run_requests(url: str, endpoint: str, count: int) -> None:
    """The child: warm up every scenario's caches, then send `count` requests."""
    app = make_app(url)
    work = scenarios(app, WARM_UP_CHECKS)
    client = app.test_client()

    def check(scenario) -> None:
        headers = {"Authorization": f"Bearer {scenario.token}"}
        response = client.post("/api/v1/checks", json=scenario.payload, headers=headers)
        assert response.status_code == 201, response.json

    def healthz() -> None:
        assert client.get("/healthz").status_code == 200

    for scenario in work:
        check(scenario)
    for _ in range(WARM_UP_CHECKS):
        healthz()
    for i in range(count):
        if endpoint == "checks":
            check(work[i % len(work)])
        else:
            healthz()


def instructions(url: str, endpoint: str, count: int) -> int:
    """Instructions of one child run, as callgrind reports them."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--database-url",
        url,
        "--child",
        endpoint,
        str(count),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return int(COLLECTED.search(done.stderr).group(1))


def per_request(url: str, endpoint: str) -> int:
    with ThreadPoolExecutor(max_workers=2) as pool:
        few, many = pool.map(lambda count: instructions(url, endpoint, count), (FEW, MANY))
    return (many - few) // (MANY - FEW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        endpoint, count = args.child
        run_requests(args.database_url, endpoint, int(count))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install -y valgrind")
    healthz = per_request(args.database_url, "healthz")
    checks = per_request(args.database_url, "checks")
    print(f"{database_label(args.database_url)}: instructions per request under callgrind")
    print_table(
        ["endpoint", "instructions/request"],
        [["GET /healthz", healthz], ["POST /api/v1/checks", checks]],
    )
    print(f"ratio healthz/checks in instructions: {healthz / checks:.2f}")


if __name__ == "__main__":
    main()
