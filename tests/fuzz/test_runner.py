"""The runner's judge on real failures: a sanitized harness with a planted bug is judged `sanitizer` from the
finding `run` quotes; a worker that hangs is killed, one that dies of a signal is seen as such, and the
next call gets a fresh worker."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from tests.fuzz.runner import Worker, judge
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.errors import TinygenError
from tinygen.pipeline import build_firmware
from tinygen.run.execute import execute

PLANTED = {  # after the first inference: argc is 3, so each line is a bug only a sanitizer sees
    # through a volatile pointer: past UBSan's bounds check, so ASan reports it
    "AddressSanitizer": "{ char four[4]; char *volatile probe = four; probe[argc + 1] = 0; }",
    "runtime error": "{ volatile int32_t big = INT32_MAX; big += argc; }",
}


@pytest.mark.tools("cc", "make")
@pytest.mark.parametrize("finding", sorted(PLANTED))
def test_a_planted_bug_is_judged_a_sanitizer_finding(tmp_path: Path, finding: str) -> None:
    host = load_board("host")
    build = build_firmware(default_model(), host, tmp_path / "fw", sanitize=True).build
    main = build.directory / "main.c"  # templates/project/main_host.c.j2
    main.write_text(main.read_text().replace("tg_model_invoke();", f"tg_model_invoke(); {PLANTED[finding]}", 1))
    subprocess.run(["make", "-s"], cwd=build.directory, check=True, capture_output=True)
    with pytest.raises(TinygenError, match="exited with status 1") as error:  # the sanitizers' exit status
        execute(build, host, bytes(64), timeout_s=30, output_bytes=10, sanitized=True)  # one 8x8 int8 image
    label, detail = judge("run", {"exit_code": 1, "lines": 1, "stderr": f"tinygen: error: {error.value}"})
    assert label == "sanitizer" and finding in detail, detail


def test_a_hung_or_killed_worker_is_judged_so(tmp_path: Path) -> None:
    worker = Worker(True, {**os.environ})
    fifo = tmp_path / "model.tflite"
    os.mkfifo(fifo)  # reading it blocks until a writer comes, which none does: the check never ends by itself
    blocked = ["check", str(fifo)]
    try:
        assert judge("check", worker.call(blocked, timeout_s=0.2)) == ("hang", "hang past 0.2 s")
        assert worker.process is None  # killed
        timer = threading.Timer(1.0, lambda: os.kill(worker.process.pid, signal.SIGSEGV) if worker.process else None)
        timer.start()
        assert judge("check", worker.call(blocked, timeout_s=60)) == ("signal", "signal 11")
        timer.join()
        assert judge("check", worker.call(["check", str(default_model())], timeout_s=60)) == ("accepted", "")
    finally:
        worker.close()
