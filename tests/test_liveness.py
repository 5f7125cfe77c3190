"""Long exports and chain walks tell gunicorn their worker is alive, so it does not kill them."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from registry import audit, liveness
from registry.extensions import db
from registry.models import Agency, AuditEvent, AuditHead
from registry.models.base import utcnow
from registry.reports.base import keyset

ROOT = Path(__file__).resolve().parent.parent
#: Enough audit events that streaming the trail takes several seconds.
EVENTS = 250_000
TIMEOUT = 1


@pytest.fixture
def beats(monkeypatch) -> list[str]:
    """The beats this process sends, one entry each."""
    sent: list[str] = []
    monkeypatch.setattr(liveness, "_notify", lambda: sent.append("beat"))
    return sent


def test_beat_does_nothing_until_a_server_asks_for_beats(monkeypatch):
    monkeypatch.setattr(liveness, "_notify", "not called")
    liveness.report_to(None)
    liveness.beat()  # no server: nothing to tell, and no error


def test_report_to_sends_every_beat_to_the_server(monkeypatch):
    monkeypatch.setattr(liveness, "_notify", None)
    sent = []
    liveness.report_to(lambda: sent.append(1))
    liveness.beat()
    liveness.beat()
    assert sent == [1, 1]


def test_reports_beat_before_each_batch_they_read(app, world, beats):
    with app.app_context():
        agencies = db.session.scalar(select(func.count()).select_from(Agency))
        rows = list(keyset(select(Agency), Agency.code, entities=True, batch=2))
    assert len(rows) == agencies
    assert len(beats) == agencies // 2 + 1  # full pages, then the short (or empty) last one


def test_the_audit_chain_walk_beats_before_each_batch(app, world, beats):
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        walked = list(audit.iter_events(batch=3))
    assert len(walked) == events > 3
    assert len(beats) == -(-events // 3) + 1  # each batch, then the empty one that ends it


def test_the_audit_chain_check_beats_and_reports_after_each_batch(app, world, beats):
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
        check = audit.ChainCheck(batch=3)
        checked = list(check.batches())
    assert checked == [*range(3, events, 3), events] and events > 3
    assert check.result.ok and check.result.events == events
    assert len(beats) == len(checked) + 1  # each batch, then the empty one that ends it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _many_events(app, count: int) -> None:
    """`count` more events at the end of the trail, inserted in bulk (their hashes are fake:
    the stream exports them as they are, and no test here verifies the chain)."""
    with app.app_context():
        head = db.session.get(AuditHead, audit.HEAD_ID)
        start, at = head.seq + 1, utcnow()
        for first in range(start, start + count, 10_000):
            seqs = range(first, min(first + 10_000, start + count))
            db.session.execute(
                insert(AuditEvent),
                [
                    {"seq": seq, "at": at, "action": "agreement.read", "details": {"n": seq}}
                    | {"prev_hash": "0" * 64, "hash": f"{seq:064x}"}
                    for seq in seqs
                ],
            )
        head.seq, head.last_hash = start + count - 1, f"{start + count - 1:064x}"
        db.session.commit()
        db.engine.dispose()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(200):
        assert server.poll() is None, "gunicorn exited"
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - local server
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer")


def test_an_export_longer_than_the_worker_timeout_arrives_whole(app, world, database_url):
    _many_events(app, EVENTS)
    port = _free_port()
    env = {
        **os.environ,
        "REGISTRY_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "off",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        request = urllib.request.Request(  # noqa: S310 - our own local server
            base + "/api/v1/audit?format=jsonl", headers=world.headers("auditor")
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            body = response.read()  # a worker killed mid-stream raises IncompleteRead here
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert body.count(b"\n") == events > EVENTS  # the whole trail, this read's event included
    # gunicorn kills a silent worker within 2 timeouts; a quicker export would prove nothing.
    assert elapsed > 2 * TIMEOUT + 0.5, f"export took {elapsed:.1f} s: raise EVENTS"
