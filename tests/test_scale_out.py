"""Several app-server processes append to the audit trail at once: one chain, no gaps.

Each writer is a separate OS process with its own app and connection pool, as separate
app servers would be; they start together behind a barrier and run share checks through the
service layer (each check writes a check row and appends to the chain) plus plain audit
events, committing each. The chain must come out single and unbroken. On PostgreSQL the
audit head's row lock serialises the appenders; on a SQLite file, the database write lock.
On PostgreSQL it runs again with ASYNC_CHECK_COMMIT on: the chain does not depend on how
commits reach the disk, and with no crash the check ids go on without a gap.
"""

import multiprocessing

import pytest
from sqlalchemy import func, select

from config import TestingConfig
from registry import audit, create_app
from registry.extensions import db
from registry.models import AuditEvent, AuditHead, ShareCheck, User
from tests.conftest import ON_POSTGRES
from tests.helpers import check_payload

WRITERS = 4
CHECKS_EACH = 15
EVENTS_EACH = 10


def _writer(url: str, async_commit: bool, user_id: int, number: int, barrier, results) -> None:
    from registry.services.checks import run_check

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, ASYNC_CHECK_COMMIT=async_commit)
    done = 0
    try:
        barrier.wait(timeout=60)
        for i in range(max(CHECKS_EACH, EVENTS_EACH)):
            if i < CHECKS_EACH:
                with app.app_context():
                    actor = db.session.get(User, user_id)
                    run_check(check_payload(subject=f"PERSON-{number}-{i}"), actor)
                    db.session.commit()
                    done += 1
            if i < EVENTS_EACH:
                with app.app_context():
                    audit.record("scale.test", actor_id=None, details={"writer": number, "i": i})
                    db.session.commit()
                    done += 1
        results.put((number, done, None))
    except Exception as err:  # reported to the test, which fails with it
        results.put((number, done, repr(err)))
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "async_commit",
    [
        False,
        pytest.param(
            True, marks=pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's setting")
        ),
    ],
    ids=["synchronous", "async-check-commit"],
)
def test_concurrent_app_servers_keep_one_unbroken_chain(app, world, database_url, async_commit):
    with app.app_context():
        before = db.session.scalar(select(AuditHead.seq))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    writers = [
        context.Process(
            target=_writer,
            args=(database_url, async_commit, world.users["prac_csc"], number, barrier, results),
        )
        for number in range(WRITERS)
    ]
    for process in writers:
        process.start()
    reports = sorted(results.get(timeout=300) for _ in writers)
    for process in writers:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert [error for *_, error in reports if error] == []
    assert [done for _, done, _ in reports] == [CHECKS_EACH + EVENTS_EACH] * WRITERS

    added = WRITERS * (CHECKS_EACH + EVENTS_EACH)
    with app.app_context():
        result = audit.verify()
        assert result.ok, result
        assert result.events == before + added
        seqs = list(db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        assert seqs == list(range(1, before + added + 1))
        assert db.session.scalar(select(AuditHead.seq)) == before + added
        creates = select(func.count()).where(AuditEvent.action == "check.create")
        assert db.session.scalar(creates) == WRITERS * CHECKS_EACH
        ids = db.session.scalars(select(ShareCheck.id).order_by(ShareCheck.id)).all()
        # Without a crash, no connection moved the ids on (registry/async_commit.py).
        assert ids == list(range(1, WRITERS * CHECKS_EACH + 1))
        per_writer = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "scale.test")
        ).all()
        assert sorted((d["writer"], d["i"]) for d in per_writer) == [
            (w, i) for w in range(WRITERS) for i in range(EVENTS_EACH)
        ]
