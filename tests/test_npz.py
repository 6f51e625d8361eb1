"""A user's .npz is read without unpickling anything, and every unreadable one is one InputError line."""

from __future__ import annotations

import numpy as np
import pytest

from tinygen.errors import InputError
from tinygen.npz import read_npz

FIX = "save it with numpy.savez"


class _Payload:
    """Unpickling this creates `marker`: the file exists afterwards only if something unpickled the array."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_numbers_are_read_by_name(tmp_path):
    path = tmp_path / "ok.npz"
    x, y = np.arange(6, dtype=np.float32).reshape(2, 3), np.array([0, 1])
    np.savez(path, x=x, y=y)
    arrays = read_npz(path, FIX)
    assert sorted(arrays) == ["x", "y"]
    np.testing.assert_array_equal(arrays["x"], x)
    np.testing.assert_array_equal(arrays["y"], y)


def test_an_object_array_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.zeros(2, np.float32), y=np.array([_Payload(str(marker))], dtype=object))
    with pytest.raises(InputError) as info:
        read_npz(path, FIX)
    assert str(info.value) == (f"{path}: array 'y' holds Python objects (dtype=object), which tinygen does not "
                               "unpickle; save numbers, e.g. numpy.savez(path, x=x.astype(numpy.float32))")
    assert not marker.exists()


def _truncated(path):
    np.savez(path, x=np.zeros(100, np.float32))
    path.write_bytes(path.read_bytes()[:150])


def _text(path):
    path.write_text("x,y\n1,2\n")


def _npy(path):
    with path.open("wb") as f:
        np.save(f, np.zeros(3))


def _folder(path):
    path.mkdir()


@pytest.mark.parametrize("make, problem", [
    (_truncated, "not a readable .npz"), (_text, "not a readable .npz"), (_npy, "a .npy file, not an .npz"),
    (_folder, "not a readable .npz (Is a directory)"),
], ids=["truncated", "text", "npy", "folder"])
def test_an_unreadable_file_is_one_line(tmp_path, make, problem):
    path = tmp_path / "data.npz"
    make(path)
    with pytest.raises(InputError) as info:
        read_npz(path, FIX)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: {problem}") and message.endswith(FIX)
