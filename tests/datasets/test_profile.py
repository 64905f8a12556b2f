"""Company profiles: the shipped ones load; mistakes are refused with file, line and fix."""

from __future__ import annotations

import pytest

from sandlab.datasets import load_profile, shipped_profiles
from sandlab.specfile import SpecError


def test_shipped_profiles_cover_both_locales():
    profiles = {name: load_profile(name) for name in shipped_profiles()}
    assert {p.locale for p in profiles.values()} == {"fr_FR", "en_US"}
    assert profiles["fr-mid-size"].country == "FR"


def write(tmp_path, text: str):
    path = tmp_path / "company.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    text = shipped_profiles()["fr-mid-size"]
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_field_names_file_line_and_suggestion(tmp_path):
    text = edited("industry:", "industy:")
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as error:
        load_profile(path)
    message = str(error.value)
    assert f"{path}:{line_of(text, 'industy:')}: industy: unknown field" in message
    assert "did you mean 'industry'" in message


def test_nested_unknown_field_points_at_its_line(tmp_path):
    text = edited("    salary_base: 31000", "    salary_bse: 31000")
    path = write(tmp_path, text)
    with pytest.raises(SpecError, match=rf":{line_of(text, 'salary_bse')}: departments\.1\.salary_bse: unknown"):
        load_profile(path)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("locale: fr_FR", "locale: de_DE", "locale: Input should be 'fr_FR' or 'en_US'"),
    ("    share: 0.30", "    share: 0.50", "department shares must add up to 1"),
    ("    share: 0.30", "    share: -1", "share: Input should be greater than 0"),
    ("employees: 800", "employees: 5", "employees: Input should be greater than or equal to 20"),
    ("  - role: support", "  - role: helpdesk", "role: Input should be"),
    ("history_end: 2025-12-31", "history_end: 2021-06-30", "at least two years"),
])
def test_bad_values_are_refused_by_name(tmp_path, old, new, expected):
    with pytest.raises(SpecError, match=expected):
        load_profile(write(tmp_path, edited(old, new)))


def test_missing_field_and_bad_yaml(tmp_path):
    with pytest.raises(SpecError, match="name: required field is missing"):
        load_profile(write(tmp_path, edited("name: Mobilis Bureau\n", "")))
    with pytest.raises(SpecError, match=r"company\.yaml:\d+: not valid YAML"):
        load_profile(write(tmp_path, "name: [unclosed\n"))


def test_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(SpecError, match="use one of fr-mid-size, us-outdoor"):
        load_profile("no-such-company")
