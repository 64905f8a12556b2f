from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
from traitlets.config import Config

from sandlab.grading.exchange.store import ExchangeStore
from tests.grading.test_exchange_service import serving
from tests.grading.test_exchange_store import notebook

LAB = "l01-what-ai-is"
PLUGINS = {"exchange": "Exchange", "list": "ExchangeList", "fetch_assignment": "ExchangeFetchAssignment",
           "submit": "ExchangeSubmit", "fetch_feedback": "ExchangeFetchFeedback"}


def config() -> Config:
    """What the lab image's nbgrader_config.py says."""
    c = Config()
    for trait, name in PLUGINS.items():
        setattr(c.ExchangeFactory, trait, f"sandlab.grading.exchange.client.{name}")
    return c


def plugin(kind: str, lab: str = "", **traits):
    """A plugin made the way nbgrader's apps and Assignments tab make it."""
    c = config()
    coursedir = CourseDirectory(config=c, course_id="demo", assignment_id=lab)
    return getattr(ExchangeFactory(config=c), kind)(coursedir=coursedir, authenticator=Authenticator(config=c),
                                                    config=c, **traits)


@pytest.fixture
def store(tmp_path) -> ExchangeStore:
    store = ExchangeStore(tmp_path / "exchange")
    store.put_release("demo", LAB, "fr", {"l01.ipynb": notebook("v1"), "annexe.ipynb": notebook("annexe")})
    store.put_release("demo", "l02-data-quality", "fr", {"l02.ipynb": notebook()})
    return store


@pytest.fixture
def home(tmp_path, store, monkeypatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice-token")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(home / ".jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(home / ".local/share/jupyter"))
    with serving(store) as url:
        monkeypatch.setenv("SANDLAB_EXCHANGE_URL", url)
        yield home


def by_status(listed: list[dict]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for info in listed:
        found.setdefault(info["status"], []).append(info["assignment_id"])
    return found


def test_fetch_edit_refetch_submit_and_feedback(home, store, caplog):
    labs = home / "labs"
    released = plugin("List").start()
    assert by_status(released) == {"released": [LAB, "l02-data-quality"]}
    assert {nb["notebook_id"] for nb in released[0]["notebooks"]} == {"annexe", "l01"}

    plugin("FetchAssignment", LAB).start()
    assert (labs / LAB / "l01.ipynb").read_bytes() == notebook("v1")
    first = json.loads((labs / LAB / ".sandlab-release.json").read_text())["version"]
    listed = plugin("List").start()
    assert by_status(listed) == {"fetched": [LAB], "released": ["l02-data-quality"]}
    assert listed[0]["path"] == str(labs / LAB)
    assert [nb["path"] for nb in listed[0]["notebooks"]] == [str(labs / LAB / "annexe.ipynb"),
                                                             str(labs / LAB / "l01.ipynb")]

    (labs / LAB / "l01.ipynb").write_bytes(notebook("my work"))
    second = store.put_release("demo", LAB, "fr", {"l01.ipynb": notebook("v2"), "annexe.ipynb": notebook("annexe 2")})
    assert by_status(plugin("List").start()) == {"fetched": [LAB], "released": [LAB, "l02-data-quality"]}
    plugin("FetchAssignment", LAB).start()
    assert (labs / LAB / "l01.ipynb").read_bytes() == notebook("my work")  # the learner's edit is kept
    assert (labs / LAB / f"l01.v{second.version}.ipynb").read_bytes() == notebook("v2")
    assert (labs / LAB / "annexe.ipynb").read_bytes() == notebook("annexe 2")  # untouched: simply updated
    assert not (labs / LAB / f"annexe.v{second.version}.ipynb").exists()
    assert f"l01.v{second.version}.ipynb" in caplog.text and "Vous avez modifié l01.ipynb" in caplog.text
    assert json.loads((labs / LAB / ".sandlab-release.json").read_text())["version"] == second.version != first
    assert by_status(plugin("List").start()) == {"fetched": [LAB], "released": ["l02-data-quality"]}

    plugin("Submit", LAB).start()
    [submitted] = store.submissions("demo", "alice", LAB)
    assert store.submission_files("demo", "alice", LAB, submitted.id) == {
        "l01.ipynb": notebook("my work"), "annexe.ipynb": notebook("annexe 2")}  # not the .v copy
    [group] = plugin("List", cached=True).start()
    assert (group["course_id"], group["student_id"], group["assignment_id"], group["status"]) == (
        "demo", "alice", LAB, "submitted")
    [info] = group["submissions"]
    assert info["timestamp"].endswith(" UTC") and info["status"] == "submitted"
    assert not info["has_exchange_feedback"] and not info["has_local_feedback"]

    store.put_feedback("demo", "alice", LAB, submitted.id, {"l01.html": b"<p>bien</p>", "annexe.html": b"<p>ok</p>"})
    [info] = plugin("List", cached=True).start()[0]["submissions"]
    assert info["has_exchange_feedback"] and not info["has_local_feedback"]
    plugin("FetchFeedback", LAB).start()
    written = labs / LAB / "feedback" / info["timestamp"] / "l01.html"
    assert written.read_bytes() == b"<p>bien</p>"
    [info] = plugin("List", cached=True).start()[0]["submissions"]
    assert info["has_local_feedback"] and not info["feedback_updated"]
    assert info["local_feedback_path"] == str(written.parent)
    assert {nb["local_feedback_path"] for nb in info["notebooks"]} == {str(written),
                                                                       str(written.parent / "annexe.html")}

    store.put_feedback("demo", "alice", LAB, submitted.id, {"l01.html": b"<p>revu</p>", "annexe.html": b"<p>ok</p>"})
    [info] = plugin("List", cached=True).start()[0]["submissions"]
    assert info["feedback_updated"]


def test_the_assignments_tab_reads_our_lists(home):
    """nbgrader's own server-extension code, fed by our plugins through the learner's nbgrader config."""
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "nbgrader_config.py").write_text("c = get_config()\n" + "".join(
        f"c.ExchangeFactory.{trait} = 'sandlab.grading.exchange.client.{name}'\n" for trait, name in PLUGINS.items()))
    manager = AssignmentList()
    manager.root_dir = str(home)
    assert manager.fetch_assignment("demo", LAB) == {"success": True}
    assert manager.submit_assignment("demo", LAB) == {"success": True}
    listed = manager.list_assignments(course_id="demo")
    assert listed["success"], listed
    fetched = next(info for info in listed["value"] if info["status"] == "fetched")
    assert fetched["path"] == f"labs/{LAB}"
    assert {nb["path"] for nb in fetched["notebooks"]} == {f"labs/{LAB}/l01.ipynb", f"labs/{LAB}/annexe.ipynb"}
    submitted = next(info for info in listed["value"] if info["status"] == "submitted")
    assert submitted["student_id"] == "alice" and len(submitted["submissions"]) == 1
    assert manager.list_courses() == {"success": True, "value": ["demo"]}


def test_submit_sends_only_the_release_notebooks_and_says_when_there_are_none(home, store):
    with pytest.raises(ExchangeError, match="récupérez-le d'abord .* fetch it first"):
        plugin("Submit", LAB).start()
    folder = home / "labs" / LAB
    folder.mkdir(parents=True)
    (folder / "scratch.ipynb").write_bytes(notebook())
    with pytest.raises(ExchangeError, match="Rien à remettre .* Nothing to submit: none of the lab's notebooks"):
        plugin("Submit", LAB).start()
    (folder / "l01.ipynb").write_bytes(notebook("only this"))
    plugin("Submit", LAB).start()
    [record] = store.submissions("demo", "alice")
    assert list(record.files) == ["l01.ipynb"]
    with pytest.raises(ExchangeError, match="Notebooks absents"):
        plugin("Submit", LAB, strict=True).start()
    (folder / "l01.ipynb").write_bytes(b"not a notebook")
    with pytest.raises(ExchangeError, match="Remise refusée : 'l01.ipynb' refused: it is not a notebook"):
        plugin("Submit", LAB).start()


def test_failures_read_as_plain_sentences(home, monkeypatch):
    with pytest.raises(ExchangeError, match="Nom de lab invalide .* Invalid lab name"):
        plugin("FetchAssignment", "../l01").start()
    with pytest.raises(ExchangeError, match="Introuvable : lab l03-elsewhere is not in your plan"):
        plugin("FetchAssignment", "l03-elsewhere").start()
    with pytest.raises(ExchangeError, match="réservée aux formateurs.* for trainers only"):
        plugin("List", inbound=True).start()
    with pytest.raises(ExchangeError, match="ne peut pas être retiré .* cannot be removed"):
        plugin("List", remove=True).start()

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tess-token")
    with pytest.raises(ExchangeError, match="Votre compte ne peut pas utiliser le service de remise"):
        plugin("List").start()
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN")
    with pytest.raises(ExchangeError, match="n'a pas de jeton JupyterHub .* has no JupyterHub token"):
        plugin("List").start()

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice-token")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SANDLAB_EXCHANGE_URL", f"http://127.0.0.1:{port}/services/exchange")
    with pytest.raises(ExchangeError, match="Le service de remise ne répond pas.* The submission service does not"):
        plugin("List").start()
    monkeypatch.delenv("SANDLAB_EXCHANGE_URL")
    with pytest.raises(ExchangeError, match="n'est pas configuré ici"):
        plugin("List").start()


def test_assignment_dir_is_configurable_and_created(home, tmp_path):
    c = config()
    c.Exchange.assignment_dir = "~/elsewhere"
    lister = ExchangeFactory(config=c).List(coursedir=CourseDirectory(config=c), config=c)
    assert lister.assignment_dir == str(home / "elsewhere") and (home / "elsewhere").is_dir()
    assert plugin("List").assignment_dir == str(home / "labs")
