"""`tinygen export`: the model as a library folder for a firmware's own build system, one module per format."""
