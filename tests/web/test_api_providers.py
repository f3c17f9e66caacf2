"""The provider registry through the API: search, read, import."""

from __future__ import annotations

COORD, FCC, ALPHA = "coord@example.org", "fcc@example.org", "noc@aaaa.example"
HEADER = (
    "rmd_number,frn,business_name,foreign_voice_provider,country,implementation,"
    "voice_service_provider_choice,gateway_provider_choice,intermediate_provider_choice,"
    "last_recertified,ocn,contact_email,extra_rmd_column\n"
)


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_everyone_signed_in_searches_names_and_countries_only(world, api_for):
    found = api_for(ALPHA).get("/api/v1/providers/search?q=foxtrot").json()
    assert found == [{"ocn": "FFFF", "name": "Foxtrot Intl Ltd", "country": "United Kingdom"}]
    assert [p["ocn"] for p in api_for(ALPHA).get("/api/v1/providers/search?q=bb").json()] == [
        "BBBB"
    ]


def test_readers_of_all_list_the_registry_and_providers_cannot(world, api_for):
    listed = api_for(FCC).get("/api/v1/providers").json()
    assert [p["ocn"] for p in listed] == ["AAAA", "BBBB", "CCCC", "FFFF"]
    assert api_for(ALPHA).get("/api/v1/providers").status_code == 403


def test_a_provider_reads_its_own_record_and_gets_404_for_others(world, api_for):
    alpha = api_for(ALPHA)
    assert alpha.get("/api/v1/providers/aaaa").json()["contact_email"] == "noc@aaaa.example"
    theirs = alpha.get("/api/v1/providers/BBBB")
    made_up = alpha.get("/api/v1/providers/ZZZZ")
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content


def test_staff_import_an_rmd_export_ignoring_unknown_columns(world, api_for):
    data = _csv(
        "RMD1,1,New Carrier LLC,No,United States,,Yes,No,No,,NEWC,noc@newc.example,x",
        "RMD2,2,Bravo Wholesale Renamed,No,United States,,Yes,No,No,,BBBB,,y",
    )
    coord = api_for(COORD)
    response = coord.post("/api/v1/providers/import", files={"file": ("rmd.csv", data)})
    assert response.status_code == 200, response.text
    assert response.json() == {"added": 1, "updated": 1, "unchanged": 0}
    assert coord.get("/api/v1/providers/NEWC").json()["business_name"] == "New Carrier LLC"


def test_a_file_with_bad_rows_changes_nothing_and_names_every_row(world, api_for):
    data = _csv(
        "RMD1,1,New Carrier LLC,No,United States,,Yes,No,No,,NEWC,,",
        "RMD2,2,,No,United States,,Yes,No,No,,BADX,,",
        "RMD3,3,Maybe Telco,Perhaps,United States,,Yes,No,No,,MAYB,,",
    )
    coord = api_for(COORD)
    response = coord.post("/api/v1/providers/import", files={"file": ("rmd.csv", data)})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        "rmd.csv:3: business_name is empty",
        "rmd.csv:4: foreign_voice_provider must be Yes or No, not 'Perhaps'",
    ]
    assert coord.get("/api/v1/providers/NEWC").status_code == 404


def test_providers_and_regulators_cannot_import(world, api_for):
    data = _csv("RMD1,1,New Carrier LLC,No,United States,,Yes,No,No,,NEWC,,")
    for email in (ALPHA, FCC):
        response = api_for(email).post("/api/v1/providers/import", files={"file": ("r.csv", data)})
        assert response.status_code == 403
