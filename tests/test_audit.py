"""The audit trail: one event per write and per sensitive read, a verifiable hash chain."""

import hashlib
import json
import re

import pytest
from sqlalchemy import delete, event, func, insert, select, text, update

from registry import audit
from registry.audit import GENESIS_HASH
from registry.clock import today_uk
from registry.extensions import db
from registry.models import (
    AuditEvent,
    AuditHead,
    ConsentRecord,
    ShareCheck,
    ShareDecision,
    User,
)
from registry.services.checks import run_check
from registry.subjects import subject_hash
from tests.conftest import ON_POSTGRES
from tests.helpers import PASSWORD, active_agreement, agreement_payload, check_payload

CHAINED = (
    "seq",
    "at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "subject_hash",
    "details",
    "prev_hash",
)


def _events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        db.session.expunge_all()
        return events


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _intact(app) -> dict:
    """What the integrity check says of an intact trail: its count and its last hash."""
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        events = _count(app)
    return {
        "ok": True,
        "events": events,
        "first_broken": None,
        "last_hash": last.hash,
        "anchor_ok": None,
    }


def _broken(events: int, first_broken: int) -> dict:
    return {
        "ok": False,
        "events": events,
        "first_broken": first_broken,
        "last_hash": None,
        "anchor_ok": None,
    }


def _verify(client, world, **anchor) -> dict:
    response = client.get(
        "/api/v1/audit/verify", query_string=anchor, headers=world.headers("auditor")
    )
    assert response.status_code == 200, response.json
    return response.json


# --- every write, and every sensitive read, appends one event --------------------------


def test_every_write_and_sensitive_read_appends_one_event(app, client, world):
    admin, lead, prac = world.headers("admin"), world.headers("lead_csc"), world.headers("prac_csc")
    ids = {}

    def new_user():
        body = {
            "email": "new@example.org",
            "name": "New",
            "role": "practitioner",
            "agency": "CSC",
            "password": PASSWORD,
        }
        response = client.post("/api/v1/users", json=body, headers=admin)
        ids["user"] = response.json.get("id")
        return response

    def check():
        response = client.post("/api/v1/checks", json=check_payload(), headers=prac)
        ids["check"] = response.json.get("id")
        return response

    def consent():
        response = client.post(
            "/api/v1/subjects/943 476 5919/consents",
            json={"status": "granted", "given_by": "subject", "method": "written"},
            headers=prac,
        )
        ids["consent"] = response.json.get("id")
        return response

    def token():
        response = client.post(
            "/api/v1/tokens", json={"email": "prac_sch@example.org", "password": PASSWORD}
        )
        ids["token"] = response.json.get("token")
        return response

    def suspend():
        return client.post("/api/v1/agreements/ISA-1/suspend", json={"reason": "r"}, headers=lead)

    def resume():
        return client.post("/api/v1/agreements/ISA-1/resume", json={}, headers=lead)

    def terminate():
        return client.post(
            "/api/v1/agreements/ISA-1/terminate", json={"reason": "r"}, headers=admin
        )

    with app.app_context():
        hashed = subject_hash("9434765919")
    steps = [
        (
            lambda: client.post(
                "/api/v1/agencies",
                json={"code": "NEW", "name": "New", "sector": "housing"},
                headers=admin,
            ),
            201,
            "agency.create",
            "agency",
            lambda: "NEW",
            None,
        ),
        (
            lambda: client.patch("/api/v1/agencies/NEW", json={"name": "Renamed"}, headers=admin),
            200,
            "agency.update",
            "agency",
            lambda: "NEW",
            None,
        ),
        (new_user, 201, "user.create", "user", lambda: str(ids["user"]), None),
        (
            lambda: client.patch(
                f"/api/v1/users/{ids['user']}", json={"name": "Newer"}, headers=admin
            ),
            200,
            "user.update",
            "user",
            lambda: str(ids["user"]),
            None,
        ),
        (
            lambda: client.post("/api/v1/agreements", json=agreement_payload(), headers=lead),
            201,
            "agreement.create",
            "agreement",
            lambda: "ISA-1",
            None,
        ),
        (
            lambda: client.patch("/api/v1/agreements/ISA-1", json={"title": "T"}, headers=lead),
            200,
            "agreement.update",
            "agreement",
            lambda: "ISA-1",
            None,
        ),
        (
            lambda: client.post("/api/v1/agreements/ISA-1/signatures", headers=lead),
            201,
            "agreement.sign",
            "agreement",
            lambda: "ISA-1",
            None,
        ),
        (
            lambda: client.post(
                "/api/v1/agreements/ISA-1/signatures", headers=world.headers("lead_pol")
            ),
            201,
            "agreement.sign",
            "agreement",
            lambda: "ISA-1",
            None,
        ),
        (consent, 201, "consent.record", "consent", lambda: str(ids["consent"]), hashed),
        (
            lambda: client.get(
                "/api/v1/subjects/9434765919/consents", headers=world.headers("auditor")
            ),
            200,
            "consent.read",
            "subject",
            lambda: None,
            hashed,
        ),
        (check, 201, "check.create", "check", lambda: str(ids["check"]), hashed),
        (
            lambda: client.get(f"/api/v1/checks/{ids['check']}", headers=world.headers("auditor")),
            200,
            "check.read",
            "check",
            lambda: str(ids["check"]),
            hashed,
        ),
        (
            lambda: client.post(
                f"/api/v1/checks/{ids['check']}/decision", json={"shared": True}, headers=prac
            ),
            201,
            "decision.record",
            "check",
            lambda: str(ids["check"]),
            hashed,
        ),
        (
            lambda: client.get("/api/v1/checks", headers=world.headers("lead_csc")),
            200,
            "check.list",
            None,
            None,
            None,
        ),
        (suspend, 200, "agreement.suspended", "agreement", lambda: "ISA-1", None),
        (resume, 200, "agreement.resumed", "agreement", lambda: "ISA-1", None),
        (terminate, 200, "agreement.terminated", "agreement", lambda: "ISA-1", None),
        (token, 201, "token.issue", "token", None, None),
        (
            lambda: client.delete(
                "/api/v1/tokens/current", headers={"Authorization": f"Bearer {ids['token']}"}
            ),
            204,
            "token.revoke",
            "token",
            None,
            None,
        ),
    ]
    for call, status, action, target_type, target_id, subject in steps:
        before = _count(app)
        response = call()
        assert response.status_code == status, (action, response.json)
        events = _events(app)
        assert len(events) == before + 1, (action, [e.action for e in events[before:]])
        event = events[-1]
        assert (event.action, event.target_type) == (action, target_type)
        if target_id is not None:
            assert event.target_id == target_id(), action
        assert event.subject_hash == subject, action
        assert event.actor_id is not None, action
    # The chain is whole after all of that.
    assert _verify(client, world) == _intact(app)


def test_failed_requests_append_nothing(app, client, world):
    active_agreement(client, world)
    admin, lead, prac = world.headers("admin"), world.headers("lead_csc"), world.headers("prac_csc")
    made = client.post("/api/v1/checks", json=check_payload(), headers=prac).json
    client.post(f"/api/v1/checks/{made['id']}/decision", json={"shared": False}, headers=prac)
    failures = [
        (
            lambda: client.post(
                "/api/v1/agencies",
                json={"code": "CSC", "name": "Dup", "sector": "police"},
                headers=admin,
            ),
            409,
        ),
        (lambda: client.post("/api/v1/agreements", json=agreement_payload(), headers=lead), 409),
        (
            lambda: client.post(
                "/api/v1/agreements", json=agreement_payload("X", purposes=["x"]), headers=lead
            ),
            422,
        ),
        (lambda: client.post("/api/v1/agreements/ISA-1/signatures", headers=lead), 409),
        (
            lambda: client.patch(
                "/api/v1/agreements/ISA-1", json={"expires_on": "2020-01-01"}, headers=lead
            ),
            422,
        ),
        (
            lambda: client.post("/api/v1/agreements/ISA-1/resume", json={}, headers=lead),
            409,
        ),
        (
            lambda: client.post(
                "/api/v1/subjects/x/consents",
                json={"status": "granted", "given_by": "subject", "method": "pigeon"},
                headers=prac,
            ),
            422,
        ),
        (
            lambda: client.post(
                "/api/v1/checks", json=check_payload(recipient="ZZZ"), headers=prac
            ),
            422,
        ),
        (
            lambda: client.post(
                "/api/v1/checks/batch",
                json={"checks": [check_payload(), check_payload(provider="ZZZ")]},
                headers=prac,
            ),
            422,
        ),
        (
            lambda: client.post(
                f"/api/v1/checks/{made['id']}/decision", json={"shared": True}, headers=prac
            ),
            409,
        ),
        (
            lambda: client.get(f"/api/v1/checks/{made['id']}", headers=world.headers("prac_pol")),
            403,
        ),
        (
            lambda: client.post(
                "/api/v1/tokens", json={"email": "admin@example.org", "password": "wrong"}
            ),
            401,
        ),
        (lambda: client.get("/api/v1/audit", headers=prac), 403),
    ]
    before = _events(app)
    for call, status in failures:
        response = call()
        assert response.status_code == status, response.json
    after = _events(app)
    assert [(e.seq, e.hash) for e in after] == [(e.seq, e.hash) for e in before]


# --- reading and exporting the trail --------------------------------------------------


def test_audit_list_is_paginated_with_hashes(app, client, world):
    active_agreement(client, world)
    auditor = world.headers("auditor")
    response = client.get("/api/v1/audit", query_string={"per_page": 5}, headers=auditor)
    assert response.status_code == 200, response.json
    page = response.json
    total = _count(app)
    assert page["total"] == total and page["page"] == 1 and page["per_page"] == 5
    items = page["items"]
    assert [e["seq"] for e in items] == [1, 2, 3, 4, 5]
    assert items[0]["prev_hash"] == GENESIS_HASH
    for before, after in zip(items, items[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
        assert len(after["hash"]) == 64
    last = client.get(
        "/api/v1/audit", query_string={"per_page": 5, "page": (total + 4) // 5}, headers=auditor
    ).json
    # The read itself is on the trail, as the last event.
    assert last["items"][-1]["action"] == "audit.read"
    assert last["items"][-1]["actor_id"] == world.users["auditor"]
    assert client.get("/api/v1/audit", headers=world.headers("lead_csc")).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=world.headers("prac_csc")).status_code == 403
    bad = client.get("/api/v1/audit", query_string={"format": "xml"}, headers=auditor)
    assert bad.status_code == 422 and "format" in bad.json["errors"]["query"]


def _verify_exported_chain(lines: list[str]) -> int | None:
    """What an auditor runs on the export, knowing nothing of the registry's code.

    Returns the seq of the first event that does not fit, or None when the chain holds.
    """
    previous, expected = "0" * 64, 1
    for line in lines:
        event = json.loads(line)
        fields = {name: event[name] for name in CHAINED}
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        if event["seq"] != expected or event["prev_hash"] != previous or event["hash"] != digest:
            return expected
        previous, expected = event["hash"], expected + 1
    return None


def test_jsonl_export_verifies_outside_the_registry(app, client, world):
    active_agreement(client, world)
    prac = world.headers("prac_csc")
    client.post(
        "/api/v1/subjects/Zoë 1/consents",
        json={"status": "refused", "given_by": "subject", "method": "written", "notes": "Zoë"},
        headers=prac,
    )
    client.post("/api/v1/checks", json=check_payload(subject="Zoë 1"), headers=prac)
    response = client.get(
        "/api/v1/audit", query_string={"format": "jsonl"}, headers=world.headers("auditor")
    )
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == _count(app)  # every event, the export's own read included
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert json.loads(lines[-1])["action"] == "audit.read"
    assert _verify_exported_chain(lines) is None
    # The verifier is not a rubber stamp: a changed line is caught where it was changed.
    tampered = json.loads(lines[3])
    tampered["details"] = {"forged": True}
    assert _verify_exported_chain([*lines[:3], json.dumps(tampered), *lines[4:]]) == 4
    assert _verify_exported_chain(lines[:2] + lines[3:]) == 3


def test_jsonl_lines_are_the_schemas_dump_of_each_event(app, client, world):
    """The export reads driver rows (audit.exported_events); the schema is its oracle."""
    from registry.api.schemas import AuditEventSchema

    active_agreement(client, world)
    with app.app_context():
        details = {"name": "Zoë “quoted”", "nested": {"b": 1, "a": [1.5, None, True]}}
        audit.record("test.event", actor_id=None, target_id=7, details=details)
        db.session.commit()

    def exported(**window) -> list[str]:
        response = client.get(
            "/api/v1/audit",
            query_string={"format": "jsonl", **window},
            headers=world.headers("auditor"),
        )
        return response.get_data(as_text=True).splitlines()

    def dumped() -> list[str]:
        with app.app_context():
            events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
            return [
                json.dumps(AuditEventSchema().dump(event), separators=(",", ":"))
                for event in events
            ]

    lines = exported()
    assert lines == dumped()  # the export's own read, recorded before it streams, included
    assert r'"details":{"name":"Zo\u00eb \u201cquoted\u201d","nested"' in lines[-2]
    today = today_uk().isoformat()
    assert exported(**{"from": today, "to": today}) == dumped()
    assert exported(to="2000-01-01") == []


def test_verify_reports_a_whole_chain(app, client, world):
    active_agreement(client, world)
    assert _verify(client, world) == _intact(app)


def test_verify_streams_a_newline_per_batch_before_its_answer(app, client, world):
    """So that a proxy does not time out on a long check (registry.audit.ChainCheck)."""
    with app.app_context():
        for n in range(audit.ChainCheck.BATCH):
            audit.record("test.event", actor_id=None, details={"n": n})
        db.session.commit()
    batches = -(-_count(app) // audit.ChainCheck.BATCH)
    assert batches == 2
    response = client.get("/api/v1/audit/verify", headers=world.headers("auditor"))
    assert response.is_streamed and response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    assert body.startswith("\n" * batches + "{")
    assert json.loads(body) == response.json == _intact(app)


def test_verify_page_streams_its_answer(app, client, world):
    from tests.test_web_agreements import browser

    response = browser(app, "auditor").get("/audit-trail/verify", buffered=False)
    assert response.is_streamed
    assert "The audit trail is intact" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


# --- a check's event, appended with its INSERT on PostgreSQL ---------------------------


def _practitioner(world) -> User:
    return db.session.get(User, world.users["prac_csc"])


def test_a_check_on_postgresql_writes_in_two_statements(app, client, world):
    """Its INSERT takes the chain's next place too; the event and the head's hash follow."""
    active_agreement(client, world)
    writes = []

    def keep_writes(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement.split("(")[0].split()[:3])

    with app.app_context():
        actor = _practitioner(world)
        run_check(check_payload(subject="P-warm"), actor)  # the caches, filled
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", keep_writes)
        try:
            check = run_check(check_payload(subject="P-1"), actor)
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", keep_writes)
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.action, last.target_id) == ("check.create", str(check.id))
        assert audit.verify().ok
    if ON_POSTGRES:
        assert writes == [["WITH", "inserted", "AS"], ["WITH", "appended", "AS"]]
    else:  # SQLite has no INSERT inside WITH
        assert writes == [
            ["INSERT", "INTO", "share_checks"],
            ["UPDATE", "audit_head", "SET"],
            ["INSERT", "INTO", "audit_events"],
            ["UPDATE", "audit_head", "SET"],
        ]


def test_an_event_queued_after_a_check_chains_after_its_event(app, client, world):
    active_agreement(client, world)
    with app.app_context():
        actor = _practitioner(world)
        check = run_check(check_payload(), actor)
        audit.record("check.read", actor_id=actor.id, target_type="check", target_id=check.id)
        db.session.commit()
        first, second = db.session.scalars(
            select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)
        ).all()[::-1]
        assert (first.action, second.action) == ("check.create", "check.read")
        assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
        assert audit.verify().ok


# --- tampering ------------------------------------------------------------------------


class _TriggersOff:
    """Lift the append-only protection, as someone with database access could."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        with self.app.app_context(), db.engine.begin() as conn:
            if ON_POSTGRES:
                conn.execute(
                    text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
                )
            else:
                conn.execute(text("DROP TRIGGER audit_events_no_update"))
                conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        return self

    def run(self, statement) -> None:
        with self.app.app_context(), db.engine.begin() as conn:
            result = conn.execute(statement)
            assert result.rowcount != 0  # psycopg reports -1 for an INSERT

    def __exit__(self, *exc):
        # PostgreSQL keeps the template database between tests: put the trigger back.
        if ON_POSTGRES:
            with self.app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
                )


EVENTS = AuditEvent.__table__


@pytest.fixture
def trail(app, client, world):
    active_agreement(client, world)
    client.post("/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc"))
    count = _count(app)
    assert count > 10
    assert _verify(client, world)["ok"] is True
    return count


def test_changed_detail_is_detected(app, client, world, trail):
    with _TriggersOff(app) as db_access:
        db_access.run(update(EVENTS).where(EVENTS.c.seq == 7).values(details={"fields": ["x"]}))
    assert _verify(client, world) == _broken(events=7, first_broken=7)


def test_changed_actor_with_recomputed_hash_is_detected_at_the_next_event(
    app, client, world, trail
):
    from registry.audit import chained_fields, event_hash

    with app.app_context():
        event = db.session.get(AuditEvent, 5)
        event.actor_id = world.users["admin"]
        forged_hash = event_hash(chained_fields(event))
        db.session.rollback()
    with _TriggersOff(app) as db_access:
        db_access.run(
            update(EVENTS)
            .where(EVENTS.c.seq == 5)
            .values(actor_id=world.users["admin"], hash=forged_hash)
        )
    assert _verify(client, world) == _broken(events=6, first_broken=6)


def test_deleted_middle_event_is_detected(app, client, world, trail):
    with _TriggersOff(app) as db_access:
        db_access.run(delete(EVENTS).where(EVENTS.c.seq == 4))
    result = _verify(client, world)
    assert result["ok"] is False
    assert result["first_broken"] == 4


def test_deleted_last_event_is_detected(app, client, world, trail):
    with _TriggersOff(app) as db_access:
        db_access.run(delete(EVENTS).where(EVENTS.c.seq == trail))
    assert _verify(client, world) == _broken(events=trail - 1, first_broken=trail)


def test_forged_event_with_a_wrong_hash_is_detected(app, client, world, trail):
    with app.app_context():
        last = db.session.get(AuditEvent, trail)
        values = {c.name: getattr(last, c.name) for c in EVENTS.columns}
    values.update(seq=trail + 1, action="check.create", prev_hash=values["hash"], hash="f" * 64)
    with _TriggersOff(app) as db_access:
        db_access.run(insert(EVENTS).values(**values))
    result = _verify(client, world)
    assert result == _broken(events=trail + 1, first_broken=trail + 1)


def test_forged_event_chained_correctly_is_detected_by_the_head(app, client, world, trail):
    """A forger who recomputes the hash still cannot move the chain's head."""
    from registry.audit import chained_fields, event_hash

    with app.app_context():
        last = db.session.get(AuditEvent, trail)
        forged = AuditEvent(
            seq=trail + 1,
            at=last.at,
            actor_id=world.users["admin"],
            action="agreement.sign",
            target_type="agreement",
            target_id="ISA-1",
            subject_hash=None,
            details={"version": 1},
            prev_hash=last.hash,
        )
        forged.hash = event_hash(chained_fields(forged))
        values = {c.name: getattr(forged, c.name) for c in EVENTS.columns}
        db.session.rollback()
    with _TriggersOff(app) as db_access:
        db_access.run(insert(EVENTS).values(**values))
    result = _verify(client, world)
    assert result["ok"] is False
    assert result["first_broken"] == trail + 1


def test_forged_event_in_the_middle_is_detected(app, client, world, trail):
    """Renumber the tail to make room, then slip an event in: the next link breaks."""
    with _TriggersOff(app) as db_access, app.app_context():
        with db.engine.begin() as conn:
            for seq in range(trail, 5, -1):
                conn.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(seq=seq + 1))
            previous = conn.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == 5)).scalar_one()
            row = conn.execute(select(EVENTS).where(EVENTS.c.seq == 5)).one()._asdict()
        row.update(seq=6, action="consent.record", prev_hash=previous, hash="a" * 64)
        db_access.run(insert(EVENTS).values(**row))
        with db.engine.begin() as conn:
            conn.execute(update(AuditHead.__table__).values(seq=trail + 1))
    assert _verify(client, world)["first_broken"] == 6


# --- the database itself refuses changes ---------------------------------------------


@pytest.mark.parametrize(
    ("model", "column"),
    [
        (AuditEvent, "action"),
        (ConsentRecord, "status"),
        (ShareCheck, "outcome"),
        (ShareDecision, "justification"),
    ],
)
def test_triggers_reject_update_and_delete(app, client, world, model, column):
    prac = world.headers("prac_csc")
    client.post(
        "/api/v1/subjects/x/consents",
        json={"status": "granted", "given_by": "subject", "method": "written"},
        headers=prac,
    )
    made = client.post("/api/v1/checks", json=check_payload(), headers=prac).json
    client.post(f"/api/v1/checks/{made['id']}/decision", json={"shared": False}, headers=prac)
    table = model.__tablename__
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(model))
        assert before > 0
        for statement in (
            text(f"UPDATE {table} SET {column} = 'forged'"),  # noqa: S608 - fixed names
            text(f"DELETE FROM {table}"),  # noqa: S608 - fixed names
        ):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(statement)
        assert db.session.scalar(select(func.count()).select_from(model)) == before
        assert (
            db.session.scalar(
                select(func.count()).where(text(f"{column} = 'forged'")).select_from(model)
            )
            == 0
        )
    assert _verify(client, world)["ok"] is True


def test_rewritten_last_event_with_recomputed_hash_is_detected(app, client, world, trail):
    from registry.audit import chained_fields, event_hash

    with app.app_context():
        event = db.session.get(AuditEvent, trail)
        event.details = {"outcome": "share_with_justification"}
        forged_hash = event_hash(chained_fields(event))
        db.session.rollback()
    with _TriggersOff(app) as db_access:
        db_access.run(
            update(EVENTS)
            .where(EVENTS.c.seq == trail)
            .values(details={"outcome": "share_with_justification"}, hash=forged_hash)
        )
    assert _verify(client, world) == _broken(events=trail, first_broken=trail)


# --- an anchor kept outside the registry ------------------------------------------------


def _rewrite_whole_chain(app, seq: int) -> None:
    """Change event `seq` and recompute every hash from there on and the head's, as someone
    with write access to the database and the published recipe could."""
    from registry.audit import chained_fields, event_hash

    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.seq >= seq)).all()
        prev_hash = db.session.get(AuditEvent, seq - 1).hash
        forged = []
        for event in sorted(events, key=lambda e: e.seq):
            event.prev_hash = prev_hash
            if event.seq == seq:
                event.details = {**event.details, "forged": True}
            prev_hash = event_hash(chained_fields(event))
            forged.append(
                {
                    "seq": event.seq,
                    "details": event.details,
                    "prev_hash": event.prev_hash,
                    "hash": prev_hash,
                }
            )
        db.session.rollback()
    with _TriggersOff(app) as db_access:
        for values in forged:
            db_access.run(update(EVENTS).where(EVENTS.c.seq == values.pop("seq")).values(**values))
        db_access.run(update(AuditHead).values(last_hash=prev_hash))


def test_a_kept_anchor_catches_a_chain_rewritten_whole(app, client, world, trail):
    kept = _verify(client, world)
    anchor = {"events": kept["events"], "last_hash": kept["last_hash"]}
    assert _verify(client, world, **anchor) == {**_intact(app), "anchor_ok": True}
    _rewrite_whole_chain(app, 3)
    assert _verify(client, world)["ok"] is True  # every link fits: only the anchor can tell
    assert _verify(client, world, **anchor) == {
        "ok": False,
        "events": trail,
        "first_broken": None,
        "last_hash": None,
        "anchor_ok": False,
    }


def test_a_kept_anchor_catches_a_chain_cut_short(app, client, world, trail):
    with app.app_context():
        head = db.session.get(AuditHead, audit.HEAD_ID)
        anchor = {"events": head.seq + 1, "last_hash": "a" * 64}  # one event never appended
    result = _verify(client, world, **anchor)
    assert (result["ok"], result["anchor_ok"], result["first_broken"]) == (False, False, None)


def test_an_anchor_on_an_earlier_event_still_holds_as_the_chain_grows(app, client, world):
    active_agreement(client, world)
    with app.app_context():
        early = db.session.get(AuditEvent, 3)
        anchor = {"events": 3, "last_hash": early.hash}
    result = _verify(client, world, **anchor)
    assert result == {**_intact(app), "anchor_ok": True}
    wrong = _verify(client, world, events=3, last_hash="0" * 64)
    assert (wrong["ok"], wrong["anchor_ok"], wrong["last_hash"]) == (False, False, None)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"events": 3}, {"last_hash": ["Give the last hash with the event number."]}),
        ({"last_hash": "a" * 64}, {"events": ["Give the event number with the last hash."]}),
        ({"events": 0, "last_hash": "a" * 64}, {"events": ["Must be greater than or equal to 1."]}),
        ({"events": 3, "last_hash": "XYZ"}, {"last_hash": ["Must be 64 hexadecimal digits."]}),
    ],
)
def test_an_anchor_needs_both_its_parts_well_formed(client, world, query, errors):
    response = client.get(
        "/api/v1/audit/verify", query_string=query, headers=world.headers("auditor")
    )
    assert response.status_code == 422
    assert response.json["errors"]["query"] == errors


def test_the_verify_page_compares_with_a_kept_anchor(app, client, world):
    from tests.test_web_agreements import browser

    auditor = browser(app, "auditor")
    kept = _verify(client, world)
    anchor = {"events": kept["events"], "last_hash": kept["last_hash"]}
    page = auditor.get("/audit-trail/verify", query_string=anchor).text
    assert f"It still holds event {anchor['events']} with the hash you kept." in page
    blank = auditor.get("/audit-trail/verify", query_string={"events": " ", "last_hash": ""})
    assert "The audit trail is intact" in blank.text and "the hash you kept" not in blank.text
    _rewrite_whole_chain(app, 3)
    page = auditor.get("/audit-trail/verify", query_string=anchor).text
    assert "The audit trail has been altered" in page
    assert f"Event {anchor['events']} no longer has the hash you kept" in page
    assert "The chain breaks at" not in page


def test_the_verify_page_names_a_malformed_anchor(app, world):
    from tests.test_web_agreements import browser

    response = browser(app, "auditor").get("/audit-trail/verify", query_string={"events": "3"})
    assert response.status_code == 400
    assert '<a href="#last_hash">Give the last hash with the event number.</a>' in response.text
    assert re.search(r'<input[^>]*id="events"[^>]*value="3"', response.text)
    assert "The audit trail is intact" not in response.text  # nothing was checked
