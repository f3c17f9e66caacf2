"""Done when (issue 19, part 4): Debian's Kamailio, running contrib/kamailio/blocking/ with
the list ``robotrace blocker export`` wrote, blocks with an exact 603+ and lets the rest pass.

sipp places the calls from the loopback address of each upstream (conftest.py names them) and
checks every answer with its own regular expressions: the status line ``603 Network Blocked``
and the Reason header exactly as ATIS-1000099 writes it (builders.reason, typed out from the
spec), or a 302 to the next hop. The truth is what sipp received.
"""

from __future__ import annotations

import re
import subprocess
from html import escape
from pathlib import Path

from robotrace.blocking.counts import BlockCounts, CountRow
from robotrace.blocking.kamailio.counts import KamailioCounter

from .builders import CALLED, CLEAN, CRITICAL, SPOOFED, reason, save_signed, second_list
from .conftest import NEXT_HOP, RunningKamailio, World, load_sip_network, pid_alive

INVITE = """
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port];user=phone SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
      From: <sip:[calling]@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[calling]@[local_ip]:[local_port];transport=[transport]>
      P-Asserted-Identity: <sip:[calling]@[local_ip]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""
ACK = """
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port];user=phone SIP/2.0
      [last_Via:]
      From: <sip:[calling]@[local_ip]:[local_port]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""


def blocked_scenario(expected_reason: str) -> str:
    status = r"^SIP/2\.0 603 Network Blocked[^A-Za-z ]"
    header = "^ *" + re.escape(expected_reason) + "$"
    checks = (
        f'<ereg regexp="{escape(status)}" search_in="msg" check_it="true" assign_to="s"/>'
        f'<ereg regexp="{escape(header)}" search_in="hdr" header="Reason:" check_it="true" '
        'assign_to="r"/>'
    )
    return _scenario("603", checks, "s,r")


def allowed_scenario(called: str) -> str:
    contact = "^ *<sip:" + re.escape(called) + "(;[^@]*)?@" + re.escape(NEXT_HOP) + ">$"
    checks = (
        f'<ereg regexp="{escape(contact)}" search_in="hdr" header="Contact:" check_it="true" '
        'assign_to="c"/>'
    )
    return _scenario("302", checks, "c")


def _scenario(status: str, checks: str, variables: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<scenario name="robotrace kamailio">'
        f'{INVITE}<recv response="{status}"><action>{checks}</action></recv>'
        f'<Reference variables="{variables}"/>{ACK}</scenario>\n'
    )


def call(
    sipp: str,
    proxy: RunningKamailio,
    folder: Path,
    scenario: str,
    *,
    source: str,
    service: str,
    calling: str,
    calls: int = 2,
) -> None:
    """Place ``calls`` calls from ``source``; sipp fails the test on any other answer."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.xml").write_text(scenario)
    port = load_sip_network().free_udp_port(source)
    command = [
        sipp, f"127.0.0.1:{proxy.port}", "-sf", str(folder / "scenario.xml"),
        "-m", str(calls), "-t", "u1", "-i", source, "-p", str(port),
        "-s", service, "-key", "calling", calling, "-timeout", "20s", "-nostdin",
        "-trace_err", "-error_file", str(folder / "errors.txt"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=60)
    errors = (folder / "errors.txt").read_text() if (folder / "errors.txt").exists() else ""
    assert done.returncode == 0, f"sipp ({done.returncode}): {errors[-2000:]}{done.stderr[-500:]}"


def tgrp(name: str, called: str = CALLED) -> str:
    return f"{called};tgrp={name};trunk-context=example.net"


def test_a_blocked_provider_gets_the_603_plus_by_its_sbc_stamped_tgrp(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    scenario = blocked_scenario(reason("BA-000007"))
    call(sipp, proxy, tmp_path, scenario, source="127.0.0.1", service=tgrp("BBBB"), calling=CLEAN)


def test_a_blocked_provider_gets_the_603_plus_by_its_ocn_from_its_own_address(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    scenario = blocked_scenario(reason("BA-000007"))
    call(sipp, proxy, tmp_path, scenario, source="127.0.0.4", service=CALLED, calling=CLEAN)


def test_a_number_entry_blocks_the_caller_id_only_from_its_own_provider(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    blocked = blocked_scenario(reason("BA-000009"))
    call(sipp, proxy, tmp_path / "c", blocked, source="127.0.0.2", service=CALLED, calling=SPOOFED)
    tg = tgrp("CCCC")
    call(sipp, proxy, tmp_path / "t", blocked, source="127.0.0.1", service=tg, calling=SPOOFED)
    # The same caller ID from DDDD, which may well be spoofed: it passes.
    passes = allowed_scenario(CALLED)
    call(sipp, proxy, tmp_path / "d", passes, source="127.0.0.3", service=CALLED, calling=SPOOFED)


def test_a_tgrp_from_an_address_not_trusted_for_it_names_no_upstream(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    passes = allowed_scenario(CALLED)
    tg = tgrp("BBBB")
    call(sipp, proxy, tmp_path / "u", passes, source="127.0.0.9", service=tg, calling=CLEAN)
    call(sipp, proxy, tmp_path / "d", passes, source="127.0.0.3", service=tg, calling=CLEAN)


def test_emergency_calls_from_a_blocked_provider_pass(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    # BBBB by its key, and by its OCN 1234: digits in the trunk group are not the number's.
    for number, group in (("911", "BBBB"), ("+1911", "BBBB"), ("988", "BBBB"), ("933", "1234")):
        service = tgrp(group, called=number)
        scenario = allowed_scenario(number)
        folder = tmp_path / f"{number}-{group}"
        call(sipp, proxy, folder, scenario, source="127.0.0.1", service=service, calling=CLEAN)


def test_a_critical_caller_from_a_blocked_provider_passes(
    sipp: str, proxy: RunningKamailio, tmp_path: Path
) -> None:
    passes = allowed_scenario(CALLED)
    call(sipp, proxy, tmp_path, passes, source="127.0.0.4", service=CALLED, calling=CRITICAL)


def test_a_new_list_version_is_picked_up_without_restarting_kamailio(
    sipp: str, own_proxy: tuple[World, RunningKamailio], tmp_path: Path
) -> None:
    world, proxy = own_proxy
    bbbb, dddd = tgrp("BBBB"), tgrp("DDDD")
    first = blocked_scenario(reason("BA-000007"))
    call(sipp, proxy, tmp_path / "1", first, source="127.0.0.1", service=bbbb, calling=CLEAN)
    save_signed(world.folder / "list-v2.json", world.key, second_list(), version=2)
    output = world.export(world.folder / "list-v2.json", "--kamailio-rpc", str(proxy.rpc))
    assert "list version 2" in output
    passes = allowed_scenario(CALLED)
    call(sipp, proxy, tmp_path / "2", passes, source="127.0.0.1", service=bbbb, calling=CLEAN)
    now_blocked = blocked_scenario(reason("BA-000011"))
    call(
        sipp, proxy, tmp_path / "3", now_blocked, source="127.0.0.3", service=CALLED, calling=CLEAN
    )
    call(sipp, proxy, tmp_path / "4", now_blocked, source="127.0.0.1", service=dddd, calling=CLEAN)
    assert proxy.process.poll() is None and pid_alive(proxy.process.pid)


def test_kamailios_blocked_calls_are_counted_per_reason_and_authorization(
    sipp: str, own_proxy: tuple[World, RunningKamailio], tmp_path: Path
) -> None:
    _, proxy = own_proxy
    counter = KamailioCounter(proxy.rpc, BlockCounts())
    assert counter.collect() == 0
    bbbb = blocked_scenario(reason("BA-000007"))
    number = blocked_scenario(reason("BA-000009"))
    call(
        sipp,
        proxy,
        tmp_path / "b",
        bbbb,
        source="127.0.0.4",
        service=CALLED,
        calling=CLEAN,
        calls=3,
    )
    call(sipp, proxy, tmp_path / "n", number, source="127.0.0.2", service=CALLED, calling=SPOOFED)
    passes = allowed_scenario("911")
    call(sipp, proxy, tmp_path / "e", passes, source="127.0.0.4", service="911", calling=CLEAN)
    assert counter.collect() == 5
    call(
        sipp, proxy, tmp_path / "b2", bbbb, source="127.0.0.1", service=tgrp("BBBB"), calling=CLEAN
    )
    assert counter.collect() == 2  # only what is new since the last read
    assert counter.counts.snapshot() == [
        CountRow("number_blocked", 9, None, 2),
        CountRow("provider_blocked", 7, None, 5),
    ]
