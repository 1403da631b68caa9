"""Working days, as time limits in service guides count them.

A promised limit of N working days starts the day after the application is
received. Weekends are off unless the State Council moved a working day onto
them; public holidays are off. The calendar is a file in assets/ so a hall
can update it without a new release.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from kiosk.assets import asset


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    worked_weekend_days: frozenset[date]
    years: dict[int, str] = field(default_factory=dict)  # year -> "official" | "provisional"

    def is_working_day(self, day: date) -> bool:
        if day in self.worked_weekend_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def add_working_days(self, start: date, days: int) -> date:
        """The date by which `days` working days after `start` have passed (0: the same day)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def load_calendar(path: Path) -> WorkCalendar:
    data = json.loads(path.read_text(encoding="utf-8"))
    holidays: set[date] = set()
    worked: set[date] = set()
    years: dict[int, str] = {}
    for year, spec in data["years"].items():
        years[int(year)] = spec["status"]
        for holiday in spec["holidays"]:
            day = date.fromisoformat(holiday["from"])
            last = date.fromisoformat(holiday["to"])
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        worked.update(date.fromisoformat(d) for d in spec["worked_weekend_days"])
    return WorkCalendar(frozenset(holidays), frozenset(worked), years)


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return load_calendar(asset("calendar", "cn_public_holidays.json"))
