"""Help output of the command line."""
from __future__ import annotations

import click


class FullHelpGroup(click.Group):
    """A command group whose command list gives each command's whole first paragraph (click
    cuts summaries at 45 characters or at an abbreviation's full stop)."""

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            summary = command.short_help or (command.help or "").strip().split("\n\n")[0]
            rows.append((name, " ".join(summary.split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
