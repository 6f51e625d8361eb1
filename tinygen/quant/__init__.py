"""Quantisation arithmetic: TFLite's fixed-point helpers and their generation-time use."""
