"""Agreement facts read as plain rows equal the facts of the agreements as the ORM loads them.

The coverage report builds on them a page at a time; its rows must not change with that.
"""

from sqlalchemy import select

from registry.domain import AgreementFacts, Suspension, VersionFacts
from registry.extensions import db
from registry.facts import agreement_facts_by_id, agreement_terms
from registry.models import Agreement, AgreementEventKind, AgreementState, Role, User
from registry.reports import coverage
from registry.reports.base import BATCH, Viewer
from tests.helpers import generate_registry

AGREEMENTS = 3 * BATCH  # more than a page of agreements in force


def _orm_facts(agreement: Agreement) -> AgreementFacts:
    windows: list[Suspension] = []
    for event in agreement.events:
        if event.kind == AgreementEventKind.SUSPENDED:
            windows.append(Suspension(suspended_on=event.on))
        elif event.kind == AgreementEventKind.RESUMED and windows:
            windows[-1] = Suspension(windows[-1].suspended_on, resumed_on=event.on)
    return AgreementFacts(
        id=agreement.id,
        reference=agreement.reference,
        title=agreement.latest_version.title,
        versions=tuple(
            VersionFacts(
                number=version.number,
                terms=agreement_terms(version),
                activated_on=version.activated_on,
                signed_by=frozenset(signature.agency.code for signature in version.signatures),
                replaced_on=version.replaced_on,
            )
            for version in agreement.versions
        ),
        suspensions=tuple(windows),
        terminated_on=agreement.terminated_on,
    )


def _orm_in_force_agreements():
    live = (AgreementState.ACTIVE, AgreementState.SUSPENDED)
    query = select(Agreement).where(Agreement.state.in_(live)).order_by(Agreement.reference)
    return (_orm_facts(agreement) for agreement in db.session.scalars(query))


def test_facts_from_plain_rows_equal_the_orms(app, runner):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        agreements = db.session.scalars(select(Agreement)).all()
        facts = agreement_facts_by_id(agreement.id for agreement in agreements)
        assert facts == {agreement.id: _orm_facts(agreement) for agreement in agreements}
        assert any(f.suspensions for f in facts.values())
        assert any(len(f.versions) > 1 for f in facts.values())
        assert agreement_facts_by_id([]) == {}


def test_coverage_rows_are_those_of_the_orm_facts(app, runner, monkeypatch):
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        live = len(list(coverage._in_force_agreements()))
        assert live > BATCH
        lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
        viewers = (Viewer.operator(), Viewer.of(lead))
        actual = [list(coverage.coverage_rows({}, viewer)) for viewer in viewers]
        monkeypatch.setattr(coverage, "_in_force_agreements", _orm_in_force_agreements)
        expected = [list(coverage.coverage_rows({}, viewer)) for viewer in viewers]
    assert actual == expected
    assert any(row["agreement_count"] > 1 for row in actual[0])
