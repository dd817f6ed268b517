"""How unmodified wxc-sdk reads and configures the calling settings a person and a workspace
share: the same SDK classes under ``api.person_settings`` and ``api.workspace_settings``
(only the URL differs), so one driver table serves both tests (test_wxc_sdk_settings.py,
test_wxc_sdk_workspace_settings.py), each adding what only its holder has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wxc_sdk.common.selective import SelectiveFrom
from wxc_sdk.person_settings.barge import BargeSettings
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

Read = Callable[[], Any]
Configure = Callable[[], None]
Driver = tuple[Read, Configure]


def dump(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    return value.model_dump() if hasattr(value, "model_dump") else value


def rmw(read: Read, write: Callable[[Any], None], **change: Any) -> Driver:
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
        back = read()  # each configured field reads back as sent
        for path, v in change.items():
            node, last = at(back, path)
            got = getattr(node, last)
            if isinstance(v, list):  # people, sent as ids, read back as people
                got = [getattr(m, "member_id", None) or getattr(m, "agent_id", None) for m in got]
            assert got == v, (path, got, v)

    return read, configure


def crit(cls: Any, **extra: Any) -> Any:
    return cls(
        calls_from=SelectiveFrom.select_phone_numbers,
        anonymous_callers_enabled=True,
        phone_numbers=["+14155550111"],
        enabled=True,
        **extra,
    )


def shared_drivers(
    sa: Any,
    h: str,
    other: str,
    first_name: str,
    priority: Any = None,
    sequential: Any = None,
) -> dict[str, Driver]:
    """The settings a person and a workspace both have: ``sa`` is ``api.person_settings`` or
    ``api.workspace_settings``, ``h`` the holder's id, ``other`` a person it may name;
    ``priority`` and ``sequential`` stand in for APIs ``sa`` lacks."""
    out = sa.permissions_out
    priority = priority or sa.priority_alert
    sequential = sequential or sa.sequential_ring

    def criteria(api_: Any, main: Any, one: Any) -> Driver:
        def read() -> Any:
            value = api_.read(h)
            return value, [api_.read_criteria(h, c.id) for c in value.criteria or []]

        def configure() -> None:
            api_.configure(h, main)
            api_.create_criteria(h, one)

        return read, configure

    def codes() -> Driver:
        def configure() -> None:
            out.access_codes.create(h, code="4321", description="desk")
            out.access_codes.create(h, code="8765", description="gone")
            out.access_codes.modify(h, use_custom_access_codes=True, delete_codes=["8765"])

        return (lambda: out.access_codes.read(h)), configure

    def patterns() -> Driver:
        def configure() -> None:
            out.digit_patterns.create(
                h, DigitPattern(name="premium", pattern="1900XXXXXXX", action=Action.block)
            )
            out.digit_patterns.update_category_control_settings(h, use_custom_digit_patterns=True)

        def read() -> Any:
            value = out.digit_patterns.get_digit_patterns(h)
            return value, [out.digit_patterns.details(h, d.id) for d in value.digit_patterns]

        return read, configure

    return {
        "voicemail": rmw(
            lambda: sa.voicemail.read(h),
            lambda v: sa.voicemail.configure(h, v),
            send_busy_calls__enabled=False,
            send_unanswered_calls__number_of_rings=5,
            message_storage__mwi_enabled=False,
        ),
        "callForwarding": rmw(
            lambda: sa.forwarding.read(h),
            lambda v: sa.forwarding.configure(h, v),
            call_forwarding__always__enabled=True,
            call_forwarding__always__destination="+14155550101",
            call_forwarding__no_answer__number_of_rings=4,
        ),
        "doNotDisturb": rmw(
            lambda: sa.dnd.read(h),
            lambda v: sa.dnd.configure(h, v),
            enabled=True,
            webex_go_override_enabled=True,
        ),
        "callWaiting": (
            lambda: sa.call_waiting.read(h),
            lambda: sa.call_waiting.configure(h, not sa.call_waiting.read(h)),
        ),
        "anonymousCallReject": (
            lambda: sa.anon_calls.read(h),
            lambda: sa.anon_calls.configure(h, True),
        ),
        "intercept": rmw(
            lambda: sa.call_intercept.read(h),
            lambda v: sa.call_intercept.configure(h, v),
            enabled=True,
            outgoing__transfer_enabled=True,
            outgoing__destination="+14155550102",
        ),
        "selectiveAccept": criteria(
            sa.selective_accept, SelectiveAccept(enabled=True), crit(SelectiveAcceptCriteria)
        ),
        "selectiveForward": criteria(
            sa.selective_forward,
            SelectiveForward(enabled=True, default_phone_number_to_forward="+14155550103"),
            crit(SelectiveForwardCriteria, forward_to_phone_number="+14155550104"),
        ),
        "selectiveReject": criteria(
            sa.selective_reject, SelectiveReject(enabled=True), crit(SelectiveRejectCriteria)
        ),
        "priorityAlert": criteria(
            priority, PriorityAlert(enabled=True), crit(PriorityAlertCriteria)
        ),
        "sequentialRing": criteria(
            sequential, SequentialRing(enabled=True), crit(SequentialRingCriteria)
        ),
        "simultaneousRing": criteria(sa.sim_ring, SimRing(enabled=True), crit(SimRingCriteria)),
        "callerId": rmw(
            lambda: sa.caller_id.read(h),
            lambda v: sa.caller_id.configure_settings(h, v),
            selected="LOCATION_NUMBER",
            first_name=first_name,
            block_in_forward_calls_enabled=True,
        ),
        "outgoingPermission": rmw(
            lambda: out.read(h),
            lambda v: out.configure(h, v),
            use_custom_enabled=True,
            use_custom_permissions=True,
            calling_permissions__international__action=Action.block,
        ),
        "autoTransferNumbers": rmw(
            lambda: out.transfer_numbers.read(h),
            lambda v: out.transfer_numbers.configure(h, v),
            use_custom_transfer_numbers=True,
            auto_transfer_number1="+14155550106",
        ),
        "accessCodes": codes(),
        "digitPatterns": patterns(),
        "incomingPermission": rmw(
            lambda: sa.permissions_in.read(h),
            lambda v: sa.permissions_in.configure(h, v),
            use_custom_enabled=True,
            external_transfer="BLOCK_ALL_EXTERNAL",
        ),
        "outboundBillingPlan": (
            lambda: sa.outbound_billing_plan.read(h),
            lambda: sa.outbound_billing_plan.update(h, True),
        ),
        "emergencyCallbackNumber": (
            lambda: sa.ecbn.read(h),
            lambda: sa.ecbn.configure(h, selected=SelectedECBN.location_ecbn),
        ),
        "privacy": rmw(
            lambda: sa.privacy.read(h),
            lambda v: sa.privacy.configure(h, v),
            aa_extension_dialing_enabled=True,
            monitoring_agents=[other],
        ),
        "bargeIn": (
            lambda: sa.barge.read(h),
            lambda: sa.barge.configure(h, BargeSettings(enabled=True, tone_enabled=True)),
        ),
        "callBridge": (
            lambda: sa.call_bridge.read(h),
            lambda: sa.call_bridge.configure(h, CallBridgeSetting(warning_tone_enabled=True)),
        ),
        "monitoring": rmw(
            lambda: sa.monitoring.read(h),
            lambda v: sa.monitoring.configure(h, v),
            call_park_notification_enabled=True,
        ),
        "pushToTalk": rmw(
            lambda: sa.push_to_talk.read(h),
            lambda v: sa.push_to_talk.configure(h, v),
            connection_type="TWO_WAY",
            members=[other],
        ),
        "musicOnHold": (
            lambda: sa.music_on_hold.read(h),
            lambda: sa.music_on_hold.configure(h, MusicOnHold(moh_enabled=False)),
        ),
        "answerSettings": (
            lambda: sa.answer.read(h),
            lambda: sa.answer.update(h, auto_answer_enabled=True),
        ),
    }
