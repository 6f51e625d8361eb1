"""`python -m tinygen`: the same command as the `tinygen` script, for environments without it on PATH."""

from tinygen.cli import main

main()
