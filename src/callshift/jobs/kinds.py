"""Importing this registers every kind of job with the runner."""

from . import (
    bulk_move,  # noqa: F401
    csv_import,  # noqa: F401
    requests_apply,  # noqa: F401
)
