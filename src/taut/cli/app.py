"""The typer app of the ``taut`` command: a group that imports a command's module the first time the command is
asked for (``taut.cli.main.COMMANDS`` names the module and gives taut's ``--help`` its summaries)."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from taut.cli.main import COMMANDS, build


class _LazyGroup(TyperGroup):
    """Imports a command's module the first time the command is asked for; help lists them from COMMANDS."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *super().list_commands(ctx)]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if ctx.parent is None and cmd_name not in self.commands and cmd_name in COMMANDS:
            if self.listing:
                return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
            group = typer.main.get_group(build(COMMANDS[cmd_name][0]))
            for name, cmd in group.commands.items():
                self.add_command(cmd, name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="taut",
    help="Taut: neuromuscular (trigger-point) therapy — body map, knowledge, suggestions, records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # the listing is plain text: rich formatting would cost 80 ms of imports at every start
    cls=_LazyGroup,
)


@app.callback()
def _root() -> None:
    """Taut: neuromuscular (trigger-point) therapy — body map, knowledge, suggestions, records."""
