"""The fuzz worker: a child process that runs `tinygen` commands in-process through click's CliRunner.

    python -m tests.fuzz.worker [--uncapped]    one JSON request a line on stdin ({"args": [...]}), one JSON reply
                                                a line on stdout

In-process calls cost milliseconds where a new interpreter costs a second, and the parent (runner.py) still gets
what only a process boundary gives: it kills the worker on a hang and sees a signal as the worker's death. Replies
go to a copy of the original stdout; fd 1 itself is pointed at stderr, so nothing a library prints can corrupt
them. The address space is capped so a model that asks for terabytes fails here as a MemoryError (a finding)
instead of swapping the machine; `--uncapped` is for the run stage, whose ASan firmware (a child, which would
inherit the cap) maps terabytes of shadow memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from typing import Any

from click.testing import CliRunner

ADDRESS_SPACE = 16 << 30  # far above what check and build need for any model tinygen should accept
PACKAGE = os.sep + "tinygen" + os.sep


def crash(error: BaseException) -> dict[str, Any]:
    """The exception's type and message, and the innermost frame in tinygen (else the innermost of all)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if PACKAGE in frame.filename] or frames
    frame = ours[-1] if ours else None
    where = f"{frame.filename[frame.filename.rfind(PACKAGE) + 1:]}:{frame.lineno}" if frame else "?"
    return {"type": type(error).__name__, "message": str(error)[:300], "where": where,
            "traceback": "".join(traceback.format_exception(error))[-4000:]}


def handle(args: list[str]) -> dict[str, Any]:
    from tinygen.cli import cli  # after the limit: what tinygen allocates counts against it

    result = CliRunner().invoke(cli, args, prog_name="tinygen")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    kept = lines if len(lines) <= 8 else lines[:4] + lines[-4:]
    reply: dict[str, Any] = {"exit_code": result.exit_code, "lines": len(lines),  # the head of each line only
                             "stderr": "\n".join(line[:500] for line in kept)}
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        reply["crash"] = crash(result.exception)
    return reply


def main() -> None:
    if "--uncapped" not in sys.argv[1:]:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        replies.write(json.dumps(handle(request["args"])) + "\n")


if __name__ == "__main__":
    main()
