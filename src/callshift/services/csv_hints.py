"""What a refused CSV import tells the admin to do, in the words of the interface they use.

The same file can be imported from the web UI, the CLI or the API; a hint names that
interface's own control (the UI's option label, the CLI's flag, the API's parameter), so
the admin is never told to tick a box that their terminal does not have.
"""

from __future__ import annotations

from collections.abc import Collection

from ..domain.model import Licence
from ..domain.users_csv import Mode, licence_column

UI, CLI, API = "ui", "cli", "api"

_ADD_REMOVE = {
    UI: "choose the mode 'Add and remove services'",
    CLI: "import with --mode add-remove",
    API: "upload it with mode=add-remove",
}
_VALID_ROWS = {
    UI: "tick 'Apply the valid rows even if others have errors'",
    CLI: "import with --apply-valid-rows",
    API: "upload it with applyValidRowsOnly=true",
}


def add_remove(interface: str) -> str:
    """How the caller's interface names the "add and remove" mode."""
    return _ADD_REMOVE.get(interface, _ADD_REMOVE[API])


def valid_rows(interface: str) -> str:
    """How the caller's interface names "apply the valid rows only"."""
    return _VALID_ROWS.get(interface, _VALID_ROWS[API])


def import_refusal(pending: int, failed: int, valid_rows_only: bool, interface: str) -> str | None:
    """Why a previewed import cannot be applied (None: it can). "Apply the valid rows" is
    offered only when there are valid rows to apply."""
    if failed and not pending:  # "apply the valid rows" would apply nothing
        return (
            f"{failed:,} row(s) have errors and no row can be applied: each row's error "
            "says what to change"
        )
    if failed and not valid_rows_only:
        return (
            f"{failed:,} row(s) have errors: nothing is applied until the file is clean "
            f"(or {valid_rows(interface)} to apply the {pending:,} valid row(s) alone)"
        )
    if not pending:
        return "no row changes anything"
    return None


def second_calling_licence(
    added: Licence, kept: Licence, columns: Collection[str], mode: Mode, interface: str
) -> str:
    """Why a row would leave a user two calling licences (400413, 400404), and the fix:
    the kept licence's column is missing, or its FALSE is ignored in add-only mode."""
    what = (
        f"this file adds {added.subscription_id}'s {added.name} licence while the user keeps "
        f"{kept.subscription_id}'s {kept.name}"
    )
    column = licence_column(kept)
    if kept.id not in columns:
        return (
            f"{what}: the file has no column '{column}', so nothing removes it; add that "
            f"column with FALSE (or export the users again) and {add_remove(interface)}"
        )
    if mode is Mode.ADD:
        return f"{what}: FALSE is ignored in 'add services only' mode; {add_remove(interface)}"
    return f"{what}: set '{column}' to FALSE in this row to move the user"
