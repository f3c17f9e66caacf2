"""The provider directory: the table, each provider's page, the search, and the RMD import."""

import csv
import io

from robotrace.providers.registry import PROVIDER_COLUMNS, Provider
from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import PROVIDERS

NEW = Provider("DDDD", "Delta Carrier", contact_email="noc@dddd.example")


def rmd_csv(providers, extra_columns=()) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*PROVIDER_COLUMNS, *extra_columns])
    writer.writeheader()
    for provider in providers:
        writer.writerow({**provider.to_row(), **{c: "extra" for c in extra_columns}})
    return out.getvalue().encode()


def upload(client, content: bytes, name: str = "providers.csv", csrf: bool = True):
    return client.post(
        "/providers/import",
        data={"csrf_token": client.csrf} if csrf else {},
        files={"file": (name, content, "text/csv")},
    )


def provider_count(engine) -> int:
    with transaction(engine) as session:
        return session.query(models.Provider).count()


def test_the_directory_lists_every_provider_with_its_record(world, client_for):
    page = client_for("fcc@example.org").get("/providers").text
    for provider in PROVIDERS:
        assert f'href="/providers/{provider.ocn}"' in page and provider.business_name in page
    assert "United Kingdom" in page and "noc@cccc.example" in page
    assert "Import an RMD export" not in page  # regulators do not import


def test_a_providers_page_lists_its_hops_for_staff(world, client_for):
    page = client_for("coord@example.org").get("/providers/aaaa").text
    assert "Alpha Local Telco" in page and world.traceback_id in page


def test_a_provider_sees_its_own_record_without_traceback_ids(world, client_for):
    page = client_for("noc@aaaa.example").get("/providers/AAAA").text
    assert "Alpha Local Telco" in page and world.traceback_id not in page


def test_the_search_returns_only_ocn_name_and_country_to_a_provider(world, client_for):
    found = client_for("noc@aaaa.example").get("/providers/search?q=bravo")
    assert found.status_code == 200
    assert "BBBB" in found.text and "Bravo Wholesale" in found.text
    assert "noc@bbbb.example" not in found.text and "AAAA" not in found.text
    by_ocn = client_for("noc@aaaa.example").get("/providers/search?q=fff").text
    assert "Foxtrot Intl Ltd" in by_ocn and "United Kingdom" in by_ocn
    assert (
        "No provider matches" in client_for("noc@aaaa.example").get("/providers/search?q=%25").text
    )


def test_importing_an_rmd_export_adds_and_updates_and_ignores_unknown_columns(
    world, client_for, engine
):
    coordinator = client_for("coord@example.org")
    renamed = Provider("BBBB", "Bravo Wholesale Inc", contact_email="noc@bbbb.example")
    content = rmd_csv([*PROVIDERS[:1], renamed, NEW], extra_columns=("filing_date", "notes"))
    response = upload(coordinator, content)
    assert response.status_code == 200
    assert "Imported: 1 added, 1 updated, 1 unchanged." in response.text
    assert "Delta Carrier" in response.text and "Bravo Wholesale Inc" in response.text
    again = upload(coordinator, content)
    assert "Imported: 0 added, 0 updated, 3 unchanged." in again.text
    assert provider_count(engine) == 5


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(world, client_for, engine):
    content = rmd_csv([NEW, Provider("", "No OCN"), Provider("EEEE", "")])
    content = content.replace(b"Delta Carrier,No,", b"Delta Carrier,Maybe,")
    response = upload(client_for("admin@example.org"), content, name="rmd-2024.csv")
    assert response.status_code == 400
    assert "rmd-2024.csv:2: foreign_voice_provider must be Yes or No" in response.text
    assert "rmd-2024.csv:3: ocn is empty" in response.text
    assert "rmd-2024.csv:4: business_name is empty" in response.text
    assert provider_count(engine) == 4


def test_a_file_without_the_needed_columns_or_not_text_is_refused(world, client_for, engine):
    coordinator = client_for("coord@example.org")
    assert "missing column(s): ocn" in upload(coordinator, b"business_name\nX\n").text
    assert "not a UTF-8 CSV file" in upload(coordinator, b"ocn,business_name\n\xff\xfe,x\n").text
    assert provider_count(engine) == 4


def test_only_staff_import_and_only_with_the_csrf_token(world, client_for, engine):
    content = rmd_csv([NEW])
    assert upload(client_for("fcc@example.org"), content).status_code == 403
    assert upload(client_for("noc@aaaa.example"), content).status_code == 403
    assert upload(client_for("coord@example.org"), content, csrf=False).status_code == 403
    assert provider_count(engine) == 4
