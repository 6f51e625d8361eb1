"""The state blocks: copies between the arena and resource variables, and CALL_ONCE's initial values
(tinygen/plan/state.py places the variables)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, ptr


@dataclass(frozen=True)
class StateCopyParams(ParamBlock):
    C_NAME = "tg_state_copy_params"
    C_DOC = ("READ_VARIABLE (variable -> arena) and ASSIGN_VARIABLE (arena or flash -> variable): a copy of the "
             "variable's bytes, as TFLite Micro's resource variables copy them.")

    input: ArenaPtr | ConstArray = ptr("const int8_t *", "the bytes read")
    output: ArenaPtr = ptr("int8_t *", "where they go")
    size: int = i32("bytes")


@dataclass(frozen=True)
class CallOnceParams(ParamBlock):
    C_NAME = "tg_call_once_params"
    C_DOC = ("CALL_ONCE whose init subgraph assigns constants: on the first invocation after a reset, each "
             "variable gets its initial bytes; a flag in the state region says it is done.")

    flag: ArenaPtr = ptr("int8_t *", "the state byte that is 1 once the init subgraph has run")
    count: int = i32("assignments")
    offsets: ConstArray = ptr("const int32_t *", "per assignment: the variable's offset in the state region")
    sizes: ConstArray = ptr("const int32_t *", "per assignment: bytes")
    values: ConstArray = ptr("const int8_t *", "the assigned bytes, one after another")
    state: ArenaPtr = ptr("int8_t *", "the state region")
