"""Demo data: a customer moving from one partner's subscription to another's.

The main organisation has three locations and N users with full calling profiles on the
old partner's subscription; the new partner's subscription has the same offers and room
for everyone. A small second organisation shows tenancy. Rows go in by batches of
executemany, so a million users take about a minute, not an hour.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from .db import tables as t
from .db.bulk_insert import insert_rows
from .db.engine import Database
from .db.locations import set_addresses
from .domain.offers import BASIC, HOT_DESK, MEETINGS, MESSAGING, PROFESSIONAL, WORKSPACES
from .domain.settings import new_profile_settings
from .services.pins import hash_pin

FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Finn",
    "Gal",
    "Hana",
    "Ido",
    "Jon",
    "Kim",
    "Lea",
    "Moshe",
    "Noa",
    "Omer",
    "Pia",
    "Ravi",
    "Sara",
    "Tom",
    "Uri",
    "Vera",
    "Yael",
    "Zoe",
    "Amit",
]
LAST = [
    "Levi",
    "Cohen",
    "Mizrahi",
    "Peretz",
    "Biton",
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Dubois",
    "Nakamura",
    "Singh",
    "Okafor",
    "Silva",
    "Novak",
    "Jensen",
    "Kaplan",
    "Weiss",
]
OFFERS = (PROFESSIONAL, BASIC, MEETINGS, MESSAGING, WORKSPACES, HOT_DESK)
BATCH = 20_000


@dataclass(frozen=True)
class SeedSummary:
    main_org_id: str
    other_org_id: str
    old_subscription: str
    new_subscription: str
    other_subscription: str
    users: int
    workspaces: int = 0


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _features(i: int) -> str:
    """A user's settings as JSON; variations repeat, so each is serialised once."""
    key = (i % 7 == 0, i % 11 == 0, i % 5, i % 13 == 0, i % 3 == 0)
    cached = _FEATURES.get(key)
    if cached is None:
        f = new_profile_settings()
        if key[0]:
            f["callForwarding"]["callForwarding"]["busy"] = {
                "enabled": True,
                "destination": "+14155550100",
                "destinationVoicemailEnabled": False,
            }
        if key[1]:
            f["doNotDisturb"] |= {"enabled": True, "ringSplashEnabled": True}
        if key[2] == 0:
            f["voicemail"]["sendUnansweredCalls"]["numberOfRings"] = 2 + i % 4
            f["voicemail"]["emailCopyOfMessage"] = {"enabled": True, "emailId": None}
        if key[3]:
            f["callWaiting"] = {"enabled": False}
        if key[4]:
            f["callerId"]["selected"] = "LOCATION_NUMBER"
        cached = _FEATURES[key] = json.dumps(f, separators=(",", ":"))
    return cached


_FEATURES: dict[tuple, str] = {}
USER_COLS = (
    "id",
    "org_id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "status",
    "created",
    "last_modified",
)
PROFILE_COLS = (
    "user_id",
    "org_id",
    "location_id",
    "extension",
    "phone_number",
    "features",
    "voicemail_pin_hash",
    "distinctive_ring",
)


def _address(
    address1: str, city: str, state: str, postal: str, country: str, tz: str, lang: str
) -> dict[str, str]:
    """A location's columns as Webex's locations API knows them (address, time zone, languages)."""
    return {
        "address1": address1,
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": country,
        "time_zone": tz,
        "preferred_language": "en_us",
        "announcement_language": lang,
    }


ADDRESSES = {
    "Tel Aviv HQ": _address(
        "1 Rothschild Blvd", "Tel Aviv", "TA", "6688101", "IL", "Asia/Jerusalem", "en_us"
    ),
    "Haifa": _address("5 HaNamal St", "Haifa", "HA", "3303105", "IL", "Asia/Jerusalem", "en_us"),
    "New York": _address(
        "350 5th Ave", "New York", "NY", "10118", "US", "America/New_York", "en_us"
    ),
    "Globex Main": _address(
        "100 Main St", "Springfield", "OR", "97477", "US", "America/Los_Angeles", "en_us"
    ),
}


def seed(
    db: Database,
    users: int = 5000,
    rng_seed: int = 42,
    progress: Callable[[int], None] | None = None,
    workspaces: int = 0,
) -> SeedSummary:
    """The demo data into an empty database (see the module docstring); ``workspaces``
    Webex Calling workspaces in the main organisation beside the users (the demo asks for
    5 % of them), one in five hot desk only."""
    rng = random.Random(rng_seed)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    old_partner, new_partner = _uuid(rng), _uuid(rng)
    main_org, other_org = _uuid(rng), _uuid(rng)
    old_sub, new_sub, other_sub = "Sub100001", "Sub200001", "Sub300001"
    locs = [
        (_uuid(rng), name, prefix)
        for name, prefix in (("Tel Aviv HQ", "1"), ("Haifa", "2"), ("New York", "3"))
    ]
    other_loc = _uuid(rng)
    pro_users = users - users // 5
    old_lic = {o.code: _uuid(rng) for o in OFFERS}
    new_lic = {o.code: _uuid(rng) for o in OFFERS}
    other_lic = {o.code: _uuid(rng) for o in OFFERS}
    totals_old = {
        PROFESSIONAL.code: pro_users + 10,
        BASIC.code: users - pro_users + 10,
        MEETINGS.code: users + 10,
        MESSAGING.code: users + 10,
        WORKSPACES.code: workspaces + 10,
        HOT_DESK.code: workspaces + 10,
    }
    with db.uow() as uow:
        c = uow.conn
        c.execute(
            insert(t.partners),
            [
                {"id": old_partner, "name": "Old Partner Ltd"},
                {"id": new_partner, "name": "New Partner Inc"},
            ],
        )
        c.execute(
            insert(t.organisations),
            [
                {"id": main_org, "name": "Acme Telecom Customers", "created": now},
                {"id": other_org, "name": "Globex Small Office", "created": now},
            ],
        )
        c.execute(
            insert(t.locations),
            [
                {"id": lid, "org_id": main_org, "name": name, "routing_prefix": p}
                for lid, name, p in locs
            ]
            + [
                {"id": other_loc, "org_id": other_org, "name": "Globex Main", "routing_prefix": "9"}
            ],
        )
        set_addresses(
            c,
            {lid: ADDRESSES[name] for lid, name, _ in locs} | {other_loc: ADDRESSES["Globex Main"]},
        )
        c.execute(
            insert(t.subscriptions),
            [
                {
                    "id": old_sub,
                    "org_id": main_org,
                    "partner_id": old_partner,
                    "status": "active",
                    "created": now - timedelta(days=700),
                },
                {
                    "id": new_sub,
                    "org_id": main_org,
                    "partner_id": new_partner,
                    "status": "active",
                    "created": now,
                },
                {
                    "id": other_sub,
                    "org_id": other_org,
                    "partner_id": old_partner,
                    "status": "active",
                    "created": now - timedelta(days=300),
                },
            ],
        )
        lic_rows = []
        for code in old_lic:
            lic_rows.append(
                {
                    "id": old_lic[code],
                    "org_id": main_org,
                    "subscription_id": old_sub,
                    "offer_code": code,
                    "total_units": totals_old[code],
                    "consumed_units": 0,
                }
            )
            lic_rows.append(
                {
                    "id": new_lic[code],
                    "org_id": main_org,
                    "subscription_id": new_sub,
                    "offer_code": code,
                    "total_units": users + 50,
                    "consumed_units": 0,
                }
            )
            lic_rows.append(
                {
                    "id": other_lic[code],
                    "org_id": other_org,
                    "subscription_id": other_sub,
                    "offer_code": code,
                    "total_units": 50,
                    "consumed_units": 0,
                }
            )
        c.execute(insert(t.licences), lic_rows)
        consumed = dict.fromkeys((*old_lic.values(), *new_lic.values(), *other_lic.values()), 0)
        pins = [hash_pin(p) for p in ("246810", "135791", "864209", "975312")]

        def people(org: str, n: int, lic: dict, locations: list[str], domain: str):
            for i in range(n):
                first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
                uid = _uuid(rng)
                user = (
                    uid,
                    org,
                    f"{first}.{last}.{i}@{domain}".lower(),
                    first,
                    last,
                    f"{first} {last} {i}",
                    "active",
                    now - timedelta(minutes=i),
                    now,
                )
                calling = lic[PROFESSIONAL.code] if i < n - n // 5 else lic[BASIC.code]
                held = [calling, lic[MESSAGING.code]] + ([lic[MEETINGS.code]] if i % 4 else [])
                for h in held:
                    consumed[h] += 1
                profile = (
                    uid,
                    org,
                    locations[i % len(locations)],
                    f"{1000 + i // len(locations)}",
                    f"+9723{i:07d}" if i % 3 != 2 else None,
                    _features(i),
                    pins[i % len(pins)] if i % 6 else None,
                    bool(i % 2),
                )
                yield user, [(uid, h) for h in held], profile

        def write(rows) -> None:
            done = 0
            for chunk in _chunks(rows, BATCH):
                # users and user_licences are stored by id on SQLite: inserts in id order
                # fill pages one after another
                chunk.sort(key=lambda row: row[0][0])
                insert_rows(c, t.users, USER_COLS, (u for u, _, _ in chunk))
                insert_rows(
                    c,
                    t.user_licences,
                    ("user_id", "licence_id"),
                    (h for _, held, _ in chunk for h in held),
                )
                insert_rows(c, t.calling_profiles, PROFILE_COLS, (p for _, _, p in chunk))
                done += len(chunk)
                if progress:
                    progress(done)

        write(people(main_org, users, old_lic, [loc[0] for loc in locs], "acme.example.com"))
        _workspaces(c, rng, main_org, workspaces, old_lic, [loc[0] for loc in locs], now, consumed)
        if workspaces:  # and a location on Cisco's PSTN, hanging on the old subscription
            c.execute(
                t.locations.update()
                .where(t.locations.c.id == locs[2][0])
                .values(pstn_subscription_id=old_sub)
            )
        write(people(other_org, 20, other_lic, [other_loc], "globex.example.com"))
        for lid, n in consumed.items():
            c.execute(t.licences.update().where(t.licences.c.id == lid).values(consumed_units=n))
        uow.commit()
    return SeedSummary(main_org, other_org, old_sub, new_sub, other_sub, users, workspaces)


ROOMS = ("Lobby", "Board Room", "Kitchen", "Reception", "Huddle", "Lab", "Warehouse", "Desk")


def _workspaces(c, rng, org, n, lic, locations, now, consumed) -> None:
    """``n`` workspaces: common-area phones (Workspaces licence, an extension and most with
    a number) and, one in five, hot desk only (no number); extensions of 7 digits and
    numbers from +9724, apart from the users'."""
    users, details, held, profiles = [], [], [], []
    for i in range(n):
        wid = _uuid(rng)
        hot_desk = i % 5 == 4
        users.append(
            (
                wid,
                org,
                f"{wid}@workspaces.callshift.invalid",
                "",
                "",
                f"{ROOMS[i % len(ROOMS)]} {i}",
                "active",
                now - timedelta(minutes=i),
                now,
                "workspace",
            )
        )
        details.append(
            (
                wid,
                "desk" if hot_desk else "meetingRoom",
                None,
                "on" if hot_desk else "off",
                "phones",
                "",
            )
        )
        licence = lic[HOT_DESK.code] if hot_desk else lic[WORKSPACES.code]
        consumed[licence] += 1
        held.append((wid, licence))
        profiles.append(
            (
                wid,
                org,
                locations[i % len(locations)],
                None if hot_desk else f"7{i:06d}",
                None if hot_desk or i % 3 == 2 else f"+9724{i:07d}",
                _features(i),
                None,
                True,
            )
        )
    rows = sorted(zip(users, details, held, profiles, strict=True), key=lambda r: r[0][0])
    for chunk in _chunks(rows, BATCH):
        insert_rows(c, t.users, (*USER_COLS, "kind"), (r[0] for r in chunk))
        insert_rows(c, t.workspace_details, DETAIL_COLS, (r[1] for r in chunk))
        insert_rows(c, t.user_licences, ("user_id", "licence_id"), (r[2] for r in chunk))
        insert_rows(c, t.calling_profiles, PROFILE_COLS, (r[3] for r in chunk))


DETAIL_COLS = ("user_id", "workspace_type", "capacity", "hotdesking", "supported_devices", "notes")


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
