"""Pages at national size: time, status and size of every page a role opens, role by role.

Each role (admin, auditor, an agency lead, a practitioner of the same agency) is signed in
through the test client and opens the pages of its daily work; each page is fetched twice
and the second time reported (the first warms the caches). A page that loads the whole
registry shows here as seconds, where at partnership size it took milliseconds. Example::

    .venv/bin/python bench/bench_pages.py --database-url sqlite:////tmp/scale/large.sqlite3
"""

from __future__ import annotations

import argparse
import resource
import time

from common import DEFAULT_URL, database_label, machine_note, make_app, print_table

PAGES = {
    "admin": ["/", "/agencies", "/agencies/{agency}", "/agreements", "/agreements/{agreement}"]
    + ["/agreements/new", "/users", "/users/new", "/reports", "/decisions", "/audit-trail"],
    "auditor": ["/", "/agreements", "/decisions", "/audit-trail", "/reports"],
    "agency_lead": ["/", "/agencies/{agency}", "/agreements", "/agreements/{agreement}"]
    + ["/agreements/{agreement}/edit", "/agreements/new", "/users", "/reports", "/consent"]
    + ["/consent/record"],
    "practitioner": ["/", "/checks/new", "/checks/{check}", "/consent", "/consent/record"]
    + ["/agreements"],
}


def _people(app) -> dict:
    """One user per role (the lead and practitioner of one agency) and what their pages name."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Agency, AgreementParty, AgreementVersion, ShareCheck, User

    with app.app_context():
        practitioner = db.session.scalar(
            select(User)
            .join(ShareCheck, ShareCheck.checked_by_id == User.id)
            .where(User.role == "practitioner")
            .limit(1)
        )
        users = {"practitioner": practitioner}
        for role in ("admin", "auditor"):
            users[role] = db.session.scalar(select(User).where(User.role == role).limit(1))
        users["agency_lead"] = db.session.scalar(
            select(User).where(User.role == "agency_lead", User.agency_id == practitioner.agency_id)
        )
        agency = db.session.get(Agency, practitioner.agency_id)
        agreement = db.session.scalar(
            select(AgreementVersion.agreement_id)
            .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
            .where(AgreementParty.agency_id == agency.id)
            .limit(1)
        )
        names = {
            "agency": agency.code,
            "agreement": _reference(agreement),
            "check": db.session.scalar(
                select(ShareCheck.id).where(ShareCheck.checked_by_id == practitioner.id).limit(1)
            ),
        }
        sessions = {role: f"{user.id}:{user.session_version}" for role, user in users.items()}
        return {"sessions": sessions, "names": names}


def _reference(agreement_id: int) -> str:
    from registry.extensions import db
    from registry.models import Agreement

    return db.session.get(Agreement, agreement_id).reference


def _fetch(client, path: str) -> tuple[int, int, float]:
    started = time.perf_counter()
    response = client.get(path)
    size = len(response.data)
    return response.status_code, size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--role", choices=sorted(PAGES), action="append")
    args = parser.parse_args()
    app = make_app(args.database_url)
    found = _people(app)
    table = []
    for role in args.role or PAGES:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = found["sessions"][role]
            session["_fresh"] = True
        for template in PAGES[role]:
            path = template.format(**found["names"])
            _fetch(client, path)
            status, size, seconds = _fetch(client, path)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{role} {path}: {status} {size} B {seconds:.3f} s", flush=True)
            table.append([role, path, status, size / 1000, seconds * 1000, peak])
    print(database_label(args.database_url))
    print_table(["role", "page", "status", "kB", "ms", "peak RSS MB so far"], table)
    print(machine_note())


if __name__ == "__main__":
    main()
