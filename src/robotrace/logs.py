"""One way to log for every long-running command (serve, worker, blocker, agent).

The ``log_level`` and ``log_format`` settings decide; ``json`` writes one object per line for
log collectors, with uvicorn's access lines split into their fields. Logs go to stderr, the
way systemd's journal and container runtimes collect them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from robotrace.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: The fields of uvicorn's access records, in the order of their ``args``.
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")
#: Paths that carry a secret: a password-reset link works once, for whoever holds it.
SECRET_IN_PATH = re.compile(r"^(/password-reset/)[^/?]+")


class RedactSecrets(logging.Filter):
    """Keeps reset tokens out of access lines: anyone reading the logs could use them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            args = list(record.args)
            if len(args) > 2 and isinstance(args[2], str):
                args[2] = SECRET_IN_PATH.sub(r"\1…", args[2])
                record.args = tuple(args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(zip(ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def formatter(settings: Settings) -> logging.Formatter:
    """The formatter the ``log_format`` setting asks for."""
    if settings.log_format == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """Send every logger's records to stderr in the configured format and level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(settings))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is ours


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's ``log_config``: its loggers write through the same format and level."""
    form = "json" if settings.log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "filters": {"redact": {"()": f"{__name__}.RedactSecrets"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": form,
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
        },
    }
