"""Shared bits of the benchmarks: the app on a given database, realistic check requests.

Every bench expects a database filled by ``registry generate`` under the development
configuration (the subject key must match the one the generator hashed with), e.g.::

    export REGISTRY_CONFIG=development
    export DATABASE_URL=sqlite:////tmp/scale/large.sqlite3   # or postgresql://...
    .venv/bin/flask --app wsgi db upgrade
    .venv/bin/flask --app wsgi registry generate --agencies 2000 --agreements 50000 \\
        --people 1000000
"""

from __future__ import annotations

import os
import random
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = os.environ.get("DATABASE_URL", "sqlite:////tmp/scale/large.sqlite3")


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_label(url: str) -> str:
    """The database's name, marked when PostgreSQL checks commit asynchronously."""
    if not url.startswith("postgres"):
        return "sqlite"
    from config import Config

    return "postgresql, ASYNC_CHECK_COMMIT" if Config.ASYNC_CHECK_COMMIT else "postgresql"


def make_app(url: str):
    from config import DevelopmentConfig
    from registry import create_app

    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=sqlalchemy_url(url))


@dataclass
class Scenario:
    """One check request, with the token of a practitioner of the provider agency."""

    token: str
    payload: dict


def count_people(app) -> int:
    """People in the generated registry (identifiers 0..P-1)."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.models import AuditEvent, ConsentRecord

    with app.app_context():
        details = db.session.scalar(
            select(AuditEvent.details).where(
                AuditEvent.action == "bulk.import", AuditEvent.target_id == "consent_records"
            )
        )
        if details and "people" in details:
            return int(details["people"])
        return db.session.scalar(select(func.count(func.distinct(ConsentRecord.subject_hash))))


def scenarios(app, n: int, seed: int = 7, covered_share: float = 0.8) -> list[Scenario]:
    """n check requests like case-management systems send: most between agencies that have an
    agreement in force (random purpose and categories of it), the rest between agencies of the
    same area with none; subjects drawn uniformly from every generated person."""
    from sqlalchemy import select

    from registry.auth import issue_token
    from registry.clock import today_uk
    from registry.extensions import db
    from registry.generate import person_identifier
    from registry.models import Agency, Agreement, AgreementParty, AgreementVersion, User

    rng = random.Random(seed)
    people = count_people(app)
    with app.app_context():
        rows = db.session.execute(
            select(Agreement.id, AgreementVersion.purposes, AgreementVersion.data_categories)
            .join(AgreementVersion, AgreementVersion.id == Agreement.current_version_id)
            .where(Agreement.state == "active", AgreementVersion.expires_on > today_uk())
            .order_by(Agreement.id)
            .limit(2000)
        ).all()
        parties: dict[int, list[tuple[str, str]]] = {}
        for agreement_id, code, role in db.session.execute(
            select(AgreementVersion.agreement_id, Agency.code, AgreementParty.role)
            .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
            .join(Agency, Agency.id == AgreementParty.agency_id)
            .join(Agreement, Agreement.current_version_id == AgreementVersion.id)
            .where(Agreement.id.in_([r[0] for r in rows]))
        ):
            parties.setdefault(agreement_id, []).append((code, role))
        codes = list(db.session.scalars(select(Agency.code).order_by(Agency.id)))
        tokens: dict[str, str] = {}

        def token_for(code: str) -> str:
            if code not in tokens:
                user = db.session.scalar(
                    select(User).where(User.email == f"practitioner1@{code.lower()}.example")
                )
                tokens[code], _ = issue_token(user, name="bench")
            return tokens[code]

        result = []
        for _ in range(n):
            if rng.random() < covered_share and rows:
                agreement_id, purposes, categories = rng.choice(rows)
                members = parties[agreement_id]
                provider = rng.choice([c for c, r in members if r != "recipient"])
                recipients = [c for c, r in members if r != "provider" and c != provider]
                recipient = rng.choice(recipients or [c for c, _ in members if c != provider])
                purpose = rng.choice(purposes)
                chosen = rng.sample(categories, min(len(categories), rng.randint(1, 2)))
            else:
                provider, recipient = rng.sample(codes, 2)
                purpose, chosen = "safeguarding_children", ["identity_contact"]
            payload = {
                "provider": provider,
                "recipient": recipient,
                "subject": person_identifier(rng.randrange(max(people, 1))),
                "purpose": purpose,
                "data_categories": sorted(chosen),
            }
            if rng.random() < 0.2:
                payload["risk_of_harm"] = True
            result.append(Scenario(token_for(provider), payload))
        db.session.commit()
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
    }


def print_table(headers: list[str], rows: list[list]) -> None:
    """A small Markdown table (pastes straight into docs/performance.md)."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    print("\n".join([line(cells[0]), separator, *(line(row) for row in cells[1:])]))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine_note() -> str:
    load = os.getloadavg()
    return (
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs "
        "(shared machine: other engineers' test suites may be running)"
    )
