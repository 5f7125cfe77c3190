"""People's identifiers never reach the logs: dev-server, app and gunicorn access logs."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from registry.log_redaction import redact_subjects

IDENTIFIER = "9434765919"
ROOT = Path(__file__).resolve().parent.parent


def test_redact_subjects_in_paths_and_query_strings():
    line = f'"GET /api/v1/subjects/{IDENTIFIER}/consents?subject={IDENTIFIER}&x=1 HTTP/1.1" 200'
    redacted = redact_subjects(line)
    assert IDENTIFIER not in redacted
    assert "/subjects/[redacted]/consents" in redacted and "x=1" in redacted
    assert redact_subjects("GET /healthz") == "GET /healthz"


def test_dev_server_and_app_logs_are_redacted(app):
    path = f"/api/v1/subjects/{IDENTIFIER}/consents"
    for logger, msg, args in (
        (logging.getLogger("werkzeug"), '"%s %s %s" %s -', ("GET", path, "HTTP/1.1", 401)),
        (app.logger, "Exception on %s [%s]", (path, "GET")),
    ):
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, msg, args, None)
        assert all(f.filter(record) for f in logger.filters)
        assert "/subjects/[redacted]/consents" in record.getMessage()
        assert IDENTIFIER not in record.getMessage()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_access_log_is_redacted(database_url, tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "REGISTRY_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(log),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/subjects/{IDENTIFIER}/consents"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a local test server
            except urllib.error.HTTPError as err:
                assert err.code == 401
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log.read_text()
    assert "/subjects/[redacted]/consents" in text
    assert IDENTIFIER not in text
