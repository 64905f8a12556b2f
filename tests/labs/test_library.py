"""The lab library's store and service: versions, rights, releases, grading sources. The real
sandbox validation runs in tests/platform/test_trainer_workspace.py; here a checker stands in for
it so that the rules around it are tested fast."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from sandlab.cohort import Cohort, LearnerPlan, Member
from sandlab.grading.exchange.service import http_server
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import AppliedCohort
from sandlab.labs.library import LabLibrary, LabNotFound, LabRefused, read_lab_folder
from sandlab.labs.library_service import find_staff, make_app
from sandlab.labs.paths import lab_folder
from sandlab.labs.publish_check import PublishCheck, lab_tar
from tests.webapp import serve_app

LAB = "l01-what-ai-is"
PREFIX = "/services/library/"
TOKENS = {"tess": "tess", "tara": "tara", "alice": "alice", "ida": "ida"}


def cohorts() -> list[AppliedCohort]:
    plan = LearnerPlan(language="fr", labs=[LAB])
    wave1 = Cohort(name="wave1", title="1", pack=Path("p"), members=[
        Member(name="alice", persona="business"), Member(name="tess", role="trainer"),
        Member(name="ida", role="admin")])
    wave2 = Cohort(name="wave2", title="2", pack=Path("p"), members=[
        Member(name="bob", persona="business"), Member(name="tara", role="trainer")])
    return [AppliedCohort(cohort=wave1, pack_volume="x-pack-wave1", learners={"alice": plan}),
            AppliedCohort(cohort=wave2, pack_volume="x-pack-wave2", learners={"bob": plan})]


def catalogue_lab() -> dict[str, bytes]:
    return read_lab_folder(lab_folder(LAB))


def stand_in_check(staff, lab, files) -> PublishCheck:
    """Passes unless lab.yaml says BROKEN; the student version is the French source, marked."""
    if b"BROKEN" in files["lab.yaml"]:
        return PublishCheck({"passed": False, "problems": [], "languages": [
            {"language": "fr", "problems": ["test_rule: the blank notebook already scores full marks"]}]}, {})
    student = {f"{lab}.fr.ipynb": files[f"{lab}.fr.ipynb"] + b" ", f"{lab}.en.ipynb": files[f"{lab}.en.ipynb"]}
    return PublishCheck({"passed": True, "problems": [], "languages": []}, student)


@pytest.fixture
def served(tmp_path):
    library, store = LabLibrary(tmp_path), ExchangeStore(tmp_path / "exchange")

    def identify(handler):
        return TOKENS.get(handler.request.headers.get("Authorization", "").removeprefix("token "))

    with serve_app(http_server(make_app(tmp_path, cohorts, identify, stand_in_check, PREFIX))) as base:
        yield f"{base}{PREFIX}", library, store


def call(url, method, path, who, **kwargs):
    return requests.request(method, url + path, headers={"Authorization": f"token {who}"}, timeout=10, **kwargs)


def encoded(files):
    return {"files": {name: base64.b64encode(content).decode() for name, content in files.items()}}


def test_only_trainers_and_it_reach_the_library(served):
    url, _, _ = served
    assert call(url, "GET", "api/labs", "alice").status_code == 403
    assert call(url, "POST", f"api/labs/{LAB}", "alice", json=encoded(catalogue_lab())).status_code == 403
    assert call(url, "GET", "api/labs", "nobody").status_code == 403
    assert call(url, "GET", "api/labs", "tess").json() == {"labs": []}


def test_publishing_adds_a_version_once_and_refuses_a_lab_that_fails(served):
    url, library, _ = served
    first = call(url, "POST", f"api/labs/{LAB}", "tess", json=encoded(catalogue_lab()))
    assert first.status_code == 201 and first.json()["version"] == 1 and first.json()["author"] == "tess"
    again = call(url, "POST", f"api/labs/{LAB}", "tara", json=encoded(catalogue_lab()))
    assert again.status_code == 200 and again.json()["version"] == 1 and not again.json()["added"]
    broken = {**catalogue_lab(), "lab.yaml": catalogue_lab()["lab.yaml"] + b"\n# BROKEN\n"}
    refused = call(url, "POST", f"api/labs/{LAB}", "tess", json=encoded(broken))
    assert refused.status_code == 422 and "full marks" in refused.json()["error"], refused.text
    assert refused.json()["problems"] == ["[fr] test_rule: the blank notebook already scores full marks"]
    assert [v.version for v in library.versions(LAB)] == [1]
    stray = call(url, "POST", f"api/labs/{LAB}", "tess", json=encoded({**catalogue_lab(), "../x.py": b"x"}))
    assert stray.status_code == 400 and "cannot be published" in stray.json()["error"]


def test_a_trainer_releases_to_their_cohort_only_and_other_cohorts_keep_theirs(served):
    url, library, store = served
    store.put_release("wave2", LAB, "fr", {f"{LAB}.fr.ipynb": catalogue_lab()[f"{LAB}.en.ipynb"]})
    before = store.current_release("wave2", LAB, "fr").version
    call(url, "POST", f"api/labs/{LAB}", "tess", json=encoded(catalogue_lab()))
    refused = call(url, "POST", f"api/releases/wave2/{LAB}", "tess", json={})
    assert refused.status_code == 403 and "not a trainer of cohort wave2" in refused.json()["error"]
    done = call(url, "POST", f"api/releases/wave1/{LAB}", "tess", json={"version": 1})
    assert done.status_code == 201, done.text
    assert done.json()["languages"][0]["language"] == "fr"
    assert store.release_files("wave1", LAB, "fr") == library.student_files(LAB, 1, "fr")
    assert store.current_release("wave2", LAB, "fr").version == before
    assert call(url, "POST", f"api/releases/wave1/{LAB}", "tess", json={"version": 9}).status_code == 404
    assert call(url, "POST", f"api/releases/wave2/{LAB}", "ida", json={}).status_code == 201  # IT: any cohort
    sources = library.cohort_sources("wave1")
    assert set(sources[LAB]) == {f"{LAB}.fr.ipynb", f"{LAB}.en.ipynb"} and "BEGIN SOLUTION" in sources[LAB][
        f"{LAB}.fr.ipynb"]
    library.forget_release("wave1", LAB)
    assert library.cohort_sources("wave1") == {}


def test_the_store_keeps_versions_whole_and_read_only(tmp_path):
    library = LabLibrary(tmp_path)
    with pytest.raises(LabRefused, match="no lab.yaml"):
        library.publish(LAB, {f"{LAB}.fr.ipynb": b"{}"}, {}, "tess", {})
    version, added = library.publish(LAB, catalogue_lab(), {f"{LAB}.fr.ipynb": b"s"}, "tess", {"passed": True})
    assert added and version.languages == ["fr"]
    changed = {**catalogue_lab(), "lab.yaml": catalogue_lab()["lab.yaml"] + b"\n"}
    assert library.publish(LAB, changed, {f"{LAB}.fr.ipynb": b"t"}, "tess", {})[0].version == 2
    assert library.source_files(LAB, 1) == catalogue_lab()
    with pytest.raises(LabNotFound):
        library.student_files(LAB, 1, "en")
    kept = tmp_path / "library" / "labs" / LAB / "1" / "source" / "lab.yaml"
    assert kept.stat().st_mode & 0o222 == 0
    assert not list((tmp_path / "library" / ".staging").iterdir())


def test_staff_and_their_cohorts():
    assert find_staff(cohorts(), "alice") is None
    assert find_staff(cohorts(), "tess").cohorts == ("wave1",)
    assert find_staff(cohorts(), "ida").cohorts == ("wave1", "wave2")
    closed = [entry.model_copy(update={"closed": datetime.now(UTC)}) if entry.cohort.name == "wave1" else entry
              for entry in cohorts()]
    tess = find_staff(closed, "tess")
    assert tess.cohorts == () and tess.sees == ("wave1",)  # releases to no closed cohort, still reads its waves


def test_the_lab_tar_holds_the_lab_under_its_folder():
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(lab_tar(LAB, {"lab.yaml": b"a", "wrong/x.ipynb": b"b"}))) as tar:
        assert sorted(tar.getnames()) == [LAB, f"{LAB}/lab.yaml", f"{LAB}/wrong", f"{LAB}/wrong/x.ipynb"]


def test_submissions_are_graded_against_the_version_the_cohort_was_given(tmp_path):
    from sandlab.grading.cohort_grading import lab_sources
    from sandlab.grading.desk import library_sources

    library = LabLibrary(tmp_path)
    changed = {**catalogue_lab(), f"{LAB}.fr.ipynb": catalogue_lab()[f"{LAB}.fr.ipynb"].replace(b"}", b" }", 1)}
    library.publish(LAB, changed, {f"{LAB}.fr.ipynb": b"s"}, "tess", {})
    plans = {"alice": LearnerPlan(language="fr", labs=[LAB])}
    assert library_sources("wave1", {}, tmp_path) == {"sources": {}}
    assert lab_sources(plans, library_sources("wave1", {}, tmp_path)["sources"]) == lab_sources(plans)
    library.record_release("wave1", LAB, 1, "tess")
    graded = lab_sources(plans, library_sources("wave1", {}, tmp_path)["sources"])
    assert graded[LAB][f"{LAB}.fr.ipynb"] == changed[f"{LAB}.fr.ipynb"].decode()
    assert graded[LAB][f"{LAB}.fr.ipynb"] != lab_sources(plans)[LAB][f"{LAB}.fr.ipynb"]


def test_a_trainer_reads_the_waves_of_their_own_cohorts_only(served, tmp_path):
    from sandlab.kpis.store import CohortFacts, KpiStore, PlannedLab, kpi_database

    url, _, _ = served
    kpis = KpiStore(kpi_database(tmp_path))
    for cohort, learner in (("wave1", "alice"), ("wave2", "bob")):
        kpis.put_cohort(CohortFacts(cohort, cohort), [], [PlannedLab(cohort, learner, "business", LAB)])
    assert [w["cohort"] for w in call(url, "GET", f"api/feedback/{LAB}", "tess").json()["waves"]] == ["wave1"]
    assert [w["cohort"] for w in call(url, "GET", f"api/feedback/{LAB}", "ida").json()["waves"]] == ["wave1", "wave2"]
    assert call(url, "GET", f"api/feedback/{LAB}", "alice").status_code == 403


def test_it_removes_a_version_no_cohort_was_given(tmp_path):
    from sandlab.labs.library_admin import main

    library = LabLibrary(tmp_path)
    library.publish(LAB, catalogue_lab(), {f"{LAB}.fr.ipynb": b"s"}, "tess", {})
    library.publish(LAB, {**catalogue_lab(), "lab.yaml": catalogue_lab()["lab.yaml"] + b"\n"},
                    {f"{LAB}.fr.ipynb": b"t"}, "tess", {})
    library.record_release("wave1", LAB, 1, "tess")
    with pytest.raises(LabRefused, match="cohort\\(s\\) wave1"):
        library.remove(LAB, 1)
    assert main(["--state", str(tmp_path), "remove", LAB, "2"]) == 0
    assert [v.version for v in library.versions(LAB)] == [1]
    assert main(["--state", str(tmp_path), "remove", LAB, "7"]) == 2
    assert not list((tmp_path / "library" / ".staging").iterdir())


OWN = "l40-own-lab"  # a trainer's lab, in no catalogue


def own_lab() -> dict[str, bytes]:
    """The catalogue's first lab renamed: the files of a lab only the library holds."""
    return {name.replace(LAB, OWN): content.replace(LAB.encode(), OWN.encode())
            for name, content in catalogue_lab().items()}


def test_a_trainer_s_own_lab_is_planned_when_named_and_it_releases_it(tmp_path, capsys):
    import json

    from sandlab.cohort import load_cohort
    from sandlab.grading.cohort_grading import lab_sources
    from sandlab.grading.plan import plan_learners
    from sandlab.hub.state import cohorts_dir
    from sandlab.labs.catalogue import load_catalogue
    from sandlab.labs.library_admin import main
    from sandlab.labs.spec import LabSpec
    from sandlab.specfile import SpecError, parse_spec

    library = LabLibrary(tmp_path)
    student = {f"{OWN}.fr.ipynb": own_lab()[f"{OWN}.fr.ipynb"]}
    library.publish(OWN, own_lab(), student, "tess", {})
    assert main(["--state", str(tmp_path), "specs"]) == 0
    found = json.loads(capsys.readouterr().out)
    own = [parse_spec(entry["spec"], LabSpec, source=OWN) for entry in found]
    assert [(entry["lab"], entry["version"]) for entry in found] == [(OWN, 1)] and own[0].id == OWN

    cohort_file = tmp_path / "wave1.yaml"
    cohort_file.write_text("name: wave1\ntitle: t\npack: p\nlabs:\n  up_to_level: 1\n  by_persona:\n"
                           f"    support: [{LAB}, {OWN}]\nmembers:\n  - {{name: alice, persona: support}}\n"
                           "  - {name: bob, persona: business}\n  - {name: tess, role: trainer}\n")
    cohort = load_cohort(cohort_file)
    plans = plan_learners(cohort, load_catalogue(), cohort_file, own)
    assert plans["alice"].labs == [LAB, OWN]
    assert OWN not in plans["bob"].labs  # a persona's default plan stays the catalogue's
    with pytest.raises(SpecError, match=f":7: .*no lab '{OWN}' in the catalogue nor the lab library"):
        plan_learners(cohort, load_catalogue(), cohort_file)
    assert OWN not in lab_sources(plans)  # nothing to grade before it is released

    cohorts_dir(tmp_path).mkdir(parents=True)
    (cohorts_dir(tmp_path) / "wave1.json").write_text(
        AppliedCohort(cohort=cohort, pack_volume="x-pack-wave1", learners=plans).model_dump_json())
    assert main(["--state", str(tmp_path), "release", "wave1", OWN]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1
    assert ExchangeStore(tmp_path / "exchange").release_files("wave1", OWN, "fr") == student
    assert library.cohort_releases("wave1")[0].by == "IT"
    graded = lab_sources(plans, library.cohort_sources("wave1"))
    assert graded[OWN][f"{OWN}.fr.ipynb"] == own_lab()[f"{OWN}.fr.ipynb"].decode()
    assert main(["--state", str(tmp_path), "release", "wave9", OWN]) == 2
    assert "no open cohort wave9" in capsys.readouterr().err


def test_the_library_is_read_only_for_a_cohort_naming_a_lab_the_catalogue_lacks():
    from sandlab.hub.platform import Instance
    from sandlab.labs.catalogue import load_catalogue
    from sandlab.labs.library_host import library_labs

    class NoEngine:  # any call would fail the test
        pass

    catalogue_only = cohorts()[0].cohort.model_copy(update={"labs": cohorts()[0].cohort.labs.model_copy(
        update={"by_persona": {"business": [LAB]}})})
    assert library_labs(NoEngine(), Instance("x"), catalogue_only, load_catalogue()) == []
    assert library_labs(NoEngine(), Instance("x"), cohorts()[0].cohort, load_catalogue()) == []  # the default plan
