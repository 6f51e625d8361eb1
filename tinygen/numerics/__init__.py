"""TFLite Micro's integer arithmetic in numpy: the bottom layer every stage that computes a value reads."""
