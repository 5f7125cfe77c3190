"""Pages answer odd input with a 4xx or a page, never a 500 (schemathesis does this for the API).

Every GET page, for three roles, with odd values in its path and in every filter the pages
read: NUL, numbers past 64 bits, the first and last dates there are, an impossible date,
long text, a character outside the BMP, a LIKE wildcard.
"""

import re
from urllib.parse import quote, urlencode

import pytest

from tests.helpers import active_agreement, check_payload
from tests.test_web_auth import sign_in

ODD = [
    "\x00",
    "99999999999999999999",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "a" * 3000,
    "\U0001f600",
    "%",
]
FILTERS = (
    "q", "agency", "status", "purpose", "review_due", "from", "to", "outcome", "show",
    "action", "sector", "role", "page", "format", "within_days", "covered", "events",
    "last_hash",
)  # fmt: skip


@pytest.mark.parametrize("who", ["admin", "lead_csc", "prac_csc"])
def test_no_page_answers_odd_input_with_a_500(app, client, world, who):
    active_agreement(client, world)
    client.post("/api/v1/checks", json=check_payload(), headers=world.headers("prac_csc"))
    sign_in(client, who)
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/"))
    ]
    failed = []
    for page in pages:
        for value in ODD:
            path = re.sub(r"<[^>]+>", quote(value, safe=""), page)
            response = client.get(f"{path}?{urlencode(dict.fromkeys(FILTERS, value))}")
            if response.status_code >= 500:
                failed.append((page, value[:20], response.status_code))
    assert len(pages) > 20  # the pages were found
    assert not failed, failed
