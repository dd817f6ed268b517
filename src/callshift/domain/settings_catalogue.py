"""The calling settings catalogue (the package domain/settings holds the entries)."""

from .settings import (  # noqa: F401
    GROUPS,
    NAMES,
    SETTINGS,
    Collection,
    Setting,
    default_settings,
    put_body,
    setting,
    with_defaults,
)
