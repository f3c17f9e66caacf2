"""A generator of realistic FCC Robocall Mitigation Database exports, for import benchmarks.

    .venv/bin/python benchmarks/rmd_export.py OUT.csv                  # 8,000 filings
    .venv/bin/python benchmarks/rmd_export.py OUT.csv --rows 100000 --long-field 20000

The file has the columns that ``robotrace.providers.rmd.write_rmd_export`` writes
(``RMD_EXPORT_COLUMNS``) and the real export's habits (docs/rmd-export.md):

- the FCC's long implementation strings (up to 67 characters), complete 60 %, partial 20 %,
  none 20 %; the FRN without leading zeros (7 or 8 digits);
- 8 % foreign filers in other countries (and a few "foreign" ones in the United States, as in
  the real data); names in several scripts ("Télécom Ünïon", "Связь", "電信");
- companies with 2 to 4 filings sharing one FRN (about 5 % of companies);
- free text as people write it: "NONE", "none", "N/A", "'-", FRNs in lists with ``;``,
  spaces or ``:``, DBA names with commas inside; a few rows (1 in 1,000, at least 3) whose
  ``previous_dba_names`` reaches ``--long-field`` characters, ``other_dba_names`` 3/8 of it and
  ``other_frns`` 3/20 of it (the full export's ratios: 15,753, 5,922 and 2,406 characters);
- ``last_updated`` on 86 % of rows (2022–2025), ``last_recertified`` on 40 %.

Filings are a function of ``--seed``: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from robotrace.providers.rmd import FCC_IMPLEMENTATIONS, RMD_EXPORT_COLUMNS

COUNTRY = "United States of America"
FOREIGN_COUNTRIES = [
    "Canada", "United Kingdom", "India", "Philippines", "Germany", "Mexico", "Israel",
    "Hong Kong", "Pakistan", "Türkiye", "Côte d'Ivoire", "Ukraine", "China", "Brazil",
]  # fmt: skip
STEMS = [
    "Central Oklahoma", "Newby", "Nomad", "Farmers", "DigitalBrainz", "Caryco", "Buckeye",
    "Pineville", "Hardy", "Mescalero Apache", "Givens", "Skywire", "Velocity", "Bluespan",
    "Télécom Ünïon", "Müller", "Teléfonos del Norte", "Связь", "電信", "Ōsaka Link", "São Paulo",
]  # fmt: skip
KINDS = ["Telephone", "Telecom", "Communications", "Networks", "Voice", "Fiber", "Wireless"]
SUFFIXES = ["LLC", "Inc.", "Co., LLC", "Cooperative, Inc.", "Corp", "S.A. de C.V.", "GmbH", ""]
STREETS = ["Broadway", "Main Street", "Cypress Ridge Blvd", "McCurdy Avenue North", "Weston Pkwy"]
PLACES = ["Davenport OK 74026", "Bradenton FL 34280", "Evansville IN 47708", "Cary NC 27513"]
PEOPLE = ["Steve Guest", "Randy Newby", "Mike Shackelford", "James Tyler Pair", "Zoë Ångström"]
TITLES = ["CEO", "President", "Owner", "CTO", "VP, Regulatory", "Senior Manager – Product"]
DEPARTMENTS = ["Executive", "IT", "Operations", "Engineering", "Legal", ""]
NO_TEXT = ["", "", "", "", "NONE", "none", "N/A", "'-"]
URL = (
    "https://fccprod.servicenowservices.com/rmd?id=rmd_form"
    "&table=x_g_fmc_rmd_robocall_mitigation_database&sys_id={}&view=sp"
)
LEVELS = list(FCC_IMPLEMENTATIONS.values())


def generate_export(path: Path, rows: int = 8000, seed: int = 1, long_field: int = 20000) -> None:
    """Write ``rows`` filings to ``path`` as the FCC exports them (CSV, UTF-8, CRLF)."""
    rng = random.Random(seed)
    numbers = rng.sample(range(1, 10_000_000), rows)
    long_rows = set(rng.sample(range(rows), min(rows, max(3, rows // 1000))))
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=RMD_EXPORT_COLUMNS)
        writer.writeheader()
        index = 0
        while index < rows:
            company = company_of(rng)
            for _ in range(min(filings_of_a_company(rng), rows - index)):
                row = filing_row(rng, numbers[index], company)
                if index in long_rows:
                    row |= long_free_text(rng, long_field)
                writer.writerow(row)
                index += 1


def filings_of_a_company(rng: random.Random) -> int:
    return rng.randint(2, 4) if rng.random() < 0.05 else 1


def company_of(rng: random.Random) -> dict[str, str]:
    """What the filings of one company share: FRN, name, country, address."""
    foreign = rng.random() < 0.08
    name = f"{rng.choice(STEMS)} {rng.choice(KINDS)} {rng.choice(SUFFIXES)}".strip()
    return {
        "frn": str(rng.randint(1_000_000, 39_999_999)),
        "business_name": name,
        "business_address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(PLACES)}",
        "foreign_voice_provider": "Yes" if foreign or rng.random() < 0.01 else "No",
        "country": rng.choice(FOREIGN_COUNTRIES) if foreign else COUNTRY,
    }


def filing_row(rng: random.Random, number: int, company: dict[str, str]) -> dict[str, str]:
    return {
        "number": f"RMD{number:07d}",
        **company,
        "other_frns": other_frns(rng),
        "other_dba_names": dba_names(rng, company["business_name"]),
        "previous_dba_names": dba_names(rng, company["business_name"]),
        **contact(rng, company),
        "implementation": rng.choices(LEVELS, weights=[60, 20, 20])[0],
        "voice_service_provider_choice": yes_no(rng, 0.92),
        "gateway_provider_choice": yes_no(rng, 0.05),
        "intermediate_provider_choice": yes_no(rng, 0.09),
        "last_updated": a_date(rng) if rng.random() < 0.86 else "",
        "filing_url": URL.format(f"{rng.getrandbits(128):032x}"),
        "last_recertified": a_date(rng) if rng.random() < 0.40 else "",
    }


def contact(rng: random.Random, company: dict[str, str]) -> dict[str, str]:
    phone = f"{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    spelled = rng.choice([phone, f"{phone[:3]}-{phone[3:6]}-{phone[6:]}", f"'+1 {phone}"])
    return {
        "robocall_mitigation_contact_name": rng.choice(PEOPLE),
        "contact_title": rng.choice(TITLES),
        "contact_department": rng.choice(DEPARTMENTS),
        "contact_business_address": company["business_address"],
        "contact_country": company["country"],
        "contact_telephone_number": spelled,
        "contact_phone_extension": rng.choice(["", "", "", "", "1", "101", "Opt 2", "x1"]),
    }


def other_frns(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return rng.choice(NO_TEXT)
    frns = [frn_of(rng) for _ in range(rng.randint(1, 6))]
    return rng.choice(["; ", ";", " ", ":"]).join(frns)


def dba_names(rng: random.Random, business_name: str) -> str:
    if rng.random() < 0.6:
        return rng.choice(NO_TEXT)
    stem = business_name.split(" ")[0]
    names = [f"{stem} {rng.choice(KINDS)}, {rng.choice(SUFFIXES)}".rstrip(", ")]
    names += [f"{stem} {rng.choice(KINDS)}" for _ in range(rng.randint(0, 2))]
    return "; ".join(names)


def long_free_text(rng: random.Random, long_field: int) -> dict[str, str]:
    """Free text of the full export's longest rows: many names, many FRNs."""
    return {
        "previous_dba_names": long_list(long_field, lambda: name_of(rng)),
        "other_dba_names": long_list(long_field * 3 // 8, lambda: name_of(rng)),
        "other_frns": long_list(long_field * 3 // 20, lambda: frn_of(rng)),
    }


def name_of(rng: random.Random) -> str:
    place = rng.choice(PLACES).rsplit(" ", 2)[0]
    return f"{rng.choice(STEMS)} {rng.choice(KINDS)} of {place}, {rng.choice(SUFFIXES)}"


def frn_of(rng: random.Random) -> str:
    return f"{rng.randint(1, 39_999_999):010d}"


def long_list(length: int, item: Callable[[], str]) -> str:
    """Items joined by "; ", as many as fit in ``length`` characters (at least one)."""
    text = item()
    while len(text) < length:
        text += "; " + item()
    return text[:length].rstrip("; ,")


def a_date(rng: random.Random) -> str:
    return (date(2022, 1, 1) + timedelta(days=rng.randint(0, 4 * 365))).isoformat()


def yes_no(rng: random.Random, share: float) -> str:
    return "Yes" if rng.random() < share else "No"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the CSV file to write")
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--long-field", type=int, default=20000, help="longest free text")
    args = parser.parse_args()
    generate_export(args.out, rows=args.rows, seed=args.seed, long_field=args.long_field)
    size = args.out.stat().st_size
    print(f"{args.out}: {args.rows:,} filings, {size:,} bytes ({size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
