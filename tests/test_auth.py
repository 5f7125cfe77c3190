"""Tokens, passwords, sessions, the sign-in rate limit and subject identifiers at rest."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import MetaData, select, update

from config import TestingConfig
from registry import auth, create_app
from registry.extensions import db
from registry.models import ApiToken, User
from registry.models.base import utcnow
from registry.subjects import subject_hash
from tests.helpers import PASSWORD, active_agreement, assert_error, check_payload

TOKENS = "/api/v1/tokens"
PROBE = "/api/v1/vocabularies"


def sign_in(client, email="prac_csc@example.org", password=PASSWORD):
    return client.post(TOKENS, json={"email": email, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def every_stored_value(app) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value of every table."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(bind=db.engine)
        found = []
        with db.engine.connect() as conn:
            for table in metadata.tables.values():
                for row in conn.execute(select(table)).mappings():
                    for column, value in row.items():
                        if value is not None:
                            found.append((table.name, column, str(value)))
        return found


# --- POST /tokens ----------------------------------------------------------------------


def test_sign_in_returns_a_token_and_its_expiry(client, world):
    response = sign_in(client)
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"token", "expires_at"}
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() == timedelta(0)
    lifetime = expires - utcnow()
    assert timedelta(hours=11) < lifetime <= TestingConfig.TOKEN_LIFETIME
    probe = client.get(PROBE, headers=bearer(body["token"]))
    assert probe.status_code == 200


def test_sign_in_is_case_insensitive_on_email(client, world):
    response = sign_in(client, email="  PRAC_CSC@Example.org ")
    assert response.status_code == 201, response.json


def test_unknown_email_and_wrong_password_get_the_same_401(client, world):
    unknown = sign_in(client, email="nobody@example.org")
    wrong = sign_in(client, password="not-the-password")
    assert_error(unknown, 401)
    assert_error(wrong, 401)
    assert unknown.get_json() == wrong.get_json()
    assert "token" not in unknown.get_json()


def test_a_deactivated_user_cannot_sign_in_and_gets_the_same_401(client, world):
    client.patch(
        f"/api/v1/users/{world.users['prac_csc']}",
        json={"active": False},
        headers=world.headers("admin"),
    )
    refused = sign_in(client)
    assert_error(refused, 401)
    assert refused.get_json() == sign_in(client, email="nobody@example.org").get_json()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "prac_csc@example.org"}, {"password"}),
        ({"email": "prac_csc@example.org", "password": ""}, {"password"}),
        ({"email": 5, "password": PASSWORD}, {"email"}),
    ],
)
def test_sign_in_with_missing_fields_is_422(client, world, body, fields):
    response = client.post(TOKENS, json=body)
    body = assert_error(response, 422)
    assert set(body["errors"]["json"]) == fields


def test_only_a_hash_of_the_token_is_stored(app, client, world):
    token = sign_in(client).json["token"]
    stored = every_stored_value(app)
    assert not [where for where in stored if token in where[2]]
    assert not [where for where in stored if token[12:] in where[2]]
    digests = {value for table, column, value in stored if column == "token_hash"}
    assert auth.token_digest(token) in digests


# --- token lifetime --------------------------------------------------------------------


def _set_expiry(app, token: str, when: datetime) -> None:
    with app.app_context():
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == auth.token_digest(token))
            .values(expires_at=when)
        )
        db.session.commit()


def test_an_expired_token_is_401(app, client, world):
    token = sign_in(client).json["token"]
    assert client.get(PROBE, headers=bearer(token)).status_code == 200
    _set_expiry(app, token, utcnow() - timedelta(seconds=1))
    body = assert_error(client.get(PROBE, headers=bearer(token)), 401)
    assert "token" in body["message"].lower()


def test_sign_out_revokes_only_that_token(client, world):
    first = sign_in(client).json["token"]
    second = sign_in(client).json["token"]
    response = client.delete(f"{TOKENS}/current", headers=bearer(first))
    assert response.status_code == 204
    assert response.data == b""
    assert_error(client.get(PROBE, headers=bearer(first)), 401)
    assert_error(client.delete(f"{TOKENS}/current", headers=bearer(first)), 401)
    assert client.get(PROBE, headers=bearer(second)).status_code == 200


def test_deactivation_stops_the_users_tokens_at_once(client, world):
    assert client.get(PROBE, headers=world.headers("prac_pol")).status_code == 200
    response = client.patch(
        f"/api/v1/users/{world.users['prac_pol']}",
        json={"active": False},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.json
    assert_error(client.get(PROBE, headers=world.headers("prac_pol")), 401)
    response = client.post(
        "/api/v1/checks",
        json=check_payload(provider="POL", recipient="CSC"),
        headers=world.headers("prac_pol"),
    )
    assert_error(response, 401)
    # Reactivation restores the account; nothing else was affected meanwhile.
    assert client.get(PROBE, headers=world.headers("prac_csc")).status_code == 200


def test_deactivated_lead_cannot_sign(client, world):
    from tests.helpers import agreement_payload, create_agreement

    create_agreement(client, world, agreement_payload("ISA-1"))
    client.patch(
        f"/api/v1/users/{world.users['lead_pol']}",
        json={"active": False},
        headers=world.headers("admin"),
    )
    response = client.post("/api/v1/agreements/ISA-1/signatures", headers=world.headers("lead_pol"))
    assert_error(response, 401)


# --- browser sessions do not authorise the API ----------------------------------------


def _session_id(app, key_id: int) -> str:
    with app.app_context():
        user = db.session.get(User, key_id)
        return f"{user.id}:{user.session_version}"


def test_a_session_cookie_alone_does_not_authorise_the_api(app, client, world):
    ident = _session_id(app, world.users["admin"])
    # The same session value is a valid sign-in outside the API...
    with app.test_request_context("/"):
        assert auth._load_user_from_session(ident) is not None
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
    # ...but the API answers 401 to it.
    for method, path in (
        ("GET", PROBE),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/audit/verify"),
        ("POST", "/api/v1/agencies"),
        ("DELETE", f"{TOKENS}/current"),
    ):
        body = {"code": "ZZZ", "name": "Z", "sector": "other"} if method == "POST" else None
        response = client.open(path, method=method, json=body)
        assert_error(response, 401)
    assert client.get("/api/v1/agencies/ZZZ", headers=world.headers("admin")).status_code == 404


def test_deactivation_ends_browser_sessions(app, client, world):
    ident = _session_id(app, world.users["prac_csc"])
    client.patch(
        f"/api/v1/users/{world.users['prac_csc']}",
        json={"active": False},
        headers=world.headers("admin"),
    )
    client.patch(
        f"/api/v1/users/{world.users['prac_csc']}",
        json={"active": True},
        headers=world.headers("admin"),
    )
    with app.test_request_context("/"):
        # The old session died with the deactivation, even though the user is active again.
        assert auth._load_user_from_session(ident) is None
        assert auth._load_user_from_session(_session_id(app, world.users["prac_csc"]))


# --- passwords -------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(app, client, world):
    response = client.post(
        "/api/v1/users",
        json={
            "email": "new@example.org",
            "name": "New",
            "role": "auditor",
            "password": "a-long-enough-password",
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201
    with app.app_context():
        hashes = db.session.scalars(select(User.password_hash)).all()
    assert len(hashes) == len(world.users) + 1
    assert all(h.startswith("$argon2id$") for h in hashes)
    stored = every_stored_value(app)
    assert not [w for w in stored if "a-long-enough-password" in w[2] or PASSWORD in w[2]]


# --- the sign-in rate limit ------------------------------------------------------------


def test_sign_in_is_rate_limited(database_url, world):
    limited = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    try:
        client = limited.test_client()
        for _ in range(3):
            assert_error(sign_in(client, password="wrong-password-guess"), 401)
        response = sign_in(client)  # even the right password
        body = assert_error(response, 429)
        assert "token" not in body
        assert response.headers.get("Retry-After")
        # Other endpoints are not limited.
        assert client.get(PROBE, headers=world.headers("auditor")).status_code == 200
    finally:
        with limited.app_context():
            db.engine.dispose()


def test_sign_in_is_not_limited_in_tests_by_default(client, world):
    for _ in range(12):
        assert_error(sign_in(client, password="wrong-password-guess"), 401)
    assert sign_in(client).status_code == 201


# --- subject identifiers never reach the database in clear -----------------------------


SUBJECT = "9434765919"


def test_subject_identifiers_are_never_stored_in_clear(app, client, world):
    active_agreement(client, world, "ISA-1", consent_required=True)
    prac = world.headers("prac_csc")
    consent = client.post(
        "/api/v1/subjects/943 476 5919/consents",
        json={"status": "refused", "given_by": "parent", "method": "verbal"},
        headers=prac,
    )
    assert consent.status_code == 201, consent.json
    check = client.post("/api/v1/checks", json=check_payload(subject=SUBJECT), headers=prac)
    assert check.status_code == 201, check.json
    assert check.json["consent"]["status"] == "refused"
    assert SUBJECT not in check.get_data(as_text=True)
    batch = client.post(
        "/api/v1/checks/batch", json={"checks": [check_payload(subject=SUBJECT)]}, headers=prac
    )
    assert batch.status_code == 201
    history = client.get(f"/api/v1/subjects/{SUBJECT}/consents", headers=world.headers("auditor"))
    assert history.json["total"] == 1
    decision = client.post(
        f"/api/v1/checks/{check.json['id']}/decision",
        json={"shared": False},
        headers=prac,
    )
    assert decision.status_code == 201, decision.json
    client.get(f"/api/v1/checks/{check.json['id']}", headers=world.headers("auditor"))

    stored = every_stored_value(app)
    leaks = [
        (table, column)
        for table, column, value in stored
        if SUBJECT in value or "943 476 5919" in value
    ]
    assert leaks == []
    # The scan did see the records, under the keyed hash.
    with app.app_context():
        hashed = subject_hash(SUBJECT)
    tables = {table for table, _, value in stored if value == hashed}
    assert {"consent_records", "share_checks", "audit_events"} <= tables
    # And the audit trail as exported carries no identifier either.
    trail = client.get("/api/v1/audit?format=jsonl", headers=world.headers("auditor"))
    assert trail.status_code == 200
    assert SUBJECT not in trail.get_data(as_text=True)
