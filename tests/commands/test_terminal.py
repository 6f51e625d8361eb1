"""Model strings on a terminal: printed as text, never read as rich markup or as escape sequences.

A name like '[/bold]' used to make rich raise a MarkupError (a traceback), and an ANSI
sequence in a name reached the user's terminal as is.
"""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke
from tests.models import renamed_example
from tinygen.cli import report_error
from tinygen.errors import InputError

MARKUP = "[/bold][red]x"
ESCAPE = "\x1b[2J\x1b[31mred\nsecond line"


@pytest.fixture(scope="module")
def marked_up_model(tmp_path_factory):
    return renamed_example(tmp_path_factory.mktemp("markup"), "[bold]model", input=MARKUP, split=ESCAPE)


@pytest.mark.parametrize("command", ["inspect", "check"])
def test_tables_print_names_as_text(marked_up_model, command):
    out = invoke(command, marked_up_model).stdout
    assert "\x1b" not in out
    if command == "inspect":
        assert MARKUP in out and "[bold]model" in out
    else:
        assert "'?[2J?[31mred?second line'" in out  # the patch stage's split tensor, on one line


def test_an_error_naming_a_model_string_stays_one_line(capsys):
    report_error(InputError(f"tensor '{ESCAPE}' is odd"), json_mode=False)
    err = capsys.readouterr().err
    assert err == "tinygen: error: tensor '?[2J?[31mred?second line' is odd\n"


@pytest.mark.parametrize("args", [("build", "--board", "host"), ("run", "--board", "host", "--random", "1"),
                                  ("validate", "--emulate", "--random", "1")], ids=["build", "run", "validate"])
def test_firmware_commands_print_names_as_text(marked_up_model, args, tmp_path, monkeypatch):
    """Their tables' titles hold the model's name and the default project folder (firmware_out/<model>-<board>):
    both come from the model's file name."""
    monkeypatch.chdir(tmp_path)
    out = invoke(args[0], marked_up_model, *args[1:]).stdout
    assert "\x1b" not in out
    assert "[bold]model on " in out and ("[bold]model-" in out or args[0] == "validate")
