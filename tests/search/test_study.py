"""The study's folder: a search with other settings is refused instead of mixed in.

Resuming after an interruption is tested end to end in tests/commands/test_search.py.
"""

import pytest

from tests.tools import require_module
from tinygen.errors import InputError
from tinygen.search.study import open_study

require_module("optuna")


def test_a_folder_holding_another_search_is_refused(tmp_path):
    open_study(tmp_path, {"seed": 3, "trials": 3})
    open_study(tmp_path, {"seed": 3, "trials": 3})  # the same settings resume
    with pytest.raises(InputError, match="other settings .*seed"):
        open_study(tmp_path, {"seed": 4, "trials": 3})
