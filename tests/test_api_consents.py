"""Consent records through the API: append-only, scoped, normalised, and every read audited."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.clock import today_uk
from registry.extensions import db
from registry.models import AuditEvent, ConsentRecord
from registry.subjects import subject_hash
from tests.helpers import active_agreement

SUBJECT = "943 476 5919"


def _url(subject: str = SUBJECT) -> str:
    return f"/api/v1/subjects/{subject}/consents"


def _consent(**overrides) -> dict:
    payload = {"status": "granted", "given_by": "subject", "method": "written"}
    payload.update(overrides)
    return payload


def _iso(days: int = 0) -> str:
    return (today_uk() + timedelta(days=days)).isoformat()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ConsentRecord)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_record_with_scope_and_defaults(app, client, world):
    active_agreement(client, world)
    response = client.post(
        _url(),
        json=_consent(
            agreement="ISA-1",
            recipients=["POL", "NHS", "POL"],
            purposes=["safeguarding_children"],
            data_categories=["social_care", "health"],
            given_by="parent",
            method="verbal",
            evidence="Call note 12",
            notes="Mother agreed",
        ),
        headers=world.headers("prac_csc"),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert isinstance(body["id"], int)
    assert body["status"] == "granted"
    assert body["agreement"] == "ISA-1"
    assert body["recipients"] == ["NHS", "POL"]
    assert body["purposes"] == ["safeguarding_children"]
    assert body["data_categories"] == ["health", "social_care"]
    assert body["given_by"] == "parent"
    assert body["method"] == "verbal"
    assert body["effective_from"] == _iso()  # defaults to today (UK)
    assert body["expires_on"] is None
    assert body["evidence"] == "Call note 12"
    assert body["recorded_by"] == "Prac Csc"
    assert body["recorded_at"].endswith("+00:00")
    assert SUBJECT not in str(body) and "9434765919" not in str(body)
    with app.app_context():
        record = db.session.get(ConsentRecord, body["id"])
        assert record.subject_hash == subject_hash(SUBJECT)
        assert len(record.subject_hash) == 64


def test_minimal_record_has_empty_scope(client, world):
    response = client.post(_url(), json=_consent(), headers=world.headers("lead_pol"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["agreement"] is None
    assert body["recipients"] == [] and body["purposes"] == [] and body["data_categories"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status": "maybe"}, "status"),
        ({"given_by": "neighbour"}, "given_by"),
        ({"method": "telepathy"}, "method"),
        ({"purposes": ["gossip"]}, "purposes"),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        ({"recipients": ["ZZZ"]}, "recipients"),
        ({"agreement": "NO-SUCH-ISA"}, "agreement"),
        ({"effective_from": _iso(5), "expires_on": _iso(5)}, "expires_on"),
        ({"effective_from": _iso(5), "expires_on": _iso(4)}, "expires_on"),
        ({"expires_on": _iso(0)}, "expires_on"),  # effective_from defaults to today
        ({"effective_from": "31/12/2026"}, "effective_from"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_record_is_422_per_field_and_records_nothing(app, client, world, overrides, field):
    before = _counts(app)
    response = client.post(_url(), json=_consent(**overrides), headers=world.headers("prac_csc"))
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]) == [field], response.json
    assert _counts(app) == before


def test_missing_required_fields_are_named(client, world):
    response = client.post(_url(), json={}, headers=world.headers("prac_csc"))
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]["json"]) == {"status", "given_by", "method"}


def test_only_practitioners_and_leads_record(client, world):
    for who in ("admin", "auditor"):
        response = client.post(_url(), json=_consent(), headers=world.headers(who))
        assert response.status_code == 403, (who, response.json)
    assert client.post(_url(), json=_consent()).status_code == 401


def test_history_newest_first_and_normalised_identifier(client, world):
    prac = world.headers("prac_csc")
    # Three spellings of the same NHS number are the same person.
    first = client.post(_url("9434765919"), json=_consent(effective_from=_iso(-30)), headers=prac)
    second = client.post(
        _url("943 476 5919"),
        json=_consent(status="withdrawn", effective_from=_iso(-5)),
        headers=prac,
    )
    third = client.post(
        _url("943%20476%205919"),
        json=_consent(status="refused", effective_from=_iso(-5)),
        headers=prac,
    )
    client.post(_url("1234567890"), json=_consent(), headers=prac)  # someone else
    assert {r.status_code for r in (first, second, third)} == {201}
    response = client.get(_url("9434765919"), headers=world.headers("auditor"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["total"] == 3
    # Latest effective_from first; same day: the later record first.
    assert [r["id"] for r in body["items"]] == [
        third.json["id"],
        second.json["id"],
        first.json["id"],
    ]
    assert [r["status"] for r in body["items"]] == ["refused", "withdrawn", "granted"]
    paged = client.get(_url(), query_string={"per_page": 2, "page": 2}, headers=prac).json
    assert paged["total"] == 3 and [r["id"] for r in paged["items"]] == [first.json["id"]]


def test_history_of_an_unknown_person_is_empty(client, world):
    response = client.get(_url("000"), headers=world.headers("prac_sch"))
    assert response.status_code == 200, response.json
    assert response.json == {"items": [], "total": 0, "page": 1, "per_page": 50}


def test_admin_cannot_read_history(client, world):
    response = client.get(_url(), headers=world.headers("admin"))
    assert response.status_code == 403, response.json


def test_records_are_never_edited_or_deleted(app, client, world):
    prac = world.headers("prac_csc")
    created = client.post(_url(), json=_consent(), headers=prac).json
    for method in (client.patch, client.put, client.delete):
        response = method(_url(), json={"status": "refused"}, headers=prac)
        assert response.status_code == 405, response.json
        assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    item = client.delete(f"{_url()}/{created['id']}", headers=prac)
    assert item.status_code in (404, 405)
    history = client.get(_url(), headers=prac).json
    assert [(r["id"], r["status"]) for r in history["items"]] == [(created["id"], "granted")]


def test_reading_history_is_audited_with_the_subject_hash(app, client, world):
    client.post(_url(), json=_consent(), headers=world.headers("prac_csc"))
    response = client.get(_url("9434765919"), headers=world.headers("lead_pol"))
    assert response.status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert event.action == "consent.read"
        assert event.actor_id == world.users["lead_pol"]
        assert event.subject_hash == subject_hash(SUBJECT)
        assert event.details == {"records": 1}
        recorded = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "consent.record")
        )
        assert recorded.subject_hash == subject_hash(SUBJECT)
        assert recorded.details == {"status": "granted"}
        assert SUBJECT not in str(event.details)
