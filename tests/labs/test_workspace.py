"""A trainer's workspace at each server start: the library seeded, never overwritten; the pack linked."""

from __future__ import annotations

from pathlib import Path

from sandlab.labs.paths import catalogue_root
from sandlab.labs.workspace import LABS_ROOT_ENV, PACK_ENV, SOURCES_ENV, link_pack, prepare, seed_library


def test_the_library_gets_every_catalogue_lab_once_and_keeps_the_trainers_edits(tmp_path):
    library = tmp_path / "labs"
    copied = seed_library(library, catalogue_root())
    assert copied and copied == sorted(path.parent.name for path in catalogue_root().glob("*/lab.yaml"))
    edited = library / copied[0] / "lab.yaml"
    edited.write_text("mine\n")
    (library / copied[1]).rename(tmp_path / "gone")  # a lab the trainer removed comes back at the next start
    assert seed_library(library, catalogue_root()) == [copied[1]]
    assert edited.read_text() == "mine\n"
    assert not list(library.glob(".*partial"))


def test_the_validator_reads_the_mounted_pack_through_links(tmp_path):
    data, answers = tmp_path / "data", tmp_path / "answers"
    data.mkdir()
    answers.mkdir()
    (answers / "truth.json").write_text("{}")
    root = link_pack(tmp_path / ".sandlab" / "pack", data, answers)
    assert (root / "answers" / "truth.json").read_text() == "{}" and (root / "public").resolve() == data
    assert link_pack(root, data, answers) == root  # again at the next start


def test_nothing_happens_in_a_learners_server(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert prepare({}) == []
    assert prepare({LABS_ROOT_ENV: str(tmp_path / "labs"), PACK_ENV: str(tmp_path / "pack")}) == []
    assert not (tmp_path / "labs").exists()
    environ = {SOURCES_ENV: str(catalogue_root()), LABS_ROOT_ENV: str(tmp_path / "labs"),
               PACK_ENV: str(tmp_path / "pack")}
    assert prepare(environ) and Path(tmp_path / "pack" / "answers").is_symlink()
    desk = tmp_path / "publish.ipynb"
    assert "publish_desk import desk" in desk.read_text() and "Publier mes labs" in desk.read_text()
    desk.write_text("mine")
    prepare(environ)
    assert desk.read_text() == "mine" and not (tmp_path / "publish.ipynb").with_name("learner").exists()
