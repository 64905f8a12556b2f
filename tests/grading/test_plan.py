"""A cohort's labs are resolved against the catalogue at apply time; what cannot be given is refused by line."""

from __future__ import annotations

import pytest

from sandlab.cohort import load_cohort
from sandlab.grading.plan import plan_learners
from sandlab.labs.catalogue import load_catalogue
from sandlab.specfile import SpecError

HEAD = "name: c1\ntitle: t\npack: p\n"


def plan(tmp_path, text, catalogue=None):
    path = tmp_path / "cohort.yaml"
    path.write_text(HEAD + text)
    return plan_learners(load_cohort(path), catalogue or load_catalogue(), path)


def french_only() -> list:
    """The catalogue with its level-1 labs offered in French only, as a new lab may be before its translation."""
    return [lab.model_copy(update={"languages": ["fr"]}) if lab.level == 1 else lab for lab in load_catalogue()]


def test_by_default_each_persona_gets_its_catalogue_labs_up_to_the_level(tmp_path):
    plans = plan(tmp_path, "labs: {up_to_level: 1}\nmembers:\n  - {name: ana, persona: business}\n"
                           "  - {name: tom, role: trainer}\n")
    assert set(plans) == {"ana"}
    assert plans["ana"].language == "fr"
    assert plans["ana"].labs == [lab.id for lab in load_catalogue() if lab.level == 1 and "business" in lab.personas]


def test_labs_named_per_persona_and_a_member_language(tmp_path):
    plans = plan(tmp_path, "language: en\nlabs:\n  by_persona:\n    support: [l01-what-ai-is, l04-personal-data-gdpr]\n"
                           "members:\n  - {name: ben, persona: support}\n"
                           "  - {name: bea, persona: support, language: fr}\n")
    assert plans["ben"].labs == ["l01-what-ai-is", "l04-personal-data-gdpr"] and plans["ben"].language == "en"
    assert plans["bea"].language == "fr"


@pytest.mark.parametrize(("text", "expected"), [
    ("labs:\n  by_persona:\n    support:\n      - l01-what-ai-is\n      - l99-nothing\nmembers:\n"
     "  - {name: ben, persona: support}\n", ":8: labs.by_persona.support.1: no lab 'l99-nothing'"),
    ("language: en\nmembers:\n  - {name: ana, persona: business}\n", ":4: language: ana (business) would get"),
    ("members:\n  - {name: ana, persona: business}\n  - {name: bob, persona: business, language: en}\n",
     ":6: members.1.language: bob (business) would get"),
    ("labs:\n  due: {l98-gone: 2027-01-01T00:00:00Z}\nmembers:\n  - {name: ana, persona: business}\n",
     ":5: labs.due.l98-gone"),
])
def test_a_lab_the_catalogue_lacks_is_refused_with_its_line(tmp_path, text, expected):
    with pytest.raises(SpecError) as error:
        plan(tmp_path, text, french_only())
    assert expected in str(error.value)
