"""Options shared by several subcommands, and the one way to print machine output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import click

DEFAULT_BOARD = "mps2-an386"
JSON_SCHEMA_VERSION = 1  # bumped when a --json payload changes incompatibly

R = TypeVar("R")
Command: TypeAlias = Callable[..., Any]  # a command's function, before or after click's decorators
Decorator: TypeAlias = Callable[[Command], Command]


def default_model() -> Path:
    """MODEL when none is given: the bundled example, so every command runs with no arguments."""
    from tinygen.resources import example_model  # here: cli imports this module, importlib.resources costs 9 ms

    return example_model()


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["tinygen.json"] = value
    return value


json_option = click.option(
    "--json", "as_json", is_flag=True, is_eager=True, callback=_remember_json,
    help="Print one JSON object on stdout and nothing else there.",
)
# No dir_okay=False: click would turn a directory into a three-line usage error
# with no JSON; the importer reports it as one line like every other bad model path.
model_argument = click.argument("model", required=False, type=click.Path(path_type=Path), default=None)


class ByteSize(click.ParamType):
    """A size in bytes: 49152, 48K, 48KiB, 1.5M (K = 1024, as board datasheets count memory)."""

    name = "bytes"
    _UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        number = text.rstrip("kmib")
        unit = text[len(number):]
        try:
            size = float(number) * self._UNITS[unit]
        except (ValueError, KeyError):
            self.fail(f"{value!r} is not a size; write bytes like 49152, 48K or 1.5M", param, ctx)
        if size < 0:
            self.fail(f"{value!r} is negative; a size is at least 0", param, ctx)
        return int(size)


BYTES = ByteSize()


def _stack(*decorators: Decorator) -> Decorator:
    def apply(command: Command) -> Command:
        for decorate in reversed(decorators):
            command = decorate(command)
        return command
    return apply


# quantize and deploy: the float model's data, and when to fine-tune it
data_options = _stack(
    click.option("--calib", required=True, type=click.Path(path_type=Path),
                 help="Calibration data: .npz with x (and y), or a folder with one sub-folder of images per class."),
    click.option("--eval", "eval_data", type=click.Path(path_type=Path),
                 help="Evaluation data (same formats); default: the calibration set."),
)
qat_options = _stack(
    click.option("--max-loss", type=click.FloatRange(min=0.0), default=None,
                 help="Top-1 points the quantised model may lose; beyond, fine-tune with QAT "
                      "(needs labels in --calib)."),
    click.option("--qat-epochs", type=click.IntRange(min=1), default=3, show_default=True,
                 help="Epochs of quantisation-aware fine-tuning on --calib when --max-loss is exceeded."),
)

# build, run and validate --emulate: the flags themselves are codegen.toolchain.DEBUG_OPT's
debug_option = click.option(
    "--debug", is_flag=True,
    help="Debug build for gdb, in its own folder (<model>-<board>[-harness]-debug): -Og -g3, each specialised "
         "kernel one function with its assembly loops in C (same integers). -Og, not -O0 (which also builds): "
         "GCC's level for debugging keeps variables and lines, with smaller stack frames and code than -O0.",
)

# build and run on the host board: the flags are codegen.toolchain.SANITIZE_FLAGS
sanitize_option = click.option(
    "--sanitize", is_flag=True,
    help="Host board only: compile with AddressSanitizer and UndefinedBehaviorSanitizer, any finding fatal (exit "
         "status 1 with the report), in its own folder (<model>-host-sanitize); for testing tinygen's C on "
         "hostile models.",
)


def schedule_options(command: Callable[..., R]) -> Callable[..., R]:
    """--patches, --max-mac-overhead and --inplace/--no-inplace, passed on as one `schedule` argument."""
    from tinygen.plan.schedule import ScheduleOptions, parse_patches

    @functools.wraps(command)
    def wrapper(*args: Any, patches: str, max_mac_overhead: float, inplace: bool, **kwargs: Any) -> R:
        options = ScheduleOptions(parse_patches(patches), max_mac_overhead, inplace)
        return command(*args, schedule=options, **kwargs)

    decorators = (
        click.option("--patches", default="auto", show_default=True,
                     help="Patch-based first stage: auto (chosen by peak SRAM), off, or N for N×N patches."),
        click.option("--max-mac-overhead", type=click.FloatRange(min=0.0), default=0.2, show_default=True,
                     help="Most extra MACs the patches' recomputed halos may cost, as a fraction of the model's."),
        click.option("--inplace/--no-inplace", default=True, show_default=True,
                     help="Let depthwise, 1x1 convolutions and ADDs overwrite an input that dies at them."),
    )
    for decorate in reversed(decorators):
        wrapper = decorate(wrapper)
    return wrapper


def model_or_default(model: Path | None) -> Path:
    return model if model is not None else default_model()


def emit_json(payload: dict) -> None:
    click.echo(json.dumps({"schema_version": JSON_SCHEMA_VERSION, **payload}, indent=2))
