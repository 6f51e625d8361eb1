"""The `tinygen` command: one lazily imported subcommand per pipeline stage.

Subcommand modules load on first use, so `tinygen check` never pays for
TensorFlow. Every `TinygenError` becomes one line on stderr (and, under
`--json`, one versioned error object on stdout) with the error's exit code.
"""

from __future__ import annotations

import importlib
import json

import click

from tinygen import __version__
from tinygen.commands.options import JSON_SCHEMA_VERSION
from tinygen.errors import TinygenError

COMMANDS = {
    "boards": "tinygen.commands.boards:boards",
    "inspect": "tinygen.commands.inspect:inspect",
    "check": "tinygen.commands.check:check",
    "build": "tinygen.commands.build:build",
    "run": "tinygen.commands.run:run",
    "quantize": "tinygen.commands.quantize:quantize",
    "deploy": "tinygen.commands.deploy:deploy",
    "flash": "tinygen.commands.flash:flash",
    "validate": "tinygen.commands.validate:validate",
    "search": "tinygen.commands.search:search",
    "profile": "tinygen.commands.profile:profile",
}


class CliError(click.ClickException):
    def __init__(self, error: TinygenError, json_mode: bool):
        super().__init__(str(error))
        self.exit_code = error.exit_code
        self.json_mode = json_mode

    def show(self, file=None) -> None:
        if self.json_mode:
            payload = {"schema_version": JSON_SCHEMA_VERSION,
                       "error": {"message": self.message, "exit_code": self.exit_code}}
            click.echo(json.dumps(payload))
        click.echo(f"tinygen: error: {self.message}", err=True)


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TinygenError as error:
            raise CliError(error, ctx.meta.get("tinygen.json", False)) from None


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="tinygen")
def cli():
    """tinygen: int8 models to statically planned, bit-exact C firmware for Cortex-M boards.

    Exit codes: 0 ok/fits, 1 does not fit or outputs differ, 2 bad input or usage.
    """


def main() -> None:
    cli(prog_name="tinygen")
