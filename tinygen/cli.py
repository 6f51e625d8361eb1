"""The `tinygen` command: one lazily imported subcommand per pipeline stage.

Subcommand modules load on first use, so `tinygen check` never pays for
TensorFlow. Every `TinygenError` becomes one line on stderr (and, under
`--json`, one versioned error object on stdout) with the error's exit code;
so does a subcommand's usage error (a bad option value, an unknown option),
with exit 2, instead of click's usage block.
"""

from __future__ import annotations

import importlib
import json
import signal
from typing import Any

import click

from tinygen import __version__
from tinygen.commands.options import JSON_SCHEMA_VERSION
from tinygen.errors import InputError, TinygenError
from tinygen.text import one_line

COMMANDS = {
    "boards": "tinygen.commands.boards:boards",
    "inspect": "tinygen.commands.inspect:inspect",
    "check": "tinygen.commands.check:check",
    "build": "tinygen.commands.build:build",
    "run": "tinygen.commands.run:run",
    "quantize": "tinygen.commands.quantize:quantize",
    "deploy": "tinygen.commands.deploy:deploy",
    "export": "tinygen.commands.export:export",
    "flash": "tinygen.commands.flash:flash",
    "validate": "tinygen.commands.validate:validate",
    "search": "tinygen.commands.search:search",
    "profile": "tinygen.commands.profile:profile",
}


def report_error(error: TinygenError, json_mode: bool) -> None:
    """One line on stderr and, under --json, one versioned error object on stdout.

    Not a click.ClickException: its exit code is one per class, a TinygenError's is the error's own.
    """
    if json_mode:
        payload = {"schema_version": JSON_SCHEMA_VERSION,
                   "error": {"message": str(error), "exit_code": error.exit_code}}
        click.echo(json.dumps(payload))
    click.echo(f"tinygen: error: {one_line(str(error))}", err=True)  # a name in it cannot add lines or escapes


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A guess until the subcommand's eager --json sets it: an unknown option stops parsing before that.
        ctx.meta["tinygen.json"] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:  # the command's result, as click.Group.invoke
        try:
            return super().invoke(ctx)
        except TinygenError as error:
            report_error(error, ctx.meta.get("tinygen.json", False))
            raise click.exceptions.Exit(error.exit_code) from None
        except click.UsageError as error:  # ctx.meta is shared: --json is eager, so it is known by now
            report_error(usage_error(error), ctx.meta.get("tinygen.json", False))
            raise click.exceptions.Exit(InputError.exit_code) from None


def usage_error(error: click.UsageError) -> InputError:
    """click's message (it names the option and the bad value) and where the usage is explained, as one line."""
    command = error.ctx.command_path if error.ctx is not None else "tinygen"
    return InputError(f"{error.format_message().rstrip('.')}; see '{command} --help'")


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="tinygen")
def cli() -> None:
    """tinygen: int8 models to statically planned, bit-exact C firmware for Cortex-M boards.

    Exit codes: 0 ok/fits, 1 does not fit or outputs differ, 2 bad input or usage.
    """


def main() -> None:
    for stop in (signal.SIGTERM, signal.SIGHUP):  # as Ctrl-C: unwind, so staging folders are removed
        signal.signal(stop, _exit_on_signal)
    cli(prog_name="tinygen")


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
