"""The validator, with real nbgrader: it passes the catalogue and catches broken labs."""

from __future__ import annotations

import shutil

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.labs.paths import catalogue_root, lab_ids, source_notebook, spec_file
from sandlab.labs.scaffold import new_lab
from sandlab.labs.validate import validate_lab


@pytest.mark.parametrize("lab_id", lab_ids())
def test_every_catalogue_lab_validates(lab_id, pack):
    result = validate_lab(lab_id, pack)
    assert result.passed, result.as_dict()
    for language in result.languages:
        assert language.solution_seconds < 300
        assert any(t.manual for t in language.tasks)  # a judgement the trainer grades


@pytest.fixture
def scaffold(tmp_path):
    new_lab("l90-check", "business", 2, tmp_path)
    return tmp_path


def edit_cell(root, grade_id: str, source: str, languages=("fr", "en")):
    for language in languages:
        path = source_notebook("l90-check", language, root)
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                cell.source = source
        nbformat.write(notebook, path)


def problems(result) -> str:
    return " | ".join(result.problems + [p for lang in result.languages for p in lang.problems])


def test_a_fresh_scaffold_validates(scaffold, pack):
    assert validate_lab("l90-check", pack, scaffold).passed


def test_a_test_that_always_passes_is_caught(scaffold, pack):
    edit_cell(scaffold, "test_answer", "assert True")
    result = validate_lab("l90-check", pack, scaffold)
    assert not result.passed and "a test that always passes" in problems(result)


def test_a_missing_solution_is_caught(scaffold, pack):
    edit_cell(scaffold, "answer", "headcount = None\n### BEGIN SOLUTION\n### END SOLUTION")
    result = validate_lab("l90-check", pack, scaffold)
    assert not result.passed and "the solution scores 0" in problems(result)


def test_a_broken_lab_yaml_is_caught(scaffold, pack):
    spec = yaml.safe_load(spec_file("l90-check", scaffold).read_text())
    spec["level"] = 7
    spec_file("l90-check", scaffold).write_text(yaml.safe_dump(spec))
    result = validate_lab("l90-check", pack, scaffold)
    assert not result.passed and "lab.yaml" in problems(result) and "level" in problems(result)


def test_missing_wrong_answer_and_notebook_are_caught(scaffold, pack):
    shutil.rmtree(scaffold / "l90-check" / "wrong")
    source_notebook("l90-check", "en", scaffold).unlink()
    result = validate_lab("l90-check", pack, scaffold)
    text = problems(result)
    assert "no plausible wrong answer" in text and "missing source notebook" in text


def test_a_wrong_answer_that_scores_full_marks_is_caught(scaffold, pack):
    for language in ("fr", "en"):
        shutil.copy(source_notebook("l90-check", language, scaffold),
                    scaffold / "l90-check" / "wrong" / source_notebook("l90-check", language, scaffold).name)
    result = validate_lab("l90-check", pack, scaffold)
    assert "wrong answer scores full marks" in problems(result)


def test_cli_validate_reports_and_fails(scaffold, pack):
    edit_cell(scaffold, "test_answer", "assert True", languages=("fr",))
    result = CliRunner().invoke(app, ["labs", "validate", "l90-check", "--root", str(scaffold), "--pack", str(pack)])
    assert result.exit_code == 1 and "a test that always passes" in result.output
    unknown = CliRunner().invoke(app, ["labs", "validate", "l99-nothing", "--root", str(scaffold)])
    assert unknown.exit_code == 2 and "unknown lab" in unknown.output
    assert catalogue_root().is_dir()
