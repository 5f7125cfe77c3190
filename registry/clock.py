"""The registry's idea of "today": the UK date, whatever the server's timezone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def today_uk() -> date:
    return datetime.now(UK).date()
