"""Options shared by several subcommands, and the one way to print machine output."""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import click

DEFAULT_BOARD = "mps2-an386"
JSON_SCHEMA_VERSION = 3  # bumped when a --json payload changes incompatibly (2: unsupported_ops is a list;
# 3: quantize and deploy say quantized_accuracy, not int8_accuracy: the activations may be int16)

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


MAX_BYTES = 1 << 32  # a Cortex-M addresses 4 GiB: no flash or SRAM budget can be larger
MAX_VECTORS = 10_000  # input vectors per run: --random, deploy's --vectors
MAX_TIMEOUT_S = 86_400.0  # a day: more than any run needs, and well inside poll()'s C int of milliseconds (24 days)
MAX_SEED = (1 << 32) - 1  # numpy and TensorFlow seeds are unsigned 32-bit
MAX_EPOCHS = 1_000


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf (nan passes every comparison, so a range alone lets it in)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class ByteSize(click.ParamType):
    """A size in bytes: 49152, 48K, 48KiB, 1.5M (K = 1024, as board datasheets count memory), at most 4 GiB."""

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
        if not math.isfinite(size):
            self.fail(f"{value!r} is not a finite size; write bytes like 49152, 48K or 1.5M", param, ctx)
        if size < 0:
            self.fail(f"{value!r} is negative; a size is at least 0", param, ctx)
        if size > MAX_BYTES:
            self.fail(f"{value!r} is more than 4G, all a Cortex-M can address; give a smaller size", param, ctx)
        return int(size)


BYTES = ByteSize()


class OutputFile(click.ParamType):
    """A file tinygen will write: checked when the command line is read, so a missing folder is reported before
    minutes of building and running, not after."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(value)
        if path.is_dir():
            self.fail(f"{path}: is a folder; give a file path in it", param, ctx)
        folder = path.parent
        if not folder.is_dir():
            self.fail(f"{path}: folder {folder} does not exist; create it or pick another path", param, ctx)
        if not os.access(folder, os.W_OK | os.X_OK):
            self.fail(f"{path}: folder {folder} is not writable; pick another path", param, ctx)
        return path


class OutputFolder(click.ParamType):
    """A folder tinygen will create (with its parents) or replace: its nearest existing ancestor must be a
    writable folder, checked before anything is built. What may be replaced is build.make's check."""

    name = "folder"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(value)
        if path.exists() and not path.is_dir():
            self.fail(f"{path}: exists and is not a folder; give a new or tinygen-made folder", param, ctx)
        try:
            ancestor = next(p for p in (path.absolute(), *path.absolute().parents) if p.exists())
        except OSError as exc:  # e.g. a folder on the way that we may not search
            self.fail(f"{path}: cannot look at it ({exc.strerror}); pick another path", param, ctx)
        if not ancestor.is_dir():
            self.fail(f"{path}: {ancestor} is a file, not a folder; pick another path", param, ctx)
        if not path.exists() and not os.access(ancestor, os.W_OK | os.X_OK):
            self.fail(f"{path}: cannot create it, {ancestor} is not writable; pick another path", param, ctx)
        return path


def output_folder_option(text: str) -> Decorator:
    """-o FOLDER: the project folder a command builds into, `text` its help."""
    return click.option("--output", "-o", type=OutputFolder(), help=text)


def timeout_option(default: float, text: str) -> Decorator:
    """--timeout SECONDS: a positive, finite number of seconds up to a day, `text` its help."""
    return click.option("--timeout", type=FiniteRange(min=0, min_open=True, max=MAX_TIMEOUT_S), default=default,
                        show_default=True, help=f"{text} (at most {MAX_TIMEOUT_S:g})")


seed_option = click.option("--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True,
                           help="Seed of every random choice (0 to 2**32-1): the same seed, the same result.")
random_option = click.option("--random", "count", type=click.IntRange(1, MAX_VECTORS), default=10, show_default=True,
                             help=f"Number of seeded random input vectors (at most {MAX_VECTORS:,}).")
inputs_option = click.option("--inputs", type=click.Path(dir_okay=False, path_type=Path),
                             help=".npz with one array per model input (or 'x'), axis 0 = vectors; overrides "
                                  "--random.")
flash_budget_option = click.option(
    "--flash-budget", type=BYTES, default=None,
    help="Most bytes the weights may take (e.g. 48K): filters go int4 where needed, HAQ-style "
         "[deploy's default: what the board's flash leaves after code].")


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
    click.option("--max-loss", type=FiniteRange(min=0.0, max=100.0), default=None,
                 help="Top-1 points the quantised model may lose; beyond, fine-tune with QAT "
                      "(needs labels in --calib)."),
    click.option("--qat-epochs", type=click.IntRange(1, MAX_EPOCHS), default=3, show_default=True,
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
    """--optimize, --patches, --max-mac-overhead and --inplace/--no-inplace, passed on as one `schedule`
    argument."""
    from tinygen.plan.schedule import BALANCED_MARGIN, OBJECTIVES, ScheduleOptions, parse_patches

    @functools.wraps(command)
    def wrapper(*args: Any, optimize: str, patches: str, max_mac_overhead: float, inplace: bool,
                **kwargs: Any) -> R:
        options = ScheduleOptions(parse_patches(patches), max_mac_overhead, inplace, optimize)
        return command(*args, schedule=options, **kwargs)

    decorators = (
        click.option("--optimize", type=click.Choice(OBJECTIVES), default="balanced", show_default=True,
                     help="Schedule objective: memory (smallest arena), speed (fewest estimated instructions), "
                          f"balanced (the fastest within {BALANCED_MARGIN:.0%} of the smallest arena); each "
                          "keeps to the schedules that fit the board when any does."),
        click.option("--patches", default="auto", show_default=True,
                     help="Patch-based first stage: auto (chosen by peak SRAM), off, or N for N×N patches."),
        click.option("--max-mac-overhead", type=FiniteRange(min=0.0), default=0.2, show_default=True,
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
