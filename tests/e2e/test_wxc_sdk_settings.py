"""Every catalogued calling setting, driven through the unmodified wxc-sdk against callshift.

For each setting of the catalogue: the SDK reads it, configures non-default values and reads
them back equal; then the person moves to the new subscription with
``licenses.assign_licenses_to_users`` and every setting reads back exactly as before.
A catalogue entry without a driver here fails the test, so the catalogue cannot grow past
what the SDK has been seen to round-trip.
"""

from __future__ import annotations

from typing import Any

import pytest
from wxc_sdk import WebexSimpleApi
from wxc_sdk.common import PatternAction, RingPattern
from wxc_sdk.common.selective import SelectiveFrom
from wxc_sdk.licenses import LicenseProperties, LicenseRequest, LicenseRequestOperation
from wxc_sdk.person_settings import UserCallCaptions
from wxc_sdk.person_settings.calling_behavior import BehaviorType
from wxc_sdk.person_settings.exec_assistant import ExecAssistantType
from wxc_sdk.person_settings.executive import ExecCallFilteringCriteria
from wxc_sdk.person_settings.feature_access import FeatureAccessLevel, FeatureAccessSettings
from wxc_sdk.person_settings.hotdesking import HotDeskingMember
from wxc_sdk.person_settings.numbers import UpdatePersonNumbers, UpdatePersonPhoneNumber
from wxc_sdk.person_settings.preferred_answer import PreferredAnswerApi
from wxc_sdk.person_settings.priority_alert import (
    PriorityAlertApi,
)
from wxc_sdk.person_settings.sequential_ring import (
    SequentialRingApi,
)
from wxc_sdk.person_settings.single_number_reach import SingleNumberReachNumber
from wxc_sdk.rest import RestError

from callshift.domain.settings import NAMES, SETTINGS

from .live_server import Seeded, seeded_server
from .sdk_drivers import Configure, Read, dump, rmw, shared_drivers
from .test_wxc_sdk import PAGE, PROFESSIONAL, by_sub, callshift_api


@pytest.fixture
def live(db):
    with seeded_server(db, users=12) as seeded:
        yield seeded


@pytest.fixture
def api(live: Seeded):
    api = callshift_api(live.api_base, live.token)
    yield api
    api.session.close()


def drivers(api: WebexSimpleApi, p: str, other: str) -> dict[str, tuple[Read, Configure]]:
    """For each catalogue name: how the SDK reads it, and configures a non-default value."""
    ps = api.person_settings
    preferred = PreferredAnswerApi(session=api.session)
    # person_settings has no priority alert or sequential ring API of its own in 1.41
    priority = PriorityAlertApi(session=api.session)
    sequential = SequentialRingApi(session=api.session)

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
        **shared_drivers(ps, p, other, "Bobby", priority, sequential),
        "numbers": (lambda: ps.numbers.read(p), numbers_configure),
        "singleNumberReach": snr(),
        "personalAssistant": rmw(
            lambda: ps.personal_assistant.get(p),
            lambda v: ps.personal_assistant.update(p, v),
            enabled=True,
            presence="LUNCH",
            transfer_number="+14155550105",
        ),
        "callingBehavior": rmw(
            lambda: ps.calling_behavior.read(p),
            lambda v: ps.calling_behavior.configure(p, v),
            behavior_type=BehaviorType("CALL_WITH_APP_REGISTERED_FOR_CISCOTEL"),
        ),
        "callRecording": rmw(
            lambda: ps.call_recording.read(p),
            lambda v: ps.call_recording.configure(p, v),
            enabled=True,
            record="Always",
            repeat__interval=30,
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
        "applications": rmw(
            lambda: ps.appservices.read(p),
            lambda v: ps.appservices.configure(p, v),
            browser_client_enabled=False,
            ring_devices_for_call_park_enabled=False,
        ),
        # callshift has no devices, so no endpoint to prefer: the one value is "none"
        "preferredAnswerEndpoint": (lambda: preferred.read(p), lambda: None),
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
