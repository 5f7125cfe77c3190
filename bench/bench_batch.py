"""POST /api/v1/checks/batch with 1,000 checks: time per batch (target under 1 s).

In-process through the Flask test client (the whole request: auth, validation, every check
recorded and audited, one commit, the JSON response). A batch comes from one agency, as a
case-management system would send it: every check has the same provider, recipients and
subjects drawn like bench_checks' requests. Example::

    .venv/bin/python bench/bench_batch.py --database-url sqlite:////tmp/scale/large.sqlite3
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import DEFAULT_URL, database_label, machine_note, make_app, print_table, scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", action="append")
    parser.add_argument("--size", type=int, default=1000, help="checks per batch")
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for url in args.database_url or [DEFAULT_URL]:
        app = make_app(url)
        client = app.test_client()
        work = scenarios(app, (args.batches + 1) * args.size, seed=11)
        times, cpu = [], []
        for b in range(args.batches + 1):
            chunk = work[b * args.size : (b + 1) * args.size]
            provider, token = chunk[0].payload["provider"], chunk[0].token
            body = {"checks": [{**s.payload, "provider": provider} for s in chunk]}
            for item in body["checks"]:
                if item["recipient"] == provider:
                    item["recipient"] = chunk[1].payload["recipient"]
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/checks/batch", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 201, response.json
            assert len(response.json["checks"]) == args.size
            if b:  # the first batch warms up
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
        rows.append(
            [
                database_label(url),
                args.size,
                len(times),
                statistics.fmean(times),
                max(times),
                statistics.fmean(cpu),
                args.size / statistics.fmean(times),
            ]
        )
    print_table(
        ["database", "checks/batch", "batches", "mean s", "max s", "CPU s", "checks/s"], rows
    )
    print(machine_note())


if __name__ == "__main__":
    main()
