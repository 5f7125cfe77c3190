"""Per-check latency through the service layer: queries + engine + recording (+ commit).

Each check runs as a request would: a fresh app context and session, the actor loaded
outside the timed part (that is authentication, not the check), then ``run_check`` and the
commit timed together. Give several ``--database-url`` to compare sizes, e.g. a registry of
10k people against one of 1M (same agencies and agreements)::

    .venv/bin/python bench/bench_checks.py \\
        --database-url sqlite:////tmp/scale/small.sqlite3 \\
        --database-url sqlite:////tmp/scale/large.sqlite3

``--profile`` runs pyinstrument over the timed loop and prints where the time goes.
"""

from __future__ import annotations

import argparse
import time

from common import (
    DEFAULT_URL,
    database_label,
    machine_note,
    make_app,
    print_table,
    scenarios,
    summary,
)


def measure(url: str, checks: int, warmup: int, profile: bool) -> list:
    from sqlalchemy import select

    from registry.auth import token_digest
    from registry.extensions import db
    from registry.models import ApiToken
    from registry.services.checks import run_check

    app = make_app(url)
    work = scenarios(app, checks + warmup)
    with app.app_context():
        actors = {
            s.token: db.session.scalar(
                select(ApiToken.user_id).where(ApiToken.token_hash == token_digest(s.token))
            )
            for s in work
        }
    from common import count_people

    people = count_people(app)

    def one(scenario) -> float:
        from registry.models import User

        with app.app_context():
            actor = db.session.get(User, actors[scenario.token])
            started, cpu = time.perf_counter(), time.process_time()
            run_check(dict(scenario.payload), actor)
            db.session.commit()
            return time.perf_counter() - started, time.process_time() - cpu

    for scenario in work[:warmup]:
        one(scenario)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    measured = [one(scenario) for scenario in work[warmup:]]
    times = [wall for wall, _ in measured]
    cpu = sum(c for _, c in measured) / len(measured)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    with app.app_context():
        db.engine.dispose()
    stats = summary(times)
    return [
        database_label(url),
        people,
        len(times),
        stats["mean"] * 1000,
        stats["p50"] * 1000,
        stats["p99"] * 1000,
        cpu * 1000,
        1 / stats["mean"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help=f"a generated registry (repeatable; default {DEFAULT_URL})",
    )
    parser.add_argument("--checks", type=int, default=2000, help="timed checks per database")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    args = parser.parse_args()
    rows = [
        measure(url, args.checks, args.warmup, args.profile)
        for url in args.database_url or [DEFAULT_URL]
    ]
    print_table(
        ["database", "people", "checks", "mean ms", "p50 ms", "p99 ms", "CPU ms", "checks/s"],
        rows,
    )
    print("Wall-clock latency of one check (one thread); CPU ms is this process's CPU time per")
    print("check, which the other engineers' load on the machine disturbs far less.")
    print(machine_note())


if __name__ == "__main__":
    main()
