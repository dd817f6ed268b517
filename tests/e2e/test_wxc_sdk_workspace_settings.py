"""Every workspace calling setting, driven through the unmodified wxc-sdk 1.41
(``api.workspace_settings.*``) against callshift, its base URL only changed.

For each setting the catalogue gives workspaces: the SDK reads it, configures non-default
values and reads them back equal; then the workspace moves to the other subscription's
licence with ``api.workspaces.update()`` and every setting reads back exactly as before.
A workspace entry without a driver here fails the test, and so does an API of wxc-sdk's
WorkspaceSettingsApi the catalogue does not map.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.common import PatternAction, RingPattern
from wxc_sdk.common.selective import SelectiveFrom
from wxc_sdk.person_settings.barge import BargeSettings
from wxc_sdk.person_settings.call_policy import PrivacyOnRedirectedCalls
from wxc_sdk.person_settings.callbridge import CallBridgeSetting
from wxc_sdk.person_settings.ecbn import SelectedECBN
from wxc_sdk.person_settings.moh import MusicOnHold
from wxc_sdk.person_settings.permissions_out import Action, DigitPattern
from wxc_sdk.person_settings.priority_alert import PriorityAlert, PriorityAlertCriteria
from wxc_sdk.person_settings.selective_accept import SelectiveAccept, SelectiveAcceptCriteria
from wxc_sdk.person_settings.selective_forward import SelectiveForward, SelectiveForwardCriteria
from wxc_sdk.person_settings.selective_reject import SelectiveReject, SelectiveRejectCriteria
from wxc_sdk.person_settings.sequential_ring import SequentialRing, SequentialRingCriteria
from wxc_sdk.person_settings.sim_ring import SimRing, SimRingCriteria
from wxc_sdk.workspace_settings import WorkspaceSettingsApi
from wxc_sdk.workspace_settings.numbers import UpdateWorkspacePhoneNumber

from callshift.domain.settings import WORKSPACE_NAMES, WORKSPACE_SETTINGS
from callshift.domain.settings.workspaces import FROM_SDK

from .live_server import Seeded, seeded_server
from .test_wxc_sdk import PAGE, callshift_api
from .test_wxc_sdk_settings import dump

Read = Callable[[], Any]
Configure = Callable[[], None]
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


def rmw(read: Read, write: Callable[[Any], None], **change: Any) -> tuple[Read, Configure]:
    """Read, change attributes (by dotted name, "a__b"), write the model back, read it back."""

    def at(value: Any, path: str) -> tuple[Any, str]:
        *head, last = path.split("__")
        for h in head:
            value = getattr(value, h)
        return value, last

    def configure() -> None:
        value = read()
        for path, v in change.items():
            node, last = at(value, path)
            assert last in type(node).model_fields, f"no field {last}"
            setattr(node, last, v)
        write(value)
        back = read()
        for path, v in change.items():
            node, last = at(back, path)
            got = getattr(node, last)
            if isinstance(v, list):  # people, sent as ids, read back as people
                got = [getattr(m, "member_id", None) or getattr(m, "agent_id", None) for m in got]
            assert got == v, (path, got, v)

    return read, configure


def drivers(api: WebexSimpleApi, w: str, other: str) -> dict[str, tuple[Read, Configure]]:
    """For each workspace setting: how the SDK reads it, and configures a non-default value."""
    ws = api.workspace_settings
    out = ws.permissions_out

    def criteria(api_: Any, main: Any, crit: Any) -> tuple[Read, Configure]:
        def read() -> Any:
            value = api_.read(w)
            return value, [api_.read_criteria(w, c.id) for c in value.criteria or []]

        def configure() -> None:
            api_.configure(w, main)
            api_.create_criteria(w, crit)

        return read, configure

    def crit(cls: Any, **extra: Any) -> Any:
        return cls(
            calls_from=SelectiveFrom.select_phone_numbers,
            anonymous_callers_enabled=True,
            phone_numbers=["+14155550111"],
            enabled=True,
            **extra,
        )

    def numbers() -> tuple[Read, Configure]:
        def configure() -> None:
            add = UpdateWorkspacePhoneNumber(
                action=PatternAction.add,
                direct_number="+97235559951",
                ring_pattern=RingPattern.long_long,
            )
            ws.numbers.update(w, [add], distinctive_ring_enabled=False)

        return (lambda: ws.numbers.read(w)), configure

    def codes() -> tuple[Read, Configure]:
        def configure() -> None:
            out.access_codes.create(w, code="4321", description="desk")
            out.access_codes.create(w, code="8765", description="gone")
            out.access_codes.modify(w, use_custom_access_codes=True, delete_codes=["8765"])

        return (lambda: out.access_codes.read(w)), configure

    def patterns() -> tuple[Read, Configure]:
        def configure() -> None:
            out.digit_patterns.create(
                w, DigitPattern(name="premium", pattern="1900XXXXXXX", action=Action.block)
            )
            out.digit_patterns.update_category_control_settings(w, use_custom_digit_patterns=True)

        def read() -> Any:
            value = out.digit_patterns.get_digit_patterns(w)
            return value, [out.digit_patterns.details(w, d.id) for d in value.digit_patterns]

        return read, configure

    return {
        "voicemail": rmw(
            lambda: ws.voicemail.read(w),
            lambda v: ws.voicemail.configure(w, v),
            send_busy_calls__enabled=False,
            send_unanswered_calls__number_of_rings=5,
            message_storage__mwi_enabled=False,
        ),
        "callForwarding": rmw(
            lambda: ws.forwarding.read(w),
            lambda v: ws.forwarding.configure(w, v),
            call_forwarding__always__enabled=True,
            call_forwarding__always__destination="+14155550101",
            call_forwarding__no_answer__number_of_rings=4,
        ),
        "doNotDisturb": rmw(
            lambda: ws.dnd.read(w),
            lambda v: ws.dnd.configure(w, v),
            enabled=True,
            webex_go_override_enabled=True,
        ),
        "callWaiting": (
            lambda: ws.call_waiting.read(w),
            lambda: ws.call_waiting.configure(w, not ws.call_waiting.read(w)),
        ),
        "numbers": numbers(),
        "anonymousCallReject": (
            lambda: ws.anon_calls.read(w),
            lambda: ws.anon_calls.configure(w, True),
        ),
        "intercept": rmw(
            lambda: ws.call_intercept.read(w),
            lambda v: ws.call_intercept.configure(w, v),
            enabled=True,
            outgoing__transfer_enabled=True,
            outgoing__destination="+14155550102",
        ),
        "selectiveAccept": criteria(
            ws.selective_accept, SelectiveAccept(enabled=True), crit(SelectiveAcceptCriteria)
        ),
        "selectiveForward": criteria(
            ws.selective_forward,
            SelectiveForward(enabled=True, default_phone_number_to_forward="+14155550103"),
            crit(SelectiveForwardCriteria, forward_to_phone_number="+14155550104"),
        ),
        "selectiveReject": criteria(
            ws.selective_reject, SelectiveReject(enabled=True), crit(SelectiveRejectCriteria)
        ),
        "priorityAlert": criteria(
            ws.priority_alert, PriorityAlert(enabled=True), crit(PriorityAlertCriteria)
        ),
        "sequentialRing": criteria(
            ws.sequential_ring, SequentialRing(enabled=True), crit(SequentialRingCriteria)
        ),
        "simultaneousRing": criteria(ws.sim_ring, SimRing(enabled=True), crit(SimRingCriteria)),
        "callerId": rmw(
            lambda: ws.caller_id.read(w),
            lambda v: ws.caller_id.configure_settings(w, v),
            selected="LOCATION_NUMBER",
            first_name="Lobby",
            block_in_forward_calls_enabled=True,
        ),
        "outgoingPermission": rmw(
            lambda: out.read(w),
            lambda v: out.configure(w, v),
            use_custom_enabled=True,
            use_custom_permissions=True,
            calling_permissions__international__action=Action.block,
        ),
        "autoTransferNumbers": rmw(
            lambda: out.transfer_numbers.read(w),
            lambda v: out.transfer_numbers.configure(w, v),
            use_custom_transfer_numbers=True,
            auto_transfer_number1="+14155550106",
        ),
        "accessCodes": codes(),
        "digitPatterns": patterns(),
        "incomingPermission": rmw(
            lambda: ws.permissions_in.read(w),
            lambda v: ws.permissions_in.configure(w, v),
            use_custom_enabled=True,
            external_transfer="BLOCK_ALL_EXTERNAL",
        ),
        "outboundBillingPlan": (
            lambda: ws.outbound_billing_plan.read(w),
            lambda: ws.outbound_billing_plan.update(w, True),
        ),
        "emergencyCallbackNumber": (
            lambda: ws.ecbn.read(w),
            lambda: ws.ecbn.configure(w, selected=SelectedECBN.location_ecbn),
        ),
        "privacy": rmw(
            lambda: ws.privacy.read(w),
            lambda v: ws.privacy.configure(w, v),
            aa_extension_dialing_enabled=True,
            monitoring_agents=[other],
        ),
        "callPolicies": (
            lambda: ws.call_policy.read(w),
            lambda: ws.call_policy.configure(w, PrivacyOnRedirectedCalls.privacy_for_all_calls),
        ),
        "bargeIn": (
            lambda: ws.barge.read(w),
            lambda: ws.barge.configure(w, BargeSettings(enabled=True, tone_enabled=True)),
        ),
        "callBridge": (
            lambda: ws.call_bridge.read(w),
            lambda: ws.call_bridge.configure(w, CallBridgeSetting(warning_tone_enabled=True)),
        ),
        "monitoring": rmw(
            lambda: ws.monitoring.read(w),
            lambda v: ws.monitoring.configure(w, v),
            call_park_notification_enabled=True,
        ),
        "pushToTalk": rmw(
            lambda: ws.push_to_talk.read(w),
            lambda v: ws.push_to_talk.configure(w, v),
            connection_type="TWO_WAY",
            members=[other],
        ),
        "musicOnHold": (
            lambda: ws.music_on_hold.read(w),
            lambda: ws.music_on_hold.configure(w, MusicOnHold(moh_enabled=False)),
        ),
        "answerSettings": (
            lambda: ws.answer.read(w),
            lambda: ws.answer.update(w, auto_answer_enabled=True),
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
