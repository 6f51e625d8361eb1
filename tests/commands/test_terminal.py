"""Model strings on a terminal: printed as text, never read as rich markup or as escape sequences.

A name like '[/bold]' used to make rich raise a MarkupError (a traceback), and an ANSI
sequence in a name reached the user's terminal as is.
"""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke
from tinygen.cli import report_error
from tinygen.commands.options import default_model
from tinygen.errors import InputError

MARKUP = "[/bold][red]x"
ESCAPE = "\x1b[2J\x1b[31mred\nsecond line"


@pytest.fixture(scope="module")
def marked_up_model(tmp_path_factory):
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(default_model()))
    graph = model.subgraphs[0]
    graph.tensors[graph.inputs[0]].name = MARKUP.encode()
    split = next(t for t in graph.tensors if t.name == b"digits_cnn_1/max_pooling2d_1/MaxPool2d")
    split.name = ESCAPE.encode()
    folder = tmp_path_factory.mktemp("markup")
    plain = folder / "plain.tflite"
    flatbuffer_utils.write_model(model, str(plain))
    return plain.rename(folder / "[bold]model.tflite")


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
