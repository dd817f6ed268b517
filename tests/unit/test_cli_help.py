"""Every option and argument of every command says what it is for (`--help` is the manual)."""

from __future__ import annotations

import typer.main

from callshift.cli import app


def _commands(cmd, path: str):
    """(path, command) of the command and of every command under it (Typer's own click)."""
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, f"{path} {name}")


def test_every_option_and_argument_has_help():
    root = typer.main.get_command(app)
    missing = []
    for path, cmd in _commands(root, "callshift"):
        for param in cmd.params:
            if param.name == "help":
                continue
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{path}: {param.opts[-1] if param.opts else param.name}")
    assert not missing, "options without help:\n" + "\n".join(missing)


def test_the_walker_sees_every_command():
    """A walker that sees nothing passes anything: it must reach the nested commands."""
    root = typer.main.get_command(app)
    paths = {p for p, _ in _commands(root, "callshift")}
    assert {"callshift jobs show", "callshift template apply", "callshift demo"} <= paths
