"""model.c for a person with a debugger: its memory-map comment states the plan tensor by tensor, each layer's
comment names its tensors and says when one is written in place, and a model's names stay inside comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.codegen.test_injection import INPUT, INTERNAL, OUTPUT
from tests.models import EXAMPLE, model_path, renamed_example
from tinygen.boards import load_board
from tinygen.codegen.project import render_project
from tinygen.ir.graph import Graph
from tinygen.pipeline import generate
from tinygen.plan.schedule import Schedule, ScheduleOptions
from tinygen.text import c_comment

BOARD = load_board("mps2-an386")
_ROW = re.compile(r"^ \* +(\d+) +(\d+) +(\d+) +(\d+)  '(.*?)'( \(one patch's part\))?(?: \(|$)", re.M)
_COMMENT_OR_STRING = re.compile(r'/\*.*?\*/|"(?:[^"\\\n]|\\.)*"', re.S)


def model_c(model: Path, schedule: ScheduleOptions = ScheduleOptions()) -> tuple[str, Graph, Schedule]:
    graph, planned, code = generate(model, BOARD, schedule)
    return dict(render_project(code, BOARD).files)["model.c"], graph, planned


@pytest.mark.parametrize("name", [EXAMPLE, pytest.param("kws_ref_model", marks=pytest.mark.shared_models)])
def test_the_memory_map_comment_is_the_plan(name: str) -> None:
    text, graph, planned = model_c(model_path(name))
    plan = planned.plan
    stage = plan.stage
    expected = []
    for t in graph.tensors:
        try:
            offset = plan.offset_of(t.index)
        except KeyError:  # constants, state, unused tensors: not in the arena
            continue
        part = stage is not None and t.index in stage.internal
        size = stage.buffer_bytes[stage.slot(t.index)] if stage is not None and part else t.size_bytes
        expected.append((c_comment(t.name), offset, size, part))
    rows = [(m[5], int(m[1]), int(m[2]), bool(m[6])) for m in _ROW.finditer(text)]
    assert sorted(rows) == sorted(expected) and rows


def test_in_place_layers_say_so_in_their_comment() -> None:
    text, graph, planned = model_c(model_path(EXAMPLE), ScheduleOptions(patches="off"))
    assert planned.plan.inplace  # the example's 1x1 convolution and ADD, with no patch stage
    for op in graph.operators:
        comments = re.findall(rf"/\* layer {op.index}: [^\n]*\*/", text)
        if op.opcode == "RESHAPE":
            assert not comments  # an alias: no code, and its tensor is named "alias of" where it is read
            continue
        (comment,) = comments
        out = comment.split("; out ")[1]
        assert ("in place over" in out) == (op.index in planned.plan.inplace), comment
        inputs = [c_comment(graph.tensor(t).name) for t in op.inputs if not graph.tensor(t).is_constant]
        assert all(f"'{name}'" in comment for name in inputs)
    fc = next(op for op in graph.operators if op.opcode == "FULLY_CONNECTED")
    assert re.search(rf"/\* layer {fc.index}: [^\n]*\(alias of '", text)


def test_hostile_tensor_names_appear_only_escaped_in_comments(tmp_path: Path) -> None:
    model = renamed_example(tmp_path, "hostile", input=INPUT, output=OUTPUT, split=INTERNAL)
    text, _, _ = model_c(model)
    code = _COMMENT_OR_STRING.sub(" ", text)
    assert not [w for w in ("stdlib", "constructor", "#error", "injected", "tg_escape", "??/") if w in code]
    map_comment = text[text.index("/* Memory map"):]
    map_comment = map_comment[:map_comment.index("*/")]
    for name in (INPUT, OUTPUT, INTERNAL):
        escaped = c_comment(name)
        assert escaped != name and f"'{escaped}'" in map_comment  # in the memory map, escaped
        assert re.search(rf"/\* layer \d+: [^\n]*'{re.escape(escaped)}'", text)  # and in a layer comment
