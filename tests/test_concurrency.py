"""Concurrent signing, amending and auditing cannot corrupt an agreement or the chain.

Each thread has its own Flask test client, so each request gets its own app context and
database session, against the test's real database (a SQLite file, or PostgreSQL).
"""

import threading

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from registry.extensions import db
from registry.models import Agreement, AgreementVersion, AuditEvent, ShareCheck, Signature
from registry.services import agreements as agreement_service
from tests.helpers import active_agreement, agreement_payload, check_payload, create_agreement

ROUNDS = 4


def _race(app, calls):
    """Run each call in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        try:
            results[index] = call(client)
        except BaseException as err:  # pragma: no cover - reported below
            results[index] = err

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _versions(app, reference):
    with app.app_context():
        agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        return agreement, [
            (v.number, v.activated_on, sorted(s.agency.code for s in v.signatures))
            for v in agreement.versions
        ]


def _no_fully_signed_draft(app) -> None:
    """Never a version that has every signature but is not in force."""
    with app.app_context():
        for version in db.session.scalars(select(AgreementVersion)):
            if not version.unsigned_party_codes():
                assert version.activated_on is not None, version.agreement.reference


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_leads_sign_at_once(app, world, round_):
    reference = f"ISA-S{round_}"
    with app.test_client() as client:
        create_agreement(client, world, agreement_payload(reference))

    def signer(lead):
        def call(client):
            url = f"/api/v1/agreements/{reference}/signatures"
            first = client.post(url, headers=world.headers(lead))
            if first.status_code == 409:
                # Lost the race: reload and try again, as the message says.
                assert "try again" in first.json["message"], first.json
                retry = client.post(url, headers=world.headers(lead))
                return first.status_code, retry.status_code, retry.json
            return first.status_code, None, first.json

        return call

    results = _race(app, [signer("lead_csc"), signer("lead_pol")])
    for first, retry, _ in results:
        assert first in (201, 409)
        assert retry in (None, 201)
    assert sum(1 for first, retry, _ in results if 201 in (first, retry)) == 2
    agreement, versions = _versions(app, reference)
    assert agreement.state == "active"
    assert len(versions) == 1
    number, activated_on, signed = versions[0]
    assert number == 1 and activated_on is not None
    assert signed == ["CSC", "POL"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 2
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "agreement.sign", AuditEvent.target_id == reference)
            )
            == 2
        )
    _no_fully_signed_draft(app)
    with app.test_client() as client:
        shown = client.get(f"/api/v1/agreements/{reference}", headers=world.headers("admin"))
        assert shown.json["status"] == "active"
        assert shown.json["awaiting_signatures"] == []


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_amendments_at_once_make_one_version_2(app, world, round_):
    reference = f"ISA-P{round_}"
    with app.test_client() as client:
        active_agreement(client, world, reference)

    def amend(lead, title):
        def call(client):
            response = client.patch(
                f"/api/v1/agreements/{reference}",
                json={"title": title},
                headers=world.headers(lead),
            )
            return response.status_code, response.json

        return call

    results = _race(app, [amend("lead_csc", "From CSC"), amend("lead_pol", "From POL")])
    statuses = sorted(status for status, _ in results)
    assert statuses in ([200, 200], [200, 409]), results
    _, versions = _versions(app, reference)
    assert [number for number, _, _ in versions] == [1, 2]
    with app.app_context():
        pending = db.session.scalar(
            select(AgreementVersion.title)
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(Agreement.reference == reference, AgreementVersion.number == 2)
        )
    winners = [body["pending_version"]["title"] for status, body in results if status == 200]
    # The stored draft is the last successful edit of the same pending version 2.
    assert pending in winners
    for status, body in results:
        if status == 200:
            assert body["version"] == 1 and body["pending_version"]["version"] == 2
    with app.test_client() as client:
        shown = client.get(f"/api/v1/agreements/{reference}", headers=world.headers("admin")).json
        assert shown["status"] == "active" and shown["version"] == 1
        assert shown["pending_version"]["version"] == 2


@pytest.mark.parametrize("round_", range(2))
def test_sign_while_amending(app, world, round_):
    """A signature racing an edit of the same draft never signs text it did not see."""
    reference = f"ISA-M{round_}"
    with app.test_client() as client:
        create_agreement(client, world, agreement_payload(reference))
        client.post(f"/api/v1/agreements/{reference}/signatures", headers=world.headers("lead_csc"))

    def sign(client):
        response = client.post(
            f"/api/v1/agreements/{reference}/signatures", headers=world.headers("lead_pol")
        )
        return response.status_code

    def edit(client):
        response = client.patch(
            f"/api/v1/agreements/{reference}",
            json={"title": "Edited"},
            headers=world.headers("lead_csc"),
        )
        return response.status_code

    sign_status, edit_status = _race(app, [sign, edit])
    assert sign_status in (201, 409) and edit_status in (200, 409)
    agreement, versions = _versions(app, reference)
    _no_fully_signed_draft(app)
    if agreement.state == "active":
        # The signature won and the edit came after: the edit is a new pending version 2.
        assert versions[0][2] == ["CSC", "POL"]
    else:
        # The edit cleared the signatures; the draft awaits both parties again or POL only.
        assert versions[0][1] is None


# --- the optimistic lock, deterministically -------------------------------------------


def test_optimistic_lock_raises_stale_data(app, world):
    with app.test_client() as client:
        active_agreement(client, world)
    with app.app_context():
        mine = db.session.scalar(select(Agreement).where(Agreement.reference == "ISA-1"))
        seen = mine.lock_version
        with Session(db.engine) as other:
            theirs = other.scalar(select(Agreement).where(Agreement.reference == "ISA-1"))
            theirs.state = "suspended"
            other.commit()
            assert theirs.lock_version == seen + 1
        mine.state = "terminated"
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()
        fresh = db.session.scalar(select(Agreement).where(Agreement.reference == "ISA-1"))
        assert fresh.state == "suspended"


@pytest.mark.parametrize("action", ["sign", "amend", "suspend"])
def test_api_answers_409_when_someone_changed_the_agreement_meanwhile(
    app, world, monkeypatch, action
):
    """Between loading the agreement and saving, another session commits a change."""
    with app.test_client() as client:
        create_agreement(client, world, agreement_payload())
        if action != "sign":
            client.post("/api/v1/agreements/ISA-1/signatures", headers=world.headers("lead_csc"))
            client.post("/api/v1/agreements/ISA-1/signatures", headers=world.headers("lead_pol"))
    original = agreement_service.get_agreement

    def load_then_interfere(reference, *, for_update=False):
        # Without the row lock (PostgreSQL), so only the optimistic lock stands in the way.
        agreement = original(reference)
        with db.engine.begin() as conn:
            conn.execute(
                update(Agreement.__table__)
                .where(Agreement.__table__.c.reference == reference)
                .values(lock_version=Agreement.__table__.c.lock_version + 1)
            )
        return agreement

    monkeypatch.setattr(agreement_service, "get_agreement", load_then_interfere)
    with app.test_client() as client:
        before = _snapshot(app)
        if action == "sign":
            response = client.post(
                "/api/v1/agreements/ISA-1/signatures", headers=world.headers("lead_csc")
            )
        elif action == "amend":
            response = client.patch(
                "/api/v1/agreements/ISA-1", json={"title": "x"}, headers=world.headers("lead_csc")
            )
        else:
            response = client.post(
                "/api/v1/agreements/ISA-1/suspend",
                json={"reason": "r"},
                headers=world.headers("lead_csc"),
            )
    assert response.status_code == 409, response.json
    assert "Someone else changed this record" in response.json["message"]
    assert _snapshot(app) == before


def _snapshot(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Signature)),
            db.session.scalar(select(func.count()).select_from(AgreementVersion)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(Agreement.state)),
        )


# --- the audit chain under concurrent appenders ----------------------------------------


def test_concurrent_checks_leave_one_unbroken_chain(app, world):
    with app.test_client() as client:
        active_agreement(client, world)
    threads, per_thread = 6, 5

    def checker(n):
        def call(client):
            statuses = []
            for i in range(per_thread):
                payload = check_payload(subject=f"person-{n}-{i}")
                response = client.post(
                    "/api/v1/checks", json=payload, headers=world.headers("prac_csc")
                )
                statuses.append(response.status_code)
            return statuses

        return call

    results = _race(app, [checker(n) for n in range(threads)])
    assert results == [[201] * per_thread] * threads
    with app.app_context():
        seqs = db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))
        assert db.session.scalar(select(func.count()).select_from(ShareCheck)) == 30
        created = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "check.create")
        )
        assert created == threads * per_thread
        head, head_hash = db.session.execute(text("SELECT seq, last_hash FROM audit_head")).one()
        assert head == len(seqs)
    with app.test_client() as client:
        verify = client.get("/api/v1/audit/verify", headers=world.headers("auditor")).json
    assert verify["ok"] is True
    assert (verify["events"], verify["last_hash"]) == (len(seqs), head_hash)
