"""Every catalogued calling setting, driven through the unmodified wxc-sdk against callshift.

For each setting of the catalogue: the SDK reads it, configures non-default values and reads
them back equal; then the person moves to the new subscription with
``licenses.assign_licenses_to_users`` and every setting reads back exactly as before.
A catalogue entry without a driver here fails the test, so the catalogue cannot grow past
what the SDK has been seen to round-trip.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.common import PatternAction, RingPattern
from wxc_sdk.common.selective import SelectiveFrom
from wxc_sdk.licenses import LicenseProperties, LicenseRequest, LicenseRequestOperation
from wxc_sdk.person_settings import UserCallCaptions
from wxc_sdk.person_settings.barge import BargeSettings
from wxc_sdk.person_settings.callbridge import CallBridgeSetting
from wxc_sdk.person_settings.calling_behavior import BehaviorType
from wxc_sdk.person_settings.ecbn import SelectedECBN
from wxc_sdk.person_settings.exec_assistant import ExecAssistantType
from wxc_sdk.person_settings.executive import ExecCallFilteringCriteria
from wxc_sdk.person_settings.feature_access import FeatureAccessLevel, FeatureAccessSettings
from wxc_sdk.person_settings.hotdesking import HotDeskingMember
from wxc_sdk.person_settings.moh import MusicOnHold
from wxc_sdk.person_settings.numbers import UpdatePersonNumbers, UpdatePersonPhoneNumber
from wxc_sdk.person_settings.permissions_out import Action, DigitPattern
from wxc_sdk.person_settings.preferred_answer import PreferredAnswerApi
from wxc_sdk.person_settings.priority_alert import (
    PriorityAlert,
    PriorityAlertApi,
    PriorityAlertCriteria,
)
from wxc_sdk.person_settings.selective_accept import SelectiveAccept, SelectiveAcceptCriteria
from wxc_sdk.person_settings.selective_forward import SelectiveForward, SelectiveForwardCriteria
from wxc_sdk.person_settings.selective_reject import SelectiveReject, SelectiveRejectCriteria
from wxc_sdk.person_settings.sequential_ring import (
    SequentialRing,
    SequentialRingApi,
    SequentialRingCriteria,
)
from wxc_sdk.person_settings.sim_ring import SimRing, SimRingCriteria
from wxc_sdk.person_settings.single_number_reach import SingleNumberReachNumber
from wxc_sdk.rest import RestError

from callshift.domain.settings import NAMES, SETTINGS

from .live_server import Seeded, seeded_server
from .test_wxc_sdk import PAGE, PROFESSIONAL, by_sub, callshift_api

Read = Callable[[], Any]
Configure = Callable[[], None]


@pytest.fixture
def live(db):
    with seeded_server(db, users=12) as seeded:
        yield seeded


@pytest.fixture
def api(live: Seeded):
    api = callshift_api(live.api_base, live.token)
    yield api
    api.session.close()


def dump(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    return value.model_dump() if hasattr(value, "model_dump") else value


def drivers(api: WebexSimpleApi, p: str, other: str) -> dict[str, tuple[Read, Configure]]:
    """For each catalogue name: how the SDK reads it, and configures a non-default value."""
    ps = api.person_settings
    seq = SequentialRingApi(session=api.session)
    preferred = PreferredAnswerApi(session=api.session)
    priority = PriorityAlertApi(session=api.session)
    out = ps.permissions_out

    def rmw(read: Read, write: Callable[[Any], None], **change: Any) -> tuple[Read, Configure]:
        """Read, modify (attributes by dotted name), write the model back."""

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
                    got = [
                        getattr(m, "member_id", None) or getattr(m, "agent_id", None) for m in got
                    ]
                assert got == v, (path, got, v)

        return read, configure

    def criteria(api_: Any, main: Any, crit: Any) -> tuple[Read, Configure]:
        def read() -> Any:
            value = api_.read(p)
            return value, [api_.read_criteria(p, c.id) for c in value.criteria or []]

        def configure() -> None:
            api_.configure(p, main)
            api_.create_criteria(p, crit)

        return read, configure

    def crit(cls: Any, **extra: Any) -> Any:
        return cls(
            calls_from=SelectiveFrom.select_phone_numbers,
            anonymous_callers_enabled=True,
            phone_numbers=["+14155550111"],
            enabled=True,
            **extra,
        )

    def numbers_configure() -> None:
        change = UpdatePersonPhoneNumber(
            action=PatternAction.add, external="+97235559911", ring_pattern=RingPattern.long_long
        )
        ps.numbers.update(
            p, UpdatePersonNumbers(enable_distinctive_ring_pattern=False, phone_numbers=[change])
        )

    def exec_filtering() -> tuple[Read, Configure]:
        ex = ps.executive

        def read() -> Any:
            value = ex.executive_call_filtering_settings(p)
            return value, [ex.get_filtering_criteria(p, c.id) for c in value.criteria or []]

        def configure() -> None:
            value = ex.executive_call_filtering_settings(p)
            value.enabled, value.filter_type = True, "CUSTOM_CALL_FILTERS"
            ex.update_executive_call_filtering_settings(p, value)
            ex.create_call_filtering_criteria(
                p,
                ExecCallFilteringCriteria(
                    filter_name="vip", calls_from=SelectiveFrom.any_external, filter_enabled=True
                ),
            )

        return read, configure

    def codes() -> tuple[Read, Configure]:
        def configure() -> None:
            out.access_codes.create(p, code="4321", description="desk")
            out.access_codes.create(p, code="8765", description="gone")
            out.access_codes.modify(p, use_custom_access_codes=True, delete_codes=["8765"])

        return (lambda: out.access_codes.read(p)), configure

    def patterns() -> tuple[Read, Configure]:
        def configure() -> None:
            out.digit_patterns.create(
                p, DigitPattern(name="premium", pattern="1900XXXXXXX", action=Action.block)
            )
            out.digit_patterns.update_category_control_settings(p, use_custom_digit_patterns=True)

        def read() -> Any:
            value = out.digit_patterns.get_digit_patterns(p)
            return value, [out.digit_patterns.details(p, d.id) for d in value.digit_patterns]

        return read, configure

    def snr() -> tuple[Read, Configure]:
        def configure() -> None:
            ps.single_number_reach.update(p, alert_all_numbers_for_click_to_dial_calls_enabled=True)
            ps.single_number_reach.create_snr(
                p, SingleNumberReachNumber(phone_number="+14155550122", enabled=True, name="cell")
            )

        return (lambda: ps.single_number_reach.read(p)), configure

    def captions() -> tuple[Read, Configure]:
        def configure() -> None:
            ps.update_call_captions_settings(
                p,
                UserCallCaptions(
                    user_transcripts_enabled=False, use_location_settings_enabled=False
                ),
            )

        return (lambda: ps.get_call_captions_settings(p)), configure

    return {
        "voicemail": rmw(
            lambda: ps.voicemail.read(p),
            lambda v: ps.voicemail.configure(p, v),
            send_busy_calls__enabled=False,
            send_unanswered_calls__number_of_rings=5,
            message_storage__mwi_enabled=False,
        ),
        "callForwarding": rmw(
            lambda: ps.forwarding.read(p),
            lambda v: ps.forwarding.configure(p, v),
            call_forwarding__always__enabled=True,
            call_forwarding__always__destination="+14155550101",
            call_forwarding__no_answer__number_of_rings=4,
        ),
        "doNotDisturb": rmw(
            lambda: ps.dnd.read(p),
            lambda v: ps.dnd.configure(p, v),
            enabled=True,
            webex_go_override_enabled=True,
        ),
        "callWaiting": (
            lambda: ps.call_waiting.read(p),
            lambda: ps.call_waiting.configure(p, not ps.call_waiting.read(p)),
        ),
        "numbers": (lambda: ps.numbers.read(p), numbers_configure),
        "anonymousCallReject": (
            lambda: ps.anon_calls.read(p),
            lambda: ps.anon_calls.configure(p, True),
        ),
        "intercept": rmw(
            lambda: ps.call_intercept.read(p),
            lambda v: ps.call_intercept.configure(p, v),
            enabled=True,
            outgoing__transfer_enabled=True,
            outgoing__destination="+14155550102",
        ),
        "selectiveAccept": criteria(
            ps.selective_accept, SelectiveAccept(enabled=True), crit(SelectiveAcceptCriteria)
        ),
        "selectiveForward": criteria(
            ps.selective_forward,
            SelectiveForward(enabled=True, default_phone_number_to_forward="+14155550103"),
            crit(SelectiveForwardCriteria, forward_to_phone_number="+14155550104"),
        ),
        "selectiveReject": criteria(
            ps.selective_reject, SelectiveReject(enabled=True), crit(SelectiveRejectCriteria)
        ),
        "priorityAlert": criteria(
            priority, PriorityAlert(enabled=True), crit(PriorityAlertCriteria)
        ),
        "sequentialRing": criteria(seq, SequentialRing(enabled=True), crit(SequentialRingCriteria)),
        "simultaneousRing": criteria(ps.sim_ring, SimRing(enabled=True), crit(SimRingCriteria)),
        "singleNumberReach": snr(),
        "personalAssistant": rmw(
            lambda: ps.personal_assistant.get(p),
            lambda v: ps.personal_assistant.update(p, v),
            enabled=True,
            presence="LUNCH",
            transfer_number="+14155550105",
        ),
        "callerId": rmw(
            lambda: ps.caller_id.read(p),
            lambda v: ps.caller_id.configure_settings(p, v),
            selected="LOCATION_NUMBER",
            first_name="Bobby",
            block_in_forward_calls_enabled=True,
        ),
        "outgoingPermission": rmw(
            lambda: out.read(p),
            lambda v: out.configure(p, v),
            use_custom_enabled=True,
            use_custom_permissions=True,
            calling_permissions__international__action=Action.block,
        ),
        "autoTransferNumbers": rmw(
            lambda: out.transfer_numbers.read(p),
            lambda v: out.transfer_numbers.configure(p, v),
            use_custom_transfer_numbers=True,
            auto_transfer_number1="+14155550106",
        ),
        "accessCodes": codes(),
        "digitPatterns": patterns(),
        "incomingPermission": rmw(
            lambda: ps.permissions_in.read(p),
            lambda v: ps.permissions_in.configure(p, v),
            use_custom_enabled=True,
            external_transfer="BLOCK_ALL_EXTERNAL",
        ),
        "outboundBillingPlan": (
            lambda: ps.outbound_billing_plan.read(p),
            lambda: ps.outbound_billing_plan.update(p, True),
        ),
        "emergencyCallbackNumber": (
            lambda: ps.ecbn.read(p),
            lambda: ps.ecbn.configure(p, selected=SelectedECBN.location_ecbn),
        ),
        "callingBehavior": rmw(
            lambda: ps.calling_behavior.read(p),
            lambda v: ps.calling_behavior.configure(p, v),
            behavior_type=BehaviorType("CALL_WITH_APP_REGISTERED_FOR_CISCOTEL"),
        ),
        "privacy": rmw(
            lambda: ps.privacy.read(p),
            lambda v: ps.privacy.configure(p, v),
            aa_extension_dialing_enabled=True,
            monitoring_agents=[other],
        ),
        "bargeIn": (
            lambda: ps.barge.read(p),
            lambda: ps.barge.configure(p, BargeSettings(enabled=True, tone_enabled=True)),
        ),
        "callBridge": (
            lambda: ps.call_bridge.read(p),
            lambda: ps.call_bridge.configure(p, CallBridgeSetting(warning_tone_enabled=True)),
        ),
        "callRecording": rmw(
            lambda: ps.call_recording.read(p),
            lambda v: ps.call_recording.configure(p, v),
            enabled=True,
            record="Always",
            repeat__interval=30,
        ),
        "monitoring": rmw(
            lambda: ps.monitoring.read(p),
            lambda v: ps.monitoring.configure(p, v),
            call_park_notification_enabled=True,
        ),
        "pushToTalk": rmw(
            lambda: ps.push_to_talk.read(p),
            lambda v: ps.push_to_talk.configure(p, v),
            connection_type="TWO_WAY",
            members=[other],
        ),
        "reception": rmw(
            lambda: ps.receptionist.read(p),
            lambda v: ps.receptionist.configure(p, v),
            enabled=True,
            monitored_members=[other],
        ),
        "featureAccess": (
            lambda: ps.feature_access.read(p),
            lambda: ps.feature_access.update(
                p, FeatureAccessSettings(voicemail=FeatureAccessLevel.no_access)
            ),
        ),
        "executiveAssistant": (
            lambda: ps.exec_assistant.read(p),
            lambda: ps.exec_assistant.configure(p, ExecAssistantType.executive),
        ),
        "executiveAlert": rmw(
            lambda: ps.executive.alert_settings(p),
            lambda v: ps.executive.update_alert_settings(p, v),
            alerting_mode="SIMULTANEOUS",
            rollover_enabled=True,
        ),
        "executiveAssistantSettings": rmw(
            lambda: ps.executive.executive_assistant_settings(p),
            lambda v: ps.executive.update_executive_assistant_settings(p, v),
            forward_filtered_calls_enabled=True,
            forward_to_phone_number="+14155550107",
        ),
        "executiveCallFiltering": exec_filtering(),
        "executiveScreening": rmw(
            lambda: ps.executive.screening_settings(p),
            lambda v: ps.executive.update_screening_settings(p, v),
            enabled=True,
            alert_type="RING_SPLASH",
        ),
        "hoteling": (lambda: ps.hoteling.read(p), lambda: ps.hoteling.configure(p, True)),
        "musicOnHold": (
            lambda: ps.music_on_hold.read(p),
            lambda: ps.music_on_hold.configure(p, MusicOnHold(moh_enabled=False)),
        ),
        "applications": rmw(
            lambda: ps.appservices.read(p),
            lambda v: ps.appservices.configure(p, v),
            browser_client_enabled=False,
            ring_devices_for_call_park_enabled=False,
        ),
        # callshift has no devices, so no endpoint to prefer: the one value is "none"
        "preferredAnswerEndpoint": (lambda: preferred.read(p), lambda: None),
        "answerSettings": (
            lambda: ps.answer.read(p),
            lambda: ps.answer.update(p, auto_answer_enabled=True),
        ),
        "callCaptions": captions(),
        "msTeams": (
            lambda: ps.ms_teams.read(p),
            lambda: ps.ms_teams.configure(p, "HIDE_WEBEX_APP", False),
        ),
        # callshift has no call queues, hunt groups, auto attendants or device lines: the
        # SDK reads "none" and may only clear them (test_sdk_is_refused_what_callshift_lacks)
        "agentCallerId": (
            lambda: ps.agent_caller_id.read(p),
            lambda: ps.agent_caller_id.configure(p, selected_caller_id=None),
        ),
        "agentAvailableCallerIds": (lambda: ps.agent_caller_id.available_caller_ids(p), none),
        "executiveAssignedAssistants": (
            lambda: ps.executive.assigned_assistants(p),
            lambda: ps.executive.update_assigned_assistants(p, assistant_ids=[other]),
        ),
        "executiveAvailableAssistants": (
            lambda: ps.executive.executive_available_assistants(p),
            none,
        ),
        "hotDesking": (
            lambda: ps.hotdesking.get_members(p),
            lambda: ps.hotdesking.update_members(p, members=[]),
        ),
        "hotDeskingAvailableMembers": (lambda: list(ps.hotdesking.available_members(p)), none),
        "modeManagement": (
            lambda: ps.mode_management.assigned_features(p),
            lambda: ps.mode_management.assign_features([], person_id=p),
        ),
        "modeManagementAvailableFeatures": (
            lambda: list(ps.mode_management.available_features(p)),
            none,
        ),
        "services": (lambda: ps.get_calling_services(p), none),
        "languageAndTimeZone": (
            lambda: ps.get(p),
            lambda: ps.modify(p, announcement_language="fr_fr", time_zone="Europe/Paris"),
        ),
    }


def none() -> None:
    """Nothing to configure: the server computes it, or callshift has nothing it could name."""


# no devices, queues or the like, or computed by the server: the default is their one value
UNCHANGEABLE = {s.name for s in SETTINGS if s.fixed}


def test_sdk_configures_every_setting_and_a_move_keeps_them(api: WebexSimpleApi, live: Seeded):
    licences = api.licenses.list()
    old = by_sub(licences, PROFESSIONAL, live.demo.old_subscription)
    new = by_sub(licences, PROFESSIONAL, live.demo.new_subscription)
    people = [
        p for p in api.people.list(calling_data=True, max=PAGE) if old.license_id in p.licenses
    ]
    person, other = people[0], people[1]
    pid = person.person_id
    d = drivers(api, pid, other.person_id)
    assert set(d) == set(NAMES), "every catalogued setting has an SDK driver"

    defaults = {name: dump(read()) for name, (read, _) in d.items()}
    for name, (read, configure) in d.items():
        configure()
        got = dump(read())
        if name not in UNCHANGEABLE:
            assert got != defaults[name], f"{name}: the configured value did not stick"
        else:
            assert got == defaults[name], f"{name}: only its default can be stored"
    configured = {name: dump(read()) for name, (read, _) in d.items()}
    # reading twice answers the same (ids of criteria and items are stable)
    assert configured == {name: dump(read()) for name, (read, _) in d.items()}

    detail = api.people.details(pid, calling_data=True)
    result = api.licenses.assign_licenses_to_users(
        person_id=pid,
        licenses=[
            LicenseRequest(id=old.license_id, operation=LicenseRequestOperation.remove),
            LicenseRequest(
                id=new.license_id,
                operation=LicenseRequestOperation.add,
                properties=LicenseProperties(
                    location_id=detail.location_id, extension=detail.extension
                ),
            ),
        ],
    )
    assert new.license_id in result.licenses and old.license_id not in result.licenses
    after = {name: dump(read()) for name, (read, _) in d.items()}
    for name in NAMES:
        assert after[name] == configured[name], name


def test_sdk_is_refused_what_callshift_lacks(api: WebexSimpleApi, live: Seeded):
    """Ids of call queues, operating-mode features and hot desking lines: 400 in Webex's
    shape, raised by the SDK as a RestError, and the person's settings unchanged."""
    person = next(iter(api.people.list(calling_data=True, max=PAGE)))
    p, ps = person.person_id, api.person_settings
    before = ps.agent_caller_id.read(p)
    queue = "Y2lzY29zcGFyazovL3VzL0NBTExfUVVFVUUvbm9uZQ"
    for attempt in (
        lambda: ps.agent_caller_id.configure(p, selected_caller_id=queue),
        lambda: ps.mode_management.assign_features([queue], person_id=p),
        lambda: ps.hotdesking.update_members(p, [HotDeskingMember(id=queue)]),
        lambda: ps.executive.update_assigned_assistants(p, assistant_ids=[queue]),
    ):
        with pytest.raises(RestError) as err:
            attempt()
        assert err.value.response.status_code == 400
    assert ps.agent_caller_id.read(p) == before
    assert ps.mode_management.assigned_features(p) == []
    assert ps.hotdesking.get_members(p).members == []
    assert ps.executive.assigned_assistants(p) == []
