"""The provider registry in the portal: the directory (status, search, pages, providers nobody
can reach), each provider's page (identity, RMD status and history, contacts), the import of
either format, the contact address an admin sets, and RMD removals and reinstatements."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from robotrace.providers.directory import status_column
from robotrace.providers.registry import PROVIDER_COLUMNS, Provider
from robotrace.providers.rmd import RMD_EXPORT_COLUMNS
from robotrace.providers.rmd_store import statuses
from robotrace.providers.store import merge_providers, upsert_providers
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.support import settings_policy

from .conftest import PROVIDERS

DUE = Settings.from_environ().rmd_recertification_due  # the RMD recertification date

COORD, FCC, ADMIN = "coord@example.org", "fcc@example.org", "admin@example.org"
ALPHA, BRAVO = "noc@aaaa.example", "noc@bbbb.example"
ORDER = "DA 25-694"
LOOK_ALIKE = "ВВВВ"  # Cyrillic Ve, four times: looks like BBBB
PARTIAL = "Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation"


# --- Builders -----------------------------------------------------------------------------


def filing(number: str, name: str, frn: str = "", **values: str) -> dict[str, str]:
    """One row of the RMD export as the FCC writes it."""
    row = dict.fromkeys(RMD_EXPORT_COLUMNS, "")
    row.update(
        number=number,
        frn=frn,
        business_name=name,
        foreign_voice_provider="No",
        country="United States of America",
        implementation="Yes",
        voice_service_provider_choice="Yes",
        gateway_provider_choice="No",
        intermediate_provider_choice="No",
    )
    row.update(values)
    return row


def export(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RMD_EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


ALPHA_FILING = filing(
    "RMD0000001",
    "Alpha Local Telco",
    "1700905",
    business_address="223 Broadway, Davenport OK 74026",
    other_dba_names="Alpha Fiber; Alpha Voice",
    previous_dba_names="Old Alpha Co",
    robocall_mitigation_contact_name="Steve Guest",
    contact_title="President",
    contact_department="Network Operations",
    contact_telephone_number="9183772241",
    contact_phone_extension="42",
    implementation=PARTIAL,
    gateway_provider_choice="Yes",
    last_recertified="2020-02-01",
)
BRAVO_FILING = filing("RMD0000002", "Bravo Wholesale", "33848292", last_recertified="2020-04-01")
DELTA_FILING = filing(
    "RMD0000003", "Delta Carrier", "31625684", other_dba_names="Delta Long Distance"
)


def give_rmd_numbers(engine) -> None:
    """AAAA and BBBB of the world filed in the RMD as RMD0000001 and RMD0000002."""
    with transaction(engine) as session:
        upsert_providers(
            session,
            [
                Provider("AAAA", "Alpha Local Telco", rmd_numbers=("RMD0000001",)),
                Provider("BBBB", "Bravo Wholesale", rmd_numbers=("RMD0000002",)),
            ],
        )


def upload(client, content: bytes, name: str = "rmd.csv", csrf: bool = True, skip: bool = False):
    data = {"csrf_token": client.csrf} if csrf else {}
    if skip:
        data["skip_bad_rows"] = "true"
    return client.post("/providers/import", data=data, files={"file": (name, content, "text/csv")})


def post(client, path: str, csrf: bool = True, **fields: str):
    data = {"csrf_token": client.csrf, **fields} if csrf else fields
    return client.post(path, data=data, follow_redirects=False)


def count(engine, model) -> int:
    with transaction(engine) as session:
        return session.query(model).count()


def block_entries(client) -> list[dict]:
    return client.get("/api/v1/blocklist").json()["entries"]


def imported(world, client_for, engine, *rows: dict[str, str]) -> None:
    give_rmd_numbers(engine)
    response = upload(client_for(COORD), export(*rows))
    assert response.status_code == 200, response.text


# --- The directory ------------------------------------------------------------------------


def test_the_directory_lists_every_provider_with_its_status(world, client_for):
    page = client_for(FCC).get("/providers").text
    for provider in PROVIDERS:
        assert f'href="/providers/{provider.key}"' in page and provider.business_name in page
    assert "United Kingdom" in page and "noc@cccc.example" in page
    assert page.count('class="rmd rmd-unlisted"') == 4 and "never listed (4)" in page
    assert "Import the FCC" not in page  # regulators do not import
    assert "cannot be reached" not in page  # a coordinator's list


def test_the_directory_filters_by_status_and_counts_each(world, client_for, engine):
    imported(world, client_for, engine, ALPHA_FILING, BRAVO_FILING, DELTA_FILING)
    upload(client_for(COORD), export(ALPHA_FILING, DELTA_FILING))
    fcc = client_for(FCC)
    dropped = fcc.get("/providers?status=not_in_export").text
    assert 'href="/providers/BBBB"' in dropped and 'href="/providers/AAAA"' not in dropped
    listed = fcc.get("/providers?status=listed").text
    assert 'href="/providers/AAAA"' in listed and 'href="/providers/RMD0000003"' in listed
    assert 'href="/providers/BBBB"' not in listed and "recertification overdue" in listed
    assert "listed (2)" in listed and "not in the latest export (1)" in listed
    assert "never listed (2)" in listed and "all (5)" in listed
    nothing = fcc.get("/providers?status=removed").text
    assert "No provider removed." in nothing


def test_an_unknown_status_or_page_lists_everything_and_never_fails(world, client_for):
    fcc = client_for(FCC)
    for query in ("status=%3Cscript%3E", "page=-3", "page=99999999999999", "page=x", "q=%25"):
        response = fcc.get(f"/providers?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.text


def test_the_search_finds_by_name_dba_key_ocn_rmd_number_and_frn(world, client_for, engine):
    imported(world, client_for, engine, ALPHA_FILING, DELTA_FILING)
    with transaction(engine) as session:
        upsert_providers(session, [Provider("CCCC", "Charlie Gateway", ocns=("CGW1",))])
    fcc = client_for(FCC)
    for q, key in [
        ("delta long", "RMD0000003"),  # a DBA
        ("old alpha", "AAAA"),  # a previous name
        ("cccc", "CCCC"),  # the key
        ("CGW1", "CCCC"),  # an OCN
        ("RMD0000003", "RMD0000003"),
        ("1700905", "AAAA"),  # the FRN as the export writes it
        ("0001700905", "AAAA"),  # and zero-padded
    ]:
        page = fcc.get("/providers", params={"q": q}).text
        assert f'href="/providers/{key}"' in page, q
        assert 'href="/providers/FFFF"' not in page, q


def test_the_directory_pages_thousands_in_the_same_few_queries(world, client_for, engine):
    fcc = client_for(FCC)
    statements: list[str] = []
    event.listen(
        world.app.state.engine, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    fcc.get("/providers")
    few = len(statements)
    with transaction(engine) as session:
        many = [
            Provider(f"Z{i:03d}", f"Zulu {i}", rmd_numbers=(f"RMD9{i:06d}",)) for i in range(250)
        ]
        upsert_providers(session, many)
    statements.clear()
    first = fcc.get("/providers").text
    assert len(statements) == few
    assert first.count('<td><a href="/providers/') == 100 and "page 1 of 3" in first
    last = fcc.get("/providers?page=3").text
    assert last.count('<td><a href="/providers/') == 54 and "page 3 of 3" in last
    assert 'href="/providers?page=2" rel="prev"' in last


def test_a_coordinator_sees_the_providers_that_no_notice_reaches(world, client_for, engine):
    call = CallUnderTrace("+12025550100", "+13125550111", datetime(2020, 4, 30, 9, tzinfo=UTC))
    with transaction(engine) as session:
        service.open_traceback(
            session,
            call,
            "FFFF",
            "coordinator:coord@example.org",
            world.clock,
            policy=settings_policy(),
        )
    page = client_for(COORD).get("/providers").text
    section = page.split('class="unreachable"')[1].split("</section>")[0]
    assert 'href="/providers/FFFF"' in section and "Foxtrot Intl Ltd" in section
    assert "AAAA" not in section  # its open hop reaches noc@aaaa.example
    assert "cannot be reached" not in client_for(FCC).get("/providers").text


# --- A provider's page --------------------------------------------------------------------


def test_a_providers_page_shows_what_the_rmd_says_of_it(world, client_for, engine):
    imported(world, client_for, engine, ALPHA_FILING)
    page = client_for(COORD).get("/providers/AAAA").text
    for shown in (
        "RMD0000001", "0001700905", "Alpha Fiber; Alpha Voice; Old Alpha Co",
        "223 Broadway, Davenport OK 74026", PARTIAL, "voice service provider, gateway provider",
        "Steve Guest", "President", "Network Operations", "9183772241 ext. 42",
        "The RMD export gives no e-mail address", "noc@aaaa.example",
        "in the latest export as RMD0000001", "2020-02-01", "overdue", "2020-03-01",
    ):  # fmt: skip
        assert shown in page, shown
    assert "<dt>OCNs</dt><dd>AAAA</dd>" in page
    foxtrot = client_for(COORD).get("/providers/FFFF").text
    assert "<dt>OCNs</dt><dd>none known</dd>" in foxtrot
    assert "<dt>RMD numbers</dt><dd>none known</dd>" in foxtrot
    history = page.split('class="rmd-history"')[1].split("</table>")[0]
    assert "added" in history and "RMD0000001" in history


def test_any_identifier_or_a_merged_key_leads_to_the_providers_page(world, client_for, engine):
    imported(world, client_for, engine, ALPHA_FILING)
    with transaction(engine) as session:
        rows = {p.key: p for p in session.scalars(select(models.Provider))}
        merge_providers(session, rows["AAAA"], rows["FFFF"], "test", world.clock.now(), "test")
    coordinator = client_for(COORD)
    for name in ("aaaa", "RMD0000001", "1700905", "FFFF"):
        response = coordinator.get(f"/providers/{name}", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/providers/AAAA"
    assert "<dt>Earlier keys (merged)</dt><dd>FFFF</dd>" in coordinator.get("/providers/FFFF").text


def test_a_providers_page_lists_its_hops_and_users_for_staff(world, client_for):
    page = client_for(COORD).get("/providers/aaaa").text
    assert "Alpha Local Telco" in page and world.traceback_id in page
    users = page.split('class="portal-users"')[1].split("</ul>")[0]
    assert "noc@aaaa.example" in users
    assert 'class="portal-users"' not in client_for(FCC).get("/providers/AAAA").text


def test_a_provider_sees_its_own_record_without_traceback_ids_or_forms(world, client_for):
    page = client_for(ALPHA).get("/providers/AAAA").text
    assert "Alpha Local Telco" in page and world.traceback_id not in page
    assert "rmd-removal" not in page and "contact-form" not in page
    assert 'class="portal-users"' not in page


def test_a_provider_never_sees_another_providers_page_or_contact(world, client_for):
    alpha = client_for(ALPHA)
    theirs, made_up = alpha.get("/providers/BBBB"), alpha.get("/providers/ZZZZ")
    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content and "noc@bbbb.example" not in theirs.text
    found = alpha.get("/providers/search?q=bravo")
    assert "Bravo Wholesale" in found.text and "noc@bbbb.example" not in found.text
    assert alpha.get("/providers").status_code == 403


def test_the_search_fragment_returns_only_key_name_and_country(world, client_for):
    alpha = client_for(ALPHA)
    found = alpha.get("/providers/search?q=bravo")
    assert found.status_code == 200
    assert "BBBB" in found.text and "Bravo Wholesale" in found.text
    assert "noc@bbbb.example" not in found.text and "AAAA" not in found.text
    by_key = alpha.get("/providers/search?q=fff").text
    assert "Foxtrot Intl Ltd" in by_key and "United Kingdom" in by_key
    assert "No provider matches" in alpha.get("/providers/search?q=%25").text


@pytest.mark.parametrize("key", [LOOK_ALIKE, "RМD0000001", "x" * 10_000, "%00", "..%2F.."])
def test_a_look_alike_or_hostile_key_is_404_not_500(world, client_for, key):
    regulator = client_for(FCC)
    assert regulator.get(f"/providers/{key}").status_code == 404
    refused = post(regulator, f"/providers/{key}/rmd-removal", order_reference=ORDER)
    assert refused.status_code == 404


# --- Removal and reinstatement ------------------------------------------------------------


def test_a_regulator_removes_a_provider_and_reinstates_it(world, client_for, engine):
    regulator = client_for(FCC)
    removed = post(regulator, "/providers/BBBB/rmd-removal", order_reference=ORDER, removed_at="")
    assert removed.status_code == 303 and removed.headers["location"] == "/providers/BBBB"
    page = regulator.get("/providers/BBBB").text
    assert '<span class="rmd rmd-removed" id="rmd-status">removed</span>' in page
    assert f"Removed from the RMD by order {ORDER}" in page and "47 CFR 64.6305" in page
    assert "rmd-reinstatement" in page and 'class="stack rmd-removal"' not in page
    [entry] = block_entries(regulator)
    assert entry["provider"] == "BBBB" and entry["reason_code"] == "rmd_removed"
    assert entry["rmd_order"] == ORDER and entry["kind"] == "provider"

    back = post(regulator, "/providers/BBBB/rmd-reinstatement", reference="DA 25-700")
    assert back.status_code == 303
    page = regulator.get("/providers/BBBB").text
    assert 'id="rmd-status">never listed</span>' in page and "On the block list" not in page
    history = page.split('class="rmd-history"')[1].split("</table>")[0]
    assert "removed" in history and ORDER in history and "reinstated" in history
    assert block_entries(regulator) == []


def test_a_removal_takes_effect_at_the_time_entered(world, client_for, engine):
    regulator = client_for(FCC)
    response = post(
        regulator,
        "/providers/BBBB/rmd-removal",
        order_reference=ORDER,
        removed_at="2020-04-30T08:15",
    )
    assert response.status_code == 303
    with transaction(engine) as session:
        removal = session.scalars(select(models.RmdRemoval)).one()
        assert removal.removed_at.replace(tzinfo=UTC) == datetime(2020, 4, 30, 8, 15, tzinfo=UTC)
    assert "2020-04-30 08:15:00 UTC" in regulator.get("/providers/BBBB").text


def test_an_admin_may_enter_a_removal_too(world, client_for):
    response = post(client_for(ADMIN), "/providers/CCCC/rmd-removal", order_reference=ORDER)
    assert response.status_code == 303


@pytest.mark.parametrize("who", [COORD, ALPHA, BRAVO])
def test_only_regulators_and_admins_remove_or_reinstate(world, client_for, engine, who):
    client = client_for(who)
    assert post(client, "/providers/BBBB/rmd-removal", order_reference=ORDER).status_code == 403
    assert post(client, "/providers/BBBB/rmd-reinstatement", reference=ORDER).status_code == 403
    assert count(engine, models.RmdRemoval) == 0 and count(engine, models.BlocklistVersion) == 0
    assert "rmd-removal" not in client.get("/providers/AAAA").text


def test_a_removal_without_the_csrf_token_is_refused(world, client_for, engine):
    refused = post(
        client_for(FCC), "/providers/BBBB/rmd-removal", csrf=False, order_reference=ORDER
    )
    assert refused.status_code == 403 and count(engine, models.RmdRemoval) == 0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"order_reference": "<script>alert(1)</script>"}, "printable text of at most 200"),
        ({"order_reference": "D" * 10_000}, "printable text of at most 200"),
        ({"order_reference": "   "}, "the removal order is required"),
        ({"order_reference": ORDER, "removed_at": "yesterday"}, "YYYY-MM-DD HH:MM"),
        ({"order_reference": ORDER, "removed_at": "9" * 10_000}, "YYYY-MM-DD HH:MM"),
    ],
)
def test_a_hostile_removal_is_refused_with_its_reason_and_changes_nothing(
    world, client_for, engine, fields, reason
):
    response = post(client_for(FCC), "/providers/BBBB/rmd-removal", **fields)
    assert response.status_code == 422
    assert reason in response.text and "Removal not entered" in response.text
    assert "<script>alert(1)" not in response.text
    assert count(engine, models.RmdRemoval) == 0 and count(engine, models.BlocklistVersion) == 0


def test_a_removal_twice_or_a_reinstatement_of_a_listed_provider_is_refused(
    world, client_for, engine
):
    regulator = client_for(FCC)
    again = post(regulator, "/providers/BBBB/rmd-reinstatement", reference=ORDER)
    assert again.status_code == 422 and "BBBB is not removed from the RMD" in again.text
    assert post(regulator, "/providers/BBBB/rmd-removal", order_reference=ORDER).status_code == 303
    twice = post(regulator, "/providers/BBBB/rmd-removal", order_reference="DA 25-999")
    assert twice.status_code == 422 and "removed from the RMD already" in twice.text
    assert count(engine, models.RmdRemoval) == 1


# --- The contact address ------------------------------------------------------------------


def test_an_admin_sets_the_contact_address_and_it_is_audited(world, client_for, engine):
    admin = client_for(ADMIN)
    assert "contact-form" in admin.get("/providers/FFFF").text
    response = post(admin, "/providers/FFFF/contact", contact_email=" abuse@foxtrot.example ")
    assert response.status_code == 303
    assert 'href="mailto:abuse@foxtrot.example"' in admin.get("/providers/FFFF").text
    with transaction(engine) as session:
        [event_row] = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "provider.contact_set")
        ).all()
        assert event_row.provider_key == "FFFF"
    assert post(admin, "/providers/FFFF/contact", contact_email="").status_code == 303
    assert "No contact address set." in admin.get("/providers/FFFF").text


@pytest.mark.parametrize(
    "address", ["not an address", "<b>x</b>@example.org", "a@b", "x" * 300 + "@example.org"]
)
def test_a_bad_contact_address_is_refused_and_changes_nothing(world, client_for, engine, address):
    response = post(client_for(ADMIN), "/providers/CCCC/contact", contact_email=address)
    assert response.status_code == 422 and "Contact address not changed" in response.text
    assert "<b>x</b>" not in response.text
    with transaction(engine) as session:
        row = session.scalars(select(models.Provider).where(models.Provider.key == "CCCC")).one()
        assert row.contact_email == "noc@cccc.example"


@pytest.mark.parametrize("who", [COORD, FCC, ALPHA])
def test_only_admins_set_a_contact_address(world, client_for, who):
    client = client_for(who)
    assert (
        post(client, "/providers/AAAA/contact", contact_email="x@evil.example").status_code == 403
    )
    assert "contact-form" not in client.get("/providers/AAAA").text


# --- Import -------------------------------------------------------------------------------


def test_importing_an_rmd_export_shows_every_count(world, client_for, engine):
    give_rmd_numbers(engine)
    coordinator = client_for(COORD)
    first = upload(coordinator, export(ALPHA_FILING, BRAVO_FILING, DELTA_FILING))
    assert (
        "Imported (RMD export): filings: 3 added, 0 updated, 0 unchanged, 0 not in this export;"
        " 1 provider(s) added, 0 merged." in first.text
    )
    second = upload(coordinator, export(ALPHA_FILING, DELTA_FILING), name="rmd-2.csv")
    assert "0 added, 0 updated, 2 unchanged, 1 not in this export;" in second.text
    same = upload(coordinator, export(ALPHA_FILING, DELTA_FILING))
    assert "The same file as import 2: nothing changed (2 filings unchanged)." in same.text
    with transaction(engine) as session:
        names = [i.file_name for i in session.scalars(select(models.RmdImport))]
    assert names == ["rmd.csv", "rmd-2.csv"]


def test_a_merge_shows_in_the_counts(world, client_for, engine):
    give_rmd_numbers(engine)  # AAAA holds RMD0000001; a filing brings BBBB's RMD number's FRN
    coordinator = client_for(COORD)
    upload(coordinator, export(BRAVO_FILING))
    both = filing("RMD0000001", "Alpha Local Telco", BRAVO_FILING["frn"])
    response = upload(coordinator, export(both, BRAVO_FILING))
    assert "1 merged" in response.text


def test_an_export_with_bad_rows_imports_nothing_and_names_each_line(world, client_for, engine):
    bad = export(DELTA_FILING, filing("", "No Number"), filing("RMD0000009", "Bad FRN", "12x"))
    response = upload(client_for(ADMIN), bad, name="rmd-2024.csv")
    assert response.status_code == 400
    assert "rmd-2024.csv:3: number is empty" in response.text
    assert "rmd-2024.csv:4: malformed FRN" in response.text
    assert count(engine, models.Provider) == 4


def test_skip_bad_rows_imports_the_good_ones_and_lists_the_others(world, client_for, engine):
    bad = export(DELTA_FILING, filing("", "No Number"))
    response = upload(client_for(COORD), bad, skip=True)
    assert response.status_code == 200
    assert "1 added" in response.text and "1 refused row(s) left out" in response.text
    assert "<li><code>rmd.csv:3: number is empty</code></li>" in response.text
    assert count(engine, models.Provider) == 5


def test_robotraces_own_providers_csv_still_imports(world, client_for, engine):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*PROVIDER_COLUMNS, "notes"])
    writer.writeheader()
    renamed = Provider("BBBB", "Bravo Wholesale Inc", ocns=("BBBB",))
    new = Provider("", "Echo Telecom", rmd_numbers=("RMD0000005",))
    for provider in (renamed, new):
        writer.writerow({**provider.to_row(), "notes": "extra"})
    response = upload(client_for(COORD), out.getvalue().encode(), name="providers.csv")
    assert response.status_code == 200
    assert "Imported (providers.csv): rows: 1 added, 1 updated, 0 unchanged" in response.text
    assert count(engine, models.Provider) == 5


def test_a_file_without_the_needed_columns_or_not_text_is_refused(world, client_for, engine):
    coordinator = client_for(COORD)
    assert "missing column(s): business_name" in upload(coordinator, b"name\nX\n").text
    not_text = upload(coordinator, b"business_name,ocn\n\xff\xfe,x\n")
    assert not_text.status_code == 400 and "not a UTF-8 CSV file" in not_text.text
    assert count(engine, models.Provider) == 4


def test_only_staff_import_and_only_with_the_csrf_token(world, client_for, engine):
    content = export(DELTA_FILING)
    assert upload(client_for(FCC), content).status_code == 403
    assert upload(client_for(ALPHA), content).status_code == 403
    assert upload(client_for(COORD), content, csrf=False).status_code == 403
    assert count(engine, models.Provider) == 4


# --- The status in SQL and in Python agree ------------------------------------------------


def test_the_directorys_status_in_sql_is_the_stores_for_every_status(world, client_for, engine):
    imported(world, client_for, engine, ALPHA_FILING, BRAVO_FILING, DELTA_FILING)
    coordinator = client_for(COORD)
    upload(coordinator, export(ALPHA_FILING, DELTA_FILING))  # BBBB: not in this export
    post(client_for(FCC), "/providers/RMD0000003/rmd-removal", order_reference=ORDER)
    post(client_for(FCC), "/providers/CCCC/rmd-removal", order_reference=ORDER)
    with transaction(engine) as session:
        rows = session.execute(select(models.Provider.id, status_column(session))).all()
        expected = statuses(session, [pid for pid, _ in rows], date(2020, 5, 1), DUE)
        assert {pid: s for pid, s in rows} == {pid: s.status for pid, s in expected.items()}
        assert sorted(s for _, s in rows) == [
            "listed", "not_in_export", "removed", "removed", "unlisted"
        ]  # fmt: skip


def test_the_block_list_reason_is_the_published_lists(world, client_for, engine):
    post(client_for(FCC), "/providers/CCCC/rmd-removal", order_reference=ORDER)
    with transaction(engine) as session:
        body = session.scalars(select(models.BlocklistVersion)).one().body
    [entry] = json.loads(body)["entries"]
    page = client_for(COORD).get("/providers/CCCC").text
    assert entry["effective_at"] == "2020-05-01T12:00:00Z"
    assert f"by order {ORDER} (effective 2020-05-01 12:00:00 UTC)" in page


def test_a_coordinator_adds_an_identifier_and_a_second_holder_merges_into_the_older(
    world, client_for, engine
):
    coord = client_for(COORD)
    assert (
        post(coord, "/providers/BBBB/identifiers", kind="rmd", value="rmd0000042").status_code
        == 303
    )
    with transaction(engine) as session:  # an import later files the number for CCCC too?
        charlie = session.scalar(select(models.Provider).where(models.Provider.key == "CCCC"))
        charlie_id = charlie.id
    # CCCC is learned to hold the same FRN as BBBB: one company, BBBB is the older row.
    assert post(coord, "/providers/CCCC/identifiers", kind="frn", value="42").status_code == 303
    response = post(coord, "/providers/BBBB/identifiers", kind="frn", value="0000000042")
    assert response.status_code == 303 and response.headers["location"] == "/providers/BBBB"
    with transaction(engine) as session:
        assert session.get(models.Provider, charlie_id) is None
        merged = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "provider.merged")
        ).all()
        assert [(e.provider_key, e.details["absorbed"]) for e in merged] == [("BBBB", "CCCC")]
    page = coord.get("/providers/CCCC", follow_redirects=True).text  # the old key still works
    assert "Bravo Wholesale" in page and "RMD0000042" in page


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("rmd", "RМD0000042"),
        ("ocn", "../../x"),
        ("frn", "1" * 11),
        ("key", "RT-ABCDEF"),
        ("name", " "),
    ],
)
def test_a_bad_identifier_is_refused_with_its_reason_and_changes_nothing(
    world, client_for, engine, kind, value
):
    coord = client_for(COORD)
    response = post(coord, "/providers/BBBB/identifiers", kind=kind, value=value)
    assert response.status_code == 422 and "Identifier not added" in response.text
    with transaction(engine) as session:
        bravo = session.scalar(select(models.Provider).where(models.Provider.key == "BBBB"))
        assert {(i.kind, i.value) for i in bravo.identifiers} == {
            ("ocn", "BBBB"),
            ("name", "Bravo Wholesale"),
        }


def test_providers_and_regulators_do_not_add_identifiers(world, client_for):
    for who in (ALPHA, FCC):
        client = client_for(who)
        assert post(client, "/providers/AAAA/identifiers", kind="name", value="x").status_code in (
            403,
            404,
        )
