"""Code generation: graph + memory plan + board -> a self-contained C project (from templates/)."""
