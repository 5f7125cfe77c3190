"""Profile whole API requests in-process (Flask test client) with pyinstrument.

Shows where a ``POST /api/v1/checks`` (or a batch) spends its time: authentication, request
parsing, the service layer, the commit, the response. Example::

    .venv/bin/python bench/profile_request.py --database-url sqlite:////tmp/scale/large.sqlite3
    .venv/bin/python bench/profile_request.py --batch 1000 --requests 3
"""

from __future__ import annotations

import argparse
import time

from common import DEFAULT_URL, machine_note, make_app, scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--batch", type=int, default=0, help="checks per batch (0: single)")
    parser.add_argument(
        "--warm", type=int, default=1, help="passes over all requests before timing (0: cold)"
    )
    parser.add_argument("--html", help="also write the profile as HTML to this file")
    args = parser.parse_args()
    from pyinstrument import Profiler

    app = make_app(args.database_url)
    per_request = max(args.batch, 1)
    work = scenarios(app, (args.requests + 20) * per_request, covered_share=0.8)
    client = app.test_client()
    requests = []
    for i in range(args.requests + 20):
        chunk = work[i * per_request : (i + 1) * per_request]
        if args.batch:
            # A batch comes from one agency: use the first scenario's provider for all.
            provider, token = chunk[0].payload["provider"], chunk[0].token
            body = {"checks": [{**s.payload, "provider": provider} for s in chunk]}
            for item in body["checks"]:  # a check to oneself is invalid: pick another recipient
                if item["recipient"] == provider:
                    item["recipient"] = chunk[1].payload["recipient"]
            requests.append(("/api/v1/checks/batch", token, body))
        else:
            requests.append(("/api/v1/checks", chunk[0].token, chunk[0].payload))

    def send(path, token, body):
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.json

    # Warm up on every request once, so the per-process caches hold what a running server's
    # would (the timed pass repeats the same questions: new checks, cached agreements).
    for request in requests[:20] + requests[20:] * args.warm:
        send(*request)
    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    profiler.start()
    for request in requests[20:]:
        send(*request)
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(profiler.output_text(unicode=True, color=False))
    if args.html:
        with open(args.html, "w") as out:
            out.write(profiler.output_html())
    print(
        f"{args.requests} requests in {elapsed:.2f} s: {elapsed / args.requests * 1000:.2f} ms each"
    )
    print(machine_note())


if __name__ == "__main__":
    main()
