"""The one verdict line `run` and `validate` end with: how many vectors, whether they ran as a sequence with
state carried (a stateful model), and where a mismatching sequence first diverged."""

from __future__ import annotations


def verdict_line(bit_exact: bool, vectors: int, stateful: bool, where: str, mismatches: int,
                 first_mismatch: int | None, max_abs_diff: int | float) -> str:
    verdict = "[bold green]BIT-EXACT[/]" if bit_exact else "[bold red]MISMATCH[/]"
    count = f"{vectors} invocations in one sequence (state carried)" if stateful else f"{vectors} vectors"
    first = "" if first_mismatch is None else f", the first at vector {first_mismatch}"
    return (f"{verdict}: {count} on {where} vs TensorFlow Lite Micro; {mismatches} vectors differ{first}, "
            f"max |diff| {max_abs_diff}")
