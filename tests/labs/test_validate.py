"""The validator, with real nbgrader: it passes the catalogue and catches broken labs."""

from __future__ import annotations

import shutil

import nbformat
import pytest
import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.labs import notebook as nbk
from sandlab.labs.catalogue import load_catalogue
from sandlab.labs.paths import catalogue_root, source_notebook, spec_file
from sandlab.labs.scaffold import new_lab
from sandlab.labs.spec import LabSpec
from sandlab.labs.validate import objective_problems, validate_lab
from sandlab.specfile import SpecError, load_spec


# Every catalogue lab is validated in both languages where learners run it, in the lab image
# (tests/platform/test_labs_in_image.py); here, on this machine, one no-code and one code lab.
@pytest.mark.parametrize("lab_id", ["l01-what-ai-is", "l14-model-service"])
def test_a_no_code_and_a_code_lab_validate_on_this_machine(lab_id, pack):
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


def edit_spec(root, change) -> str:
    """Apply ``change`` to the scaffold's lab.yaml (as a dict); the new text."""
    spec = yaml.safe_load(spec_file("l90-check", root).read_text())
    change(spec)
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    spec_file("l90-check", root).write_text(text)
    return text


def line_with(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_every_catalogue_objective_names_graded_cells_and_every_graded_cell_has_one():
    for lab in load_catalogue():
        assert objective_problems(lab) == [], lab.id
        assert all(objective.tasks for objective in lab.objectives), lab.id
        assert 0 < lab.pass_mark <= 1


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


def test_an_objective_naming_an_unknown_task_is_refused(scaffold, pack):
    text = edit_spec(scaffold, lambda spec: spec["objectives"][0]["tasks"].append("test_headcount"))
    result = validate_lab("l90-check", pack, scaffold)
    found = problems(result)
    where = f"{spec_file('l90-check', scaffold)}:{line_with(text, '- test_headcount')}: objectives.0.tasks.1"
    assert not result.passed and where in found
    assert "no graded cell 'test_headcount' in l90-check.fr.ipynb, l90-check.en.ipynb" in found
    assert "graded cells there: test_answer" in found


def test_a_task_graded_in_one_language_only_is_refused(scaffold):
    path = source_notebook("l90-check", "en", scaffold)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].metadata["nbgrader"]["grade_id"] = "test_headcount"
    nbformat.write(notebook, path)
    found = " | ".join(objective_problems(load_spec(spec_file("l90-check", scaffold), LabSpec), scaffold))
    assert "no graded cell 'test_answer' in l90-check.en.ipynb (graded cells there: test_headcount)" in found
    assert "graded cell 'test_headcount' (cell 4 of l90-check.en.ipynb) is named by no objective" in found


def test_a_graded_cell_no_objective_names_is_refused(scaffold):
    text = edit_spec(scaffold, lambda spec: spec["objectives"][0].update(tasks=[]))
    found = objective_problems(load_spec(spec_file("l90-check", scaffold), LabSpec), scaffold)
    assert found == [f"{spec_file('l90-check', scaffold)}:{line_with(text, 'objectives:')}: objectives: graded cell "
                     "'test_answer' (cell 4 of l90-check.fr.ipynb) is named by no objective, so its points are "
                     "missing from the skill scores; add it to the tasks of the objective it assesses"]


def test_a_manually_graded_answer_counts_as_a_graded_cell(scaffold):
    for language in ("fr", "en"):
        path = source_notebook("l90-check", language, scaffold)
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbk.written_answer("why", "Because.", points=2))
        nbformat.write(notebook, path)
    spec = load_spec(spec_file("l90-check", scaffold), LabSpec)
    assert "graded cell 'why' (cell 5 of l90-check.fr.ipynb) is named by no objective" in objective_problems(
        spec, scaffold)[0]
    edit_spec(scaffold, lambda spec: spec["objectives"][0]["tasks"].append("why"))
    assert objective_problems(load_spec(spec_file("l90-check", scaffold), LabSpec), scaffold) == []


@pytest.mark.parametrize("pass_mark", [0, -0.2, 1.5, "most"])
def test_a_pass_mark_out_of_range_is_refused(scaffold, pass_mark):
    text = edit_spec(scaffold, lambda spec: spec.update(pass_mark=pass_mark))
    with pytest.raises(SpecError, match=rf"lab\.yaml:{line_with(text, 'pass_mark')}: pass_mark: "):
        load_spec(spec_file("l90-check", scaffold), LabSpec)


def test_a_pass_mark_defaults_to_half_and_may_be_set(scaffold):
    assert load_spec(spec_file("l90-check", scaffold), LabSpec).pass_mark == 0.5
    edit_spec(scaffold, lambda spec: spec.update(pass_mark=1))
    assert load_spec(spec_file("l90-check", scaffold), LabSpec).pass_mark == 1


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


def test_code_in_a_no_code_lab_is_refused_with_the_cell_and_the_fix(scaffold, pack):
    edit_cell(scaffold, "answer", "headcount = None\n### BEGIN SOLUTION\nheadcount = len(employees)\n### END SOLUTION")
    result = validate_lab("l90-check", pack, scaffold)
    found = problems(result)
    assert not result.passed
    assert "l90-check.fr.ipynb: cell 3 ('answer'): line 3: `headcount = len(employees)` is not an answer" in found
    assert "l90-check.en.ipynb: cell 3" in found and "prepared, locked cell" in found
    assert [lang.tasks[0].solution for lang in result.languages] == [1, 1]  # it would grade: the mode refuses it


def test_code_in_a_no_code_lab_s_wrong_answer_is_refused(scaffold, pack):
    path = scaffold / "l90-check" / "wrong" / "l90-check.fr.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].source = "headcount = len(employees) - 1"
    nbformat.write(notebook, path)
    assert "wrong/l90-check.fr.ipynb: cell 3 ('answer'): line 1" in problems(validate_lab("l90-check", pack, scaffold))


def test_a_technical_lab_may_ask_for_code(tmp_path, pack):
    new_lab("l91-code", "technical", 4, tmp_path)
    spec = load_spec(spec_file("l91-code", tmp_path), LabSpec)
    assert spec.mode == "code"
    assert validate_lab("l91-code", pack, tmp_path).passed


def test_a_code_lab_for_non_programmers_is_refused_at_its_line(scaffold):
    text = edit_spec(scaffold, lambda spec: spec.update(mode="code"))
    with pytest.raises(SpecError) as refused:
        load_spec(spec_file("l90-check", scaffold), LabSpec)
    assert "only the technical persona" in str(refused.value)
    assert str(spec_file("l90-check", scaffold)) in str(refused.value)
    assert text.count("mode: code") == 1


def test_a_no_code_student_version_leaves_answer_cells_to_fill_and_stubs_text_in_its_language(scaffold, tmp_path):
    from sandlab.grading.release import student_version

    for language, stub in (("fr", "Votre réponse ici."), ("en", "Your answer here.")):
        path = source_notebook("l90-check", language, scaffold)
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbk.written_answer("why", "Because.", points=1))
        nbformat.write(notebook, path)
        [released] = student_version("l90-check", language, scaffold).values()
        cells = nbformat.reads(released.decode(), as_version=4).cells
        assert cells[2].source.splitlines()[-1] == "headcount = None"
        assert "NotImplementedError" not in released.decode() and "300" not in cells[2].source
        assert cells[4].source == stub
        assert cells[1].metadata["jupyter"]["source_hidden"]  # prepared code collapsed, answer cells open
        assert "jupyter" not in cells[2].metadata
