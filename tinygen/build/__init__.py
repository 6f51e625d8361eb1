"""Building a generated project: compiler flags per core, make, and the real section sizes."""
