"""Demo data: a customer moving from one partner's subscription to another's.

The main organisation has three locations and N users with full calling profiles on the
old partner's subscription; the new partner's subscription has the same offers and room
for everyone. A small second organisation shows tenancy. Rows go in by batches of
executemany, so a million users take about a minute, not an hour.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from .db import tables as t
from .db.engine import Database
from .domain.model import default_features
from .domain.offers import BASIC, MEETINGS, MESSAGING, PROFESSIONAL
from .services.pins import hash_pin

FIRST = ["Ada", "Ben", "Chloe", "Dan", "Eva", "Finn", "Gal", "Hana", "Ido", "Jon", "Kim", "Lea",
         "Moshe", "Noa", "Omer", "Pia", "Ravi", "Sara", "Tom", "Uri", "Vera", "Yael", "Zoe", "Amit"]
LAST = ["Levi", "Cohen", "Mizrahi", "Peretz", "Biton", "Smith", "Garcia", "Müller", "Rossi",
        "Dubois", "Nakamura", "Singh", "Okafor", "Silva", "Novak", "Jensen", "Kaplan", "Weiss"]
OFFERS = (PROFESSIONAL, BASIC, MEETINGS, MESSAGING)
BATCH = 20_000


@dataclass(frozen=True)
class SeedSummary:
    main_org_id: str
    other_org_id: str
    old_subscription: str
    new_subscription: str
    other_subscription: str
    users: int


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _features(rng: random.Random, i: int) -> dict:
    f = default_features()
    if i % 7 == 0:
        f["callForwarding"]["callForwarding"]["busy"] = {
            "enabled": True, "destination": f"+1415555{i % 10000:04d}",
            "destinationVoicemailEnabled": False}
    if i % 11 == 0:
        f["doNotDisturb"] = {"enabled": True, "ringSplashEnabled": True}
    if i % 5 == 0:
        f["voicemail"]["sendUnansweredCalls"]["numberOfRings"] = 2 + i % 5
        f["voicemail"]["emailCopyOfMessage"] = {"enabled": True, "emailId": None}
    if i % 13 == 0:
        f["callWaiting"] = {"enabled": False}
    if i % 3 == 0:
        f["callerId"]["selected"] = "LOCATION_NUMBER"
    return f


def seed(db: Database, users: int = 5000, rng_seed: int = 42,
         progress: Callable[[int], None] | None = None) -> SeedSummary:
    rng = random.Random(rng_seed)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    old_partner, new_partner = _uuid(rng), _uuid(rng)
    main_org, other_org = _uuid(rng), _uuid(rng)
    old_sub, new_sub, other_sub = "Sub100001", "Sub200001", "Sub300001"
    locs = [(_uuid(rng), name, prefix) for name, prefix in
            (("Tel Aviv HQ", "1"), ("Haifa", "2"), ("New York", "3"))]
    other_loc = _uuid(rng)
    pro_users = users - users // 5
    old_lic = {o.code: _uuid(rng) for o in OFFERS}
    new_lic = {o.code: _uuid(rng) for o in OFFERS}
    other_lic = {o.code: _uuid(rng) for o in OFFERS}
    totals_old = {PROFESSIONAL.code: pro_users + 10, BASIC.code: users - pro_users + 10,
                  MEETINGS.code: users + 10, MESSAGING.code: users + 10}
    with db.uow() as uow:
        c = uow.conn
        c.execute(insert(t.partners), [{"id": old_partner, "name": "Old Partner Ltd"},
                                       {"id": new_partner, "name": "New Partner Inc"}])
        c.execute(insert(t.organisations), [
            {"id": main_org, "name": "Acme Telecom Customers", "created": now},
            {"id": other_org, "name": "Globex Small Office", "created": now}])
        c.execute(insert(t.locations), [
            {"id": lid, "org_id": main_org, "name": name, "routing_prefix": p} for lid, name, p in locs
        ] + [{"id": other_loc, "org_id": other_org, "name": "Globex Main", "routing_prefix": "9"}])
        c.execute(insert(t.subscriptions), [
            {"id": old_sub, "org_id": main_org, "partner_id": old_partner, "status": "active",
             "created": now - timedelta(days=700)},
            {"id": new_sub, "org_id": main_org, "partner_id": new_partner, "status": "active",
             "created": now},
            {"id": other_sub, "org_id": other_org, "partner_id": old_partner, "status": "active",
             "created": now - timedelta(days=300)}])
        lic_rows = []
        for code in old_lic:
            lic_rows.append({"id": old_lic[code], "org_id": main_org, "subscription_id": old_sub,
                             "offer_code": code, "total_units": totals_old[code], "consumed_units": 0})
            lic_rows.append({"id": new_lic[code], "org_id": main_org, "subscription_id": new_sub,
                             "offer_code": code, "total_units": users + 50, "consumed_units": 0})
            lic_rows.append({"id": other_lic[code], "org_id": other_org,
                             "subscription_id": other_sub, "offer_code": code,
                             "total_units": 50, "consumed_units": 0})
        c.execute(insert(t.licences), lic_rows)
        consumed = {lid: 0 for lid in (*old_lic.values(), *new_lic.values(), *other_lic.values())}
        pins = [hash_pin(p) for p in ("246810", "135791", "864209", "975312")]

        def people(org: str, n: int, lic: dict, locations: list[str], domain: str,
                   start: int) -> Iterator[tuple[dict, list[dict], dict]]:
            for i in range(n):
                first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
                uid = _uuid(rng)
                user = {"id": uid, "org_id": org, "email": f"{first}.{last}.{start + i}@{domain}".lower(),
                        "first_name": first, "last_name": last,
                        "display_name": f"{first} {last} {start + i}", "status": "active",
                        "created": now - timedelta(minutes=i), "last_modified": now}
                calling = lic[PROFESSIONAL.code] if i < n - n // 5 else lic[BASIC.code]
                held = [calling, lic[MESSAGING.code]] + ([lic[MEETINGS.code]] if i % 4 else [])
                loc = locations[i % len(locations)]
                profile = {"user_id": uid, "org_id": org, "location_id": loc,
                           "extension": f"{1000 + i // len(locations)}",
                           "phone_number": f"+9723{start + i:07d}" if i % 3 != 2 else None,
                           "features": _features(rng, i),
                           "voicemail_pin_hash": pins[i % len(pins)] if i % 6 else None,
                           "distinctive_ring": bool(i % 2)}
                yield user, [{"user_id": uid, "licence_id": lid} for lid in held], profile

        def write(rows: Iterator[tuple[dict, list[dict], dict]]) -> None:
            batch_u, batch_l, batch_p = [], [], []
            done = 0
            for user, held, profile in rows:
                batch_u.append(user)
                batch_l.extend(held)
                batch_p.append(profile)
                for h in held:
                    consumed[h["licence_id"]] += 1
                if len(batch_u) >= BATCH:
                    _flush(c, batch_u, batch_l, batch_p)
                    done += len(batch_u)
                    batch_u, batch_l, batch_p = [], [], []
                    if progress:
                        progress(done)
            _flush(c, batch_u, batch_l, batch_p)
            if progress:
                progress(done + len(batch_u))

        write(people(main_org, users, old_lic, [loc[0] for loc in locs], "acme.example.com", 0))
        write(people(other_org, 20, other_lic, [other_loc], "globex.example.com", 0))
        for lid, n in consumed.items():
            c.execute(t.licences.update().where(t.licences.c.id == lid).values(consumed_units=n))
        uow.commit()
    return SeedSummary(main_org, other_org, old_sub, new_sub, other_sub, users)


def _flush(conn, users: list, held: list, profiles: list) -> None:
    if users:
        conn.execute(insert(t.users), users)
        conn.execute(insert(t.user_licences), held)
        conn.execute(insert(t.calling_profiles), profiles)
