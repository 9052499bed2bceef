"""Who alert e-mails go to and who they come from, read in one place for the CLI, the pipeline and the
DAGs' failure notifier: ``GONGKAI_ALERT_TO`` (comma-separated addresses) and ``GONGKAI_ALERT_FROM``."""

from __future__ import annotations

import os
from collections.abc import Iterable

ALERT_TO_ENV = "GONGKAI_ALERT_TO"
ALERT_FROM_ENV = "GONGKAI_ALERT_FROM"
DEFAULT_ALERT_TO = "gongkai-alerts@localhost"
DEFAULT_ALERT_FROM = "gongkai@localhost"


def addresses(value: str | Iterable[str] | None) -> list[str]:
    """``"a@x, b@y"`` or ``["a@x", " b@y "]`` → ``["a@x", "b@y"]`` (blanks dropped)."""
    items = (value or "").split(",") if isinstance(value, str | None) else value
    return [a.strip() for a in items if a and a.strip()]


def alert_recipients(default: str | None = DEFAULT_ALERT_TO) -> list[str]:
    """``$GONGKAI_ALERT_TO`` when set, else `default`. ``default=None`` means no fallback: `gongkai check
    --email` asks for the variable rather than mailing a local address nobody reads."""
    return addresses(os.environ.get(ALERT_TO_ENV, default))


def alert_sender() -> str:
    """``$GONGKAI_ALERT_FROM``, else gongkai@localhost."""
    return os.environ.get(ALERT_FROM_ENV) or DEFAULT_ALERT_FROM
