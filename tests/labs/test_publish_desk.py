"""The publishing desk's buttons against a library service of the test's own (the stand-in check of
test_library): what a trainer who does not use a terminal sees for each outcome."""

from __future__ import annotations

import shutil

import pytest

from sandlab.labs.paths import lab_folder
from sandlab.labs.publish_desk import PublishDesk, desk
from tests.labs.test_library import LAB, served  # noqa: F401  (the fixture)


@pytest.fixture
def library_root(tmp_path, served, monkeypatch):  # noqa: F811
    url, library, store = served
    monkeypatch.setenv("SANDLAB_LIBRARY_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tess")
    root = tmp_path / "labs"
    shutil.copytree(lab_folder(LAB), root / LAB)
    return root, library, store


def test_a_trainer_publishes_gives_and_reads_the_waves_with_buttons(library_root):
    root, library, store = library_root
    shown = PublishDesk(root, "wave1", "fr")
    assert shown.lab.options == (LAB,)
    shown.buttons["publish"].click()
    assert "est publié : version 1" in shown.status.value and not shown.buttons["release"].disabled
    shown.buttons["publish"].click()
    assert "n'a pas changé depuis la version 1" in shown.status.value
    shown.buttons["release"].click()
    assert "version 1, est donné à la cohorte wave1 (fr)" in shown.status.value
    assert store.release_files("wave1", LAB, "fr") == library.student_files(LAB, 1, "fr")
    shown.buttons["feedback"].click()
    assert "Aucune de vos cohortes n'a encore eu" in shown.status.value  # no KPIs recorded here


def test_a_refusal_lists_the_validators_words_escaped(library_root):
    root, library, _ = library_root
    spec = root / LAB / "lab.yaml"
    spec.write_text(spec.read_text() + "\n# BROKEN\n")
    shown = PublishDesk(root, "wave2", "en")
    shown.buttons["publish"].click()
    assert "is not published. To fix:" in shown.status.value and "<li>[fr] test_rule: the blank notebook" in \
        shown.status.value
    assert library.versions(LAB) == []
    shown.buttons["release"].click()  # wave2 is not tess's
    assert "The library refused: you are not a trainer of cohort wave2" in shown.status.value
    shown.say("refused", "red", ["<script>alert(1)</script>"])  # a validator's words quote the trainer's cells
    assert "<script>" not in shown.status.value and "&lt;script&gt;" in shown.status.value
    nobody = PublishDesk(root, None, "en")
    nobody.buttons["release"].click()
    assert "does not know your cohort" in nobody.status.value


def test_outside_a_trainer_s_workspace_the_desk_only_says_so(monkeypatch, capsys):
    monkeypatch.delenv("SANDLAB_LIBRARY_URL", raising=False)
    monkeypatch.setenv("SANDLAB_LANGUAGE", "en")
    desk()
    assert capsys.readouterr().out.strip() == "The publishing desk is only available in a trainer's workspace."
