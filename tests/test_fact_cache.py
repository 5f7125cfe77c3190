"""What a check keeps between requests is never used once the database has changed.

Agencies, agreements, tokens and users are kept per process under a change stamp
(`registry/fact_cache.py`); triggers replace the stamp on every write to those tables. These
tests change the rows behind the cache's back (straight SQL, as psql or another app server
would) and expect the very next request to see the change.
"""

import dataclasses

import pytest
from sqlalchemy import text

from config import TestingConfig
from registry import create_app
from registry.auth import token_digest
from registry.extensions import db
from registry.fact_cache import StampedCache, caches
from registry.models.change_stamp import WATCHED_TABLES
from tests.helpers import active_agreement, check_payload


def _stamps(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(text("SELECT name, stamp FROM change_stamps")).all())


def _sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def _check(client, world, **overrides):
    response = client.post(
        "/api/v1/checks", json=check_payload(**overrides), headers=world.headers("prac_csc")
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _assert_refused(client, world):
    """The practitioner's token no longer signs anyone in."""
    response = client.post(
        "/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc")
    )
    assert response.status_code == 401, response.get_json()


# --- the stamps -----------------------------------------------------------------------

WRITES = {
    "agencies": "UPDATE agencies SET name = name || '.'",
    "agreements": "UPDATE agreements SET state = state",
    "agreement_versions": "UPDATE agreement_versions SET title = title || '.'",
    "agreement_parties": "UPDATE agreement_parties SET role = role",
    "signatures": "DELETE FROM signatures",
    "agreement_events": (
        'INSERT INTO agreement_events (agreement_id, kind, "on", reason, by_id, at) '
        "SELECT id, 'suspended', '2026-01-01', 'test', created_by_id, created_at FROM agreements"
    ),
    "users": "UPDATE users SET name = name || '.'",
    "api_tokens": "UPDATE api_tokens SET name = 'renamed'",
}


@pytest.mark.parametrize("table", sorted(WRITES))
def test_a_write_to_a_watched_table_changes_its_stamps(app, client, world, table):
    active_agreement(client, world)
    before = _stamps(app)
    _sql(app, WRITES[table])
    after = _stamps(app)
    for name, tables in WATCHED_TABLES.items():
        if table in tables:
            assert after[name] != before[name], name
        else:
            assert after[name] == before[name], name


def test_every_watched_table_has_a_write_here():
    assert set(WRITES) == {table for tables in WATCHED_TABLES.values() for table in tables}


def test_a_check_changes_no_stamp(app, client, world):
    active_agreement(client, world)
    before = _stamps(app)
    _check(client, world)
    assert _stamps(app) == before


def test_a_rolled_back_write_leaves_the_stamp_as_it_was(app, world):
    before = _stamps(app)
    with app.app_context():
        db.session.execute(text("UPDATE agencies SET name = 'Renamed'"))
        assert _inside(db.session) != before["facts"]
        db.session.rollback()
    assert _stamps(app) == before


def _inside(session) -> int:
    return session.execute(text("SELECT stamp FROM change_stamps WHERE name = 'facts'")).scalar()


# --- the cache in use -----------------------------------------------------------------


def test_a_check_uses_the_kept_agreements_until_they_change(app, client, world):
    active_agreement(client, world)
    assert _check(client, world)["outcome"] == "share"
    with app.app_context():
        assert len(caches().facts.kept_pairs()) == 1
    _sql(app, "UPDATE agreements SET terminated_on = '2020-01-01'")
    answer = _check(client, world)
    assert answer["outcome"] == "do_not_share"
    assert answer["agreement"] is None


def test_a_new_agreement_is_seen_by_the_next_check(client, world):
    assert _check(client, world)["outcome"] == "do_not_share"
    active_agreement(client, world)
    assert _check(client, world)["outcome"] == "share"


def test_a_deactivated_agency_is_seen_by_the_next_check(app, client, world):
    active_agreement(client, world)
    assert _check(client, world)["outcome"] == "share"
    _sql(app, "UPDATE agencies SET active = :no WHERE code = 'POL'", no=False)
    assert _check(client, world)["outcome"] == "do_not_share"


def test_a_token_revoked_in_the_database_stops_working_at_once(app, client, world):
    active_agreement(client, world)
    _check(client, world)
    _sql(app, "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP")
    _assert_refused(client, world)


def test_an_expired_token_stops_working_though_it_is_kept(app, client, world):
    active_agreement(client, world)
    _check(client, world)
    with app.app_context():
        kept = caches().principals
        key = token_digest(world.tokens["prac_csc"])
        stamp, principal = kept._entries[key]
        past = principal.expires_at.replace(year=2020)
        kept.put(key, stamp, dataclasses.replace(principal, expires_at=past))
    _assert_refused(client, world)


def test_a_user_moved_or_deactivated_in_the_database_is_seen_at_once(app, client, world):
    active_agreement(client, world)
    _check(client, world)
    _sql(
        app,
        "UPDATE users SET agency_id = :pol WHERE email = 'prac_csc@example.org'",
        pol=world.agencies["POL"],
    )
    response = client.post(
        "/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc")
    )
    assert response.status_code == 403
    _sql(app, "UPDATE users SET active = :no WHERE email = 'prac_csc@example.org'", no=False)
    _assert_refused(client, world)


def test_another_app_server_sees_a_change_made_through_this_one(app, client, world, database_url):
    """Two app instances (two servers) on one database: neither serves a stale answer."""
    other = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url).test_client()
    try:
        active_agreement(client, world)
        assert _check(other, world)["outcome"] == "share"
        response = client.post(
            "/api/v1/agreements/ISA-1/terminate",
            json={"reason": "Ended by the partnership."},
            headers=world.headers("lead_csc"),
        )
        assert response.status_code == 200, response.get_json()
        assert _check(other, world)["outcome"] == "do_not_share"
    finally:
        with other.application.app_context():
            db.engine.dispose()


def test_a_server_that_keeps_nothing_still_checks(client, world, database_url):
    """FACT_CACHE_SIZE=0 turns keeping off: every check reads its facts."""
    other = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, FACT_CACHE_SIZE=0
    ).test_client()
    try:
        active_agreement(client, world)
        assert [_check(other, world)["outcome"] for _ in range(2)] == ["share", "share"]
        with other.application.app_context():
            assert len(caches().facts) == 0
    finally:
        with other.application.app_context():
            db.engine.dispose()


def test_a_batch_uses_the_same_kept_facts_as_single_checks(client, world):
    active_agreement(client, world)
    single = _check(client, world)
    response = client.post(
        "/api/v1/checks/batch",
        json={"checks": [check_payload(), check_payload(recipient="NHS")]},
        headers=world.headers("prac_csc"),
    )
    assert response.status_code == 201, response.get_json()
    first, second = response.get_json()["checks"]
    assert first["outcome"] == single["outcome"] == "share"
    assert second["outcome"] == "do_not_share"


# --- the cache itself -----------------------------------------------------------------


def test_a_value_is_used_only_under_the_stamp_it_was_kept_with():
    cache = StampedCache(size=10)
    cache.put("k", 1, "value")
    assert cache.get("k", 1) == "value"
    assert cache.get("k", 2) is None
    assert cache.get("other", 1) is None


def test_nothing_is_kept_without_a_stamp():
    cache = StampedCache(size=10)
    cache.put("k", None, "value")
    assert len(cache) == 0
    assert cache.get("k", None) is None


def test_a_cache_of_size_zero_keeps_nothing():
    cache = StampedCache(size=0)
    cache.put("k", 1, "value")
    assert len(cache) == 0
    assert cache.get_many(["k"], 1, lambda keys: {key: "read" for key in keys}) == {"k": "read"}


def test_the_oldest_values_go_first_when_full():
    cache = StampedCache(size=2)
    for key in "abc":
        cache.put(key, 1, key.upper())
    assert (cache.get("a", 1), cache.get("b", 1), cache.get("c", 1)) == (None, "B", "C")
    assert len(cache) == 2


def test_get_many_loads_only_what_is_missing_and_keeps_it():
    cache = StampedCache(size=10)
    cache.put("a", 1, "A")
    asked = []

    def load(keys):
        asked.append(sorted(keys))
        return {key: key.upper() for key in keys if key != "unknown"}

    assert cache.get_many(["a", "b", "unknown"], 1, load) == {"a": "A", "b": "B"}
    assert asked == [["b", "unknown"]]
    assert cache.get_many(["a", "b"], 1, load) == {"a": "A", "b": "B"}
    assert asked == [["b", "unknown"]]
    assert cache.get_many(["a"], 2, load) == {"a": "A"}
    assert asked[-1] == ["a"]


def test_a_write_earlier_in_the_same_transaction_is_seen_by_a_check(app, client, world):
    """The stamps are read once per transaction, and again after the session writes."""
    from registry.models import Agreement, User
    from registry.services.checks import run_check

    active_agreement(client, world)
    with app.app_context():
        actor = db.session.get(User, world.users["prac_csc"])
        assert run_check(check_payload(), actor).outcome == "share"
        agreement = db.session.scalar(db.select(Agreement))
        agreement.terminated_on = agreement.created_at.date().replace(year=2020)
        assert run_check(check_payload(), actor).outcome == "do_not_share"
        db.session.rollback()
        assert run_check(check_payload(), actor).outcome == "share"
        db.session.rollback()


def test_a_kept_token_holds_no_password_hash(app, client, world):
    active_agreement(client, world)
    _check(client, world)
    with app.app_context():
        _, principal = caches().principals._entries[token_digest(world.tokens["prac_csc"])]
    assert "password_hash" not in {field.name for field in dataclasses.fields(principal)}
    assert principal.id == world.users["prac_csc"]


def test_a_core_write_on_the_connection_in_the_same_transaction_is_seen(app, client, world):
    """A write that bypasses the ORM (no flush, no session event) still forgets the stamps."""
    from registry.models import User
    from registry.services.checks import run_check

    active_agreement(client, world)
    with app.app_context():
        actor = db.session.get(User, world.users["prac_csc"])
        assert run_check(check_payload(), actor).outcome == "share"
        db.session.connection().execute(text("UPDATE agreements SET terminated_on = '2020-01-01'"))
        assert run_check(check_payload(), actor).outcome == "do_not_share"
        db.session.rollback()
