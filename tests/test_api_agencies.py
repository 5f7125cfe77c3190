"""Agencies through the API: create, read, update, list, and the errors of each."""

import pytest

from tests.helpers import AGENCIES, assert_error, assert_field_errors

URL = "/api/v1/agencies"


def full_agency(**overrides) -> dict:
    data = {
        "code": "HOU",
        "name": "Riverside Homes",
        "sector": "housing",
        "ico_registration": "ZA123456",
        "dpo_email": "dpo@homes.example",
        "policy_document": "APD-HOU-2026",
    }
    data.update(overrides)
    return data


def test_create_returns_the_agency_and_it_can_be_read(client, world):
    admin = world.headers("admin")
    response = client.post(URL, json=full_agency(), headers=admin)
    assert response.status_code == 201, response.json
    created = response.json
    assert {k: created[k] for k in full_agency()} == full_agency()
    assert created["active"] is True
    assert created["created_at"].endswith("+00:00")
    read = client.get(f"{URL}/HOU", headers=world.headers("prac_oth"))
    assert read.status_code == 200
    assert read.json == created


def test_minimal_agency_has_null_optional_fields(client, world):
    response = client.post(
        URL,
        json={"code": "MIN", "name": "Minimal", "sector": "other"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.json
    assert response.json["ico_registration"] is None
    assert response.json["dpo_email"] is None
    assert response.json["policy_document"] is None


def test_duplicate_code_is_409_and_changes_nothing(client, world):
    admin = world.headers("admin")
    response = client.post(URL, json=full_agency(code="CSC", name="Impostor"), headers=admin)
    body = assert_error(response, 409)
    assert "CSC" in body["message"]
    assert client.get(f"{URL}/CSC", headers=admin).json["name"] == AGENCIES["CSC"][0]
    assert client.get(URL, headers=admin).json["total"] == len(AGENCIES)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sector": "banking"}, "sector"),
        ({"sector": None}, "sector"),
        ({"dpo_email": "not-an-email"}, "dpo_email"),
        ({"code": ""}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "X" * 41}, "code"),
        ({"name": ""}, "name"),
        ({"name": "N" * 201}, "name"),
        ({"ico_registration": "I" * 41}, "ico_registration"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_fields_are_422_per_field(client, world, overrides, field):
    admin = world.headers("admin")
    response = client.post(URL, json=full_agency(**overrides), headers=admin)
    errors = assert_field_errors(response, field)
    assert set(errors) == {field}
    assert client.get(URL, headers=admin).json["total"] == len(AGENCIES)


@pytest.mark.parametrize("missing", ["code", "name", "sector"])
def test_required_fields(client, world, missing):
    data = full_agency()
    del data[missing]
    response = client.post(URL, json=data, headers=world.headers("admin"))
    assert_field_errors(response, missing)


def test_malformed_body_is_400_not_500(client, world):
    response = client.post(
        URL,
        data="{not json",
        headers={**world.headers("admin"), "Content-Type": "application/json"},
    )
    assert_error(response, 400)


def test_unknown_agency_is_404(client, world):
    body = assert_error(client.get(f"{URL}/NOPE", headers=world.headers("admin")), 404)
    assert "NOPE" in body["message"]
    response = client.patch(f"{URL}/NOPE", json={"name": "X"}, headers=world.headers("admin"))
    assert_error(response, 404)


def test_patch_changes_given_fields_only(client, world):
    admin = world.headers("admin")
    response = client.patch(
        f"{URL}/CSC",
        json={"name": "Children's Services Dept", "dpo_email": "dpo@csc.example"},
        headers=admin,
    )
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Children's Services Dept"
    assert response.json["dpo_email"] == "dpo@csc.example"
    assert response.json["sector"] == "children_social_care"
    assert response.json["policy_document"] == "APD-CSC"
    assert client.get(f"{URL}/CSC", headers=admin).json == response.json


def test_patch_cannot_change_the_code(client, world):
    response = client.patch(f"{URL}/CSC", json={"code": "XYZ"}, headers=world.headers("admin"))
    assert_field_errors(response, "code")
    assert client.get(f"{URL}/CSC", headers=world.headers("admin")).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sector": "banking"}, "sector"),
        ({"dpo_email": "nope"}, "dpo_email"),
        ({"active": "perhaps"}, "active"),
        ({"name": None}, "name"),
    ],
)
def test_patch_invalid_fields_are_422(client, world, changes, field):
    admin = world.headers("admin")
    response = client.patch(f"{URL}/POL", json=changes, headers=admin)
    assert_field_errors(response, field)
    after = client.get(f"{URL}/POL", headers=admin).json
    assert after["sector"] == "police" and after["active"] is True


def test_deactivate_and_reactivate(client, world):
    admin = world.headers("admin")
    response = client.patch(f"{URL}/VOL", json={"active": False}, headers=admin)
    assert response.status_code == 200, response.json
    assert response.json["active"] is False
    inactive = client.get(f"{URL}?active=false", headers=admin).json
    assert [a["code"] for a in inactive["items"]] == ["VOL"]
    active = client.get(f"{URL}?active=true", headers=admin).json
    assert "VOL" not in [a["code"] for a in active["items"]]
    assert active["total"] == len(AGENCIES) - 1
    response = client.patch(f"{URL}/VOL", json={"active": True}, headers=admin)
    assert response.json["active"] is True


def test_list_shape_and_order(client, world):
    response = client.get(URL, headers=world.headers("prac_csc"))
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == len(AGENCIES)
    assert body["page"] == 1 and body["per_page"] == 50
    assert [a["code"] for a in body["items"]] == sorted(AGENCIES)


def test_list_filters_by_sector(client, world):
    response = client.get(f"{URL}?sector=police", headers=world.headers("admin"))
    assert [a["code"] for a in response.json["items"]] == ["POL"]
    assert_field_errors(
        client.get(f"{URL}?sector=banking", headers=world.headers("admin")), "sector", where="query"
    )


def test_pagination(client, world):
    admin = world.headers("admin")
    page1 = client.get(f"{URL}?per_page=4&page=1", headers=admin).json
    page2 = client.get(f"{URL}?per_page=4&page=2", headers=admin).json
    page3 = client.get(f"{URL}?per_page=4&page=3", headers=admin).json
    assert (page1["total"], page1["page"], page1["per_page"]) == (len(AGENCIES), 1, 4)
    assert len(page1["items"]) == 4 and len(page2["items"]) == len(AGENCIES) - 4
    assert page3["items"] == [] and page3["total"] == len(AGENCIES)
    codes = [a["code"] for a in page1["items"] + page2["items"]]
    assert codes == sorted(AGENCIES)
    assert client.get(f"{URL}?per_page=500", headers=admin).json["per_page"] == 500


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=501", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=-5", "per_page"),
    ],
)
def test_bad_pagination_is_422(client, world, query, field):
    response = client.get(f"{URL}?{query}", headers=world.headers("admin"))
    assert_field_errors(response, field, where="query")
