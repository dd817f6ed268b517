"""Users: the searchable, filterable, keyset-paged list, and one user's page."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query

from ..domain.model import CallingProfile
from ..domain.settings import GROUPS, PERSON, default_settings, settings_of
from ..services.context import PersonRef
from ..services.directory import org_names, org_view
from ..services.people import PeopleFilter, get_person, list_people
from .auth import Page, current_page

router = APIRouter(prefix="/ui")
PAGE_SIZE = 50
SAVED = {
    "swap": "Licences saved: the calling profile came across unchanged.",
    "purge": "Licences saved: the calling profile was removed and kept in the recycle bin.",
    "grant": "Licences saved: calling was given, with a new calling profile.",
    "none": "Licences saved.",
}


@router.get("/users")
def users(
    page: Page = Depends(current_page),
    q: str = "",
    location: str = "",
    subscription: str = "",
    licence: str = "",
    calling: str = Query("", pattern="^(|yes|no)$"),
    cursor: str | None = None,
):
    org = org_view(page.ctx, page.org_id)
    sub_licences = None
    if subscription:
        sub_licences = [
            l.id for s in org.subscriptions if s.subscription.id == subscription for l in s.licences
        ]
    f = PeopleFilter(
        org.id,
        search=q.strip() or None,
        location_id=location or None,
        licence_id=licence or None,
        licence_ids=sub_licences,
        calling={"yes": True, "no": False}.get(calling),
    )
    people, next_cursor = list_people(page.ctx, f, cursor, PAGE_SIZE, calling_data=True)
    filters = {
        "q": q,
        "location": location,
        "subscription": subscription,
        "licence": licence,
        "calling": calling,
    }
    return page.render(
        "users.html",
        org=org,
        people=people,
        next_cursor=next_cursor,
        filters=filters,
        first_page=cursor is None,
        org_names=org_names(page.ctx),
    )


def licences_by_subscription(org, licence_ids):
    grouped = defaultdict(list)
    for lid in licence_ids:
        lic = org.licences.get(lid)
        if lic:
            grouped[lic.subscription_id].append(lic)
    subs = {s.subscription.id: s for s in org.subscriptions}
    return [(subs[sid], sorted(ls, key=lambda l: l.name)) for sid, ls in sorted(grouped.items())]


@dataclass(frozen=True)
class SettingRow:
    name: str
    title: str
    state: str  # "on" / "off" for settings with an on-off switch, else ""
    changed: bool
    json: str


def setting_groups(
    profile: CallingProfile | None, kind: str = PERSON
) -> list[tuple[str, list[SettingRow]]]:
    """The profile's settings by catalogue group, in catalogue order, as the page shows them
    (a person's, or a workspace's: ``kind``)."""
    if profile is None:
        return []
    values, defaults = profile.settings(kind), default_settings(kind)
    rows: dict[str, list[SettingRow]] = {g: [] for g in GROUPS}
    for s in settings_of(kind):
        v = values[s.name]
        on = v.get("enabled", v.get("receptionEnabled"))
        state = "" if not isinstance(on, bool) else ("on" if on else "off")
        text = json.dumps(v, indent=1, sort_keys=True)
        rows[s.group].append(SettingRow(s.name, s.title, state, v != defaults[s.name], text))
    return [(g, r) for g, r in rows.items() if r]


@router.get("/users/{user_id}")
def user(user_id: str, page: Page = Depends(current_page), saved: str = ""):
    person = get_person(page.ctx, PersonRef(person_id=user_id))
    org = org_view(page.ctx, person.user.org_id)
    return page.render(
        "user.html",
        org=org,
        person=person,
        flash=SAVED.get(saved),
        groups=licences_by_subscription(org, person.licence_ids),
        setting_groups=setting_groups(person.profile),
    )
