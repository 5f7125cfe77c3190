"""A synthetic, national-size registry for benchmarks: `flask --app wsgi registry generate`.

Everything is written with bulk inserts on one raw connection (``executemany`` on SQLite,
``COPY`` on PostgreSQL), never the ORM row by row, so a million people with their consent
histories load in minutes. Rows get explicit ids so that later rows can point at earlier
ones without asking the database; PostgreSQL's sequences are moved past them at the end.

What it writes:

- agencies of every sector, grouped into local areas (partnerships form inside an area);
- per agency one lead and two practitioners, plus admins and auditors (one shared password
  hash, so no argon2 cost per user);
- agreements in every state: draft, awaiting signatures, active, active with an amendment
  awaiting signatures, suspended (and resumed), terminated and expired, with 1 to 4 versions,
  parties, signatures and lifecycle events;
- 1 to 5 consent records per person, keyed by ``subject_hash`` of ``person_identifier(i)``;
- past checks (with synthetic outcomes and reasons) and the decisions recorded on them;
- the audit trail: one "bulk import" event per table for the registry data, and one event per
  check and per decision, chained exactly as ``registry.audit`` chains them, so
  ``registry audit-verify`` passes.
"""

from __future__ import annotations

import json
import random
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from registry.audit import GENESIS_HASH, HEAD_ID, chained_fields, event_hash
from registry.clock import today_uk
from registry.domain.vocabulary import DATA_CATEGORIES, PURPOSES, SECTORS
from registry.extensions import db
from registry.models import Agency, Agreement, AuditEvent, ConsentRecord, ShareCheck, User
from registry.subjects import subject_hash

CHUNK = 50_000

SECTOR_WEIGHTS = {
    "education": 40,
    "voluntary": 14,
    "health": 10,
    "housing": 8,
    "children_social_care": 6,
    "adult_social_care": 6,
    "other": 6,
    "police": 4,
    "probation": 3,
    "youth_justice": 3,
}
SECTOR_PREFIX = {
    "children_social_care": "CSC",
    "adult_social_care": "ASC",
    "police": "POL",
    "health": "NHS",
    "education": "EDU",
    "housing": "HOU",
    "probation": "PRB",
    "youth_justice": "YOT",
    "voluntary": "VOL",
    "other": "OTH",
}
PLACES = (
    "Northshire",
    "Riverside",
    "Eastmoor",
    "Westbury",
    "Southdale",
    "Kingsford",
    "Ashton",
    "Brackley",
    "Carrow",
    "Dunmore",
)
#: Share of agreements per lifecycle state; "awaiting" is a draft with some signatures,
#: "amending" an agreement in force with a newer version awaiting signatures.
STATE_WEIGHTS = {
    "draft": 6,
    "awaiting": 4,
    "active": 55,
    "amending": 7,
    "suspended": 5,
    "terminated": 11,
    "expired": 12,
}
GATEWAYS = (
    "Children Act 1989 s47",
    "Children Act 2004 s11",
    "Care Act 2014 s45",
    "Crime and Disorder Act 1998 s115",
    "Working Together to Safeguard Children 2023",
)
REASON_TEXT = {
    "CONSENT_NOT_REQUIRED": "The agreement does not need the person's consent for this share.",
    "CONSENT_GRANTED": "The person consented to this share.",
    "CONSENT_REFUSED": "The person refused consent for this share.",
    "CONSENT_MISSING": "The agreement needs consent and none is on record.",
    "SAFEGUARDING_OVERRIDE": "A risk of significant harm overrides the missing consent.",
    "PURPOSE_NOT_COVERED": "The agreement does not cover this purpose.",
    "NO_AGREEMENT": "No agreement between these agencies covers this share.",
    "URGENT_SAFEGUARDING": "Share now to protect the person from significant harm.",
}
#: (outcome, reason codes, weight) for checks asked under an agreement in force.
COVERED_OUTCOMES = (
    ("share", ("CONSENT_NOT_REQUIRED",), 45),
    ("share", ("CONSENT_GRANTED",), 20),
    ("share_with_justification", ("CONSENT_REFUSED", "SAFEGUARDING_OVERRIDE"), 10),
    ("share_with_justification", ("CONSENT_MISSING", "SAFEGUARDING_OVERRIDE"), 10),
    ("do_not_share", ("CONSENT_REFUSED",), 8),
    ("do_not_share", ("PURPOSE_NOT_COVERED",), 7),
)
#: ... and for checks between agencies with no agreement.
UNCOVERED_OUTCOMES = (
    ("do_not_share", ("NO_AGREEMENT",), 80),
    ("share_with_justification", ("NO_AGREEMENT", "URGENT_SAFEGUARDING"), 20),
)
SPECIAL = frozenset(code for code, c in DATA_CATEGORIES.items() if c.special_category)
CRIMINAL = frozenset(code for code, c in DATA_CATEGORIES.items() if c.criminal_offence)
OTHER_CATEGORIES = sorted(code for code in DATA_CATEGORIES if code != "identity_contact")
PURPOSE_CODES = sorted(PURPOSES)
TABLES_TO_BE_EMPTY = (Agency, User, Agreement, ConsentRecord, ShareCheck, AuditEvent)


SETVAL = (
    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
    '(SELECT COALESCE(MAX(id), 0) + 1 FROM "{t}"), false)'
)


class GenerateRefused(Exception):
    pass


def person_identifier(index: int) -> str:
    """The identifier of generated person ``index`` (0-based): NHS-number-like, 10 digits."""
    return f"9{index:09d}"


# --------------------------------------------------------------------------------------
# Writing rows fast on either database.


class BulkWriter:
    """Bulk inserts on one raw DBAPI connection, with per-dialect value conversion."""

    def __init__(self, engine):
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        self.rows_written = 0
        if self.dialect == "sqlite":
            self.cursor.execute("PRAGMA cache_size = -262144")  # 256 MB while loading
            self.cursor.execute("PRAGMA synchronous = OFF")
            self.ts, self.d, self.b = _sqlite_ts, _sqlite_date, int
        else:
            self.ts, self.d, self.b = _same, _same, _same

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - fixed names
                rows,
            )
        else:
            with self.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        self.rows_written += len(rows)

    def execute(self, sql: str, params: Sequence = ()) -> None:
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        self.cursor.execute(sql, params)

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        if self.dialect == "sqlite":
            self.cursor.execute("PRAGMA synchronous = NORMAL")
        self.cursor.close()
        self.raw.close()


def _sqlite_ts(value: datetime) -> str:
    # SQLAlchemy's SQLite DateTime format, in UTC (UTCDateTime reads it back as UTC).
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _same(value):
    return value


def _j(value) -> str:
    return json.dumps(value, separators=(",", ":"))


# --------------------------------------------------------------------------------------
# The generated world, kept in memory only as far as later tables need it.


@dataclass
class Sizes:
    agencies: int
    agreements: int
    people: int
    checks: int


@dataclass
class World:
    today: date
    start: date
    n_areas: int
    agency_codes: list[str] = field(default_factory=list)
    agency_area: list[int] = field(default_factory=list)
    area_agencies: list[list[int]] = field(default_factory=list)
    #: agency index -> user ids of its lead and practitioners
    lead: list[int] = field(default_factory=list)
    practitioners: list[tuple[int, int]] = field(default_factory=list)
    #: agreements in force: (agreement id, current version id, number, providers, recipients,
    #: purposes, categories, lawful basis dict)
    in_force: list[tuple] = field(default_factory=list)
    area_agreements: list[list[int]] = field(default_factory=list)
    #: person index -> subject hash, and -> id of the person's newest consent record
    hashes: list[str] = field(default_factory=list)
    latest_consent: array = field(default_factory=lambda: array("l"))
    counts: dict[str, int] = field(default_factory=dict)


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


class _AgreementBuilder:
    """Agreements with their versions, parties, signatures and events, in every state."""

    AGREEMENT_COLUMNS = (
        "id",
        "reference",
        "state",
        "current_version_id",
        "terminated_on",
        "created_by_id",
        "created_at",
        "updated_at",
        "lock_version",
    )
    VERSION_COLUMNS = (
        "id",
        "agreement_id",
        "number",
        "title",
        "description",
        "purposes",
        "data_categories",
        "article6",
        "article9",
        "schedule1",
        "article10",
        "statutory_gateways",
        "consent_required",
        "safeguarding_override",
        "effective_from",
        "review_date",
        "expires_on",
        "retention",
        "security_measures",
        "dpia_reference",
        "created_by_id",
        "created_at",
        "activated_on",
        "activated_at",
        "replaced_on",
    )

    def __init__(self, gen: Generator):
        self.gen, self.rng, self.w, self.world = gen, gen.rng, gen.w, gen.world
        self.world.area_agreements = [[] for _ in range(self.world.n_areas)]
        self.agreements, self.versions, self.parties, self.signatures, self.events = (
            [],
            [],
            [],
            [],
            [],
        )
        self.current: list[tuple[int, int]] = []
        self.ids = {"version": 0, "party": 0, "signature": 0, "event": 0}
        self.counts = {k: 0 for k in ("agreements", "versions", "parties", "signatures")}
        self.counts["agreement_events"] = 0

    def _next(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def _parties(self, area: int) -> list[tuple[int, str]]:
        rng = self.rng
        members = self.world.area_agencies[area]
        if len(members) < 2:
            members = list(range(len(self.world.agency_codes)))
        n = min(len(members), rng.choices((2, 3, 4, 5), weights=(50, 25, 15, 10))[0])
        chosen = rng.sample(members, n)
        roles = [rng.choices(("both", "provider", "recipient"), (70, 15, 15))[0] for _ in chosen]
        if not {"both", "provider"} & set(roles) or not {"both", "recipient"} & set(roles):
            roles[0] = "both"
        return list(zip(chosen, roles, strict=True))

    def _terms(self) -> dict:
        rng = self.rng
        purposes = sorted(rng.sample(PURPOSE_CODES, rng.randint(1, 3)))
        categories = sorted({"identity_contact", *rng.sample(OTHER_CATEGORIES, rng.randint(1, 4))})
        roll = rng.random()
        article6 = (
            "public_task"
            if roll < 0.8
            else "legal_obligation"
            if roll < 0.9
            else "consent"
            if roll < 0.95
            else "vital_interests"
        )
        article9 = schedule1 = article10 = None
        if SPECIAL & set(categories):
            if rng.random() < 0.7:
                article9, schedule1 = "substantial_public_interest", "sch1_para_18"
            else:
                article9, schedule1 = "health_social_care", "sch1_para_2"
        if CRIMINAL & set(categories):
            article10 = "official_authority" if rng.random() < 0.5 else "sch1_para_10"
        return {
            "purposes": purposes,
            "categories": categories,
            "basis": {
                "article6": article6,
                "article9": article9,
                "schedule1": schedule1,
                "article10": article10,
                "statutory_gateways": sorted(rng.sample(GATEWAYS, rng.randint(0, 2))),
            },
            "consent_required": article6 == "consent" or rng.random() < 0.15,
            "override": rng.random() < 0.6,
        }

    def add(self, aid: int) -> None:
        gen, rng, world = self.gen, self.rng, self.world
        state = gen._weighted(STATE_WEIGHTS)
        area = rng.randrange(world.n_areas)
        parties = self._parties(area)
        drafter = world.lead[parties[0][0]]
        created = gen._day_between(world.start, world.today - timedelta(days=60))
        terms = self._terms()
        activated = self._activation_days(state, created)
        n_versions = len(activated) + (0 if state not in ("draft", "awaiting", "amending") else 1)
        version_ids, expires = [], None
        for number in range(1, n_versions + 1):
            on = activated[number - 1] if number <= len(activated) else None
            replaced = activated[number] if number < len(activated) else None
            if number > 1 and rng.random() < 0.3:
                terms = self._terms() | {"purposes": terms["purposes"]}
            expires = self._expiry(state, on or created, is_current=number == len(activated))
            vid = self._version(aid, number, terms, created, on, replaced, expires, drafter)
            version_ids.append(vid)
            self._sign(vid, parties, on, state, created)
            for agency, role in parties:
                self.parties.append((self._next("party"), vid, agency + 1, role))
        stored_state, terminated_on = self._events(aid, state, activated, drafter)
        current = version_ids[len(activated) - 1] if activated else None
        if current:
            self.current.append((aid, current))
        reference = f"ISA-{created.year}-{aid:06d}"
        at = self.w.ts(gen._at(created))
        self.agreements.append(
            (
                aid,
                reference,
                stored_state,
                None,
                self.w.d(terminated_on),
                drafter,
                at,
                at,
                1 + n_versions + len(parties),
            )
        )
        if stored_state in ("active", "suspended") and state != "expired":
            world.area_agreements[area].append(aid)
            if stored_state == "active":
                providers = [world.agency_codes[a] for a, r in parties if r != "recipient"]
                recipients = [world.agency_codes[a] for a, r in parties if r != "provider"]
                world.in_force.append(
                    (aid, current, len(activated), reference, providers, recipients, terms)
                )
        self.counts["agreements"] += 1

    def _activation_days(self, state: str, created: date) -> list[date]:
        if state in ("draft", "awaiting"):
            return []
        rng, today = self.rng, self.world.today
        n = rng.choices((1, 2, 3, 4), weights=(55, 25, 12, 8))[0]
        days, day = [], created + timedelta(days=rng.randint(7, 30))
        for _ in range(n):
            if day >= today:
                break
            days.append(day)
            day += timedelta(days=rng.randint(60, 300))
        return days or [min(created + timedelta(days=7), today - timedelta(days=1))]

    def _expiry(self, state: str, start: date, *, is_current: bool) -> date:
        today, rng = self.world.today, self.rng
        if state == "expired" and is_current:
            return max(start + timedelta(days=1), today - timedelta(days=rng.randint(1, 300)))
        return max(start + timedelta(days=365), today + timedelta(days=rng.randint(30, 900)))

    def _version(self, aid, number, terms, created, on, replaced, expires, drafter) -> int:
        gen, w = self.gen, self.w
        vid = self._next("version")
        basis = terms["basis"]
        effective = on or created + timedelta(days=14)
        self.versions.append(
            (
                vid,
                aid,
                number,
                f"{PURPOSES[terms['purposes'][0]]}: partnership agreement {aid}",
                "Synthetic agreement written by registry generate.",
                _j(terms["purposes"]),
                _j(terms["categories"]),
                basis["article6"],
                basis["article9"],
                basis["schedule1"],
                basis["article10"],
                _j(basis["statutory_gateways"]),
                w.b(terms["consent_required"]),
                w.b(terms["override"]),
                w.d(effective),
                w.d(effective + timedelta(days=365)),
                w.d(expires),
                "Six years after the case closes.",
                "Secure email; role-based access.",
                f"DPIA-{aid}" if number == 1 else None,
                drafter,
                w.ts(gen._at(created)),
                w.d(on),
                w.ts(gen._at(on)) if on else None,
                w.d(replaced),
            )
        )
        self.counts["versions"] += 1
        return vid

    def _sign(self, vid, parties, on, state, created) -> None:
        """Every party signed a version in force; some parties signed a pending one."""
        rng, world, w = self.rng, self.world, self.w
        if on is not None:
            signers = parties
        elif state in ("awaiting", "amending"):
            signers = rng.sample(parties, rng.randint(1, len(parties) - 1))
        else:
            return
        day = on or self.world.today - timedelta(days=rng.randint(1, 20))
        for agency, _ in signers:
            at = w.ts(self.gen._at(max(created, day - timedelta(days=rng.randint(0, 5)))))
            self.signatures.append(
                (self._next("signature"), vid, agency + 1, world.lead[agency], at)
            )

    def _events(self, aid, state, activated, by) -> tuple[str, date | None]:
        rng, today = self.rng, self.world.today
        if state in ("draft", "awaiting"):
            return "draft", None
        last = activated[-1]
        if state in ("active", "amending") and rng.random() < 0.1:
            suspended = self.gen._day_between(last, today)
            self._event(aid, "suspended", suspended, by)
            self._event(aid, "resumed", self.gen._day_between(suspended, today), by)
        if state == "suspended":
            self._event(aid, "suspended", self.gen._day_between(last, today), by)
            return "suspended", None
        if state == "terminated":
            ended = self.gen._day_between(last, today)
            self._event(aid, "terminated", ended, by)
            return "terminated", ended
        return "active", None

    def _event(self, aid: int, kind: str, on: date, by: int) -> None:
        reason = None if kind == "resumed" else f"Synthetic {kind} event."
        row = (
            self._next("event"),
            aid,
            kind,
            self.w.d(on),
            reason,
            by,
            self.w.ts(self.gen._at(on)),
        )
        self.events.append(row)

    def flush(self) -> None:
        w = self.w
        w.insert("agreements", self.AGREEMENT_COLUMNS, self.agreements)
        w.insert("agreement_versions", self.VERSION_COLUMNS, self.versions)
        w.insert("agreement_parties", ("id", "version_id", "agency_id", "role"), self.parties)
        w.insert(
            "signatures",
            ("id", "version_id", "agency_id", "signed_by_id", "signed_at"),
            self.signatures,
        )
        w.insert(
            "agreement_events",
            ("id", "agreement_id", "kind", "on", "reason", "by_id", "at"),
            self.events,
        )
        self.counts["parties"] += len(self.parties)
        self.counts["signatures"] += len(self.signatures)
        self.counts["agreement_events"] += len(self.events)
        self.agreements, self.versions, self.parties, self.signatures, self.events = (
            [],
            [],
            [],
            [],
            [],
        )

    def set_current_versions(self) -> None:
        """Point agreements at their version in force (the versions exist by now)."""
        w = self.w
        w.execute("CREATE TEMPORARY TABLE generate_current (id INTEGER PRIMARY KEY, vid INTEGER)")
        w.insert("generate_current", ("id", "vid"), self.current)
        if w.dialect == "sqlite":
            w.execute(
                "UPDATE agreements SET current_version_id = "
                "(SELECT vid FROM generate_current c WHERE c.id = agreements.id) "
                "WHERE id IN (SELECT id FROM generate_current)"
            )
        else:
            w.execute(
                "UPDATE agreements a SET current_version_id = c.vid "
                "FROM generate_current c WHERE c.id = a.id"
            )
        w.execute("DROP TABLE generate_current")


class _CheckWriter:
    """Past checks, the decisions on about half of them, and one audit event for each."""

    CHECK_COLUMNS = (
        "id",
        "provider_id",
        "recipient_id",
        "subject_hash",
        "purpose",
        "data_categories",
        "on",
        "risk_of_harm",
        "outcome",
        "reasons",
        "agreement_version_id",
        "agreement_reference",
        "agreement_version",
        "also_covered_by",
        "lawful_basis",
        "consent_id",
        "requires_justification",
        "valid_until",
        "checked_by_id",
        "checked_at",
    )
    DECISION_COLUMNS = (
        "id",
        "check_id",
        "shared",
        "justification",
        "no_consent_reason",
        "information_shared",
        "method",
        "recipient_contact",
        "person_informed",
        "recorded_by_id",
        "recorded_at",
    )
    AUDIT_COLUMNS = (
        "seq",
        "at",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "subject_hash",
        "details",
        "prev_hash",
        "hash",
    )

    def __init__(self, gen: Generator):
        self.gen, self.rng, self.w, self.world = gen, gen.rng, gen.w, gen.world
        self.seq, self.prev = 0, GENESIS_HASH
        self.checks, self.decisions, self.audit = [], [], []
        self.n_decisions = 0
        self.code_to_index = {code: i for i, code in enumerate(self.world.agency_codes)}
        self.covered_weights = [weight for *_, weight in COVERED_OUTCOMES]
        self.uncovered_weights = [weight for *_, weight in UNCOVERED_OUTCOMES]

    def _audit(self, at, actor, action, target_type, target_id, hashed, details) -> None:
        self.seq += 1
        event = SimpleNamespace(
            seq=self.seq,
            at=at,
            actor_id=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            subject_hash=hashed,
            details=details,
            prev_hash=self.prev,
        )
        digest = event_hash(chained_fields(event))
        self.audit.append(
            (
                self.seq,
                self.w.ts(at),
                actor,
                action,
                target_type,
                target_id,
                hashed,
                _j(details),
                self.prev,
                digest,
            )
        )
        self.prev = digest

    def run(self) -> None:
        world, gen = self.world, self.gen
        first = gen._at(world.start, 0)
        for table, rows in (
            ("agencies", world.counts["agencies"]),
            ("users", world.counts["users"]),
            ("agreements", world.counts["agreements"]),
            ("agreement_versions", world.counts["versions"]),
            ("consent_records", world.counts["consent_records"]),
        ):
            details = {"table": table, "rows": rows, "generator": "registry generate"}
            if table == "consent_records":
                details["people"] = self.gen.sizes.people
            self._audit(first, None, "bulk.import", "table", table, None, details)
        total = self.gen.sizes.checks
        span = (datetime.now(UTC) - timedelta(hours=1) - first).total_seconds() - 86400
        step = span / max(total, 1)
        for i in range(total):
            self._check(i + 1, first + timedelta(days=1, seconds=int(i * step)), step)
            if len(self.checks) >= CHUNK:
                self._flush()
        self._flush()
        world.counts["share_checks"] = total
        world.counts["share_decisions"] = self.n_decisions
        world.counts["audit_events"] = self.seq
        self.w.execute(
            "UPDATE audit_head SET seq = ?, last_hash = ? WHERE id = ?",
            (self.seq, self.prev, HEAD_ID),
        )

    def _pick(self) -> tuple:
        """(provider index, recipient index, outcome table row, agreement in force or None)."""
        rng, world = self.rng, self.world
        if world.in_force and rng.random() < 0.65:
            agreement = rng.choice(world.in_force)
            providers, recipients = agreement[4], agreement[5]
            provider = rng.choice(providers)
            others = [code for code in recipients if code != provider] or recipients
            recipient = rng.choice(others)
            outcome = rng.choices(COVERED_OUTCOMES, weights=self.covered_weights)[0]
            return self.code_to_index[provider], self.code_to_index[recipient], outcome, agreement
        members = world.area_agencies[rng.randrange(world.n_areas)]
        if len(members) < 2:
            members = list(range(len(world.agency_codes)))
        provider, recipient = rng.sample(members, 2)
        outcome = rng.choices(UNCOVERED_OUTCOMES, weights=self.uncovered_weights)[0]
        return provider, recipient, outcome, None

    def _check(self, cid: int, at: datetime, step: float) -> None:
        rng, world, w = self.rng, self.world, self.w
        provider, recipient, (outcome, codes, _), agreement = self._pick()
        person = rng.randrange(len(world.hashes)) if world.hashes else None
        hashed = world.hashes[person] if person is not None else "0" * 64
        if agreement is not None:
            terms = agreement[6]
            purpose = rng.choice(terms["purposes"])
            categories = sorted(rng.sample(terms["categories"], rng.randint(1, 2)))
        else:
            purpose = rng.choice(PURPOSE_CODES)
            categories = sorted(rng.sample(OTHER_CATEGORIES, rng.randint(1, 2)))
        on = at.date()
        consent_id = None
        if person is not None and any(c.startswith("CONSENT_") for c in codes):
            consent_id = world.latest_consent[person] or None
        checker = world.practitioners[provider][rng.randrange(2)]
        reasons = [{"code": code, "message": REASON_TEXT[code]} for code in codes]
        self.checks.append(
            (
                cid,
                provider + 1,
                recipient + 1,
                hashed,
                purpose,
                _j(categories),
                w.d(on),
                w.b("SAFEGUARDING_OVERRIDE" in codes or "URGENT_SAFEGUARDING" in codes),
                outcome,
                _j(reasons),
                agreement[1] if agreement else None,
                agreement[3] if agreement else None,
                agreement[2] if agreement else None,
                "[]",
                _j(terms["basis"]) if agreement else None,
                consent_id,
                w.b(outcome == "share_with_justification"),
                w.d(on + timedelta(days=rng.randint(1, 90))) if agreement else None,
                checker,
                w.ts(at),
            )
        )
        details = {"outcome": outcome}
        self._audit(at, checker, "check.create", "check", str(cid), hashed, details)
        if rng.random() < 0.55:
            self._decision(cid, at, step, outcome, codes, checker, hashed)

    def _decision(self, cid, at, step, outcome, codes, checker, hashed) -> None:
        rng, w = self.rng, self.w
        roll = rng.random()
        shared = (
            roll < 0.9 if outcome == "share" else roll < 0.7 if outcome != "do_not_share" else False
        )
        needs_reason = shared and (
            "SAFEGUARDING_OVERRIDE" in codes or "URGENT_SAFEGUARDING" in codes
        )
        recorded = at + timedelta(seconds=max(1, int(rng.random() * min(step * 0.8, 3600))))
        self.n_decisions += 1
        self.decisions.append(
            (
                self.n_decisions,
                cid,
                w.b(shared),
                "Risk of significant harm outweighed the refusal."
                if shared and outcome != "share"
                else None,
                "would_prejudice" if needs_reason else None,
                "Address and recent concerns." if shared else None,
                "secure email" if shared else None,
                "duty.team@example.org" if shared else None,
                rng.choice(("yes", "no", "not_safe")) if shared else None,
                checker,
                w.ts(recorded),
            )
        )
        details = {"shared": shared, "outcome": outcome}
        self._audit(recorded, checker, "decision.record", "check", str(cid), hashed, details)

    def _flush(self) -> None:
        w = self.w
        w.insert("share_checks", self.CHECK_COLUMNS, self.checks)
        w.insert("share_decisions", self.DECISION_COLUMNS, self.decisions)
        w.insert("audit_events", self.AUDIT_COLUMNS, self.audit)
        w.commit()
        self.checks, self.decisions, self.audit = [], [], []


def ensure_empty() -> None:
    for model in TABLES_TO_BE_EMPTY:
        if db.session.scalar(select(func.count()).select_from(model)):
            raise GenerateRefused(
                f"The database is not empty ({model.__tablename__} has rows): "
                "generate only fills an empty, migrated database."
            )


def generate(
    agencies: int,
    agreements: int,
    people: int,
    checks: int,
    seed: int,
    subject_key: str,
    echo: Callable = print,
) -> dict[str, int]:
    """Fill the (empty, migrated) database of the current app; return the row counts."""
    if agencies < 2:
        raise GenerateRefused("Generate at least two agencies.")
    ensure_empty()
    db.session.rollback()
    db.session.close()
    sizes = Sizes(agencies=agencies, agreements=agreements, people=people, checks=checks)
    return Generator(sizes, seed, subject_key, echo).run(db.engine)
