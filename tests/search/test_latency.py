"""The latency cost model: rates per operator type from a profile, applied to a candidate's IR."""

import json
import re

import pytest

from tinygen.errors import InputError
from tinygen.ir.cost import macs
from tinygen.search.baseline import ds_cnn
from tinygen.search.ir_net import ir_graph
from tinygen.search.latency import from_profile


def test_rates_come_from_the_profile_and_scale_with_macs(tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"layers": [
        {"op": "CONV_2D", "macs": 1000, "instructions": 3000},
        {"op": "CONV_2D", "macs": 1000, "instructions": 1000},
        {"op": "DEPTHWISE_CONV_2D", "macs": 500, "instructions": 2500},
        {"op": "MEAN", "macs": 0, "instructions": 640, "output_bytes": 64},
    ]}))
    model = from_profile(profile, clock_hz=1_000_000)
    assert model.per_mac == {"CONV_2D": 2.0, "DEPTHWISE_CONV_2D": 5.0}
    assert model.overall_per_mac == pytest.approx(6500 / 2500) and model.per_byte == 10.0
    graph = ir_graph(ds_cnn((32, 32, 1), 10))
    expected = 0.0
    for op in graph.operators:
        work = macs(graph, op)
        rate = {"CONV_2D": 2.0, "DEPTHWISE_CONV_2D": 5.0}.get(op.opcode, 6500 / 2500)
        expected += work * rate if work else graph.tensor(op.outputs[0]).size_bytes * 10.0
    assert model.cycles(graph) == pytest.approx(expected)
    assert model.milliseconds(graph) == pytest.approx(expected / 1000)

@pytest.mark.parametrize("text, needle", [
    (None, "no such file"),
    ("{}", "not a `tinygen profile --json` result"),
    ('{"layers": [{"op": "ADD", "macs": 0, "instructions": 10}]}', "no layers with MACs"),
    ('{"layers": [{"op": "CONV_2D", "macs": 500, "instructions": 0}]}', "counts no instructions"),
    ('{"layers": [{"op": "CONV_2D", "macs": 5, "instructions": 10}, {"op": "ADD", "macs": -5, "instructions": 10}]}',
     "negative MACs"),
    ('{"layers": [{"op": "CONV_2D", "macs": 1e400, "instructions": 10}]}', "not a `tinygen profile --json` result"),
    ('{"layers": [{"op": ["CONV_2D"], "macs": 5, "instructions": 10}]}', None),  # an odd op name is just a name
    ("[" * 100_000 + "]" * 100_000, "not a `tinygen profile --json` result"),
], ids=["missing", "empty", "zero-macs", "zero-instructions", "negative", "infinite", "list-op", "deep"])
def test_bad_profiles_are_refused_with_the_fix(tmp_path, text, needle):
    path = tmp_path / "p.json"
    if text is not None:
        path.write_text(text)
    if needle is None:
        assert from_profile(path, 1_000_000).overall_per_mac == 2.0
        return
    with pytest.raises(InputError, match=re.escape(needle)):
        from_profile(path, 1_000_000)


def test_a_folder_is_not_a_profile(tmp_path):
    with pytest.raises(InputError, match=re.escape(f"{tmp_path}: cannot read (Is a directory)")):
        from_profile(tmp_path, 1_000_000)
