"""Exports: time and peak memory of the register, review-due, decision log and coverage CSVs.

Each export runs in a fresh child process (so peak RSS is that export's alone): the app is
built, the baseline RSS noted, then ``GET /api/v1/reports/<name>?format=csv`` is streamed
through the test client as an auditor and the bytes counted. Peak RSS is the child's
ru_maxrss (target for the register: under 300 MB whatever its size). Use the registry
generated with ``--checks 1000000`` for the decision log at 1M checks. Example::

    .venv/bin/python bench/bench_exports.py --database-url sqlite:////tmp/scale/large.sqlite3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from common import DEFAULT_URL, database_label, machine_note, make_app, print_table

#: name -> (path, the table whose rows the export reads)
REPORTS = {
    "agreements": ("/api/v1/reports/agreements?format=csv", "agreements"),
    "review-due": ("/api/v1/reports/review-due?format=csv&within_days=60", "agreements"),
    "decisions": ("/api/v1/reports/decisions?format=csv", "share_checks"),
    "coverage": ("/api/v1/reports/coverage?format=csv", "agreements"),
    # past 5M pairs (about 2,236 agencies) the list above is refused (422); this one is not
    "coverage-covered": ("/api/v1/reports/coverage?format=csv&covered=true", "agreements"),
}


def child(url: str, name: str) -> None:
    from sqlalchemy import func, select, table

    from registry.auth import issue_token
    from registry.extensions import db
    from registry.models import User

    path, counted = REPORTS[name]

    app = make_app(url)
    with app.app_context():
        auditor = db.session.scalar(select(User).where(User.role == "auditor").limit(1))
        token, _ = issue_token(auditor, name="bench")
        db.session.commit()
        rows = db.session.scalar(select(func.count()).select_from(table(counted)))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    client = app.test_client()
    started = time.perf_counter()
    response = client.get(path, headers={"Authorization": f"Bearer {token}"}, buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    status = response.status_code
    print(
        json.dumps(
            {
                "status": status,
                "rows": rows,
                "lines": lines,
                "bytes": size,
                "seconds": elapsed,
                "baseline_mb": baseline / 1024,
                "peak_mb": peak / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=list(REPORTS), action="append", help="these only")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    table = []
    for url in args.database_url or [DEFAULT_URL]:
        for name in args.only or REPORTS:
            out = subprocess.run(  # noqa: S603 - this very script
                [sys.executable, __file__, "--child", url, name],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{database_label(url)} {name}: {r}", flush=True)
            table.append(
                [
                    database_label(url),
                    f"{name} CSV",
                    r["status"],
                    r["rows"],
                    r["lines"] - 1,
                    r["bytes"] / 1e6,
                    r["seconds"],
                    r["baseline_mb"],
                    r["peak_mb"],
                ]
            )
    print_table(
        [
            "database",
            "export",
            "status",
            "rows in table",
            "CSV rows",
            "MB",
            "seconds",
            "RSS before MB",
            "peak RSS MB",
        ],
        table,
    )
    print(machine_note())


if __name__ == "__main__":
    main()
