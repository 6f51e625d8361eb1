"""Fit checking: does a planned model fit a board's flash and SRAM regions?"""
