"""plan/schedule.py's objective: which candidate memory, speed and balanced choose, for any candidates."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.graphs import conv_net
from tinygen.plan.schedule import BALANCED_MARGIN, OBJECTIVES, ScheduleOptions, Verdict, pick, plan_schedule

verdicts = st.lists(st.builds(Verdict, st.integers(1, 1 << 20), st.integers(0, 10**9), st.booleans()),
                    min_size=1, max_size=8)


def _pool(vs: list[Verdict]) -> list[int]:
    """The candidates an objective may choose from, worked out independently: those that fit, if any."""
    return [k for k, v in enumerate(vs) if v.fits] or list(range(len(vs)))


@given(verdicts, st.sampled_from(OBJECTIVES))
def test_every_objective_chooses_a_schedule_that_fits_when_one_does(vs, objective):
    chosen, reason = pick(vs, objective)
    assert vs[chosen].fits == any(v.fits for v in vs)
    assert reason.startswith(objective) and ("none fits" in reason) != any(v.fits for v in vs)


@given(verdicts)
def test_memory_takes_the_smallest_arena_and_the_first_of_equals(vs):
    chosen, _ = pick(vs, "memory")
    pool = _pool(vs)
    assert all(vs[chosen].arena_bytes <= vs[k].arena_bytes for k in pool)
    assert all(vs[k].arena_bytes > vs[chosen].arena_bytes for k in pool if k < chosen)


@given(verdicts)
def test_speed_takes_the_fewest_instructions(vs):
    chosen, _ = pick(vs, "speed")
    assert all((vs[chosen].instructions, vs[chosen].arena_bytes) <= (vs[k].instructions, vs[k].arena_bytes)
               for k in _pool(vs))


@given(verdicts)
def test_balanced_is_the_fastest_within_the_margin_of_the_smallest_arena(vs):
    chosen, _ = pick(vs, "balanced")
    pool = _pool(vs)
    smallest = min(vs[k].arena_bytes for k in pool)
    assert vs[chosen].arena_bytes <= smallest * (1 + BALANCED_MARGIN)
    near = [k for k in pool if vs[k].arena_bytes <= smallest * (1 + BALANCED_MARGIN)]
    assert all(vs[chosen].instructions <= vs[k].instructions for k in near)
    speed, _ = pick(vs, "speed")
    memory, _ = pick(vs, "memory")
    assert vs[speed].instructions <= vs[chosen].instructions <= vs[memory].instructions


def test_balanced_gives_up_speed_beyond_the_margin_and_says_so():
    vs = [Verdict(1000, 900, True), Verdict(1251, 500, True), Verdict(1249, 700, True), Verdict(500, 100, False)]
    chosen, reason = pick(vs, "balanced")
    assert chosen == 2  # 1,251 B is over 1,000 B + 25%; the board refuses the 500 B one
    assert "the fastest (500 instructions) needs 1,251 B" in reason


NET = conv_net((32, 32, 3), [("CONV_2D", 3, 1, "SAME", 8), ("CONV_2D", 3, 2, "SAME", 8), ("CONV_2D", 1, 1, "SAME", 16),
                             ("CONV_2D", 3, 2, "SAME", 16), ("RESHAPE",), ("FULLY_CONNECTED", 4)])


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=12, max_size=12))
def test_plan_schedule_applies_the_objective_to_its_candidates(costs):
    """Whatever the estimates, each objective's plan is the one `pick` chooses among the candidates considered;
    memory's is the plan chosen without any estimates (today's smallest arena)."""
    judged: list[int] = []

    def judge(schedule):
        judged.append(schedule.plan.arena_bytes)
        return Verdict(schedule.plan.arena_bytes, costs[len(judged) % len(costs)], True)

    plain = plan_schedule(NET, options=ScheduleOptions(optimize="memory"))
    for objective in OBJECTIVES:
        judged.clear()
        schedule = plan_schedule(NET, options=ScheduleOptions(optimize=objective), judge=judge)
        chosen = [c for c in schedule.considered if c.chosen]
        assert len(chosen) == 1 and chosen[0].verdict.arena_bytes == schedule.plan.arena_bytes
        index, _ = pick([c.verdict for c in schedule.considered], objective)
        assert schedule.considered[index].chosen
        if objective == "memory":
            assert schedule.plan == plain.plan
        plain_arenas = [c.verdict.arena_bytes for c in schedule.considered if "patches" not in c.name]
        patched = [c.verdict.arena_bytes for c in schedule.considered if "patches" in c.name]
        assert patched and max(patched) < min(plain_arenas)  # a patch stage only where it saves arena
