"""`registry generate` at tiny sizes: counts, every agreement state, a valid audit chain."""

from collections import Counter

from sqlalchemy import func, select

from registry.auth import issue_token
from registry.clock import today_uk
from registry.extensions import db
from registry.generate import person_identifier
from registry.models import (
    Agency,
    Agreement,
    AgreementVersion,
    AuditEvent,
    ConsentRecord,
    ShareCheck,
    ShareDecision,
    Signature,
    User,
)

ARGS = ["registry", "generate", "--agencies", "24", "--agreements", "300", "--people", "200"]


def _generate(runner, *extra):
    return runner.invoke(args=[*ARGS, "--checks", "150", *extra])


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_generate_fills_every_table_with_the_asked_sizes(app, runner):
    result = _generate(runner)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(Agency) == 24
        assert _count(User) == 5 + 3 * 24
        assert _count(Agreement) == 300
        assert _count(ShareCheck) == 150
        assert 0 < _count(ShareDecision) < 150
        assert _count(AgreementVersion) > 300
        assert set(db.session.scalars(select(Agency.sector))) >= {
            "children_social_care",
            "police",
            "health",
            "education",
            "voluntary",
        }
        per_person = Counter(db.session.scalars(select(ConsentRecord.subject_hash)))
        assert len(per_person) == 200
        assert set(per_person.values()) <= {1, 2, 3, 4, 5}
        assert len(set(per_person.values())) > 1


def test_generated_agreements_are_in_every_state(app, runner):
    assert _generate(runner).exit_code == 0
    with app.app_context():
        states = set(db.session.scalars(select(Agreement.state)))
        assert states == {"draft", "active", "suspended", "terminated"}
        current = AgreementVersion.id == Agreement.current_version_id
        expired = (
            select(Agreement.id)
            .join(AgreementVersion, current)
            .where(Agreement.state == "active", AgreementVersion.expires_on < today_uk())
        )
        assert db.session.scalars(expired).first() is not None
        awaiting = (
            select(Agreement.id)
            .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
            .join(Signature, Signature.version_id == AgreementVersion.id)
            .where(Agreement.state == "draft")
        )
        assert db.session.scalars(awaiting).first() is not None
        amending = (
            select(Agreement.id)
            .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
            .where(Agreement.state == "active", AgreementVersion.activated_on.is_(None))
        )
        assert db.session.scalars(amending).first() is not None
        assert db.session.scalar(select(func.max(AgreementVersion.number))) > 1


def test_audit_chain_verifies_after_generating(app, runner):
    assert _generate(runner).exit_code == 0
    result = runner.invoke(args=["registry", "audit-verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(AuditEvent) == 5 + 150 + _count(ShareDecision)


def test_the_app_reads_and_extends_generated_data(app, runner, client):
    assert _generate(runner).exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == "practitioner").limit(1))
        token, _ = issue_token(user)
        provider = user.agency.code
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"/api/v1/subjects/{person_identifier(7)}/consents", headers=headers)
    assert response.status_code == 200
    body = response.json
    records = body if isinstance(body, list) else body["items"]
    assert 1 <= len(records) <= 5
    agreements = client.get("/api/v1/agreements?per_page=500", headers=headers)
    assert agreements.status_code == 200
    # New rows get fresh ids after the generated ones (sequences moved on PostgreSQL).
    response = client.post(
        "/api/v1/checks",
        headers=headers,
        json={
            "provider": provider,
            "recipient": "POL00003",
            "subject": person_identifier(7),
            "purpose": "safeguarding_children",
            "data_categories": ["identity_contact"],
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["id"] == 151
    assert runner.invoke(args=["registry", "audit-verify"]).exit_code == 0


def test_generate_refuses_a_database_with_data(world, runner):
    result = _generate(runner)
    assert result.exit_code != 0
    assert "not empty" in result.output


def test_generate_refuses_the_production_configuration(app, runner):
    app.config["PRODUCTION"] = True
    result = _generate(runner)
    assert result.exit_code != 0
    assert "production" in result.output
