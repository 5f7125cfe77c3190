"""Out-of-range values in report filters and page URLs are clean 4xx answers, never 500s."""

import re

import pytest

from tests.helpers import active_agreement, check_payload
from tests.test_web_auth import sign_in


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/decisions?to=9999-12-31",
        "/api/v1/reports/access?from=9999-12-31",
        "/api/v1/reports/agreements?agency=%00",
    ],
)
def test_report_filters_out_of_range_are_422(client, world, path):
    response = client.get(path, headers=world.headers("auditor"))
    assert response.status_code == 422, response.json
    assert response.json["errors"]["query"]


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("admin", "/users/99999999999999999999"),
        ("prac_csc", "/checks/99999999999999999999"),
    ],
)
def test_page_ids_beyond_the_database_range_are_404(client, world, key, path):
    active_agreement(client, world)
    client.post("/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc"))
    sign_in(client, key)
    assert client.get(path).status_code == 404
    # The same route with an ordinary id exists (so the 404 above is about the range).
    assert client.get(path.replace("99999999999999999999", "1")).status_code in (200, 403)


@pytest.mark.parametrize(
    "path", ["/agreements", "/agencies", "/users", "/decisions", "/audit-trail"]
)
def test_list_pages_beyond_the_largest_are_404(client, world, path):
    """A page whose offset the database could not hold is a 404, not a 500; the largest is fine."""
    from registry.queries import MAX_PAGE

    sign_in(client, "admin")
    assert client.get(f"{path}?page={MAX_PAGE + 1}").status_code == 404
    assert client.get(f"{path}?page=99999999999999999999").status_code == 404
    assert client.get(f"{path}?page={MAX_PAGE}").status_code == 200


@pytest.mark.parametrize("path", ["/decisions", "/audit-trail"])
def test_a_window_to_the_last_day_there_is_has_no_end(client, world, path):
    """9999-12-31's next day, where the window would end, does not exist: it is no end."""
    active_agreement(client, world)
    client.post("/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc"))
    sign_in(client, "admin")
    found = re.compile(r"(\d+) (?:checks?|events?)(?: found)?\.")
    to_the_end = client.get(f"{path}?to=9999-12-31")
    assert to_the_end.status_code == 200
    everything = client.get(path)  # one event more: the read above is on the trail
    counted = int(found.search(to_the_end.text).group(1))
    assert counted >= 1
    assert int(found.search(everything.text).group(1)) - counted == (path == "/audit-trail")


@pytest.mark.parametrize(
    "path",
    [
        "/agreements?q=a%00b",
        "/agreements?agency=%00",
        "/agencies?q=%00",
        "/decisions?agency=POL%00",
        "/audit-trail?action=%00",
    ],
)
def test_a_nul_in_a_pages_address_is_a_400_that_says_why(client, world, path):
    sign_in(client, "admin")
    response = client.get(path)
    assert response.status_code == 400
    field = path.split("?")[1].split("=")[0]
    assert f"A NUL character cannot be stored or looked up. Remove it from: {field}." in (
        response.text
    )


@pytest.mark.parametrize(
    ("who", "path", "data"),
    [
        ("admin", "/agencies/new", {"code": "X\x00", "name": "A\x00B", "sector": "police"}),
        ("admin", "/users/new", {"email": "a@x.uk", "name": "A\x00", "role": "practitioner"}),
        ("lead_csc", "/agreements/new", {"reference": "ISA-N", "title": "A\x00B"}),
    ],
)
def test_a_nul_in_a_pages_form_is_a_400_naming_the_fields(client, world, who, path, data):
    """Nothing is stored: the request stops before the view."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.models import Agency, Agreement, User

    def rows():
        with client.application.app_context():
            return [
                db.session.scalar(select(func.count()).select_from(m))
                for m in (Agency, Agreement, User)
            ]

    sign_in(client, who)
    before = rows()
    response = client.post(path, data=data)
    assert response.status_code == 400
    named = sorted(name for name, value in data.items() if "\x00" in value)
    assert f"Remove it from: {', '.join(named)}." in response.text
    assert rows() == before
