"""Switch records read into canonical legs: sample rows in each project's documented shape,
and malformed ones reported with their lines.

The shapes come from the projects' own sources (docs/formats.md cites them): Kamailio's acc
README and db_text README/``dbt_file.c`` (with Debian's shipped ``acc`` table header),
Asterisk's ``cdr_csv.c`` and CDR table migration, FreeSWITCH's default ``cdr_csv`` template
(and the sample rows of its CDR documentation) and ``mod_json_cdr``. Expected instants are
worked out by hand: epoch 1588334400 is 2020-05-01 12:00:00 UTC, 08:00 in New York (EDT,
UTC-4), 07:00 in Chicago (CDT, UTC-5).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from robotrace.cdr.formats import format_named
from robotrace.cdr.readers import check_cdrs, read_cdrs
from robotrace.cdr.switch import SwitchRecords
from robotrace.cdr.trunkmap import parse_trunk_map

NOON = datetime(2020, 5, 1, 12, tzinfo=UTC)
TRUNKS = """\
provider = "TERM"
time_zone = "America/New_York"

[[trunk]]
source = "192.0.2.0/24"
upstream = "UPST"

[[trunk]]
trunk = "carrier-a"
upstream = { name = "Carrier A Inc", ocn = "CARA" }

[[trunk]]
accountcode = "acme"
customer = "Acme Dialer LLC"
"""


def records(fmt: str, trunks: str = TRUNKS) -> SwitchRecords:
    found = format_named(fmt)
    assert found is not None
    return SwitchRecords(found, parse_trunk_map(trunks))


def legs(path: Path, fmt: str, trunks: str = TRUNKS) -> list[dict[str, Any]]:
    return read_cdrs([path], switch=records(fmt, trunks)).to_pylist()


def errors(path: Path, fmt: str, trunks: str = TRUNKS) -> list[str]:
    return [str(e) for c in check_cdrs([path], switch=records(fmt, trunks)) for e in c.errors]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- Kamailio acc through db_text -------------------------------------------------------------

#: Debian's kamailio 5.6 ``/usr/share/kamailio/dbtext/kamailio/acc`` (trailing space and
#: all), with the stock kamailio.cfg extras and ``src_port`` added.
ACC_HEADER = (
    "id(int,auto) method(string) from_tag(string) to_tag(string) callid(string) "
    "sip_code(string) sip_reason(string) time(int) src_user(string) src_domain(string) "
    "src_ip(string) src_port(string) dst_ouser(string) dst_user(string) dst_domain(string) \n"
)
ACC_ROWS = [
    "1:INVITE:a8f3c1:77b2e0:4f2a-1@192.0.2.10:200:OK:1588334400:+12025550143:192.0.2.10:"
    "192.0.2.10:5060:+13105550199:+13105550199:sbc.example.net",
    "2:BYE:a8f3c1:77b2e0:4f2a-1@192.0.2.10:200:OK:1588334460:+12025550143:192.0.2.10:"
    "192.0.2.10:5060:+13105550199:+13105550199:sbc.example.net",
    "3:INVITE:b1::9c\\:x\\\\y@h:486:Busy Here:1588334401:anonymous:h:198.51.100.9:5060:"
    "13105550100:+13105550100:sbc.example.net",
]


def acc_file(folder: Path, *rows: str, name: str = "acc") -> Path:
    return write(folder / name, ACC_HEADER + "".join(row + "\n" for row in rows))


def test_a_kamailio_dbtext_acc_row_becomes_a_mapped_leg(tmp_path: Path) -> None:
    first, bye, unmapped = ACC_ROWS
    found = legs(acc_file(tmp_path, first, bye, unmapped), "kamailio-dbtext")
    assert len(found) == 2  # the BYE transaction is not a leg
    leg = found[0]
    assert leg["provider"] == "TERM" and leg["call_time"] == NOON
    assert (leg["calling_number"], leg["called_number"]) == ("+12025550143", "+13105550199")
    assert (leg["from_provider"], leg["customer"]) == ("UPST", None)
    assert (leg["sip_call_id"], leg["disposition"]) == ("4f2a-1@192.0.2.10", "ANSWERED")
    assert leg["trunk"] == "source=192.0.2.10:5060"


def test_db_text_escapes_are_undone_and_unmapped_legs_keep_their_ingress(tmp_path: Path) -> None:
    leg = legs(acc_file(tmp_path, ACC_ROWS[2]), "kamailio-dbtext")[0]
    # db_text writes ':' as '\:' and '\' as '\\' (its README, "Internal format").
    assert leg["sip_call_id"] == "9c:x\\y@h"
    assert leg["called_number"] == "+13105550100"  # the R-URI user ($rU), not $tU
    assert (leg["from_provider"], leg["customer"], leg["disposition"]) == (None, None, "BUSY")
    assert leg["trunk"] == "source=198.51.100.9:5060"


def test_check_lists_the_unmapped_trunks(tmp_path: Path) -> None:
    path = acc_file(tmp_path, *ACC_ROWS)
    [check] = check_cdrs([path], switch=records("kamailio-dbtext"))
    assert (check.ok, check.rows) == (True, 2)
    assert check.unmapped == {"source=198.51.100.9:5060": 1}


def test_a_db_text_directory_gives_its_acc_and_missed_calls_tables_only(tmp_path: Path) -> None:
    acc_file(tmp_path, ACC_ROWS[0])
    acc_file(tmp_path, ACC_ROWS[2], name="missed_calls")
    write(tmp_path / "version", "id(int,auto) table_name(string) table_version(int)\n0:acc:5\n")
    write(tmp_path / "location", "username(str) contact(str)\nalice:sip:alice@h\n")
    found = legs(tmp_path, "kamailio-dbtext")
    assert sorted(leg["sip_call_id"] for leg in found) == ["4f2a-1@192.0.2.10", "9c:x\\y@h"]


def test_the_invite_time_extra_wins_over_acc_time(tmp_path: Path) -> None:
    header = "method(str) time(int) invite_time(str) src_ip(str) dst_user(str) callid(str)\n"
    path = write(
        tmp_path / "acc", header + "INVITE:1588334420:1588334400.250:192.0.2.9:+13105550199:c\n"
    )
    [leg] = legs(path, "kamailio-dbtext")
    assert leg["call_time"] == NOON.replace(microsecond=250_000)


def test_malformed_db_text_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = acc_file(
        tmp_path,
        ACC_ROWS[0],
        "",  # a blank line: skipped, but counted
        "4:INVITE:a:b:c@h:2OO:OK:1588334400:x:h:192.0.2.9:5060:y:+13105550199:d",
        "5:INVITE:a:b:c@h:200:OK:soon:x:h:sbc-1.example.net:5060:y:+13105550199:d",
        "6:INVITE:a:b:c@h:200:OK:1588334400:x:h:192.0.2.9:5060",
        "7:INVITE:a:b:c@h:200:OK:1588334400:x:h:192.0.2.9:5060:::d",
    )
    assert errors(path, "kamailio-dbtext") == [
        f"{path}:4: sip_code '2OO' is not a SIP status code",
        f"{path}:5: source 'sbc-1.example.net:5060' is not an IP address (optionally :port); "
        "call_time 'soon' is not epoch seconds, ISO-8601 or 'YYYY-MM-DD HH:MM:SS' between "
        "1970 and 2100",
        f"{path}:6: has 12 fields, the header declares 15; called_number is empty",
        f"{path}:7: called_number is empty",
    ]


def test_a_file_that_is_not_a_db_text_table_is_refused_at_line_1(tmp_path: Path) -> None:
    path = write(tmp_path / "acc", "method,time,src_ip\nINVITE,1588334400,192.0.2.9\n")
    assert errors(path, "kamailio-dbtext") == [
        f"{path}:1: not a db_text table: line 1 must declare the columns, e.g. method(str) "
        "time(int)"
    ]


def test_an_acc_table_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "acc", "method(str) callid(str) time(int)\nINVITE:c:1588334400\n")
    assert errors(path, "kamailio-dbtext") == [
        f"{path}:1: no called-number column (dst_user or dst_ouser or to_user) in the db_text "
        "header",
        f"{path}:1: no ingress column (src_ip or trunk or tgrp) in the db_text header",
    ]


# --- Kamailio acc as an SQL export --------------------------------------------------------


def test_a_kamailio_acc_table_export_reads_local_datetimes_in_the_maps_zone(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "acc.csv",
        "id,method,from_tag,to_tag,callid,sip_code,sip_reason,time,src_ip,src_user,dst_user\n"
        "1,INVITE,a,b,4f2a-1@h,200,OK,2020-05-01 08:00:00,192.0.2.10,+12025550143,"
        "+13105550199\n"
        "2,INVITE,a,b,4f2a-2@h,404,Not Found,2020-05-01 08:00:01,203.0.113.5,x,\n",
    )
    assert errors(path, "kamailio-csv") == [f"{path}:3: called_number is empty"]
    write(path, path.read_text().replace(",x,\n", ",x,+13105550100\n"))
    first, second = legs(path, "kamailio-csv")
    assert (first["call_time"], first["from_provider"]) == (NOON, "UPST")
    assert (second["disposition"], second["trunk"]) == ("FAILED", "source=203.0.113.5")


# --- Asterisk ---------------------------------------------------------------------------------

#: ``cdr_csv``'s fields (cdr_csv.c) with ``loguniqueid`` and ``loguserfield`` on, as the sample
#: cdr.conf has them: 18 fields, no header, times in the server's local time.
MASTER_ROWS = [
    '"","+12025550143","+13105550199","from-carrier","""Caller"" <+12025550143>",'
    '"PJSIP/carrier-a-00000012","PJSIP/pbx-00000013","Dial","PJSIP/pbx,30",'
    '"2020-05-01 08:00:00","2020-05-01 08:00:04","2020-05-01 08:01:04",64,60,"ANSWERED",'
    '"DOCUMENTATION","1588334400.18",""',
    '"acme","2025550100","+13105550177","from-customers","""Acme"" <2025550100>",'
    '"PJSIP/acme-dialer-0000001a","","Dial","PJSIP/carrier-b,30",'
    '"2020-05-01 08:00:05","","2020-05-01 08:00:35",30,0,"CONGESTION",'
    '"DOCUMENTATION","1588334405.26",""',
    '"","+12025550111","+13105550122","from-carrier","","SIP/unknown-gw-0000abcd","",'
    '"Dial","","2020-05-01 08:00:06","","2020-05-01 08:00:16",10,0,"NO ANSWER",'
    '"DOCUMENTATION","1588334406.30",""',
]


def test_asterisk_master_csv_rows_are_mapped_by_channel_and_account_code(tmp_path: Path) -> None:
    write(tmp_path / "cdr-csv" / "Master.csv", "\n".join(MASTER_ROWS) + "\n")
    write(tmp_path / "cdr-csv" / "acme.csv", MASTER_ROWS[1] + "\n")  # accountlogs: a copy
    found = legs(tmp_path / "cdr-csv", "asterisk-csv")
    assert len(found) == 3
    carrier, customer, unknown = found
    assert (carrier["call_time"], carrier["from_provider"]) == (NOON, "CARA")
    assert (carrier["duration_s"], carrier["disposition"]) == (60, "ANSWERED")
    assert carrier["trunk"] == "trunk=carrier-a"
    assert (customer["customer"], customer["disposition"]) == ("Acme Dialer LLC", "FAILED")
    assert customer["trunk"] == "trunk=acme-dialer accountcode=acme"
    assert (unknown["from_provider"], unknown["customer"]) == (None, None)
    assert unknown["trunk"] == "trunk=unknown-gw"


def test_malformed_master_csv_rows_are_reported_with_their_lines(tmp_path: Path) -> None:
    bad_time = MASTER_ROWS[0].replace('"2020-05-01 08:00:00"', '"yesterday"')
    short = '"","+12025550111","+13105550122"'
    path = write(tmp_path / "Master.csv", "\n".join([MASTER_ROWS[0], bad_time, short]) + "\n")
    assert errors(path, "asterisk-csv") == [
        f"{path}:2: call_time 'yesterday' is not epoch seconds, ISO-8601 or "
        "'YYYY-MM-DD HH:MM:SS' between 1970 and 2100",
        f"{path}:3: has 3 fields, the first row has 18",
    ]


def test_a_master_csv_narrower_than_cdr_csv_writes_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "Master.csv", '"","+12025550111","+13105550122","ctx"\n')
    assert errors(path, "asterisk-csv") == [f"{path}:1: has 4 fields: cdr_csv writes at least 16"]


def test_an_asterisk_cdr_table_export_is_read_by_column_name(tmp_path: Path) -> None:
    header = "uniqueid,start,answer,end,clid,src,dst,dcontext,channel,dstchannel,lastapp,"
    header += "lastdata,duration,billsec,disposition,amaflags,accountcode,userfield"
    row = (
        "1588334400.18,2020-05-01 08:00:00,2020-05-01 08:00:04,2020-05-01 08:01:04,"
        '"""Caller"" <+12025550143>",+12025550143,+13105550199,from-carrier,'
        'PJSIP/carrier-a-00000012,PJSIP/pbx-00000013,Dial,"PJSIP/pbx,30",64,60,ANSWERED,'
        "DOCUMENTATION,,"
    )
    path = write(tmp_path / "cdr.csv", f"{header}\n{row}\n")
    [leg] = legs(path, "asterisk-odbc")
    assert (leg["call_time"], leg["from_provider"], leg["called_number"]) == (
        NOON,
        "CARA",
        "+13105550199",
    )


# --- FreeSWITCH ---------------------------------------------------------------------------

#: Two rows of the sample Master.csv in FreeSWITCH's CDR documentation ("CDR Examples"),
#: written with the default template: unanswered calls from context "public".
FS_DOCUMENTED = [
    '"9007","9007","0034688886392","public","2014-05-29 16:59:50","","2014-05-29 16:59:50",'
    '"0","0","NORMAL_CLEARING","a5c9f6c0-e752-11e3-8bfb-65b6c3cdac7d","","","",""',
    '"9008","9008","+34688886392","public","2014-05-29 17:01:32","","2014-05-29 17:01:32",'
    '"0","0","NORMAL_CLEARING","e29ff0ae-e752-11e3-8bff-65b6c3cdac7d","","","",""',
]
FS_TRUNKS = """\
provider = "TERM"
time_zone = "Europe/Madrid"

[[trunk]]
trunk = "public"
upstream = "1234"
"""


def test_freeswitch_documented_master_csv_rows_are_read(tmp_path: Path) -> None:
    write(tmp_path / "cdr-csv" / "Master.csv", "\n".join(FS_DOCUMENTED) + "\n")
    first, second = legs(tmp_path / "cdr-csv", "freeswitch-csv", FS_TRUNKS)
    # 16:59:50 in Madrid in May (CEST, UTC+2) is 14:59:50 UTC.
    assert first["call_time"] == datetime(2014, 5, 29, 14, 59, 50, tzinfo=UTC)
    assert (first["calling_number"], first["called_number"]) == ("9007", "0034688886392")
    assert (first["from_provider"], first["trunk"]) == ("1234", "trunk=public")
    assert (first["disposition"], first["duration_s"]) == ("NO ANSWER", 0)
    assert second["called_number"] == "+34688886392"


def test_an_answered_freeswitch_row_and_a_busy_one(tmp_path: Path) -> None:
    answered = (
        '"Acme","+12025550143","+13105550199","public","2014-05-29 17:00:00",'
        '"2014-05-29 17:00:03","2014-05-29 17:01:03","63","60","NORMAL_CLEARING",'
        '"a5c9f6c0-e752-11e3-8bfb-65b6c3cdac7e","","acme","PCMU","PCMU"'
    )
    busy = answered.replace('"2014-05-29 17:00:03"', '""').replace("NORMAL_CLEARING", "USER_BUSY")
    path = write(tmp_path / "Master.csv", f"{answered}\n{busy}\n")
    first, second = legs(path, "freeswitch-csv", FS_TRUNKS)
    assert (first["disposition"], first["duration_s"]) == ("ANSWERED", 60)
    assert first["trunk"] == "trunk=public accountcode=acme"
    assert second["disposition"] == "BUSY"


def test_a_freeswitch_row_of_another_template_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "Master.csv", '"9007","9007","0034688886392","public"\n')
    assert errors(path, "freeswitch-csv", FS_TRUNKS) == [
        f"{path}:1: has 4 fields: the default template writes 15"
    ]


def json_cdr(direction: str = "inbound", **variables: str) -> dict[str, Any]:
    """A record in mod_json_cdr's shape (switch_ivr_generate_json_cdr), values URL-encoded."""
    values = {
        "sip_network_ip": "192.0.2.10",
        "sip_network_port": "5060",
        "sip_call_id": "4f2a-1%40192.0.2.10",
        "sip_req_user": "%2B13105550199",
        "start_uepoch": "1588334400250000",
        "start_stamp": "2020-05-01%2008%3A00%3A00",
        "answer_epoch": "1588334403",
        "billsec": "60",
        "hangup_cause": "NORMAL_CLEARING",
        **variables,
    }
    return {
        "core-uuid": "0b5a8f8e-0c6f-4b1e-9a52-1f2d3c4b5a69",
        "switchname": "fs1",
        "channel_data": {"state": "CS_REPORTING", "direction": direction},
        "variables": values,
        "callflow": [
            {
                "dialplan": "XML",
                "caller_profile": {
                    "caller_id_number": "+12025550143",
                    "destination_number": "+13105550199",
                    "network_addr": "192.0.2.10",
                },
            }
        ],
    }


def test_freeswitch_json_cdrs_give_the_inbound_legs(tmp_path: Path) -> None:
    folder = tmp_path / "json_cdr"
    write(folder / "a5c9f6c0.cdr.json", json.dumps(json_cdr()))
    write(folder / "e29ff0ae.cdr.json", json.dumps(json_cdr("outbound")))  # the B leg
    [leg] = legs(folder, "freeswitch-json")
    assert leg["call_time"] == NOON.replace(microsecond=250_000)
    assert (leg["calling_number"], leg["called_number"]) == ("+12025550143", "+13105550199")
    assert (leg["sip_call_id"], leg["from_provider"]) == ("4f2a-1@192.0.2.10", "UPST")
    assert (leg["trunk"], leg["disposition"]) == ("source=192.0.2.10:5060", "ANSWERED")


def test_a_broken_json_cdr_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "json_cdr"
    write(folder / "good.cdr.json", json.dumps(json_cdr()))
    broken = write(folder / "broken.cdr.json", '{"variables": {\n"x": }')
    other = write(folder / "other.cdr.json", '["not", "a", "record"]')
    assert errors(folder, "freeswitch-json") == [
        f"{broken}:2: not a JSON CDR: Expecting value: line 2 column 6 (char 21)",
        f'{other}:1: not a mod_json_cdr record (no "variables" object)',
    ]


# --- mapping files --------------------------------------------------------------------------

SBC_MAPPING = """\
[columns]
call_time = "Start Time"
calling_number = "Calling Number"
called_number = "Called Number"
source = "Ingress Signaling IP"
source_port = "Ingress Port"
tgrp = "Ingress Trunk Group"
sip_call_id = "Call-ID"
duration_s = "Duration"

[time]
format = "%m/%d/%Y %H:%M:%S"
zone = "America/Chicago"
"""
SBC_EXPORT = (
    "Start Time,Calling Number,Called Number,Ingress Signaling IP,Ingress Port,"
    "Ingress Trunk Group,Call-ID,Duration\n"
    "05/01/2020 07:00:00,2025550143,3105550199,192.0.2.10,5060,CARRIER_A_TG1,4f2a-1@h,60\n"
    "05/01/2020 07:00:01,2025550144,3105550198,203.0.113.9,5060,CARRIER_C_TG1,4f2a-2@h,5\n"
)
SBC_TRUNKS = """\
provider = "TERM"

[[trunk]]
tgrp = "CARRIER_C_TG1"
upstream = "RMD0004008"

[[trunk]]
source = "192.0.2.0/24"
upstream = "UPST"
"""


def test_the_worked_sbc_example_of_the_docs_is_read(tmp_path: Path) -> None:
    mapping = write(tmp_path / "sbc.toml", SBC_MAPPING)
    path = write(tmp_path / "export" / "cdrs.csv", SBC_EXPORT)
    first, second = legs(path, str(mapping), SBC_TRUNKS)
    assert first["call_time"] == NOON  # 07:00 in Chicago (CDT), the map's zone UTC unused
    assert (first["from_provider"], first["duration_s"]) == ("UPST", 60)
    assert first["trunk"] == "source=192.0.2.10:5060 tgrp=CARRIER_A_TG1"
    assert second["from_provider"] == "RMD0004008"


def test_a_headerless_export_is_mapped_by_position(tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "pos.toml",
        '[file]\nheader = false\ndelimiter = ";"\n[columns]\ncall_time = 1\n'
        "called_number = 3\ncalling_number = 2\nsource = 4\n",
    )
    path = write(tmp_path / "cdrs.csv", "1588334400;+12025550143;+13105550199;192.0.2.10\n")
    [leg] = legs(path, str(mapping), SBC_TRUNKS)
    assert (leg["call_time"], leg["called_number"], leg["from_provider"]) == (
        NOON,
        "+13105550199",
        "UPST",
    )


def test_a_time_not_in_the_mapped_format_is_a_bad_row(tmp_path: Path) -> None:
    mapping = write(tmp_path / "sbc.toml", SBC_MAPPING)
    path = write(
        tmp_path / "cdrs.csv", SBC_EXPORT.replace("05/01/2020 07:00:01", "2020-05-01 07:00:01")
    )
    assert errors(path, str(mapping), SBC_TRUNKS) == [
        f"{path}:3: call_time '2020-05-01 07:00:01' is not a time like '%m/%d/%Y %H:%M:%S' "
        "between 1970 and 2100"
    ]


def test_a_mapped_column_missing_from_the_header_is_refused(tmp_path: Path) -> None:
    mapping = write(tmp_path / "sbc.toml", SBC_MAPPING)
    path = write(tmp_path / "cdrs.csv", SBC_EXPORT.replace("Call-ID", "CallID"))
    assert errors(path, str(mapping), SBC_TRUNKS) == [
        f"{path}:1: mapped column(s) not in the header: sip_call_id ('Call-ID')"
    ]


def test_mapping_file_mistakes_are_reported_with_their_lines(tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "bad.toml",
        '[columns]\ncall_time = "Start"\ncallee = "To"\ncalling_number = 2\n'
        '[time]\nzone = "Central"\n',
    )
    with pytest.raises(ValueError) as caught:
        format_named(str(mapping))
    assert [str(e) for e in caught.value.errors] == [  # type: ignore[attr-defined]
        f"{mapping}:1: columns.called_number is required",
        f"{mapping}:1: columns: name the ingress (source, trunk, tgrp, accountcode): the "
        "trunk map routes it",
        f"{mapping}:3: unknown key columns.callee",
        f"{mapping}:4: columns.calling_number: a position needs [file] header = false",
        f"{mapping}:6: time.zone 'Central' is not an IANA time zone (e.g. America/Chicago)",
    ]


def test_an_unknown_format_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown CDR format 'opensips'.*kamailio-dbtext"):
        format_named("opensips")
