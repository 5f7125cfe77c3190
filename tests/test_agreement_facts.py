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


def _orm_in_force_agreements(wanted):
    live = (AgreementState.ACTIVE, AgreementState.SUSPENDED)
    query = select(Agreement).where(Agreement.state.in_(live)).order_by(Agreement.reference)
    return (
        _orm_facts(agreement)
        for agreement in db.session.scalars(query)
        if not wanted or wanted & {p.agency.code for v in agreement.versions for p in v.parties}
    )


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
        live = len(list(coverage._in_force_agreements(set())))
        assert live > BATCH
        lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
        # a lead's coverage reads only the agreements their agency is a party to
        assert 0 < len(list(coverage._in_force_agreements({lead.agency.code}))) < live
        viewers = (Viewer.operator(), Viewer.of(lead))
        actual = [list(coverage.coverage_rows({}, viewer)) for viewer in viewers]
        monkeypatch.setattr(coverage, "_in_force_agreements", _orm_in_force_agreements)
        expected = [list(coverage.coverage_rows({}, viewer)) for viewer in viewers]
    assert actual == expected
    assert any(row["agreement_count"] > 1 for row in actual[0])


def test_coverage_filters_select_the_same_rows_as_filtering_every_pair(app, runner):
    """Leads, an agency filter and `covered` walk fewer pairs; they must list the same rows."""
    generate_registry(runner, AGREEMENTS)
    with app.app_context():
        everything = list(coverage.coverage_rows({}, Viewer.operator()))
        lead = db.session.scalar(select(User).where(User.role == Role.AGENCY_LEAD).limit(1))
        lead_code = lead.agency.code
        other = next(row["provider"] for row in everything if row["provider"] != lead_code)
        for viewer, seen in ((Viewer.operator(), None), (Viewer.of(lead), lead_code)):
            for agency in (None, lead_code, other):
                for covered in (None, True, False):
                    filters = {"agency": agency, "covered": covered}
                    expected = [
                        row
                        for row in everything
                        if all(
                            code in (row["provider"], row["recipient"])
                            for code in (seen, agency)
                            if code is not None
                        )
                        and covered in (None, row["agreement_count"] > 0)
                    ]
                    actual = list(coverage.coverage_rows(filters, viewer))
                    assert actual == expected, (seen, filters)
    assert any(row["agreement_count"] for row in everything)
    assert any(not row["agreement_count"] for row in everything)
