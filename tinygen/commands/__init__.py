"""CLI subcommands, one module each; shared options live in `options`."""
