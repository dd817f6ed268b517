"""Catalogue entry: the person's own time zone and announcement language.

Webex serves them at the person's telephony path itself (``telephony/config/people/{id}``;
wxc-sdk's ``person_settings.get`` / ``modify``, model ``PersonSettings``). Null is "not set
on the person": the location's time zone and announcement language apply, so a new user
reads null and the engine verifies and writes back only what was set on the person.
"""

from __future__ import annotations

import zoneinfo

from .spec import Setting

T = "telephony/config/people/{person_id}"
GROUP = "Language and time zone"

# IANA names, as Webex's country configuration lists them (the host's time zone database)
TIME_ZONES: tuple[str | None, ...] = (*sorted(zoneinfo.available_timezones()), None)
# Webex Calling's announcement languages (its PhoneLanguage list), as lower-case locale codes
LANGUAGES: tuple[str | None, ...] = (
    "ar_sa",
    "bg_bg",
    "ca_es",
    "cs_cz",
    "da_dk",
    "de_de",
    "el_gr",
    "en_gb",
    "en_us",
    "es_co",
    "es_es",
    "fi_fi",
    "fr_ca",
    "fr_fr",
    "he_il",
    "hr_hr",
    "hu_hu",
    "it_it",
    "ja_jp",
    "ko_kr",
    "nb_no",
    "nl_nl",
    "pl_pl",
    "pt_pt",
    "ru_ru",
    "sk_sk",
    "sl_si",
    "sv_se",
    "tr_tr",
    "uk_ua",
    "zh_cn",
    "zh_tw",
    None,
)

LANGUAGE_AND_TIME_ZONE = Setting(
    name="languageAndTimeZone",
    title="Time zone and announcement language",
    group=GROUP,
    path=T,
    default={"announcementLanguage": None, "timeZone": None},
    enums={"announcementLanguage": LANGUAGES, "timeZone": TIME_ZONES},
)

ENTRIES = (LANGUAGE_AND_TIME_ZONE,)
