"""The whole run: agencies, users and consent records here; agreements and checks by helpers."""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from registry.clock import today_uk
from registry.domain.vocabulary import SECTORS
from registry.generate.agreements import _AgreementBuilder
from registry.generate.bulk import CHUNK, BulkWriter, _j
from registry.generate.checks import _CheckWriter
from registry.generate.constants import (
    OTHER_CATEGORIES,
    PLACES,
    PURPOSE_CODES,
    SECTOR_PREFIX,
    SECTOR_WEIGHTS,
)
from registry.generate.world import Sizes, World, person_identifier
from registry.subjects import subject_hash

SETVAL = (
    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
    '(SELECT COALESCE(MAX(id), 0) + 1 FROM "{t}"), false)'
)


class Generator:
    def __init__(self, sizes: Sizes, seed: int, subject_key: str, echo: Callable = print):
        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.seed = seed
        self.subject_key = subject_key
        self.echo = echo
        today = today_uk()
        self.world = World(
            today=today,
            start=today - timedelta(days=3 * 365),
            n_areas=max(1, sizes.agencies // 40),
        )
        self.w: BulkWriter | None = None

    # -- helpers -------------------------------------------------------------------------

    def _at(self, day: date, seconds: int | None = None) -> datetime:
        if seconds is None:
            seconds = self.rng.randrange(8 * 3600, 18 * 3600)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)

    def _day_between(self, first: date, last: date) -> date:
        span = (last - first).days
        return first + timedelta(days=self.rng.randint(0, max(span, 0)))

    def _weighted(self, table: dict) -> str:
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def _step(self, name: str, started: float) -> None:
        self.echo(f"  {name:<28} {time.perf_counter() - started:6.1f} s")

    # -- the whole run -------------------------------------------------------------------

    def run(self, engine) -> dict[str, int]:
        self.w = BulkWriter(engine)
        try:
            for name, step in (
                ("agencies and users", self._agencies_and_users),
                ("agreements", self._agreements),
                ("consent records", self._consents),
                ("checks, decisions, audit", self._checks),
                ("finishing", self._finish),
            ):
                started = time.perf_counter()
                step()
                self.w.commit()
                self._step(name, started)
        finally:
            self.w.close()
        return self.world.counts

    # -- agencies and users --------------------------------------------------------------

    def _agencies_and_users(self) -> None:
        world, rng, w = self.world, self.rng, self.w
        sectors = list(SECTORS)
        created = w.ts(self._at(world.start - timedelta(days=30)))
        world.area_agencies = [[] for _ in range(world.n_areas)]
        rows = []
        for i in range(self.sizes.agencies):
            sector = sectors[i] if i < len(sectors) else self._weighted(SECTOR_WEIGHTS)
            code = f"{SECTOR_PREFIX[sector]}{i + 1:05d}"
            area = i % world.n_areas
            place = f"{PLACES[area % len(PLACES)]} {area // len(PLACES) + 1}"
            world.agency_codes.append(code)
            world.agency_area.append(area)
            world.area_agencies[area].append(i)
            rows.append(
                (
                    i + 1,
                    code,
                    f"{place} {SECTORS[sector]} {i + 1}",
                    sector,
                    f"ZA{rng.randrange(100000, 999999)}",
                    f"dpo@{code.lower()}.example",
                    f"APD-{code}" if rng.random() < 0.7 else None,
                    w.b(rng.random() < 0.98 or i < len(sectors)),
                    created,
                    created,
                )
            )
        w.insert(
            "agencies",
            (
                "id",
                "code",
                "name",
                "sector",
                "ico_registration",
                "dpo_email",
                "policy_document",
                "active",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        world.counts["agencies"] = len(rows)
        self._users(created)

    def _users(self, created) -> None:
        from registry.auth import hash_password

        world, w = self.world, self.w
        password = hash_password("generated-registry-password")
        rows = []

        def user(role: str, email: str, name: str, agency: int | None) -> int:
            uid = len(rows) + 1
            rows.append((uid, email, name, role, agency, password, w.b(True), 1, created))
            return uid

        for n in range(2):
            user("admin", f"admin{n + 1}@registry.example", f"Admin {n + 1}", None)
        for n in range(3):
            user("auditor", f"auditor{n + 1}@registry.example", f"Auditor {n + 1}", None)
        for i, code in enumerate(world.agency_codes):
            domain = f"{code.lower()}.example"
            world.lead.append(user("agency_lead", f"lead@{domain}", f"Lead {code}", i + 1))
            world.practitioners.append(
                (
                    user(
                        "practitioner", f"practitioner1@{domain}", f"Practitioner {code} 1", i + 1
                    ),
                    user(
                        "practitioner", f"practitioner2@{domain}", f"Practitioner {code} 2", i + 1
                    ),
                )
            )
        w.insert(
            "users",
            (
                "id",
                "email",
                "name",
                "role",
                "agency_id",
                "password_hash",
                "active",
                "session_version",
                "created_at",
            ),
            rows,
        )
        world.counts["users"] = len(rows)

    # -- agreements ----------------------------------------------------------------------

    def _agreements(self) -> None:
        builder = _AgreementBuilder(self)
        for k in range(self.sizes.agreements):
            builder.add(k + 1)
            if len(builder.versions) >= CHUNK:
                builder.flush()
        builder.flush()
        builder.set_current_versions()
        self.world.counts.update(builder.counts)

    # -- consent records -----------------------------------------------------------------

    def _consents(self) -> None:
        world, rng, w = self.world, self.rng, self.w
        key = self.subject_key
        world.hashes = [subject_hash(person_identifier(i), key) for i in range(self.sizes.people)]
        world.latest_consent = array("l", bytes(8 * self.sizes.people))
        # Writing in hash order keeps the (subject_hash, effective_from) index append-mostly.
        order = sorted(range(self.sizes.people), key=world.hashes.__getitem__)
        counts_weights = (40, 25, 17, 11, 7)
        columns = (
            "id",
            "subject_hash",
            "status",
            "agreement_id",
            "recipients",
            "purposes",
            "data_categories",
            "given_by",
            "method",
            "effective_from",
            "expires_on",
            "evidence",
            "notes",
            "recorded_by_id",
            "recorded_at",
        )
        rows, next_id = [], 1
        for person in order:
            n = rng.choices((1, 2, 3, 4, 5), weights=counts_weights)[0]
            area = rng.randrange(world.n_areas)
            days = sorted(self._day_between(world.start, world.today) for _ in range(n))
            for position, day in enumerate(days):
                rows.append(self._consent_row(next_id, world.hashes[person], area, position, day))
                world.latest_consent[person] = next_id
                next_id += 1
            if len(rows) >= CHUNK:
                w.insert("consent_records", columns, rows)
                rows = []
        w.insert("consent_records", columns, rows)
        world.counts["consent_records"] = next_id - 1

    def _consent_row(self, rid: int, hashed: str, area: int, position: int, day: date) -> tuple:
        world, rng, w = self.world, self.rng, self.w
        roll = rng.random()
        if position == 0:
            status = "granted" if roll < 0.75 else "refused"
        else:
            status = "withdrawn" if roll < 0.3 else ("granted" if roll < 0.8 else "refused")
        agencies = world.area_agencies[area] or [0]
        recipients = purposes = categories = "[]"
        agreement_id = None
        scope = rng.random()
        if scope < 0.15:
            picks = {world.agency_codes[rng.choice(agencies)] for _ in range(rng.randint(1, 2))}
            recipients = _j(sorted(picks))
        elif scope < 0.25:
            purposes = _j(sorted(rng.sample(PURPOSE_CODES, rng.randint(1, 2))))
        elif scope < 0.35:
            categories = _j(sorted(rng.sample(OTHER_CATEGORIES, rng.randint(1, 3))))
        elif scope < 0.40 and world.area_agreements[area]:
            agreement_id = rng.choice(world.area_agreements[area])
        expires = day + timedelta(days=365) if status == "granted" and rng.random() < 0.2 else None
        given_by = rng.choices(
            ("subject", "parent", "guardian", "advocate", "other"), weights=(55, 30, 7, 5, 3)
        )[0]
        method = rng.choice(("written", "verbal", "electronic"))
        recorder = world.practitioners[rng.choice(agencies)][rng.randrange(2)]
        return (
            rid,
            hashed,
            status,
            agreement_id,
            recipients,
            purposes,
            categories,
            given_by,
            method,
            w.d(day),
            w.d(expires),
            None,
            None,
            recorder,
            w.ts(self._at(day)),
        )

    # -- checks, decisions and their audit events -----------------------------------------

    def _checks(self) -> None:
        _CheckWriter(self).run()

    # -- sequences, audit head ------------------------------------------------------------

    def _finish(self) -> None:
        w = self.w
        if w.dialect == "postgresql":
            for table in (
                "agencies",
                "users",
                "agreements",
                "agreement_versions",
                "agreement_parties",
                "signatures",
                "agreement_events",
                "consent_records",
                "share_checks",
                "share_decisions",
            ):
                w.execute(SETVAL.format(t=table))
        # Fresh statistics, so the planner uses the indexes from the first query on.
        w.execute("ANALYZE")
