"""Progress on stderr (rich), shown only on a terminal and never under --json."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Advance(Protocol):
    """A progress bar's step: `text`, when given, replaces the description."""

    def __call__(self, text: str | None = None) -> None: ...


@contextmanager
def progress_bar(description: str, total: int | None, enabled: bool) -> Iterator[Advance]:
    """Yields `advance(text=None)`: one step done, and `text` (e.g. the best so far) replaces the description.

    `total` None: a count without a known end."""
    if not enabled or not sys.stderr.isatty():
        yield lambda text=None: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(text: str | None = None) -> None:
            bar.update(task, advance=1, description=text or None)  # None keeps the description

        yield advance


@contextmanager
def stage_status(enabled: bool) -> Iterator[Callable[[str], None]]:
    """Yields `on_stage(text)`: a spinner naming the current stage of a multi-stage command."""
    if not enabled or not sys.stderr.isatty():
        yield lambda text: None
        return
    with Console(stderr=True).status("starting") as status:
        yield status.update
