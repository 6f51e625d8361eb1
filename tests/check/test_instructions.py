"""tinygen/check/instructions.py: a patch stage's layers estimated from the share of work their patches do."""

from __future__ import annotations

from tests.check.small import small_cnn
from tinygen.boards import load_board
from tinygen.check.choose import choose_schedule
from tinygen.check.fit import fit_report
from tinygen.check.instructions import patch_shares
from tinygen.ir.cost import macs
from tinygen.plan.schedule import ScheduleOptions

NET = small_cnn()  # CONV_2D 3x3 and DEPTHWISE_CONV_2D 3x3 on 8x8: a stage of up to 8x8 patches


def _stage(n: int):
    return choose_schedule(NET, load_board("mps2-an386"), ScheduleOptions(patches=n)).stage


def test_the_shares_account_for_every_recomputed_mac():
    """plan/patches.py counts the stage's MACs halos included; the shares times each layer's MACs add up to it."""
    for n in (2, 3, 5):
        stage = _stage(n)
        shares = patch_shares(NET, stage)
        assert min(shares.values()) >= 1.0
        assert sum(macs(NET, NET.operators[op]) * shares[op] for op in stage.ops) == stage.macs


def test_more_patches_cost_more_estimated_instructions_and_the_same_rest():
    board = load_board("mps2-an386")
    reports = [fit_report(NET, choose_schedule(NET, board, ScheduleOptions(patches=n)), board) for n in (2, 4, 8)]
    stage = [sum(r.instructions for r in report.layers if r.mode == "patch") for report in reports]
    rest = [{r.index: r.instructions for r in report.layers if r.mode != "patch"} for report in reports]
    assert stage[0] < stage[1] < stage[2]
    common = set(rest[0]) & set(rest[1]) & set(rest[2])
    assert len(common) >= 2 and all(rest[0][op] == rest[1][op] == rest[2][op] for op in common)
