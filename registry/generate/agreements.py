"""Agreements in every state, with their versions, parties, signatures and events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from registry.domain.vocabulary import PURPOSES
from registry.generate.bulk import _j
from registry.generate.constants import (
    CRIMINAL,
    GATEWAYS,
    OTHER_CATEGORIES,
    PURPOSE_CODES,
    SPECIAL,
    STATE_WEIGHTS,
)

if TYPE_CHECKING:
    from registry.generate.generator import Generator


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
