"""Past checks, the decisions on them and their audit events, chained as registry.audit does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

from registry.audit import GENESIS_HASH, HEAD_ID, chained_fields, event_hash
from registry.generate.bulk import CHUNK, _j
from registry.generate.constants import (
    COVERED_OUTCOMES,
    OTHER_CATEGORIES,
    PURPOSE_CODES,
    REASON_TEXT,
    UNCOVERED_OUTCOMES,
)

if TYPE_CHECKING:
    from registry.generate.generator import Generator


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
