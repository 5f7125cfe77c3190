"""Long requests tell the app server that their worker is alive, not stuck.

gunicorn kills a worker that has not reported for GUNICORN_TIMEOUT seconds (30 by default),
and a sync worker reports only between requests. At national size an export (the agreement
register, the decision log, the audit trail) or a walk of the whole audit chain takes longer
than that, so such a request was killed part-way: a CSV cut off mid-file under a 200
status, or no answer at all. gunicorn.conf.py hands each worker's own `notify` to `report_to`,
and the code that reads in batches calls `beat()` before each batch: a request that is making
progress is never killed, one that is stuck still is. Elsewhere (the command line, tests, the
development server) nothing has been handed over and `beat` does nothing.
"""

from collections.abc import Callable

_notify: Callable[[], None] | None = None


def report_to(notify: Callable[[], None] | None) -> None:
    """Send this process's beats to `notify` (None: nowhere)."""
    global _notify
    _notify = notify


def beat() -> None:
    """Say that this worker is alive and working."""
    if _notify is not None:
        _notify()
