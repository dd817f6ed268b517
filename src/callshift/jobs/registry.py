"""Which handler runs which kind of job, named in one place.

A runner is given this mapping (or its own, e.g. a test's handler that wraps a real one)
by whoever builds it, instead of handler modules registering themselves when imported:
a kind is runnable because it is listed here, not because some import happened first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .bulk_move_job import BulkMove
from .csv_import_job import CsvImport
from .handler import JobHandler
from .template_apply_job import RequestsApply

Handlers = Mapping[str, Callable[[], JobHandler]]


def default_handlers() -> dict[str, Callable[[], JobHandler]]:
    """Every kind of job callshift creates, by the ``kind`` its rows carry."""
    return {
        "bulk_move": BulkMove,
        "csv_import": CsvImport,
        "template_apply": RequestsApply,
    }
