"""A person's schedules (Webex's ``/people/{id}/features/schedules``): business hours and
holidays, each a named list of events, as wxc-sdk's ``Schedule`` and ``Event`` carry them.

Kept beside the settings catalogue, not in it: a schedule is addressed by type and id
(``/{scheduleType}/{scheduleId}``), holds a list of events with routes of their own, and its
id is its name (renaming changes it, as Webex's does). A catalogue Collection has one id
segment and no nested list, so the engine could neither read nor write these back.

Stored in the calling profile's ``features`` under ``STORE_KEY`` as
``{"schedules": [{"name", "type", "events": [event, ...]}]}`` with no ids: ids are made from
names on every read, so a swap, a purge and a restore carry them unchanged. Pure functions:
each takes the stored list and answers a new one, or raises InvalidInput (nothing stored).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
from typing import Any

from .. import ids
from .errors import InvalidInput, NotFound
from .text import strings_problem

STORE_KEY = "schedules"
TYPES = ("businessHours", "holidays")
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
NAME_MAX = 80  # Webex's longest schedule or event name
SCHEDULES_MAX = 100  # per person
EVENTS_MAX = 150  # per schedule
INTERVAL_MAX = 999
OCCURRENCES_MAX = 999
Json = dict[str, Any]


def _id(kind: str, name: str) -> str:
    """The id Webex makes from a name: renaming a schedule or event changes its id."""
    return ids.encode(kind, base64.urlsafe_b64encode(name.encode()).decode().rstrip("="))


def schedule_id(name: str) -> str:
    return _id("SCHEDULE", name)


def event_id(name: str) -> str:
    return _id("SCHEDULE_EVENT", name)


# --- reading -----------------------------------------------------------------------------


def stored(features: dict[str, Any]) -> list[Json]:
    return copy.deepcopy((features.get(STORE_KEY) or {}).get("schedules") or [])


def summary(s: Json) -> Json:
    """A schedule as Webex's list shows it."""
    return {"id": schedule_id(s["name"]), "name": s["name"], "type": s["type"]}


def event_view(e: Json) -> Json:
    return {"id": event_id(e["name"]), **copy.deepcopy(e)}


def schedule_view(s: Json) -> Json:
    """A schedule as Webex's details show it: ids made from the names."""
    return {**summary(s), "events": [event_view(e) for e in s["events"]]}


def find(schedules: list[Json], kind: str, sid: str) -> int:
    """Where the schedule of type ``kind`` and id ``sid`` is; NotFound (404) if nowhere."""
    for i, s in enumerate(schedules):
        if s["type"] == kind and schedule_id(s["name"]) == sid:
            return i
    raise NotFound("schedule not found")


def find_event(schedule: Json, eid: str) -> int:
    for i, e in enumerate(schedule["events"]):
        if event_id(e["name"]) == eid:
            return i
    raise NotFound("schedule event not found")


def names(schedules: list[Json], kind: str | None = None) -> set[str]:
    """The schedules' names (of one type): what a selective criterion may name."""
    return {s["name"] for s in schedules if kind is None or s["type"] == kind}


# --- checking ----------------------------------------------------------------------------


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-empty string")
    if len(value) > NAME_MAX:
        raise InvalidInput(f"{what} must be at most {NAME_MAX} characters")
    return value


def _date(value: Any, what: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else ""
    except ValueError:
        pass
    raise InvalidInput(f"{what} must be a date, YYYY-MM-DD")


def _time(value: Any, what: str) -> str:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        try:
            return dt.time.fromisoformat(value).strftime("%H:%M")
        except ValueError:
            pass
    raise InvalidInput(f"{what} must be a time, HH:MM")


def _int(value: Any, what: str, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise InvalidInput(f"{what} must be an integer between 1 and {high}")
    return value


def _object(value: Any, what: str) -> Json:
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be an object")
    return value


def _recurrence(value: Any) -> Json:
    r = _object(value, "recurrence")
    for other in ("recurYearlyByDate", "recurYearlyByDay"):
        if r.get(other) is not None:
            raise InvalidInput(f"recurrence.{other} is for location schedules, not a person's")
    daily, weekly = r.get("recurDaily"), r.get("recurWeekly")
    if (daily is None) == (weekly is None):
        raise InvalidInput("recurrence needs one of recurDaily and recurWeekly")
    out: Json = {}
    ends = [k for k in ("recurForEver", "recurEndDate", "recurEndOccurrence") if r.get(k)]
    if len(ends) > 1:
        raise InvalidInput("recurrence takes one of recurForEver, recurEndDate, recurEndOccurrence")
    if r.get("recurForEver") is not None:
        if not isinstance(r["recurForEver"], bool):
            raise InvalidInput("recurrence.recurForEver must be a boolean")
        out["recurForEver"] = r["recurForEver"]
    if r.get("recurEndDate") is not None:
        out["recurEndDate"] = _date(r["recurEndDate"], "recurrence.recurEndDate")
    if r.get("recurEndOccurrence") is not None:
        out["recurEndOccurrence"] = _int(
            r["recurEndOccurrence"], "recurrence.recurEndOccurrence", OCCURRENCES_MAX
        )
    if daily is not None:
        d = _object(daily, "recurrence.recurDaily")
        out["recurDaily"] = {
            "recurInterval": _int(
                d.get("recurInterval"), "recurrence.recurDaily.recurInterval", INTERVAL_MAX
            )
        }
    else:
        w = _object(weekly, "recurrence.recurWeekly")
        days = {}
        for day in DAYS:
            v = w.get(day, False)
            if not isinstance(v, bool):
                raise InvalidInput(f"recurrence.recurWeekly.{day} must be a boolean")
            days[day] = v
        if not any(days.values()):
            raise InvalidInput("recurrence.recurWeekly must name at least one day")
        interval = w.get("recurInterval", 1)
        out["recurWeekly"] = {
            "recurInterval": _int(interval, "recurrence.recurWeekly.recurInterval", INTERVAL_MAX),
            **days,
        }
    return out


def clean_event(body: Any, *, renaming: bool = False) -> Json:
    """An event as it is stored, from a client's body (Webex's field names; ``id`` and
    unknown fields dropped). ``renaming``: ``newName``, when given, is the name it takes."""
    e = _object(body, "the event")
    name = _name(e.get("name"), "name")
    if renaming and e.get("newName") is not None:
        name = _name(e["newName"], "newName")
    start = _date(e.get("startDate"), "startDate")
    end = _date(e.get("endDate"), "endDate")
    if end < start:
        raise InvalidInput("endDate must not be before startDate")
    all_day = e.get("allDayEnabled", False)
    if not isinstance(all_day, bool):
        raise InvalidInput("allDayEnabled must be a boolean")
    out: Json = {"name": name, "startDate": start, "endDate": end, "allDayEnabled": all_day}
    if not all_day:
        out["startTime"] = _time(e.get("startTime"), "startTime")
        out["endTime"] = _time(e.get("endTime"), "endTime")
        if start == end and out["endTime"] <= out["startTime"]:
            raise InvalidInput("endTime must be after startTime on a one-day event")
    if e.get("recurrence") is not None:
        out["recurrence"] = _recurrence(e["recurrence"])
    return out


def _events(value: Any, *, renaming: bool) -> list[Json]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput("events must be a list")
    if len(value) > EVENTS_MAX:
        raise InvalidInput(f"a schedule holds at most {EVENTS_MAX} events")
    events = [clean_event(e, renaming=renaming) for e in value]
    _unique([e["name"] for e in events], "event")
    return events


def _unique(listed: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in listed:
        if n in seen:
            raise InvalidInput(f"two {what}s are named {n[:80]}")
        seen.add(n)


def _text(body: Any) -> Json:
    b = _object(body, "the body")
    problem = strings_problem(b)
    if problem:
        raise InvalidInput(problem)
    return b


def _check_room(schedules: list[Json], kind: str, name: str, skip: int | None = None) -> None:
    taken = any(
        i != skip and s["type"] == kind and s["name"] == name for i, s in enumerate(schedules)
    )
    if taken:
        raise InvalidInput(f"a {kind} schedule named {name[:80]} exists already")


# --- changing ----------------------------------------------------------------------------


def create(schedules: list[Json], body: Any) -> tuple[list[Json], str]:
    """POST: a new schedule (with its events); the list after, and the new id."""
    b = _text(body)
    kind = b.get("type")
    if kind not in TYPES:
        raise InvalidInput(f"type must be one of {', '.join(TYPES)}")
    name = _name(b.get("name"), "name")
    _check_room(schedules, kind, name)
    if len(schedules) >= SCHEDULES_MAX:
        raise InvalidInput(f"a person has at most {SCHEDULES_MAX} schedules")
    new = {"name": name, "type": kind, "events": _events(b.get("events"), renaming=False)}
    return [*copy.deepcopy(schedules), new], schedule_id(name)


def update(schedules: list[Json], kind: str, sid: str, body: Any) -> tuple[list[Json], str]:
    """PUT: rename (``newName``, else ``name``) and, when ``events`` is sent, the events it
    lists (each renamed to its ``newName``). The list after, and the id (new if renamed)."""
    b = _text(body)
    i = find(schedules, kind, sid)
    out = copy.deepcopy(schedules)
    s = out[i]
    given = b.get("newName") if b.get("newName") is not None else b.get("name")
    if given is not None:
        s["name"] = _name(given, "newName" if b.get("newName") is not None else "name")
        _check_room(out, kind, s["name"], skip=i)
    if "events" in b:
        s["events"] = _events(b["events"], renaming=True)
    return out, schedule_id(s["name"])


def delete(schedules: list[Json], kind: str, sid: str) -> list[Json]:
    i = find(schedules, kind, sid)
    return [s for j, s in enumerate(copy.deepcopy(schedules)) if j != i]


def add_event(schedules: list[Json], kind: str, sid: str, body: Any) -> tuple[list[Json], str]:
    out = copy.deepcopy(schedules)
    s = out[find(out, kind, sid)]
    event = clean_event(_text(body))
    if len(s["events"]) >= EVENTS_MAX:
        raise InvalidInput(f"a schedule holds at most {EVENTS_MAX} events")
    _unique([*(e["name"] for e in s["events"]), event["name"]], "event")
    s["events"].append(event)
    return out, event_id(event["name"])


def change_event(
    schedules: list[Json], kind: str, sid: str, eid: str, body: Any
) -> tuple[list[Json], str]:
    """PUT an event: its fields replaced by the body's (renamed to ``newName`` if given)."""
    out = copy.deepcopy(schedules)
    s = out[find(out, kind, sid)]
    j = find_event(s, eid)
    b = _text(body)
    event = clean_event({**s["events"][j], **b}, renaming=True)
    s["events"][j] = event
    _unique([e["name"] for e in s["events"]], "event")
    return out, event_id(event["name"])


def drop_event(schedules: list[Json], kind: str, sid: str, eid: str) -> list[Json]:
    out = copy.deepcopy(schedules)
    s = out[find(out, kind, sid)]
    j = find_event(s, eid)
    s["events"] = [e for k, e in enumerate(s["events"]) if k != j]
    return out
