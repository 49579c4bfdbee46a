"""The choices the appointment form offers: only days and times inside the opening hours."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .config import DAY_NAMES, Hours

# Parts of the day a patient may prefer, as 24-hour clock times (text compares as time)
PARTS_OF_DAY = (("morning", "Morning", "00:00", "12:00"),
                ("afternoon", "Afternoon", "12:00", "17:00"),
                ("evening", "Evening", "17:00", "24:00"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # sent with the form, e.g. 'monday' or 'morning'
    label: str  # shown, e.g. 'Monday' or 'Morning (8 am to noon)'


@dataclass(frozen=True, slots=True)
class Booking:
    days: tuple[Choice, ...]
    times: tuple[Choice, ...]


@lru_cache(maxsize=8)
def booking_choices(hours: tuple[Hours, ...]) -> Booking:
    """The days the clinic opens, in week order, and the parts of the day it is open on
    at least one of them, each labelled with the opening hours that fall inside it."""
    open_days = {day for h in hours for day in h.days}
    days = tuple(Choice(name.lower(), name) for d, name in DAY_NAMES.items() if d in open_days)
    times = []
    for value, label, start, end in PARTS_OF_DAY:
        inside = [(max(h.opens, start), min(h.closes, end)) for h in hours]
        inside = [(a, b) for a, b in inside if a < b]
        if inside:
            first, last = min(a for a, _ in inside), max(b for _, b in inside)
            times.append(Choice(value, f"{label} ({clock(first)} to {clock(last)})"))
    return Booking(days, tuple(times))


def clock(hhmm: str) -> str:
    """'08:00' -> '8 am', '12:00' -> 'noon', '17:30' -> '5:30 pm'."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    if hour == 12 and minute == 0:
        return "noon"
    if hour in (0, 24) and minute == 0:
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12} {suffix}" if minute == 0 else f"{hour12}:{minute:02d} {suffix}"
