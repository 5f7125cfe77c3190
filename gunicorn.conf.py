"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (see docs/performance.md).

Every worker is stateless: sessions are signed cookies, rate-limit counters go to Redis when
RATELIMIT_STORAGE_URI is set, and the audit chain is serialised by the database itself, so
any number of workers on any number of servers can serve the same database.

Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2:
one per core; more did not help on 2 cores), GUNICORN_THREADS (default 1),
GUNICORN_ACCESS_LOG ("-" for stdout, a file path, or "off"), GUNICORN_TIMEOUT (default 30:
seconds a worker may go without reporting; long exports report as they read).
Access-log lines never carry a subject identifier: `/subjects/<identifier>/` path segments
and `subject=` parameters are redacted.
"""

import os

from gunicorn.glogging import Logger

from registry.log_redaction import redact_subjects

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: Builds the app once in the master; workers fork with it (each opens its own connections).
preload_app = True
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger with subject identifiers removed from every access-log atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_subjects(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger


def post_fork(server, worker):
    """Connections opened by the master before the fork must not be shared by workers.

    On SQLite each worker also checkpoints the write-ahead log in a background thread, so no
    request's commit pays for it (registry/sqlite_checkpoint.py). Long exports report that
    their worker is alive, so `timeout` does not kill them part-way (registry/liveness.py).
    """
    from registry import liveness, sqlite_checkpoint
    from registry.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
    sqlite_checkpoint.start_for(app)
    liveness.report_to(worker.notify)
