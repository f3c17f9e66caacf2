"""Logs: the long-running commands write in the format the settings ask for."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx

from robotrace.logs import JsonFormatter
from tests.support import free_port, wait_until_up


def _robotrace(*args: str) -> list[str]:
    return [sys.executable, "-c", "from robotrace.cli import main; main()", *args]


def test_a_json_line_holds_time_level_logger_and_message():
    record = logging.LogRecord("robotrace.x", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "robotrace.x"
    assert line["message"] == "a b"
    assert line["time"].endswith("+00:00")


def test_an_access_line_is_split_into_its_fields():
    args = ("10.0.0.7:5050", "GET", "/api/v1/me", "1.1", 200)
    message = '%s - "%s %s HTTP/%s" %d'  # uvicorn's own
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, message, args, None)
    line = json.loads(JsonFormatter().format(record))
    assert (line["client"], line["method"], line["path"], line["status"]) == (
        "10.0.0.7:5050",
        "GET",
        "/api/v1/me",
        200,
    )


def test_the_portal_logs_every_request_as_json_when_asked(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "ROBOTRACE_LOG_FORMAT": "json",
        "ROBOTRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "ROBOTRACE_ANALYTICS_DIR": str(tmp_path / "analytics"),
    }
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        _robotrace("serve", "--port", str(port)), env=env, cwd=tmp_path, stderr=log
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login")
        httpx.get(f"http://127.0.0.1:{port}/no-such-page")
        httpx.get(f"http://127.0.0.1:{port}/password-reset/the-secret-token")
    finally:
        server.terminate()
        server.wait(timeout=20)
    lines = [json.loads(text) for text in Path(log.name).read_text().splitlines() if text]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert {"path": "/no-such-page", "status": 404}.items() <= access[-2].items()
    assert access[-1]["path"] == "/password-reset/…"
    assert "the-secret-token" not in Path(log.name).read_text()
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)


def test_a_bad_log_format_is_refused_with_the_variable_named(tmp_path: Path):
    env = {**os.environ, "ROBOTRACE_LOG_FORMAT": "xml"}
    result = subprocess.run(
        _robotrace("worker", "--once", "--database-url", f"sqlite:///{tmp_path / 's.db'}"),
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ROBOTRACE_LOG_FORMAT='xml'" in result.stderr
