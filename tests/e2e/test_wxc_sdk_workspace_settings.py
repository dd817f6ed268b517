"""Every workspace calling setting, driven through the unmodified wxc-sdk 1.41
(``api.workspace_settings.*``) against callshift, its base URL only changed.

For each setting the catalogue gives workspaces: the SDK reads it, configures non-default
values and reads them back equal; then the workspace moves to the other subscription's
licence with ``api.workspaces.update()`` and every setting reads back exactly as before.
A workspace entry without a driver here fails the test, and so does an API of wxc-sdk's
WorkspaceSettingsApi the catalogue does not map.
"""

from __future__ import annotations

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.common import PatternAction, RingPattern
from wxc_sdk.person_settings.call_policy import PrivacyOnRedirectedCalls
from wxc_sdk.workspace_settings import WorkspaceSettingsApi
from wxc_sdk.workspace_settings.numbers import UpdateWorkspacePhoneNumber

from callshift.domain.settings import WORKSPACE_NAMES, WORKSPACE_SETTINGS
from callshift.domain.settings.workspaces import FROM_SDK

from .live_server import Seeded, seeded_server
from .sdk_drivers import Configure, Read, dump, shared_drivers
from .test_wxc_sdk import PAGE, callshift_api

NOT_SETTINGS = {"available_numbers", "devices"}  # lists to choose from, and devices


@pytest.fixture
def live(db):
    with seeded_server(db, users=6, workspaces=6) as seeded:
        yield seeded


@pytest.fixture
def api(live: Seeded):
    api = callshift_api(live.api_base, live.token)
    yield api
    api.session.close()


def drivers(api: WebexSimpleApi, w: str, other: str) -> dict[str, tuple[Read, Configure]]:
    """For each workspace setting: how the SDK reads it, and configures a non-default value."""
    ws = api.workspace_settings

    def numbers() -> tuple[Read, Configure]:
        def configure() -> None:
            add = UpdateWorkspacePhoneNumber(
                action=PatternAction.add,
                direct_number="+97235559951",
                ring_pattern=RingPattern.long_long,
            )
            ws.numbers.update(w, [add], distinctive_ring_enabled=False)

        return (lambda: ws.numbers.read(w)), configure

    return {
        **shared_drivers(ws, w, other, "Lobby"),
        "numbers": numbers(),
        "callPolicies": (
            lambda: ws.call_policy.read(w),
            lambda: ws.call_policy.configure(w, PrivacyOnRedirectedCalls.privacy_for_all_calls),
        ),
    }


def test_the_catalogue_maps_every_settings_api_of_wxc_sdk_workspaces():
    apis = set(WorkspaceSettingsApi.__annotations__) - NOT_SETTINGS
    assert set(FROM_SDK) == apis
    assert set(WORKSPACE_NAMES) == {n for names in FROM_SDK.values() for n in names}


def test_sdk_configures_every_workspace_setting_and_a_move_keeps_them(
    api: WebexSimpleApi, live: Seeded
):
    demo = live.demo
    licences = {l.license_id: l for l in api.licenses.list()}
    spaces = [
        s
        for s in api.workspaces.list()
        if any(
            licences[i].subscription_id == demo.old_subscription
            for i in s.calling.webex_calling.licenses
        )
        and s.calling.webex_calling.phone_number  # not hot desk only: it has numbers
    ]
    room = spaces[0]
    w = room.workspace_id
    other = next(iter(api.people.list(calling_data=True, max=PAGE))).person_id
    d = drivers(api, w, other)
    assert set(d) == set(WORKSPACE_NAMES), "every workspace setting has an SDK driver"

    unchangeable = {s.name for s in WORKSPACE_SETTINGS if s.fixed}
    defaults = {name: dump(read()) for name, (read, _) in d.items()}
    for name, (read, configure) in d.items():
        configure()
        got = dump(read())
        if name in unchangeable:
            assert got == defaults[name], f"{name}: only its default can be stored"
        else:
            assert got != defaults[name], f"{name}: the configured value did not stick"
    configured = {name: dump(read()) for name, (read, _) in d.items()}
    assert configured == {name: dump(read()) for name, (read, _) in d.items()}

    # the move: the same kind of licence on the other subscription, by PUT /workspaces/{id}
    (held,) = room.calling.webex_calling.licenses
    target = next(
        l.license_id
        for l in licences.values()
        if l.name == licences[held].name and l.subscription_id == demo.new_subscription
    )
    details = api.workspaces.details(w)
    details.calling.webex_calling.licenses = [target]
    moved = api.workspaces.update(w, details)
    assert moved.calling.webex_calling.licenses == [target]
    after = {name: dump(read()) for name, (read, _) in d.items()}
    for name in WORKSPACE_NAMES:
        assert after[name] == configured[name], name
