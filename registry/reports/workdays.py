"""Working days in England and Wales, for "no decision recorded within 1 working day".

A working day is Monday to Friday, except the England and Wales bank holidays below (from
gov.uk/bank-holidays, including substitute days). Only 2025 to 2027 are listed: outside
those years only weekends are skipped, so extend the list before 2028.
"""

from datetime import date, datetime, time, timedelta

from registry.clock import UK

BANK_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05",
        "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04",
        "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03",
        "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
    )
)  # fmt: skip


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def decision_due(checked_at: datetime) -> date:
    """The day by whose end the decision is due: the next working day after the check's.

    A check on Friday must have its decision by the end of Monday (Tuesday when Monday is a
    bank holiday); a check on Saturday, also by the end of Monday. Days are UK days.
    """
    return next_working_day(checked_at.astimezone(UK).date())


def end_of(day: date) -> datetime:
    """The instant a UK day ends (the next one begins)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UK)
