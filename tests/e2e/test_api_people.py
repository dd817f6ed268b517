"""The Webex-compatible people, licence and feature endpoints over HTTP, end to end.

Every response any test of this module receives is checked afterwards: no body ever
carries a voicemail PIN hash (nor the word 'scrypt').
"""

from __future__ import annotations

import copy
import math
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from callshift import ids
from callshift.domain import errors as E
from callshift.domain.model import User
from callshift.domain.settings import default_settings
from callshift.services.pins import verify_pin

from ..helpers import execute, snapshot_db, state_of
from .conftest import World, assert_webex_error, next_url, query_of

PATCH = "/v1/licenses/users"
FEATURES = ("voicemail", "callForwarding", "doNotDisturb", "callWaiting", "callerId", "numbers")


@pytest.fixture(autouse=True)
def no_pin_ever_leaves(responses, w):
    yield
    secrets = {part for h in w.pin_hashes() for part in h.split("$")[1:]}
    assert secrets, "the demo has PINs, so this check means something"
    for r in responses:
        assert "scrypt" not in r.text.lower(), (r.request.url, r.text[:200])
        for part in secrets:
            assert part not in r.text, (r.request.url, "a PIN hash left the server")


def calling_view(client, pid: str) -> dict:
    """Everything the API shows of a calling profile: the features and the person's numbers."""
    out = {}
    for name in FEATURES:
        r = client.get(f"/v1/people/{pid}/features/{name}")
        assert r.status_code == 200, r.text
        out[name] = r.json()
    p = client.get(f"/v1/people/{pid}", params={"callingData": "true"}).json()
    out["person"] = {k: p.get(k) for k in ("extension", "locationId", "phoneNumbers")}
    return out


def units(client) -> dict[str, int]:
    r = client.get("/v1/licenses")
    assert r.status_code == 200
    return {l["id"]: l["consumedUnits"] for l in r.json()["items"]}


def person_licences(client, pid: str) -> list[str]:
    r = client.get(f"/v1/people/{pid}")
    assert r.status_code == 200, r.text
    return sorted(r.json()["licenses"])


def audit_count(w: World) -> int:
    return w.sql("select count(*) from audit_events")[0][0]


def make_interesting(client, pid: str) -> None:
    """Non-default settings, so 'unchanged' cannot pass by accident."""
    for name, body in [
        (
            "callForwarding",
            {"callForwarding": {"busy": {"enabled": True, "destination": "+14155550123"}}},
        ),
        ("doNotDisturb", {"enabled": True, "ringSplashEnabled": True}),
        ("callWaiting", {"enabled": False}),
        ("voicemail", {"sendUnansweredCalls": {"numberOfRings": 6}}),
        ("callerId", {"selected": "LOCATION_NUMBER"}),
    ]:
        r = client.put(f"/v1/people/{pid}/features/{name}", json=body)
        assert r.status_code == 200, r.text
    r = client.put(
        f"/v1/telephony/config/people/{pid}/voicemail/passcode", json={"passcode": "8061442"}
    )
    assert r.status_code == 200, r.text


# --- listing and paging ------------------------------------------------------------------------


@pytest.mark.parametrize("page", [7, 8], ids=["max=7 (last page short)", "max=8 (exact multiple)"])
def test_people_paging_follows_absolute_next_links_to_the_end(page, w, client):
    org = ids.org(w.demo.main_org_id)
    asked = {"max": str(page), "callingData": "true", "orgId": org}
    r = client.get("/v1/people", params=asked)
    seen: list[dict] = []
    pages = 0
    while True:
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        pages += 1
        assert 1 <= len(items) <= page
        seen += items
        url = next_url(r)
        if url is None:
            break
        assert len(items) == page, "only the last page may be short"
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "testserver", "/v1/people")
        q = query_of(url)
        assert sorted(k for k, _ in q) == sorted([*asked, "cursor"]), "each parameter once"
        assert {k: v for k, v in q if k != "cursor"} == asked
        r = client.get(url)
    want = {ids.person(u) for u in w.org_user_ids()}
    got = [p["id"] for p in seen]
    assert len(got) == len(want) == 40 and set(got) == want
    assert pages == math.ceil(40 / page)
    emails = [p["emails"][0] for p in seen]
    assert emails == sorted(emails)
    assert all("extension" in p and "locationId" in p for p in seen), "callingData was repeated"


def test_max_above_100_is_capped_at_100(w, client):
    now = datetime(2026, 2, 1, tzinfo=UTC)
    with w.db.uow() as uow:
        for i in range(75):
            uow.store.insert_user(
                User(
                    id=str(uuid.uuid4()),
                    org_id=w.demo.main_org_id,
                    email=f"extra.{i:03d}@acme.example.com",
                    display_name=f"Extra {i}",
                    created=now,
                    last_modified=now,
                )
            )
        uow.commit()
    total = len(w.org_user_ids())
    assert total == 115
    for asked in ("101", "1000", "100"):
        first = client.get("/v1/people", params={"max": asked})
        assert first.status_code == 200 and len(first.json()["items"]) == 100
        url = next_url(first)
        assert url and ("max", asked) in query_of(url)
        rest = client.get(url)
        assert len(rest.json()["items"]) == total - 100 and next_url(rest) is None
    default = client.get("/v1/people")
    assert len(default.json()["items"]) == 100 and next_url(default)
    assert_webex_error(client.get("/v1/people", params={"max": "0"}), 400, {None})
    assert_webex_error(client.get("/v1/people", params={"max": "many"}), 400, {None})


def test_id_filter_returns_the_people_and_the_not_found_ids(w, client):
    mine = [w.holder("BCSTD", i) for i in (0, 5, 9)] + [w.holder("BCBASIC", 0)]
    unknown = ids.person(str(uuid.uuid4()))
    theirs = w.pid(w.other_org_user())
    asked = [
        w.pid(mine[0]),
        unknown,
        w.pid(mine[1]),
        "garbage",
        w.pid(mine[2]),
        theirs,
        w.pid(mine[3]),
    ]
    r = client.get("/v1/people", params={"id": ",".join(asked)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(p["id"] for p in body["items"]) == sorted(w.pid(u) for u in mine)
    assert {p["id"]: p["emails"] for p in body["items"]} == {w.pid(u): [u.email] for u in mine}
    assert body["notFoundIds"] == [unknown, "garbage", theirs]
    # all found: an empty notFoundIds; more than 85: refused
    r = client.get("/v1/people", params={"id": w.pid(mine[0])})
    assert r.json()["notFoundIds"] == [] and len(r.json()["items"]) == 1
    too_many = ",".join(ids.person(str(uuid.uuid4())) for _ in range(86))
    assert_webex_error(client.get("/v1/people", params={"id": too_many}), 400, {None})
    # without id=, no notFoundIds at all
    assert "notFoundIds" not in client.get("/v1/people").json()


def test_email_and_display_name_filters(w, client):
    user = w.holder("BCSTD", 3)
    r = client.get("/v1/people", params={"email": user.email.upper()})
    assert [(p["id"], p["emails"]) for p in r.json()["items"]] == [(w.pid(user), [user.email])]
    theirs = w.other_org_user()
    assert client.get("/v1/people", params={"email": theirs.email}).json()["items"] == []
    assert (
        client.get("/v1/people", params={"email": "nobody@acme.example.com"}).json()["items"] == []
    )

    want = {
        r[0]: r[1]
        for r in w.sql(
            "select id, display_name from users "
            "where org_id = :o and lower(display_name) like 'ada%'",
            o=w.demo.main_org_id,
        )
    }
    assert len(want) >= 2  # and the other organisation has an 'Ada' too
    assert (
        w.sql(
            "select count(*) from users where org_id = :o and display_name like 'Ada%'",
            o=w.demo.other_org_id,
        )[0][0]
        >= 1
    )
    r = client.get("/v1/people", params={"displayName": "aDa"})
    got = {p["id"]: p["displayName"] for p in r.json()["items"]}
    assert got == {ids.person(k): v for k, v in want.items()}
    exact = next(iter(want.values()))
    r = client.get("/v1/people", params={"displayName": exact})
    assert [p["displayName"] for p in r.json()["items"]] == [exact]
    assert client.get("/v1/people", params={"displayName": "%"}).json()["items"] == []
    assert client.get("/v1/people", params={"displayName": "Zz"}).json()["items"] == []


def test_calling_data_adds_extension_location_and_numbers(w, client):
    profiles = {
        r[0]: r[1:]
        for r in w.sql(
            "select user_id, extension, location_id, phone_number from calling_profiles "
            "where org_id = :o",
            o=w.demo.main_org_id,
        )
    }
    with_data = client.get("/v1/people", params={"callingData": "true"}).json()["items"]
    without = client.get("/v1/people").json()["items"]
    assert len(with_data) == len(without) == 40
    numbered = 0
    for p in with_data:
        ext, loc, number = profiles[ids.decode("PEOPLE", p["id"])]
        assert p["extension"] == ext and p["locationId"] == ids.location(loc)
        want = [{"type": "work", "value": number, "primary": True}] if number else []
        assert p["phoneNumbers"] == want
        numbered += bool(number)
        one = client.get(f"/v1/people/{p['id']}", params={"callingData": "true"}).json()
        assert {k: one[k] for k in ("extension", "locationId", "phoneNumbers")} == {
            k: p[k] for k in ("extension", "locationId", "phoneNumbers")
        }
    assert 0 < numbered < 40
    for p in without:
        assert "extension" not in p and "locationId" not in p and p["phoneNumbers"] == []
    plain = client.get(f"/v1/people/{without[0]['id']}").json()
    assert "extension" not in plain and "locationId" not in plain


# --- licences ------------------------------------------------------------------------------------


def test_licence_details_page_exactly_the_holders(w, client):
    lic = w.licence(w.demo.old_subscription, "BCSTD")
    holders = {
        r[0] for r in w.sql("select user_id from user_licences where licence_id = :l", l=lic.id)
    }
    assert len(holders) == 32
    users = {r[0]: (r[1], r[2]) for r in w.sql("select id, display_name, email from users")}
    url = f"/v1/licenses/{w.old('BCSTD')}?includeAssignedTo=user&limit=7"
    got, pages = [], 0
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        body = r.json()
        pages += 1
        assert (body["id"], body["consumedUnits"], body["totalUnits"]) == (
            w.old("BCSTD"),
            32,
            lic.total_units,
        )
        assert body["subscriptionId"] == w.demo.old_subscription
        assert 1 <= len(body["users"]) <= 7
        for u in body["users"]:
            assert (u["displayName"], u["email"]) == users[ids.decode("PEOPLE", u["id"])]
            assert u["type"] == "INTERNAL"
        got += [u["id"] for u in body["users"]]
        url = next_url(r)
        if url:
            assert url.startswith("http://testserver/v1/licenses/")
            q = dict(query_of(url))
            assert (q["includeAssignedTo"], q["limit"]) == ("user", "7") and q["cursor"]
    assert len(got) == len(set(got)) == 32 and {ids.decode("PEOPLE", i) for i in got} == holders
    assert pages == math.ceil(32 / 7)
    nobody = client.get(f"/v1/licenses/{w.new('BCSTD')}", params={"includeAssignedTo": "user"})
    assert nobody.json()["users"] == [] and "link" not in nobody.headers
    bare = client.get(f"/v1/licenses/{w.old('BCSTD')}").json()
    assert "users" not in bare and bare["consumedUnits"] == 32


def test_patch_swap_returns_200_and_keeps_every_feature(w, client):
    user = w.holder("BCSTD", 6)
    pid = w.pid(user)
    make_interesting(client, pid)
    before_view, before_state = calling_view(client, pid), state_of(w.ctx, user)
    before_units = units(client)
    held = person_licences(client, pid)
    moves = [code for code in ("BCSTD", "MS", "EE") if w.old(code) in held]
    assert "BCSTD" in moves and "MS" in moves
    body = {
        "email": user.email,
        "orgId": ids.org(w.demo.main_org_id),
        "licenses": [
            op
            for code in moves
            for op in ({"id": w.old(code), "operation": "remove"}, {"id": w.new(code)})
        ],
    }
    r = client.patch(PATCH, json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    out = r.json()
    expected = sorted({*held} - {w.old(c) for c in moves} | {w.new(c) for c in moves})
    assert out == {
        "orgId": ids.org(w.demo.main_org_id),
        "personId": pid,
        "email": user.email,
        "licenses": expected,
    }
    assert person_licences(client, pid) == expected
    assert calling_view(client, pid) == before_view
    assert state_of(w.ctx, user).profile == before_state.profile  # PIN hash included
    after_units = units(client)
    for code in moves:
        assert after_units[w.old(code)] == before_units[w.old(code)] - 1
        assert after_units[w.new(code)] == before_units[w.new(code)] + 1
    moved = {w.old(c) for c in moves} | {w.new(c) for c in moves}
    assert {k: v for k, v in after_units.items() if k not in moved} == {
        k: v for k, v in before_units.items() if k not in moved
    }
    # asking again changes nothing and still answers 200 with the same list
    again = client.patch(PATCH, json={"personId": pid, "licenses": [{"id": w.new("BCSTD")}]})
    assert again.status_code == 200 and again.json()["licenses"] == expected


def test_users_can_always_be_moved_off_a_suspended_subscription(w, client):
    execute(
        w.db,
        "update subscriptions set status = 'suspended' where id = :s",
        s=w.demo.old_subscription,
    )
    user = w.holder("BCBASIC", 0)
    pid = w.pid(user)
    before = calling_view(client, pid)
    r = client.patch(
        PATCH,
        json={
            "personId": pid,
            "licenses": [{"id": w.old("BCBASIC"), "operation": "remove"}, {"id": w.new("BCSTD")}],
        },
    )  # and up to Professional
    assert r.status_code == 200, r.text
    assert w.new("BCSTD") in r.json()["licenses"] and w.old("BCBASIC") not in r.json()["licenses"]
    assert calling_view(client, pid) == before


def test_patch_with_one_good_and_one_failing_swap_is_206_with_errors(w, client):
    user = w.holder("BCSTD", 7)
    pid = w.pid(user)
    new_pro = w.licence(w.demo.new_subscription, "BCSTD")
    execute(w.db, "update licences set total_units = consumed_units where id = :id", id=new_pro.id)
    before_view, before_units, held = (
        calling_view(client, pid),
        units(client),
        person_licences(client, pid),
    )
    events = audit_count(w)
    r = client.patch(
        PATCH,
        json={
            "personId": pid,
            "licenses": [
                {"id": w.old("MS"), "operation": "remove"},
                {"id": w.new("MS")},
                {"id": w.old("BCSTD"), "operation": "remove"},
                {"id": w.new("BCSTD")},
            ],
        },
    )
    assert r.status_code == 206, r.text
    assert r.headers["content-type"].startswith("application/json")
    out = r.json()
    expected = sorted(set(held) - {w.old("MS")} | {w.new("MS")})
    assert out["licenses"] == expected and w.old("BCSTD") in expected  # R8: the Professional stays
    assert sorted((e["id"], e["errorCode"]) for e in out["errors"]) == sorted(
        [(w.new("BCSTD"), E.NO_FREE_UNITS), (w.old("BCSTD"), E.NO_FREE_UNITS)]
    )
    assert all(e["description"] for e in out["errors"])
    assert person_licences(client, pid) == expected
    assert calling_view(client, pid) == before_view
    after = units(client)

    def delta(code: str) -> tuple[int, int]:
        return (
            after[w.old(code)] - before_units[w.old(code)],
            after[w.new(code)] - before_units[w.new(code)],
        )

    assert delta("MS") == (-1, 1) and delta("BCSTD") == (0, 0)
    assert audit_count(w) == events + 1  # R10


# --- people: create, replace, delete ------------------------------------------------------------


def test_put_person_swapping_calling_keeps_the_features(w, client):
    user = w.holder("BCSTD", 8)
    pid = w.pid(user)
    make_interesting(client, pid)
    before_view, before_profile = calling_view(client, pid), state_of(w.ctx, user).profile
    body = client.get(f"/v1/people/{pid}", params={"callingData": "true"}).json()
    old_to_new = {w.old(c): w.new(c) for c in ("BCSTD", "MS", "EE")}
    body["licenses"] = [old_to_new.get(l, l) for l in body["licenses"]]
    body["displayName"] = "Renamed While Moving"
    r = client.put(f"/v1/people/{pid}", params={"callingData": "true"}, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert sorted(out["licenses"]) == sorted(body["licenses"]) == person_licences(client, pid)
    assert out["displayName"] == "Renamed While Moving"
    assert {k: out[k] for k in ("extension", "locationId", "phoneNumbers")} == before_view["person"]
    after_view = calling_view(client, pid)
    # caller ID shows the person's (new) display name until one of its own is set
    assert after_view["callerId"].pop("displayName") == "Renamed While Moving"
    assert after_view["callerId"].pop("dialByName") == "Renamed While Moving"
    for name in ("displayName", "dialByName"):
        before_view["callerId"].pop(name)
    assert after_view == before_view
    assert state_of(w.ctx, user).profile == before_profile


def test_post_person_with_a_calling_licence_creates_the_profile(w, client):
    location = ids.location(
        sorted(w.sql("select id from locations where org_id = :o", o=w.demo.main_org_id))[0][0]
    )
    before = units(client)
    r = client.post(
        "/v1/people",
        params={"callingData": "true"},
        json={
            "emails": ["New.Hire@Acme.example.com"],
            "firstName": "New",
            "lastName": "Hire",
            "licenses": [w.new("BCSTD"), w.new("MS")],
            "locationId": location,
            "extension": "5555",
            "phoneNumbers": [{"type": "work", "value": "+97235550000"}],
        },
    )
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["emails"] == ["new.hire@acme.example.com"] and p["displayName"] == "New Hire"
    assert (p["firstName"], p["lastName"], p["orgId"]) == (
        "New",
        "Hire",
        ids.org(w.demo.main_org_id),
    )
    assert sorted(p["licenses"]) == sorted([w.new("BCSTD"), w.new("MS")])
    assert (p["extension"], p["locationId"]) == ("5555", location)
    assert p["phoneNumbers"] == [{"type": "work", "value": "+97235550000", "primary": True}]
    assert p["created"].endswith("Z") and len(p["created"]) == len("2026-01-05T09:00:00.000Z")
    defaults = default_settings()
    for name in ("voicemail", "callForwarding", "doNotDisturb", "callWaiting"):
        assert client.get(f"/v1/people/{p['id']}/features/{name}").json() == defaults[name]
    caller_id = client.get(f"/v1/people/{p['id']}/features/callerId").json()
    assert caller_id["selected"] == defaults["callerId"]["selected"]
    assert (caller_id["firstName"], caller_id["directNumber"]) == ("New", "+97235550000")
    numbers = client.get(f"/v1/people/{p['id']}/features/numbers").json()
    assert numbers["phoneNumbers"][0]["directNumber"] == "+97235550000"
    assert numbers["phoneNumbers"][0]["extension"] == "5555"
    after = units(client)
    assert after[w.new("BCSTD")] - before[w.new("BCSTD")] == 1
    assert after[w.new("MS")] - before[w.new("MS")] == 1
    # the same email again: refused, nothing written
    snap = snapshot_db(w.db)
    assert_webex_error(
        client.post("/v1/people", json={"emails": ["new.hire@acme.example.com"]}), 409, {409010}
    )
    assert snapshot_db(w.db) == snap
    # a person without licences has no calling features
    bare = client.post("/v1/people", json={"emails": ["bare@acme.example.com"]}).json()
    assert bare["licenses"] == []
    assert_webex_error(client.get(f"/v1/people/{bare['id']}/features/voicemail"), 404, {None})


def test_delete_puts_the_profile_in_the_recycle_bin(w, client):
    user = next(
        w.holder("BCSTD", i)
        for i in range(20)
        if state_of(w.ctx, w.holder("BCSTD", i)).profile.voicemail_pin_hash
        and state_of(w.ctx, w.holder("BCSTD", i)).profile.phone_number
    )
    pid = w.pid(user)
    state = state_of(w.ctx, user)
    before_units, held = units(client), person_licences(client, pid)
    person = client.get(f"/v1/people/{pid}", params={"callingData": "true"}).json()
    assert client.get("/v1/callshift/recycleBin").json()["items"] == []
    r = client.delete(f"/v1/people/{pid}")
    assert r.status_code == 204 and r.content == b""
    assert_webex_error(client.get(f"/v1/people/{pid}"), 404, {None})
    items = client.get("/v1/callshift/recycleBin").json()["items"]
    assert len(items) == 1
    entry = items[0]
    assert {
        k: entry[k]
        for k in (
            "type",
            "personId",
            "displayName",
            "email",
            "extension",
            "phoneNumber",
            "locationId",
        )
    } == {
        "type": "person",
        "personId": pid,
        "displayName": person["displayName"],
        "email": user.email,
        "extension": person["extension"],
        "phoneNumber": person["phoneNumbers"][0]["value"],
        "locationId": person["locationId"],
    }
    assert entry["id"] and entry["purgedAt"] < entry["expiresAt"]
    with w.db.uow(write=False) as uow:
        stored = uow.store.recycle_entry(entry["id"])
    assert stored.profile == state.profile  # features and PIN hash, restorable
    after = units(client)
    assert all(after[l] == before_units[l] - 1 for l in held)
    assert w.sql("select count(*) from users where id = :u", u=user.id)[0][0] == 0


# --- features and the PIN ------------------------------------------------------------------------


def test_feature_put_is_a_partial_update(w, client):
    user = w.holder("BCSTD", 10)
    pid = w.pid(user)
    before = {n: client.get(f"/v1/people/{pid}/features/{n}").json() for n in FEATURES}
    events = audit_count(w)
    patch = {
        "sendUnansweredCalls": {"numberOfRings": 5},
        "emailCopyOfMessage": {"enabled": True, "emailId": "copy@acme.example.com"},
    }
    r = client.put(f"/v1/people/{pid}/features/voicemail", json=patch)
    assert r.status_code == 200, r.text
    want = copy.deepcopy(before["voicemail"])
    want["sendUnansweredCalls"]["numberOfRings"] = 5
    want["emailCopyOfMessage"] = {"enabled": True, "emailId": "copy@acme.example.com"}
    assert r.json() == want and client.get(f"/v1/people/{pid}/features/voicemail").json() == want
    assert (
        want["sendUnansweredCalls"]["greeting"]
        == before["voicemail"]["sendUnansweredCalls"]["greeting"]
    )

    dnd = not before["doNotDisturb"]["enabled"]
    r = client.put(f"/v1/people/{pid}/features/doNotDisturb", json={"enabled": dnd})
    assert r.json() == {
        "enabled": dnd,
        "ringSplashEnabled": before["doNotDisturb"]["ringSplashEnabled"],
        "webexGoOverrideEnabled": before["doNotDisturb"]["webexGoOverrideEnabled"],
    }
    # a nullable destination can be set and cleared again
    r = client.put(
        f"/v1/people/{pid}/features/callForwarding",
        json={"callForwarding": {"always": {"enabled": True, "destination": "+14155550100"}}},
    )
    assert r.json()["callForwarding"]["always"]["destination"] == "+14155550100"
    assert r.json()["callForwarding"]["busy"] == before["callForwarding"]["callForwarding"]["busy"]
    r = client.put(
        f"/v1/people/{pid}/features/callForwarding",
        json={"callForwarding": {"always": {"enabled": False, "destination": None}}},
    )
    assert r.json() == before["callForwarding"]
    after = {n: client.get(f"/v1/people/{pid}/features/{n}").json() for n in FEATURES}
    assert {n: after[n] for n in ("callWaiting", "callerId", "numbers")} == {
        n: before[n] for n in ("callWaiting", "callerId", "numbers")
    }
    assert audit_count(w) == events + 4
    # the same values again: nothing changes, nothing audited
    assert (
        client.put(f"/v1/people/{pid}/features/doNotDisturb", json={"enabled": dnd}).status_code
        == 200
    )
    assert audit_count(w) == events + 4


@pytest.mark.parametrize(
    "pin",
    ["123456", "80614423", "135792468013579246801357924680"],
    ids=["6 digits", "8 digits", "30 digits"],
)
def test_voicemail_passcode_of_6_to_30_digits_is_set_and_never_shown(pin, w, client):
    user = w.holder("BCSTD", 11)
    pid = w.pid(user)
    old = state_of(w.ctx, user).profile.voicemail_pin_hash
    r = client.put(f"/v1/telephony/config/people/{pid}/voicemail/passcode", json={"passcode": pin})
    assert r.status_code == 200, r.text
    assert r.json() == {"personId": pid, "passcodeSet": True}
    stored = state_of(w.ctx, user).profile.voicemail_pin_hash
    assert stored != old and verify_pin(pin, stored)
    # read everything there is about the user: the PIN and its hash appear nowhere
    bodies = [client.get(f"/v1/people/{pid}/features/{n}").text for n in FEATURES]
    bodies += [
        client.get(f"/v1/people/{pid}", params={"callingData": "true"}).text,
        client.get("/v1/people", params={"callingData": "true", "email": user.email}).text,
        client.get(f"/v1/people/{pid}/features/voicemail/passcode").text,
        client.get(f"/v1/telephony/config/people/{pid}/voicemail/passcode").text,
    ]
    for body in bodies:
        assert pin not in body and stored.split("$")[2] not in body


def test_voicemail_passcode_outside_the_rules_is_400_and_changes_nothing(w, client):
    pid = w.pid(w.holder("BCSTD", 11))
    before = snapshot_db(w.db)
    for bad in [
        "12345",
        "1357924680135792468013579246801",
        "12a456",
        "",
        "111111",
        " 123456",
        "+123456",
        "１２３４５６",
    ]:
        r = client.put(
            f"/v1/telephony/config/people/{pid}/voicemail/passcode", json={"passcode": bad}
        )
        body = assert_webex_error(r, 400, {None})
        assert "passcode" in body["message"], (bad, body)
    for bad_body in [{}, {"pin": "123456"}, {"passcode": None}]:
        assert_webex_error(
            client.put(f"/v1/telephony/config/people/{pid}/voicemail/passcode", json=bad_body),
            400,
            {None},
        )
    assert snapshot_db(w.db) == before


# --- the service itself ----------------------------------------------------------------------


def test_health_docs_and_openapi_are_served(db, api, client):
    health = api().get("/health")  # no token needed
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["database"] == db.writer.dialect.name
    docs = api().get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "swagger" in docs.text.lower() and "/openapi.json" in docs.text
    spec = api().get("/openapi.json")
    assert spec.status_code == 200
    doc = spec.json()
    assert doc["info"]["title"] == "callshift" and doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path, method in [
        ("/v1/licenses", "get"),
        ("/v1/licenses/{license_id}", "get"),
        ("/v1/licenses/users", "patch"),
        ("/v1/people", "get"),
        ("/v1/people", "post"),
        ("/v1/people/{person}", "put"),
        ("/v1/people/{person}", "delete"),
        ("/v1/people/{person}/features/voicemail", "put"),
        ("/v1/people/{person}/features/numbers", "get"),
        ("/v1/telephony/config/people/{person}/voicemail/passcode", "put"),
        ("/v1/callshift/recycleBin", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
