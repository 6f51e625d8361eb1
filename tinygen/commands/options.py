"""Options shared by several subcommands, and the one way to print machine output."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import click

from tinygen.cli import JSON_SCHEMA_VERSION

DEFAULT_BOARD = "mps2-an386"


def default_model() -> Path:
    """The bundled example (an int8 CNN on scikit-learn's digits), so every command runs with no arguments."""
    return Path(str(files("tinygen") / "data" / "digits_cnn_int8.tflite"))


def _remember_json(ctx: click.Context, _param, value: bool) -> bool:
    ctx.meta["tinygen.json"] = value
    return value


json_option = click.option(
    "--json", "as_json", is_flag=True, is_eager=True, callback=_remember_json,
    help="Print one JSON object on stdout and nothing else there.",
)
# No dir_okay=False: click would turn a directory into a three-line usage error
# with no JSON; the importer reports it as one line like every other bad model path.
model_argument = click.argument("model", required=False, type=click.Path(path_type=Path), default=None)


def model_or_default(model: Path | None) -> Path:
    return model if model is not None else default_model()


def emit_json(payload: dict) -> None:
    click.echo(json.dumps({"schema_version": JSON_SCHEMA_VERSION, **payload}, indent=2))
