class TinygenError(Exception):
    exit_code = 1


class InputError(TinygenError):
    exit_code = 2
