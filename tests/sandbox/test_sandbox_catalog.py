"""GET /skill, /group and /website against the documentation, over real HTTP; and the
client's listings of them."""

from __future__ import annotations

import pytest

from rostersync.api import IAdvizeClient, UnexpectedResponseError
from rostersync.api.resources import GroupRecord, SkillRecord, WebsiteRecord
from rostersync.sandbox import Sandbox
from rostersync.sandbox.catalog import Catalog, CatalogSkill
from tests.sandbox.conftest import Api

SKILL_FIELDS = {"id", "name", "order", "created_at", "parent_id"}
GROUP_FIELDS = {"id", "name", "created_at", "parent_id", "parent_list"}
WEBSITE_FIELDS = {"id", "url", "label", "client_id", "currency", "language_admin", "timezone"}


@pytest.mark.parametrize(("path", "fields"), [("/skill", SKILL_FIELDS), ("/group", GROUP_FIELDS),
                                              ("/website", WEBSITE_FIELDS)])
def test_listing_has_the_documented_fields_envelope_and_pagination(api: Api, path: str, fields: set[str]) -> None:
    response = api.get(path, params={"limit": 100})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["meta"]["status"] == "success"
    assert body["pagination"]["count"] == len(body["data"]) and body["pagination"]["pages"] == 1
    for item in body["data"]:
        assert set(item) == fields


def test_the_demo_catalog_holds_the_example_rosters_ids(api: Api) -> None:
    skills = {item["id"]: item for item in api.get("/skill", params={"limit": 100}).json()["data"]}
    assert {101, 102, 103} <= set(skills)
    assert skills[103]["name"] == "Returns" and skills[skills[103]["parent_id"]]["name"] == "After-sales"
    assert sorted(s["parent_id"] for s in skills.values() if s["name"] == "Delivery") == [100, 110]
    groups = {item["id"]: item for item in api.get("/group").json()["data"]}
    assert groups[7]["name"] == "Paris desk" and groups[2]["parent_list"] == [1, 7]
    websites = {item["id"]: item for item in api.get("/website").json()["data"]}
    assert websites[123]["label"] == "Maison Lumiere FR" and websites[456]["url"].startswith("https://")


def test_pages_and_parent_filter(api: Api) -> None:
    first = api.get("/skill", params={"limit": 3, "page": 1}).json()
    assert first["pagination"] == {"page": 1, "pages": 3, "limit": 3, "count": 8}
    last = api.get("/skill", params={"limit": 3, "page": 3}).json()
    assert len(last["data"]) == 2
    children = api.get("/skill", params={"filters[parent_id]": 110}).json()["data"]
    assert {item["name"] for item in children} == {"Returns", "Billing", "Delivery"}
    groups = api.get("/group", params={"filters[parent_id]": 1}).json()["data"]
    assert {item["id"] for item in groups} == {7, 8, 9}
    assert api.get("/skill", params={"filters[parent_id]": "x"}).status_code == 400


def test_skills_of_an_operator(api: Api) -> None:
    operator = api.create(email="ada@example.com", name="Lovelace", first_name="Ada", skill_list=[101, 104])
    found = api.get("/skill", params={"filters[operator_id]": operator["id"]}).json()["data"]
    assert {item["id"] for item in found} == {101, 104}


def test_listings_are_read_only(api: Api) -> None:
    for path in ("/skill", "/group", "/website"):
        assert api.post(path, {"name": "x"}).status_code == 405
    assert api.sandbox.request_counts().get("POST /skill") == 1


def test_client_lists_all_pages_into_records(clean_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    many = tuple(CatalogSkill(1000 + n, f"Skill {n}", None if n < 10 else 1000 + n % 10) for n in range(250))
    monkeypatch.setattr(clean_sandbox.store, "catalog", Catalog(skills=many))
    with IAdvizeClient(clean_sandbox.url, clean_sandbox.api_key) as client:
        skills = client.list_skills()
        groups = client.list_groups()
        websites = client.list_websites()
    assert len(skills) == 250 and skills[12] == SkillRecord(1012, "Skill 12", 1002)
    assert GroupRecord(2, "Night shift", 7) in groups
    assert WebsiteRecord(123, "Maison Lumiere FR", "https://www.maison-lumiere.fr/") in websites
    assert clean_sandbox.request_counts() == {"GET /skill": 3, "GET /group": 1, "GET /website": 1}


def test_client_refuses_an_item_without_id(clean_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clean_sandbox.store, "catalog", Catalog(skills=(CatalogSkill(0, "Nobody"),)))
    with IAdvizeClient(clean_sandbox.url, clean_sandbox.api_key) as client, \
            pytest.raises(UnexpectedResponseError, match="positive integer 'id'"):
        client.list_skills()
