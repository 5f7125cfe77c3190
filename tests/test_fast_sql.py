"""FastStatement runs SQLAlchemy statements on the driver's cursor with the usual semantics.

Run on both databases (the suite runs on SQLite and PostgreSQL): values go through the
column types both ways, errors are SQLAlchemy's, listeners fire, the session's transaction
is the one written in.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from registry.clock import today_uk
from registry.extensions import db
from registry.fast_sql import FastStatement
from registry.models import AuditHead, ConsentRecord, ShareCheck, User
from tests.helpers import active_agreement

CHECKS = ShareCheck.__table__
INSERT_CHECK = FastStatement(
    insert(CHECKS).returning(CHECKS.c.id),
    columns=[column.key for column in CHECKS.c if column.key != "id"],
)
CHECK_BY_ID = FastStatement(select(CHECKS).where(CHECKS.c.id == bindparam("id")))


def _row(world, **changes) -> dict:
    row = {
        "provider_id": world.agencies["CSC"],
        "recipient_id": world.agencies["POL"],
        "subject_hash": "a" * 64,
        "purpose": "safeguarding_children",
        "data_categories": ["social_care", "health"],
        "on": date(2026, 3, 1),
        "risk_of_harm": True,
        "outcome": "do_not_share",
        "reasons": [{"code": "NO_AGREEMENT", "message": "Nothing covers it — “quoted”."}],
        "agreement_version_id": None,
        "agreement_reference": None,
        "agreement_version": None,
        "also_covered_by": [],
        "lawful_basis": None,
        "consent_id": None,
        "requires_justification": False,
        "valid_until": None,
        "checked_by_id": world.users["prac_csc"],
        "checked_at": datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
    }
    return row | changes


def test_values_go_through_the_column_types_both_ways(app, world):
    with app.app_context():
        connection = db.session.connection()
        ((check_id,),) = INSERT_CHECK.rows(connection, _row(world))
        db.session.commit()
        # The ORM reads back exactly what was written.
        stored = db.session.get(ShareCheck, check_id)
        assert stored.on == date(2026, 3, 1)
        assert stored.checked_at == datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
        assert stored.reasons[0]["message"] == "Nothing covers it — “quoted”."
        assert sorted(stored.data_categories) == ["health", "social_care"]
        assert stored.risk_of_harm is True and stored.consent_id is None
        # And a fast SELECT reads it back typed, as the ORM does.
        (row,) = CHECK_BY_ID.rows(db.session.connection(), {"id": check_id})
        values = dict(zip(CHECKS.c.keys(), row, strict=True))
        assert values["on"] == stored.on
        assert values["checked_at"] == stored.checked_at
        assert values["reasons"] == stored.reasons
        assert values["risk_of_harm"] is True


def test_a_naive_timestamp_is_refused_as_by_the_orm(app, world):
    with app.app_context(), pytest.raises(ValueError, match="naive"):
        INSERT_CHECK.rows(db.session.connection(), _row(world, checked_at=datetime(2026, 3, 1)))


def test_a_refused_row_raises_sqlalchemys_integrity_error_and_rolls_back(app, world):
    with app.app_context():
        connection = db.session.connection()
        before = db.session.scalar(select(func.count()).select_from(ShareCheck))
        with pytest.raises(IntegrityError):
            INSERT_CHECK.rows(connection, _row(world, checked_by_id=999_999))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ShareCheck)) == before


def test_it_writes_in_the_sessions_transaction(app, world):
    with app.app_context():
        INSERT_CHECK.rows(db.session.connection(), _row(world))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ShareCheck)) == 0


def test_literal_values_in_the_statement_are_kept_and_listeners_fire(app, world):
    seen = []
    bump = FastStatement(
        update(AuditHead.__table__)
        .where(AuditHead.__table__.c.id == 1)
        .values(seq=AuditHead.__table__.c.seq + bindparam("count"))
        .returning(AuditHead.__table__.c.seq)
    )
    with app.app_context():
        before = db.session.scalar(select(AuditHead.seq))

        def listen(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            ((seq,),) = bump.rows(db.session.connection(), {"count": 3})
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        db.session.rollback()
    assert seq == before + 3
    assert len(seen) == 1 and seen[0].startswith("UPDATE audit_head")


def test_execute_many_writes_every_row(app, world):
    users = User.__table__
    rename = FastStatement(
        update(users).where(users.c.id == bindparam("user")).values(name=bindparam("new"))
    )
    with app.app_context():
        ids = [world.users["prac_csc"], world.users["lead_pol"]]
        rename.execute_many(
            db.session.connection(), [{"user": i, "new": f"Renamed {i}"} for i in ids]
        )
        db.session.commit()
        names = db.session.scalars(select(User.name).where(User.id.in_(ids))).all()
    assert sorted(names) == sorted(f"Renamed {i}" for i in ids)


def test_a_check_reads_consent_records_the_same_on_either_path(app, client, world):
    """One subject takes the fast path, several the usual one: the facts must not differ."""
    from registry.facts import consent_facts_by_subject
    from registry.subjects import subject_hash

    active_agreement(client, world)
    headers = world.headers("prac_csc")
    consent = {
        "status": "granted",
        "given_by": "subject",
        "method": "written",
        "expires_on": (today_uk() + timedelta(days=30)).isoformat(),
        "agreement": "ISA-1",
        "purposes": ["safeguarding_children"],
        "data_categories": ["social_care"],
    }
    response = client.post("/api/v1/subjects/943 476 5919/consents", json=consent, headers=headers)
    assert response.status_code == 201, response.json
    with app.app_context():
        person, other = subject_hash("9434765919"), subject_hash("OTHER")
        alone = consent_facts_by_subject([person])
        together = consent_facts_by_subject([person, other])
        assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 1
    assert alone[person] == together[person]
    assert len(alone[person]) == 1
    assert alone[person][0].expires_on == today_uk() + timedelta(days=30)
    assert alone[person][0].purposes == frozenset({"safeguarding_children"})
