"""Static memory planning: lifetimes -> execution order -> arena offsets."""
