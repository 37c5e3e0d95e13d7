"""How `--help` reads: usage as `run [OPTIONS] NOTES`, and no type column for on/off flags.

Recent Typer releases print a required argument as `{notes}` in the usage line and give every
flag, `--help` included, the type `<bool>`. These command classes keep the conventional form
(arguments in capitals, optional ones in brackets, flags without a type) whatever Typer renders,
by setting each parameter's metavar and the usage pieces. Typer 0.29 carries its own copy of
Click, so parameters are told apart by `param_type_name`, which both have, not by class.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup


def conventional(params: list[Any]) -> list[Any]:
    """Name arguments in capitals and give flags no metavar (in place; returns the list)."""
    for param in params:
        if param.param_type_name == "argument" and param.metavar is None and param.name:
            param.metavar = param.name.upper()
        elif param.param_type_name == "option" and getattr(param, "is_flag", False):
            param.metavar = ""  # on or off: there is no value to describe
    return params


def _usage(command: Any, ctx: Any) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = param.metavar or (param.name or "").upper()
            pieces.append(name if param.required else f"[{name}]")
    return pieces


class Command(TyperCommand):
    """A command whose help reads `Usage: chartabstract run [OPTIONS] NOTES`, flags without a type."""

    def get_params(self, ctx: Any) -> list[Any]:
        return conventional(super().get_params(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage(self, ctx)


class Group(TyperGroup):
    """A group of commands whose own `--help` flag shows no type either."""

    def get_params(self, ctx: Any) -> list[Any]:
        return conventional(super().get_params(ctx))
