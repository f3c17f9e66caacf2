"""The numbers of campaigns tagged covid-19, from the SQL store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from robotrace.stats.complaints import complaint_stats
from robotrace.stats.covid import covid_campaign_keys
from robotrace.store import models
from tests.evidence.builders import ftc_csv, ftc_row
from tests.stats.test_complaints import stored

T0 = datetime(2020, 4, 1, 12, 0, tzinfo=UTC)


def campaign(session, campaign_id: str, tags: list[str], callbacks: list[str], caller: str):
    session.add(
        models.Campaign(
            id=campaign_id, name=campaign_id, tags=tags, created_at=T0, callback_numbers=callbacks
        )
    )
    session.flush()
    session.add(
        models.Call(
            source="honeypot", source_ref=campaign_id, calling_number=caller,
            called_number="+13125550100", call_time=T0, transcript="", imported_at=T0,
            campaign_id=campaign_id,
        )
    )  # fmt: skip
    session.flush()


def test_the_keys_are_the_numbers_of_campaigns_tagged_covid_19_in_any_case(session):
    campaign(session, "C-KITS", ["COVID-19", "medicare"], ["+18885550100"], "+12025550101")
    campaign(session, "C-CAR", ["auto-warranty"], ["+18335550199"], "+12025550102")
    campaign(session, "C-COVIDISH", ["covid"], ["+18005550000"], "202")  # another tag
    assert covid_campaign_keys(session) == {"8885550100", "2025550101"}


def test_no_tagged_campaign_gives_no_keys(session):
    campaign(session, "C-CAR", ["auto-warranty"], ["+18335550199"], "+12025550102")
    assert covid_campaign_keys(session) == frozenset()


def test_a_tagged_campaigns_number_makes_its_complaints_covid_related(session, tmp_path):
    campaign(session, "C-KITS", ["covid-19"], ["+18885550100"], "+12025550101")
    path = ftc_csv(
        tmp_path / "ftc.csv",
        ftc_row(Company_Phone_Number="888-555-0100", Subject="Imposters"),
        ftc_row(Company_Phone_Number="(202) 555-0101", Created_Date="2020-04-02 11:00:00"),
        ftc_row(Company_Phone_Number="202-555-0199", Created_Date="2020-04-02 12:00:00"),
    )
    covid = complaint_stats(stored(tmp_path, path), covid_keys=covid_campaign_keys(session)).covid
    assert (covid.complaints, covid.by_subject, covid.by_campaign_only) == (2, 0, 2)
