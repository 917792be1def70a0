"""A click group whose commands are imported on first use (click's "lazily loading
subcommands" pattern), with each command's short help kept in its table.

`rostersync validate` then imports the roster loader and nothing of HTTP, the engine
or the sandbox; `rostersync --help` lists every command from the table, importing
none of them (and so does shell completion of a command's name).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import click

if TYPE_CHECKING:  # imported when completing: `--version` pays for no more than it uses
    from click.shell_completion import CompletionItem


class LazyCommand(NamedTuple):
    """Where a command is, and what `--help` says of it before it is imported."""

    #: ``"package.module:attribute"``, the click command object.
    import_path: str
    #: The command's short help, as click makes it from the docstring's first sentence
    #: (``command.get_short_help_str()`` without a limit); a test holds the two equal.
    short_help: str

    def load(self) -> click.Command:
        module_name, _, attribute = self.import_path.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.import_path} is not a click command")
        return command


class LazyGroup(click.Group):
    """A `click.Group` of `LazyCommand`s, by name.

    With `freeze_imports` set, what importing a command made (and everything before
    it) is then moved out of the garbage collector's sight (`gc.freeze`): no later
    collection walks it again, the one at interpreter exit included, which is most of
    what a short command such as `validate` spends in the collector. Only for a process
    that runs one command and ends (`rostersync.cli.main.main`): garbage that exists at
    that moment is never freed, which in a test's process could be anything.
    """

    freeze_imports = False

    def __init__(self, name: str | None = None, *, lazy_commands: Mapping[str, LazyCommand], **attrs: Any) -> None:
        super().__init__(name, **attrs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            from rostersync.roster.gc_pause import gc_paused  # here: `--version` and `--help` need none

            # Importing a command makes tens of thousands of objects (modules, classes,
            # the roster's pydantic validators) and no garbage to speak of: collections
            # in the middle of it would walk them again and again for nothing.
            with gc_paused():
                self.add_command(self.lazy_commands[cmd_name].load(), cmd_name)
                if self.freeze_imports:
                    gc.freeze()  # before the GC resumes, or its next collection walks them all
        return super().get_command(ctx, cmd_name)

    def _stand_in(self, name: str) -> click.Command:
        """The command itself if already imported, else one that carries its short help."""
        if name in self.commands:
            return self.commands[name]
        return click.Command(name, help=self.lazy_commands[name].short_help)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # click's own layout (and truncation to the terminal's width), over stand-ins.
        stand_ins = click.Group(commands={name: self._stand_in(name) for name in self.list_commands(ctx)})
        stand_ins.format_commands(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        names = [name for name in self.list_commands(ctx) if name.startswith(incomplete)]
        items = [CompletionItem(name, help=self._stand_in(name).get_short_help_str()) for name in names
                 if not self._stand_in(name).hidden]
        # The group's own options, as click.Group does after the commands.
        return items + click.Command.shell_complete(self, ctx, incomplete)
