"""HTTP under gunicorn (2 workers) and wrk (16 connections): POST /api/v1/checks vs GET /healthz.

Both endpoints are measured against the same server in the same run, alternating
(healthz, checks, healthz, checks, ...), and the table gives requests per second, p50 and p99
latency of each and the ratio checks/healthz (the target is at least 0.4).

Needs wrk (not a Python package): ``apt-get update && apt-get install -y wrk``. Example::

    .venv/bin/python bench/bench_http.py --database-url sqlite:////tmp/scale/large.sqlite3
    .venv/bin/python bench/bench_http.py --database-url postgresql://postgres@127.0.0.1/scale_large

wrk runs on the same 2 cores as the server, as in the issue's reference figures.

``--agreement-writes N`` also changes N agreements a second while wrk runs (a version's
title rewritten, which fires the same triggers as a signature or a new version would), as a
national registry's partnerships do all day; each touches one agreement drawn at random.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import DEFAULT_URL, ROOT, database_label, machine_note, make_app, print_table
from common import scenarios as make_scenarios

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def checks_script(scenarios) -> str:
    lines = ["local requests = {}"]
    for s in scenarios:
        body = json.dumps(s.payload)
        lines.append(
            'requests[#requests + 1] = wrk.format("POST", "/api/v1/checks", '
            '{["Content-Type"] = "application/json", '
            f'["Authorization"] = "Bearer {s.token}"}}, [[{body}]])'
        )
    lines.append("local i = math.random(#requests)")
    lines.append("request = function() i = i % #requests + 1; return requests[i] end")
    return "\n".join(lines) + DONE


def healthz_script() -> str:
    return 'wrk.method = "GET"\nwrk.path = "/healthz"\n' + DONE


def run_wrk(url: str, script: str, seconds: int, connections: int, threads: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script, url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU the gunicorn workers have used so far (Linux /proc)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> tuple[int, int]:
    """(all, stolen) CPU time of the machine so far, from /proc/stat (Linux)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[:8]), fields[7]


class AgreementWriter(threading.Thread):
    """Rewrites one random agreement version's title `per_second` times a second."""

    def __init__(self, app, per_second: float) -> None:
        super().__init__(daemon=True)
        self.app, self.interval = app, 1 / per_second
        self.stop = threading.Event()
        self.writes = 0

    def run(self) -> None:
        from sqlalchemy import select, update

        from registry.extensions import db
        from registry.models import AgreementVersion

        rng = random.Random(11)
        with self.app.app_context():
            ids = db.session.scalars(select(AgreementVersion.id)).all()
            db.session.commit()
            while not self.stop.wait(self.interval):
                db.session.execute(
                    update(AgreementVersion)
                    .where(AgreementVersion.id == rng.choice(ids))
                    .values(title=AgreementVersion.title)
                )
                db.session.commit()
                self.writes += 1
            db.engine.dispose()


def ensure_port_free(port: int) -> None:
    """Refuse to start when something already listens there: it would answer instead."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use (another server?): stop it or pass --port")


def wait_until_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited; see its output above")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="healthz+checks pairs")
    parser.add_argument("--warm-up", type=int, default=20, help="seconds of checks first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenarios", type=int, default=2000, help="distinct check requests")
    parser.add_argument(
        "--agreement-writes", type=float, default=0.0, help="agreements changed a second"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get update && apt-get install -y wrk")
    ensure_port_free(args.port)

    app = make_app(args.database_url)
    work = make_scenarios(app, args.scenarios)
    with app.app_context():
        from registry.extensions import db

        db.engine.dispose()
    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    (tmp / "checks.lua").write_text(checks_script(work))
    (tmp / "healthz.lua").write_text(healthz_script())

    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "REGISTRY_CONFIG": "development",
        "DATABASE_URL": args.database_url,
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_ACCESS_LOG": "off",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], cwd=ROOT, env=env
    )
    results: dict[str, list[dict]] = {"GET /healthz": [], "POST /api/v1/checks": []}
    writer = AgreementWriter(app, args.agreement_writes) if args.agreement_writes else None
    try:
        wait_until_up(base, server)
        if writer:
            writer.start()
        # Warm up until each worker has seen every scenario's agency pair and token a few
        # times, as a long-running server has (its caches are filled; see fact_cache.py).
        run_wrk(base, str(tmp / "checks.lua"), args.warm_up, args.connections, args.threads)
        ticks_before = cpu_ticks()
        for _ in range(args.rounds):
            for name, script in (
                ("GET /healthz", "healthz.lua"),
                ("POST /api/v1/checks", "checks.lua"),
            ):
                cpu_before = workers_cpu_seconds(server.pid)
                result = run_wrk(
                    base, str(tmp / script), args.seconds, args.connections, args.threads
                )
                result["cpu_ms"] = (
                    (workers_cpu_seconds(server.pid) - cpu_before) * 1000 / result["requests"]
                )
                results[name].append(result)
        ticks_after = cpu_ticks()
    finally:
        if writer:
            writer.stop.set()
            writer.join()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    for name, runs in results.items():
        rows.append(
            [
                name,
                statistics.median(r["rps"] for r in runs),
                statistics.median(r["p50_us"] for r in runs) / 1000,
                statistics.median(r["p99_us"] for r in runs) / 1000,
                statistics.median(r["cpu_ms"] for r in runs),
                sum(r["errors"] + r["bad_status"] for r in runs),
            ]
        )
    print(
        f"{database_label(args.database_url)}: gunicorn {args.workers} workers, "
        f"wrk {args.connections} connections, {args.rounds} x {args.seconds} s each (medians)"
    )
    print_table(["endpoint", "req/s", "p50 ms", "p99 ms", "worker CPU ms/req", "errors"], rows)
    if writer:
        print(f"agreement writes meanwhile: {writer.writes} ({args.agreement_writes:g} a second)")
    print(
        f"ratio checks/healthz: {rows[1][1] / rows[0][1]:.2f} in requests per second, "
        f"{rows[0][4] / rows[1][4]:.2f} in worker CPU per request"
    )
    total, stolen = (a - b for a, b in zip(ticks_after, ticks_before, strict=True))
    print(f"{machine_note()}; CPU stolen by the host during the measurements: {stolen / total:.0%}")


if __name__ == "__main__":
    main()
