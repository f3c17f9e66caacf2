"""The provider registry through the API: search, list by RMD status, read with status and
history, import, and RMD removals and reinstatements."""

from __future__ import annotations

import pytest

from robotrace.store import models

from .test_pages_providers import (
    ALPHA_FILING,
    BRAVO_FILING,
    DELTA_FILING,
    LOOK_ALIKE,
    ORDER,
    count,
    export,
    filing,
    give_rmd_numbers,
)

COORD, FCC, ADMIN = "coord@example.org", "fcc@example.org", "admin@example.org"
ALPHA, BRAVO = "noc@aaaa.example", "noc@bbbb.example"
OWN_HEADER = (
    "rmd_number,frn,business_name,foreign_voice_provider,country,implementation,"
    "voice_service_provider_choice,gateway_provider_choice,intermediate_provider_choice,"
    "last_recertified,ocn,contact_email,extra_rmd_column\n"
)


def own_csv(*rows: str) -> bytes:
    return (OWN_HEADER + "".join(r + "\n" for r in rows)).encode()


def import_file(client, data: bytes, name: str = "rmd.csv", **params):
    return client.post("/api/v1/providers/import", files={"file": (name, data)}, params=params)


def remove(client, key: str = "BBBB", **body):
    return client.post(
        f"/api/v1/providers/{key}/rmd-removal", json={"order_reference": ORDER, **body}
    )


def reinstate(client, key: str = "BBBB", **body):
    return client.post(
        f"/api/v1/providers/{key}/rmd-reinstatement", json={"reference": ORDER, **body}
    )


# --- Search and read ----------------------------------------------------------------------


def test_everyone_signed_in_searches_names_and_countries_only(world, api_for):
    found = api_for(ALPHA).get("/api/v1/providers/search?q=foxtrot").json()
    assert found == [{"key": "FFFF", "name": "Foxtrot Intl Ltd", "country": "United Kingdom"}]
    by_key = api_for(ALPHA).get("/api/v1/providers/search?q=bb").json()
    assert [p["key"] for p in by_key] == ["BBBB"]


def test_readers_of_all_list_the_registry_with_status_and_providers_cannot(world, api_for):
    listed = api_for(FCC).get("/api/v1/providers").json()
    assert [p["key"] for p in listed] == ["AAAA", "BBBB", "CCCC", "FFFF"]
    assert {p["status"] for p in listed} == {"unlisted"}
    assert listed[0]["rmd"]["status"] == "unlisted" and listed[0]["rmd"]["filed_numbers"] == []
    assert api_for(ALPHA).get("/api/v1/providers").status_code == 403


def test_the_list_filters_by_status_searches_and_pages(world, api_for, engine):
    give_rmd_numbers(engine)
    coord = api_for(COORD)
    assert import_file(coord, export(ALPHA_FILING, BRAVO_FILING, DELTA_FILING)).status_code == 200
    assert import_file(coord, export(ALPHA_FILING, DELTA_FILING)).status_code == 200
    assert remove(api_for(FCC), "RMD0000003").status_code == 201

    def keys(**params) -> list[str]:
        response = coord.get("/api/v1/providers", params=params)
        assert response.status_code == 200, response.text
        return [p["key"] for p in response.json()]

    assert keys(status="listed") == ["AAAA"]
    assert keys(status="not_in_export") == ["BBBB"]
    assert keys(status="removed") == ["RMD0000003"]
    assert keys(status="unlisted") == ["CCCC", "FFFF"]
    assert keys(q="alpha fiber") == ["AAAA"]
    assert keys(limit=2, offset=1) == ["BBBB", "CCCC"]
    listed = coord.get("/api/v1/providers", params={"status": "listed"}).json()[0]
    assert listed["rmd"]["recertification_overdue"] is True
    assert listed["rmd"]["listed_numbers"] == ["RMD0000001"]
    assert coord.get("/api/v1/providers?status=gone").status_code == 422


def test_a_provider_reads_its_own_record_and_gets_404_for_others(world, api_for):
    alpha = api_for(ALPHA)
    own = alpha.get("/api/v1/providers/aaaa").json()
    assert own["key"] == "AAAA" and own["contact_email"] == "noc@aaaa.example"
    assert own["status"] == "unlisted" and own["history"] == []
    theirs = alpha.get("/api/v1/providers/BBBB")
    made_up = alpha.get("/api/v1/providers/ZZZZ")
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content and b"noc@bbbb.example" not in theirs.content


def test_a_record_comes_with_its_rmd_status_and_history(world, api_for, engine):
    give_rmd_numbers(engine)
    coord = api_for(COORD)
    import_file(coord, export(ALPHA_FILING, BRAVO_FILING))
    import_file(coord, export(ALPHA_FILING))
    bravo = coord.get("/api/v1/providers/RMD0000002").json()
    assert bravo["key"] == "BBBB" and bravo["status"] == "not_in_export"
    assert bravo["rmd"]["filed_numbers"] == ["RMD0000002"] and bravo["rmd"]["listed_numbers"] == []
    assert [(e["what"], e["filing"], e["import_id"]) for e in bravo["history"]] == [
        ("added", "RMD0000002", 1),
        ("dropped", "RMD0000002", 2),
    ]
    alpha = coord.get("/api/v1/providers/1700905").json()
    assert alpha["frns"] == ["0001700905"] and alpha["rmd_contact"]["name"] == "Steve Guest"
    assert "Old Alpha Co" in alpha["other_names"] and alpha["ocns"] == ["AAAA"]
    assert coord.get("/api/v1/providers/FFFF").json()["ocns"] == []


@pytest.mark.parametrize("key", [LOOK_ALIKE, "RМD0000001", "x" * 5_000])
def test_a_look_alike_or_hostile_key_is_404(world, api_for, key):
    assert api_for(FCC).get(f"/api/v1/providers/{key}").status_code == 404
    assert remove(api_for(FCC), key).status_code == 404


# --- Removal and reinstatement ------------------------------------------------------------


def test_a_regulator_removes_and_reinstates_and_the_block_list_follows(world, api_for):
    regulator = api_for(FCC)
    removed = remove(regulator, removed_at="2020-05-01T10:00:00Z")
    assert removed.status_code == 201, removed.text
    body = removed.json()
    assert body["status"] == "removed" and body["rmd"]["removal_order"] == ORDER
    assert body["rmd"]["removed_at"].startswith("2020-05-01T10:00:00")
    assert [e["what"] for e in body["history"]] == ["removed"]
    [entry] = regulator.get("/api/v1/blocklist").json()["entries"]
    assert (entry["provider"], entry["reason_code"], entry["rmd_order"]) == (
        "BBBB", "rmd_removed", ORDER
    )  # fmt: skip
    assert entry["scope"] == "no_direct_traffic" and entry["authorization_id"] is None

    back = reinstate(regulator, reference="DA 25-700")
    assert back.status_code == 200 and back.json()["status"] == "unlisted"
    assert [(e["what"], e["order"]) for e in back.json()["history"]] == [
        ("removed", ORDER),
        ("reinstated", "DA 25-700"),
    ]
    assert regulator.get("/api/v1/blocklist").json()["entries"] == []


def test_an_admin_removes_too(world, api_for):
    assert remove(api_for(ADMIN), "CCCC").status_code == 201


@pytest.mark.parametrize("who", [COORD, ALPHA, BRAVO])
def test_coordinators_and_providers_may_not_remove_or_reinstate(world, api_for, engine, who):
    client = api_for(who)
    assert remove(client).status_code == 403
    assert reinstate(client).status_code == 403
    assert count(engine, models.RmdRemoval) == 0 and count(engine, models.BlocklistVersion) == 0


def test_a_read_only_token_may_not_remove(world, api_for, engine):
    assert remove(api_for(FCC, write=False)).status_code == 403
    assert count(engine, models.RmdRemoval) == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"order_reference": "<img src=x onerror=alert(1)>"}, "printable text of at most 200"),
        ({"order_reference": "D" * 10_000}, "printable text of at most 200"),
        ({"order_reference": ""}, "the removal order is required"),
        ({"order_reference": "DA\x0025-1"}, "printable text"),
    ],
)
def test_a_bad_removal_is_422_with_its_reason_and_changes_nothing(
    world, api_for, engine, body, reason
):
    response = api_for(FCC).post("/api/v1/providers/BBBB/rmd-removal", json=body)
    assert response.status_code == 422 and reason in response.json()["detail"]
    assert count(engine, models.RmdRemoval) == 0 and count(engine, models.BlocklistVersion) == 0


def test_a_bad_date_or_a_missing_field_is_422(world, api_for, engine):
    regulator = api_for(FCC)
    assert remove(regulator, removed_at="yesterday").status_code == 422
    assert regulator.post("/api/v1/providers/BBBB/rmd-removal", json={}).status_code == 422
    assert count(engine, models.RmdRemoval) == 0


def test_removing_twice_or_reinstating_a_provider_not_removed_is_422(world, api_for, engine):
    regulator = api_for(FCC)
    not_removed = reinstate(regulator)
    assert not_removed.status_code == 422
    assert not_removed.json()["detail"] == "BBBB is not removed from the RMD"
    assert remove(regulator).status_code == 201
    twice = remove(regulator, order_reference="DA 25-999")
    assert twice.status_code == 422 and "already" in twice.json()["detail"]
    assert count(engine, models.RmdRemoval) == 1


# --- Import -------------------------------------------------------------------------------


def test_staff_import_the_rmd_export_as_published(world, api_for, engine):
    give_rmd_numbers(engine)
    coord = api_for(COORD)
    response = import_file(coord, export(ALPHA_FILING, DELTA_FILING))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "format": "rmd-export", "added": 2, "updated": 0, "unchanged": 0, "not_in_export": 0,
        "merged": 0, "providers_added": 1, "refused": [], "import_id": 1, "same_as": None,
    }  # fmt: skip
    again = import_file(coord, export(ALPHA_FILING, DELTA_FILING)).json()
    assert again["same_as"] == 1 and again["unchanged"] == 2
    assert coord.get("/api/v1/providers/RMD0000003").json()["business_name"] == "Delta Carrier"


def test_staff_import_robotraces_own_format_ignoring_unknown_columns(world, api_for):
    data = own_csv(
        "RMD0000011,1,New Carrier LLC,No,United States,,Yes,No,No,,NEWC,noc@newc.example,x",
        ",,Bravo Wholesale Renamed,No,United States,,Yes,No,No,,BBBB,,y",
    )
    coord = api_for(COORD)
    response = import_file(coord, data)
    assert response.status_code == 200, response.text
    done = response.json()
    assert (done["format"], done["added"], done["updated"]) == ("providers-csv", 1, 1)
    assert coord.get("/api/v1/providers/NEWC").json()["business_name"] == "New Carrier LLC"


def test_an_export_with_bad_rows_changes_nothing_unless_told_to_skip_them(world, api_for, engine):
    data = export(DELTA_FILING, filing("", "No Number"), filing("RMD0000009", "Bad FRN", "12x"))
    coord = api_for(COORD)
    response = import_file(coord, data)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0] == "rmd.csv:3: number is empty" and detail[1].startswith("rmd.csv:4:")
    assert count(engine, models.Provider) == 4
    skipped = import_file(coord, data, skip_bad_rows="true").json()
    assert skipped["added"] == 1 and skipped["refused"][0] == "rmd.csv:3: number is empty"
    assert skipped["refused"][1].startswith("rmd.csv:4: malformed FRN")
    assert count(engine, models.Provider) == 5


def test_providers_and_regulators_cannot_import(world, api_for, engine):
    for email in (ALPHA, FCC):
        assert import_file(api_for(email), export(DELTA_FILING)).status_code == 403
    assert count(engine, models.Provider) == 4


# --- OpenAPI ------------------------------------------------------------------------------


def test_the_rmd_routes_are_documented_with_their_refusals(world, api_for):
    spec = api_for(FCC).get("/api/v1/openapi.json").json()
    for route in ("rmd-removal", "rmd-reinstatement"):
        operation = spec["paths"][f"/api/v1/providers/{{key}}/{route}"]["post"]
        assert {"401", "403", "404", "422", "503"} <= set(operation["responses"])
        assert "requestBody" in operation
    listing = spec["paths"]["/api/v1/providers"]["get"]
    assert "status" in [p["name"] for p in listing["parameters"]]
    detail = spec["paths"]["/api/v1/providers/{key}"]["get"]["responses"]["200"]
    assert detail["content"]["application/json"]["schema"]["$ref"].endswith("ProviderDetailOut")
