"""The catalogue's specs and the trainers' `list` and `new` commands."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.labs.catalogue import catalogue_markdown, load_catalogue, matrix, select
from sandlab.labs.paths import lab_ids, source_notebook

runner = CliRunner()


def test_every_lab_has_a_valid_spec_and_notebooks_per_language():
    labs = load_catalogue()
    assert [lab.id for lab in labs] == lab_ids() and labs
    for lab in labs:
        for language in lab.languages:
            notebook = nbformat.read(source_notebook(lab.id, language), as_version=4)
            nbformat.validate(notebook)
            kinds = [c.metadata.get("nbgrader", {}) for c in notebook.cells]
            assert any(k.get("solution") for k in kinds) and any(k.get("grade") and k.get("points") for k in kinds)


def test_matrix_and_filters():
    labs = load_catalogue()
    grid = matrix(labs)
    assert set(grid) == {1, 2, 3, 4} and "l03-bias-fairness" in grid[1]["support"]
    assert all(lab.level == 1 for lab in select(labs, level=1))
    listed = runner.invoke(app, ["labs", "list", "--persona", "support", "--json"])
    assert listed.exit_code == 0
    assert {lab["id"] for lab in json.loads(listed.stdout)["labs"]} >= {"l02-data-quality", "l03-bias-fairness"}
    assert runner.invoke(app, ["labs", "list", "--persona", "pilots"]).exit_code == 2


def test_new_scaffolds_a_lab_and_refuses_a_second_or_a_bad_id(tmp_path):
    result = runner.invoke(app, ["labs", "new", "l42-demo", "--persona", "business", "--level", "2",
                                 "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert lab_ids(tmp_path) == ["l42-demo"]
    assert load_catalogue(tmp_path)[0].personas == ["business"]
    assert (tmp_path / "l42-demo" / "wrong" / "l42-demo.fr.ipynb").is_file()
    again = runner.invoke(app, ["labs", "new", "l42-demo", "--persona", "business", "--level", "2",
                                "--root", str(tmp_path)])
    assert again.exit_code == 2 and "exists" in again.output
    bad = runner.invoke(app, ["labs", "new", "Demo Lab", "--persona", "business", "--level", "2",
                              "--root", str(tmp_path)])
    assert bad.exit_code == 2 and "l<NN>-<slug>" in bad.output
    listed = runner.invoke(app, ["labs", "list", "--json"], env={"SANDLAB_LABS_ROOT": str(tmp_path)})
    assert [lab["id"] for lab in json.loads(listed.stdout)["labs"]] == ["l42-demo"]  # a trainer's library


@pytest.mark.parametrize("command", ["list", "new", "validate"])
def test_help_shows_an_example(command):
    result = runner.invoke(app, ["labs", command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_a_prerequisite_must_exist(tmp_path):
    from sandlab.labs.scaffold import new_lab
    from sandlab.specfile import SpecError

    new_lab("l41-first", "business", 1, tmp_path)
    spec = tmp_path / "l41-first" / "lab.yaml"
    spec.write_text(spec.read_text().replace("prerequisites: []", "prerequisites: [l40-missing]"))
    with pytest.raises(SpecError, match="prerequisites not in the catalogue: l40-missing"):
        load_catalogue(tmp_path)


def test_only_the_technical_persona_is_asked_for_code_and_every_lab_is_in_both_languages():
    labs = load_catalogue()
    assert {lab.id for lab in labs if lab.mode == "code"} == {lab.id for lab in labs if lab.personas == ["technical"]}
    assert [lab.id for lab in labs if sorted(lab.languages) != ["en", "fr"]] == []


@pytest.mark.parametrize("persona", ["leaders", "business", "support"])
def test_each_non_programmer_persona_has_no_code_labs_at_levels_1_to_3(persona):
    labs = load_catalogue()
    for level in (1, 2, 3):
        chosen = select(labs, persona, level)
        assert chosen and all(lab.mode == "no-code" for lab in chosen), (persona, level)


def test_the_readme_shows_the_catalogue_table_as_the_labs_say():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    listed = runner.invoke(app, ["labs", "list", "--markdown"])
    assert listed.exit_code == 0
    assert listed.stdout.strip() == catalogue_markdown(load_catalogue())
    assert catalogue_markdown(load_catalogue()) in readme
