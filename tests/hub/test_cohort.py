from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import load_cohort
from sandlab.specfile import SpecError

DEMO = Path(__file__).parents[2] / "hub" / "cohorts" / "demo.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cohort.yaml"
    path.write_text(text)
    return path


def test_the_demo_cohort_reads_and_its_pack_is_relative_to_the_file():
    cohort = load_cohort(DEMO)
    assert cohort.named("admin") and cohort.named("trainer") and len(cohort.named("learner")) >= 2
    assert cohort.pack == (DEMO.parent / "../../demo/pack").resolve()


@pytest.mark.parametrize(("text", "expected"), [
    ("name: c1\ntitle: t\npack: p\nmembers:\n  - {name: Ana, persona: business}\n", ":5: members.0.name"),
    ("name: c1\ntitle: t\npack: p\nmembers:\n  - {name: ana}\n", "needs a persona"),
    ("name: c1\ntitle: t\npack: p\nmembers:\n  - {name: ana, persona: sales}\n", ":5: members.0.persona"),
    ("name: c1\ntitle: t\npack: p\nmembres: []\n", "did you mean 'members'"),
    ("name: c1\ntitle: t\npack: p\nlimits: {memory: 2gb}\nmembers:\n  - {name: ana, persona: business}\n",
     ":4: limits.memory"),
    ("name: c1\ntitle: t\npack: p\nmembers:\n  - {name: ana, persona: business}\n  - {name: ana, role: admin}\n",
     "listed twice"),
    ("name: c1\ntitle: t\npack: p\nmembers:\n  - {name: kpis--service, persona: business}\n",
     "may not contain '--'"),
    ("name: c1\ntitle: t\npack: p\ndates: {opens: 2026-12-10, closes: 2026-12-01}\n"
     "members:\n  - {name: ana, persona: business}\n", "closes (2026-12-01) is before opens"),
])
def test_mistakes_name_the_line_and_the_fix(tmp_path, text, expected):
    with pytest.raises(SpecError) as error:
        load_cohort(write(tmp_path, text))
    assert expected in str(error.value)


def test_apply_refuses_a_malformed_cohort_with_a_clear_message(tmp_path):
    path = write(tmp_path, "name: c1\ntitle: t\npack: p\nmembers:\n  - {name: ana, persona: sales}\n")
    result = CliRunner().invoke(app, ["hub", "apply", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5: members.0.persona" in result.output
    assert "Traceback" not in result.output
