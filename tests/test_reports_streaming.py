"""Large exports stream: memory stays bounded however many rows there are."""

import tracemalloc

from sqlalchemy import insert, select

from registry.extensions import db
from registry.models import ShareCheck, ShareDecision
from registry.reports import REPORTS
from registry.reports.base import Viewer
from registry.reports.export import export
from tests.helpers import active_agreement, check_payload

ROWS = 20_000


def _many_checks(app, client, world) -> None:
    """ROWS checks, each with a decision and a justification as long as real ones."""
    active_agreement(client, world)
    client.post("/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc"))
    with app.app_context():
        check = db.session.execute(select(ShareCheck.__table__)).one()._asdict()
        for start in range(1, ROWS + 1, 2000):
            ids = range(start, min(start + 2000, ROWS + 1))
            checks = [check | {"id": n, "subject_hash": f"{n:064x}"} for n in ids if n > 1]
            if checks:
                db.session.execute(insert(ShareCheck), checks)
            decisions = [_decision(n, check["checked_by_id"]) for n in ids]
            db.session.execute(insert(ShareDecision), decisions)
        db.session.commit()


def _decision(check_id: int, user_id: int) -> dict:
    return {
        "check_id": check_id,
        "shared": True,
        "justification": f"Check {check_id}: " + "risk of significant harm to the child " * 8,
        "recorded_by_id": user_id,
    }


def test_decision_log_of_20000_checks_streams_in_bounded_memory(app, client, world):
    _many_checks(app, client, world)
    with app.app_context():
        download = export(REPORTS["decisions"], {"format": "csv"}, Viewer.operator())
        tracemalloc.start()
        size = lines = 0
        for chunk in download.chunks:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert lines == ROWS + 1  # every check and the header were written ...
    assert peak < size / 4  # ... but never all held at once (about 2 MB of 10 MB)
