"""UNIDIRECTIONAL_SEQUENCE_LSTM blocks: TFLite Micro's integer LSTM, int8 (8x8->16) and int16 (16x8->16).

Each gate is two fully connected layers (input and hidden state) into int16
at scale 2^-12, added with saturation, then sigmoid or tanh in Q0.15; the
cell state is int16. The constants TFLite Micro's Prepare computes (the
gates' and products' multipliers, the clip, the tanh scaling of the cell
state) are computed by the lowering and carried here; zero points are folded
into each fully connected layer's bias, so the kernels sum raw values.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.kernels.block import ArenaPtr, ConstArray, ParamBlock, i32, nested, ptr


@dataclass(frozen=True)
class LstmGate(ParamBlock):
    """What both gate blocks hold besides their biases: weights and the two layers' requantisation."""

    input_weights: ConstArray = ptr("const int8_t *", "units x input features")
    recurrent_weights: ConstArray = ptr("const int8_t *", "units x units")
    input_multiplier: int = i32("input layer -> gate input (scale 2^-12)")
    input_shift: int = i32("its shift")
    recurrent_multiplier: int = i32("hidden state layer -> gate input (scale 2^-12)")
    recurrent_shift: int = i32("its shift")


@dataclass(frozen=True)
class LstmGateS8(LstmGate):
    C_NAME = "tg_lstm_gate_s8"
    C_DOC = "One LSTM gate of the int8 kernel: int32 sums, biases with the zero points folded in."

    input_bias: ConstArray = ptr("const int32_t *", "bias - input_zero_point * row sums of input_weights")
    recurrent_bias: ConstArray = ptr("const int32_t *", "-hidden_zero_point * row sums of recurrent_weights")


@dataclass(frozen=True)
class LstmGateS16(LstmGate):
    C_NAME = "tg_lstm_gate_s16"
    C_DOC = "One LSTM gate of the int16 kernel: int64 sums, biases with the zero points folded in."

    input_bias: ConstArray = ptr("const int64_t *", "bias - input_zero_point * row sums of input_weights")
    recurrent_bias: ConstArray = ptr("const int64_t *", "-hidden_zero_point * row sums of recurrent_weights")


@dataclass(frozen=True)
class LstmParams(ParamBlock):
    """The fields both LSTM blocks share, in their C order: sizes, the cell update and the hidden state's
    requantisation."""

    scratch: ArenaPtr = ptr("int16_t *", "four gate buffers of batches x units (time major) or units each")
    cell_state: ArenaPtr = ptr("int16_t *", "batches x units, kept across invocations")
    batches: int = i32("sequences")
    time_steps: int = i32("steps per sequence")
    input_size: int = i32("input features")
    units: int = i32("state size")
    time_major: int = i32("1: input is [time, batch, features], all batches advance together")
    cell_clip: int = i32("cell state clamp, in its units; -1: none")
    forget_multiplier: int = i32("forget gate x cell state -> cell state")
    forget_shift: int = i32("its shift")
    update_multiplier: int = i32("input gate x cell gate -> cell state")
    update_shift: int = i32("its shift")
    hidden_multiplier: int = i32("output gate x tanh(cell state) -> hidden state")
    hidden_shift: int = i32("its shift")
    hidden_zero_point: int = i32("the hidden state's (and output's) zero point")
    cell_tanh_multiplier: int = i32("tanh of the cell state: input times this...")
    cell_tanh_shift: int = i32("...rounded right by this, into tanh's Q3.12")


@dataclass(frozen=True)
class LstmS8Params(LstmParams):
    C_NAME = "tg_lstm_s8_params"
    C_DOC = ("UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations, int8 weights, int16 cell state (TFLite Micro's "
             "EvalLstm<int8_t, int8_t, int16_t, int32_t>); gates in order forget, input, cell, output.")

    input: ArenaPtr = ptr("const int8_t *", "the input sequence")
    output: ArenaPtr = ptr("int8_t *", "the hidden state after every step")
    hidden_state: ArenaPtr = ptr("int8_t *", "batches x units, kept across invocations")
    forget_gate: LstmGateS8 = nested(LstmGateS8, "sigmoid")
    input_gate: LstmGateS8 = nested(LstmGateS8, "sigmoid")
    cell_gate: LstmGateS8 = nested(LstmGateS8, "tanh")
    output_gate: LstmGateS8 = nested(LstmGateS8, "sigmoid")


@dataclass(frozen=True)
class LstmS16Params(LstmParams):
    C_NAME = "tg_lstm_s16_params"
    C_DOC = ("UNIDIRECTIONAL_SEQUENCE_LSTM, int16 activations, int8 weights, int16 cell state (TFLite Micro's "
             "EvalLstm<int16_t, int8_t, int16_t, int64_t>); gates in order forget, input, cell, output.")

    input: ArenaPtr = ptr("const int16_t *", "the input sequence")
    output: ArenaPtr = ptr("int16_t *", "the hidden state after every step")
    hidden_state: ArenaPtr = ptr("int16_t *", "batches x units, kept across invocations")
    forget_gate: LstmGateS16 = nested(LstmGateS16, "sigmoid")
    input_gate: LstmGateS16 = nested(LstmGateS16, "sigmoid")
    cell_gate: LstmGateS16 = nested(LstmGateS16, "tanh")
    output_gate: LstmGateS16 = nested(LstmGateS16, "sigmoid")
