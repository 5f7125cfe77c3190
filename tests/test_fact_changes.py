"""Each change to the facts is logged with what it touched, and a process drops only that.

`registry/fact_changes.py` reads the log that migration 0008's triggers keep;
`registry/fact_cache.py`'s `FactsCache` drops what the changes touched. The triggers are
tested on both databases by writing straight SQL, as psql or another app server would. A
kept fact wrongly left in place would be a wrong sharing decision, so every path that
must drop something is tested to drop it.
"""

import threading

import pytest
from sqlalchemy import text

from registry.domain import AgreementFacts
from registry.extensions import db
from registry.fact_cache import FactsCache, caches
from registry.fact_changes import EVERYTHING, ROWS_READ, Changes, Place, changes_in
from registry.facts import PairFacts, provider_pair_facts
from registry.models.change_stamp import FACT_CHANGES_KEPT
from tests.conftest import ON_POSTGRES
from tests.helpers import active_agreement, check_payload


def _sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def _one(app, statement: str, **params):
    with app.app_context():
        return db.session.execute(text(statement), params).one()


def _log_after(app, seq: int) -> set[tuple]:
    with app.app_context():
        rows = db.session.execute(
            text("SELECT agreement_id, agency_id FROM fact_changes WHERE seq > :seq"),
            {"seq": seq},
        )
        return {tuple(row) for row in rows}


def _seq(app) -> int:
    return _one(app, "SELECT seq FROM change_stamps WHERE name = 'facts'")[0]


def _agreement(app, reference: str) -> int:
    return _one(app, "SELECT id FROM agreements WHERE reference = :r", r=reference)[0]


def _check(client, world, **overrides) -> str:
    response = client.post(
        "/api/v1/checks", json=check_payload(**overrides), headers=world.headers("prac_csc")
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["outcome"]


# --- the triggers: what each write logs ------------------------------------------------


@pytest.fixture
def two_agreements(app, client, world):
    """ISA-1 between CSC and POL, ISA-2 between CSC and NHS; returns their ids and agencies."""
    active_agreement(client, world)
    active_agreement(
        client,
        world,
        "ISA-2",
        parties=[{"agency": "CSC", "role": "both"}, {"agency": "NHS", "role": "both"}],
    )
    return _agreement(app, "ISA-1"), _agreement(app, "ISA-2"), world.agencies


def test_a_write_to_an_agreement_table_logs_the_agreement(app, two_agreements):
    first, second, _ = two_agreements
    writes = [
        "UPDATE agreements SET state = state",
        "UPDATE agreement_versions SET title = title || '.'",
        "DELETE FROM signatures",
        'INSERT INTO agreement_events (agreement_id, kind, "on", reason, by_id, at) '
        "SELECT id, 'suspended', '2026-01-01', 'test', created_by_id, created_at FROM agreements",
    ]
    for write in writes:
        before = _seq(app)
        _sql(app, write)
        assert _seq(app) > before, write
        assert _log_after(app, before) == {(first, None), (second, None)}, write


def test_a_write_to_parties_logs_the_agreement_and_each_agency_before_and_after(
    app, two_agreements
):
    first, _, agencies = two_agreements
    before = _seq(app)
    _sql(
        app,
        "UPDATE agreement_parties SET agency_id = :vol WHERE agency_id = :pol",
        vol=agencies["VOL"],
        pol=agencies["POL"],
    )
    assert _log_after(app, before) == {(first, agencies["POL"]), (first, agencies["VOL"])}


def test_a_write_to_agencies_logs_that_anything_may_have_changed(app, two_agreements):
    before = _seq(app)
    _sql(app, "UPDATE agencies SET name = name || '.' WHERE code = 'SCH'")
    assert _log_after(app, before) == {(None, None)}


def test_each_change_is_logged_under_its_number_and_the_stamp_it_set(app, two_agreements):
    first, _, _ = two_agreements
    _sql(app, "UPDATE agreements SET state = state WHERE id = :id", id=first)
    seq, stamp = _one(app, "SELECT seq, stamp FROM change_stamps WHERE name = 'facts'")
    logged = _one(app, "SELECT seq, stamp, agreement_id FROM fact_changes WHERE seq = :s", s=seq)
    assert tuple(logged) == (seq, stamp, first)


def test_a_write_that_changes_no_row_logs_nothing(app, two_agreements):
    before = _one(app, "SELECT seq, stamp FROM change_stamps WHERE name = 'facts'")
    _sql(app, "UPDATE agreements SET state = state WHERE id = -1")
    _sql(app, "DELETE FROM signatures WHERE id = -1")
    assert _one(app, "SELECT seq, stamp FROM change_stamps WHERE name = 'facts'") == before
    assert _log_after(app, before[0]) == set()


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no TRUNCATE")
def test_a_truncate_logs_that_anything_may_have_changed(app, two_agreements):
    before = _seq(app)
    _sql(app, "TRUNCATE agreement_events")
    assert _log_after(app, before) == {(None, None)}


def test_the_log_keeps_only_the_latest_changes(app, two_agreements):
    first, _, _ = two_agreements
    _sql(app, "UPDATE change_stamps SET seq = seq + :n WHERE name = 'facts'", n=FACT_CHANGES_KEPT)
    _sql(app, "UPDATE agreements SET state = state WHERE id = :id", id=first)
    oldest, newest = _one(app, "SELECT min(seq), max(seq) FROM fact_changes")
    assert newest == _seq(app)
    assert oldest > newest - FACT_CHANGES_KEPT
    assert _one(app, "SELECT count(*) FROM fact_changes WHERE seq = 0")[0] == 0


def test_a_rolled_back_write_leaves_no_change(app, two_agreements):
    before = _one(app, "SELECT seq, stamp FROM change_stamps WHERE name = 'facts'")
    with app.app_context():
        db.session.execute(text("UPDATE agreements SET state = state"))
        db.session.rollback()
    assert _one(app, "SELECT seq, stamp FROM change_stamps WHERE name = 'facts'") == before
    assert _log_after(app, before[0]) == set()


# --- reading the log --------------------------------------------------------------------


def test_the_log_names_what_the_changes_after_the_first_touched():
    rows = [(4, 40, None, None), (5, 50, 7, None), (6, 60, 8, 3), (6, 60, 8, 2)]
    assert changes_in(rows, Place(4, 40), Place(6, 60)) == Changes(
        agreements=frozenset({7, 8}), agencies=frozenset({2, 3})
    )


@pytest.mark.parametrize(
    "rows",
    [
        [],  # the log was pruned past the process's place
        [(4, 41, None, None), (5, 50, 7, None)],  # another history (a restored database)
        [(5, 50, 7, None)],  # the place itself is gone
        [(4, 40, None, None), (5, 51, 7, None)],  # the last change is not the current one
        [(4, 40, None, None), (5, 50, None, None)],  # a change that may touch anything
        [(4, 40, None, None)] + [(5, 50, 7, None)] * ROWS_READ,  # more than is worth reading
    ],
)
def test_a_log_that_does_not_plainly_continue_the_history_means_everything(rows):
    assert changes_in(rows, Place(4, 40), Place(5, 50)) == EVERYTHING


# --- the cache --------------------------------------------------------------------------


def _pair(*agreement_ids: int) -> PairFacts:
    agreements = tuple(
        AgreementFacts(id=id, reference=f"ISA-{id}", title="t", versions=()) for id in agreement_ids
    )
    return PairFacts(agreements, {})


def _loader(values: dict):
    asked = []

    def load(keys):
        asked.append(sorted(keys))
        return {key: values[key] for key in keys if key in values}

    return load, asked


FIRST, SECOND = Place(1, 10), Place(2, 20)


def _filled(place: Place = FIRST) -> FactsCache:
    cache = FactsCache(size=10)
    load, _ = _loader({(1, 2): _pair(7), (1, 3): _pair(8), (4, 5): _pair()})
    cache.pairs([(1, 2), (1, 3), (4, 5)], place, load)
    cache.agencies(["CSC"], place, lambda codes: {"CSC": "agency"})
    return cache


def _moved_on(cache: FactsCache, changes: Changes, place: Place = SECOND) -> list:
    read = []
    assert cache.current(place, lambda since, until: read.append((since, until)) or changes)
    assert read == [(Place(1, 10), place)]
    return sorted(cache.kept_pairs())


def test_kept_values_are_used_while_the_place_is_the_same():
    cache = _filled()
    load, asked = _loader({})
    assert cache.pairs([(1, 2)], Place(1, 10), load) == {(1, 2): _pair(7)}
    assert cache.agencies(["CSC"], Place(1, 10), load) == {"CSC": "agency"}
    assert asked == []


def test_a_change_to_an_agreement_drops_the_pairs_that_hold_it():
    cache = _filled()
    assert _moved_on(cache, Changes(agreements=frozenset({7}))) == [(1, 3), (4, 5)]
    assert len(cache) == 3  # the agency is kept


def test_a_change_to_parties_drops_every_pair_of_the_agencies_it_names():
    cache = _filled()
    assert _moved_on(cache, Changes(agreements=frozenset({99}), agencies=frozenset({5}))) == [
        (1, 2),
        (1, 3),
    ]
    cache = _filled()
    assert _moved_on(cache, Changes(agreements=frozenset({99}), agencies=frozenset({1}))) == [
        (4, 5)
    ]


def test_a_change_that_may_touch_anything_drops_everything():
    cache = _filled()
    assert _moved_on(cache, EVERYTHING) == []
    assert len(cache) == 0


def test_the_same_change_number_with_another_stamp_drops_everything_unread():
    cache = _filled()
    assert cache.current(Place(1, 11), lambda *_: pytest.fail("the log is not read"))
    assert len(cache) == 0


def test_a_request_that_sees_an_older_place_neither_uses_nor_keeps():
    cache = _filled(Place(5, 50))
    load, asked = _loader({(1, 2): _pair(7), (6, 7): _pair(9)})
    assert cache.pairs([(1, 2), (6, 7)], Place(4, 40), load) == {
        (1, 2): _pair(7),
        (6, 7): _pair(9),
    }
    assert asked == [[(1, 2), (6, 7)]]
    assert (6, 7) not in cache.kept_pairs()


def test_a_value_read_before_the_place_moved_on_is_not_kept():
    """Another thread applied a change between this request's read and its keeping."""
    cache = _filled()

    def load(keys):
        cache.current(Place(2, 20), lambda *_: Changes(agreements=frozenset({9})))
        return {key: _pair(9) for key in keys}

    assert cache.pairs([(6, 7)], Place(1, 10), load) == {(6, 7): _pair(9)}
    assert (6, 7) not in cache.kept_pairs()


def test_nothing_is_kept_without_a_place_or_with_size_zero():
    for cache, place in ((FactsCache(size=10), None), (FactsCache(size=0), Place(1, 10))):
        load, asked = _loader({(1, 2): _pair(7)})
        for _ in range(2):
            assert cache.pairs([(1, 2)], place, load) == {(1, 2): _pair(7)}
        assert len(asked) == 2
        assert len(cache) == 0


def test_the_oldest_pairs_go_first_when_full():
    cache = FactsCache(size=2)
    for key in [(1, 2), (1, 3), (1, 4)]:
        cache.pairs([key], Place(1, 10), lambda keys: {k: _pair() for k in keys})
    assert sorted(cache.kept_pairs()) == [(1, 3), (1, 4)]


# --- in use -----------------------------------------------------------------------------


def test_a_write_to_another_agreement_keeps_the_pair(app, client, world, two_agreements):
    _, second, _ = two_agreements
    assert _check(client, world) == "share"
    _sql(
        app,
        "UPDATE agreement_versions SET title = title || '.' WHERE agreement_id = :id",
        id=second,
    )
    assert _check(client, world) == "share"
    with app.app_context():
        assert list(caches().facts.kept_pairs()) == [(world.agencies["CSC"], world.agencies["POL"])]
    _check(client, world, recipient="NHS")
    with app.app_context():
        assert len(caches().facts.kept_pairs()) == 2


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE agreements SET terminated_on = '2020-01-01' WHERE id = :id",
        "UPDATE agreement_versions SET purposes = '[\"housing_support\"]' WHERE agreement_id = :id",
        "DELETE FROM signatures WHERE version_id IN "
        "(SELECT id FROM agreement_versions WHERE agreement_id = :id)",
        'INSERT INTO agreement_events (agreement_id, kind, "on", reason, by_id, at) '
        "SELECT id, 'suspended', '2026-01-01', 'test', created_by_id, created_at "
        "FROM agreements WHERE id = :id",
    ],
)
def test_a_write_to_the_pairs_agreement_is_seen_by_the_next_check(
    app, client, world, two_agreements, write
):
    first, _, agencies = two_agreements
    assert _check(client, world) == "share"
    before = _kept_and_fresh(app, agencies["CSC"], agencies["POL"])
    _sql(app, write, id=first)
    _check(client, world)
    kept, fresh = _kept_and_fresh(app, agencies["CSC"], agencies["POL"])
    assert kept == fresh != before[1]


def _kept_and_fresh(app, provider: int, recipient: int) -> tuple[PairFacts, PairFacts]:
    """The pair's agreements as this process keeps them, and as the database has them now."""
    with app.app_context():
        kept = caches().facts.kept_pairs()[(provider, recipient)]
        fresh = provider_pair_facts(provider, [recipient])[recipient]
    return kept, fresh


def test_an_agency_removed_from_the_agreement_is_seen_by_the_next_check(
    app, client, world, two_agreements
):
    assert _check(client, world) == "share"
    _sql(app, "DELETE FROM signatures WHERE agency_id = :pol", pol=world.agencies["POL"])
    _sql(app, "DELETE FROM agreement_parties WHERE agency_id = :pol", pol=world.agencies["POL"])
    assert _check(client, world) == "do_not_share"


def test_an_agency_added_to_an_agreement_is_seen_by_the_next_check(
    app, client, world, two_agreements
):
    """The pair (CSC, SCH) was kept with no agreement; SCH then joins ISA-1 as a party."""
    first, _, agencies = two_agreements
    assert _check(client, world, recipient="SCH") == "do_not_share"
    versions = "FROM agreement_versions WHERE agreement_id = :id"
    _sql(
        app,
        "INSERT INTO agreement_parties (version_id, agency_id, role) "
        f"SELECT id, :sch, 'both' {versions}",  # noqa: S608
        sch=agencies["SCH"],
        id=first,
    )
    _sql(
        app,
        "INSERT INTO signatures (version_id, agency_id, signed_by_id, signed_at) "
        f"SELECT id, :sch, created_by_id, CURRENT_TIMESTAMP {versions}",  # noqa: S608
        sch=agencies["SCH"],
        id=first,
    )
    assert _check(client, world, recipient="SCH") == "share"


def test_a_pruned_log_drops_everything(app, client, world, two_agreements):
    _, second, _ = two_agreements
    assert _check(client, world) == "share"
    _sql(app, "UPDATE change_stamps SET seq = seq + :n WHERE name = 'facts'", n=FACT_CHANGES_KEPT)
    _sql(app, "UPDATE agreements SET state = state WHERE id = :id", id=second)
    _check(client, world, recipient="NHS")
    with app.app_context():
        assert list(caches().facts.kept_pairs()) == [(world.agencies["CSC"], world.agencies["NHS"])]


def test_a_log_with_another_history_drops_everything(app, client, world, two_agreements):
    """As after a restore from a backup: the change the process kept its facts at differs."""
    _, second, _ = two_agreements
    assert _check(client, world) == "share"
    _sql(
        app,
        "UPDATE fact_changes SET stamp = stamp + 1 WHERE seq = (SELECT max(seq) FROM fact_changes)",
    )
    _sql(app, "UPDATE agreements SET state = state WHERE id = :id", id=second)
    _check(client, world, recipient="NHS")
    with app.app_context():
        assert list(caches().facts.kept_pairs()) == [(world.agencies["CSC"], world.agencies["NHS"])]


def test_a_check_after_a_write_in_its_own_transaction_neither_uses_nor_keeps(
    app, client, world, two_agreements
):
    """It sees its own change, and a rollback leaves the kept facts as they were."""
    from registry.models import User
    from registry.services.checks import run_check

    first, _, agencies = two_agreements
    assert _check(client, world) == "share"
    pair = (agencies["CSC"], agencies["POL"])
    with app.app_context():
        kept = caches().facts.kept_pairs()
        actor = db.session.get(User, world.users["prac_csc"])
        db.session.execute(
            text("UPDATE agreements SET terminated_on = '2020-01-01' WHERE id = :id"), {"id": first}
        )
        assert run_check(check_payload(), actor).outcome == "do_not_share"
        db.session.rollback()
        assert caches().facts.kept_pairs() == kept
    assert list(kept) == [pair]
    assert _check(client, world) == "share"


def test_a_statement_that_touches_more_than_is_read_logs_anything(app, two_agreements):
    """PostgreSQL logs one row for such a statement; SQLite logs one change per row."""
    before = _seq(app)
    _sql(
        app,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
        "INSERT INTO agreements (reference, state, created_by_id, created_at, updated_at, "
        "lock_version) SELECT 'BULK-' || CAST(i AS VARCHAR), 'draft', a.created_by_id, "
        "a.created_at, a.created_at, 1 FROM n, agreements a WHERE a.reference = 'ISA-1'",
        count=ROWS_READ + 1,
    )
    with app.app_context():
        rows, changes = db.session.execute(
            text("SELECT count(*), count(DISTINCT seq) FROM fact_changes WHERE seq > :s"),
            {"s": before},
        ).one()
    if ON_POSTGRES:
        assert (rows, changes) == (1, 1)
        assert _log_after(app, before) == {(None, None)}
    else:
        assert rows == changes == ROWS_READ + 1


def test_kept_facts_match_the_database_after_concurrent_checks_and_changes(
    app, world, two_agreements
):
    """Threads of one app check while another thread keeps changing the agreements.

    Reading, dropping and keeping interleave for real here, on one shared cache. Once
    everything has settled, each pair the process still keeps must equal what the database
    holds. The narrowest races rarely happen in so short a run; the tests above drive those
    steps in their racing order instead.
    """
    first, second, agencies = two_agreements
    done = threading.Event()
    failures = []

    def change_agreements() -> None:
        try:
            for i in range(30):
                _sql(
                    app,
                    "UPDATE agreement_versions SET title = :title WHERE agreement_id = :id",
                    title=f"Title {i}",
                    id=(first, second)[i % 2],
                )
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            done.set()

    def check_until_done(recipient: str) -> None:
        client = app.test_client()
        try:
            while not done.is_set():
                _check(client, world, recipient=recipient)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=change_agreements)] + [
        threading.Thread(target=check_until_done, args=(recipient,))
        for recipient in ("POL", "NHS", "POL", "NHS")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    client = app.test_client()
    for recipient in ("POL", "NHS"):
        _check(client, world, recipient=recipient)
        kept, fresh = _kept_and_fresh(app, agencies["CSC"], agencies[recipient])
        assert kept == fresh
        assert kept.agreements[0].title == ("Title 29" if recipient == "NHS" else "Title 28")
