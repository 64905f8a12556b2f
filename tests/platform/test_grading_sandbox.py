"""Autograde's sandbox, attacked: every way a submission might cheat or escape is tried and
must fail safely, score as if it had not helped, and be reported to the trainer."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import nbformat
import pytest

from sandlab.datasets import GenerationSpec, generate_pack, load_profile
from sandlab.grading.check import check_notebook
from sandlab.images.names import LAB_IMAGE
from sandlab.sandbox import Hardening
from tests.grading.lab import HIDDEN_MARK, RIGHT, make_lab, submission

SMALL = Hardening(memory_bytes=512 * 2**20, cpus=1.0, pids=128)


@pytest.fixture(scope="module")
def grading(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    pack = root / "pack"
    generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed=5, employees=40), pack)
    make_lab(root / "catalogue")
    return root


def grade(engine, grading, tmp_path, answers: dict[str, str], **options):
    notebook = submission(grading / "catalogue", tmp_path, {**RIGHT, **answers})
    return check_notebook(engine, LAB_IMAGE, "l91-grading", notebook, grading / "pack", SMALL,
                          root=grading / "catalogue", **{"cell_timeout": 20, "deadline": 120, **options})


def scores(graded) -> dict[str, float]:
    return {task.task: task.score for task in graded.tasks}


def printed(graded) -> dict:
    """The JSON line the attack printed, read back from the graded notebook."""
    lines = [line for text in graded.executed.values() for cell in nbformat.reads(text, as_version=4).cells
             for output in cell.get("outputs", []) if output.get("output_type") == "stream"
             for line in output.get("text", "").splitlines() if line.startswith("ATTACK ")]
    assert lines, f"the attack printed nothing: {graded.findings}"
    return json.loads(lines[-1][len("ATTACK "):])


def test_right_answers_score_full_marks_and_feedback_is_written(engine, images, grading, tmp_path):
    graded = grade(engine, grading, tmp_path, {})
    assert scores(graded) == {"test_answer": 2, "test_answer2": 1}, graded.findings
    assert graded.trusted and not graded.findings
    assert graded.feedback and "test_answer" in next(iter(graded.feedback.values()))


def test_a_wrong_answer_fails_its_hidden_test_only(engine, images, grading, tmp_path):
    graded = grade(engine, grading, tmp_path, {"answer": "headcount = len(employees) + 1"})
    assert scores(graded) == {"test_answer": 0, "test_answer2": 1}


@pytest.mark.parametrize("hide", [
    "get_ipython().showtraceback = lambda *a, **k: None",
    "import sys\nsys.excepthook = lambda *a: None\nget_ipython().showtraceback = lambda *a, **k: None",
])
def test_hiding_tracebacks_does_not_hide_a_failure(engine, images, grading, tmp_path, hide):
    graded = grade(engine, grading, tmp_path, {"answer": f"{hide}\nheadcount = 0"})
    assert scores(graded)["test_answer"] == 0


def test_a_kernel_patched_to_swallow_errors_is_caught_by_the_canaries(engine, images, grading, tmp_path):
    swallow = ("shell = get_ipython()\nrun = shell.run_cell\n"
               "def quiet(raw_cell, *args, **kwargs):\n"
               "    result = run('try:\\n' + ''.join('    ' + line + '\\n' for line in raw_cell.splitlines()) + "
               "'except BaseException:\\n    pass\\n', *args, **kwargs)\n"
               "    return result\n"
               "shell.run_cell = quiet\nheadcount = 0")
    graded = grade(engine, grading, tmp_path, {"answer": swallow})
    assert scores(graded)["test_answer"] == 0
    assert any("failures were hidden" in finding for finding in graded.findings), graded.findings


def test_an_edited_test_cell_runs_as_the_trainer_wrote_it(engine, images, grading, tmp_path):
    notebook = submission(grading / "catalogue", tmp_path, {**RIGHT, "answer": "headcount = 1",
                                                             "test_answer": "pass"})
    graded = check_notebook(engine, LAB_IMAGE, "l91-grading", notebook, grading / "pack", SMALL,
                            root=grading / "catalogue", cell_timeout=20, deadline=120)
    assert scores(graded)["test_answer"] == 0
    assert any("test_answer was edited" in finding for finding in graded.findings)


@pytest.mark.parametrize("loop", ["while True:\n    pass", "import time\ntime.sleep(3600)",
                                  "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"])
def test_a_notebook_that_never_ends_is_stopped_and_the_rest_graded(engine, images, grading, tmp_path, loop):
    graded = grade(engine, grading, tmp_path, {"answer": f"{loop}\nheadcount = len(employees)"},
                   cell_timeout=5, deadline=40)
    assert scores(graded)["test_answer"] == 0
    assert any("limit" in finding for finding in graded.findings), graded.findings


def test_a_fork_bomb_is_contained(engine, images, grading, tmp_path):
    bomb = ("import os\nfor _ in range(10000):\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
            "headcount = 0")
    owner = f"check-{uuid.uuid4().hex[:8]}"  # this check's sandbox, not another test's or run's
    graded = grade(engine, grading, tmp_path, {"answer": bomb}, cell_timeout=10, deadline=60, owner=owner)
    assert scores(graded).get("test_answer", 0) == 0
    deadline = time.monotonic() + 60  # thousands of processes take a moment to be reaped
    mine = {"label": f"sandlab.grading.owner={owner}"}
    while engine.containers.list(all=True, filters=mine) and time.monotonic() < deadline:
        time.sleep(1)
    assert not engine.containers.list(all=True, filters=mine)


def test_a_memory_hog_is_contained(engine, images, grading, tmp_path):
    hog = "chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 2**20))\n    chunks[-1][::4096] = b'x' * (2**14)"
    graded = grade(engine, grading, tmp_path, {"answer": hog}, cell_timeout=30, deadline=60)
    assert scores(graded).get("test_answer", 0) == 0
    assert graded.findings


def test_no_network_not_even_the_host(engine, images, grading, tmp_path):
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen()
    port = listener.getsockname()[1]
    reached = []
    threading.Thread(target=lambda: reached.append(listener.accept()), daemon=True).start()
    probe = ("import json, socket\nfound = {}\n"
             f"for host in ['127.0.0.1', '172.17.0.1', 'sandlab-hub', 'localhost']:\n"
             "    try:\n"
             f"        socket.create_connection((host, {port}), timeout=3).close()\n"
             "        found[host] = 'connected'\n"
             "    except OSError as error:\n"
             "        found[host] = type(error).__name__\n"
             "print('ATTACK ' + json.dumps(found))\nheadcount = len(employees)")
    try:
        graded = grade(engine, grading, tmp_path, {"answer": probe})
    finally:
        listener.close()
    assert "connected" not in printed(graded).values()
    assert not reached


def test_answers_and_everything_outside_scratch_are_read_only(engine, images, grading, tmp_path):
    attempt = ("import json, os\nfound = {}\n"
               "for path in [os.environ['SANDLAB_ANSWERS'] + '/x', os.environ['SANDLAB_ANSWERS'] + "
               "'/tables/screening_truth.parquet', os.environ['SANDLAB_DATA'] + '/x', '/opt/sandlab/x', '/etc/x', "
               "'/usr/local/x', '/tmp/x', os.path.expanduser('~/x')]:\n"
               "    try:\n        open(path, 'ab').close()\n        found[path] = 'written'\n"
               "    except OSError as error:\n        found[path] = type(error).__name__\n"
               "print('ATTACK ' + json.dumps(found))\nheadcount = len(employees)")
    graded = grade(engine, grading, tmp_path, {"answer": attempt})
    found = printed(graded)
    scratch = {"/tmp/x", "/home/learner/x"}
    assert all(state == "written" for path, state in found.items() if path in scratch), found
    assert all(state != "written" for path, state in found.items() if path not in scratch), found
    assert scores(graded) == {"test_answer": 2, "test_answer2": 1}


def test_hidden_tests_are_nowhere_on_the_sandbox_disk(engine, images, grading, tmp_path):
    search = ("import json, os\nhits = []\n"
              "for top in ['/tmp', '/home', '/srv', '/etc', '/run', '/var/tmp']:\n"
              "    for folder, _, files in os.walk(top):\n"
              "        for name in files:\n"
              "            try:\n"
              "                with open(os.path.join(folder, name), 'rb') as handle:\n"
              f"                    if b'{HIDDEN_MARK[:7]}' + b'{HIDDEN_MARK[7:]}' in handle.read(2**22):\n"
              "                        hits.append(os.path.join(folder, name))\n"
              "            except OSError:\n                pass\n"
              "import glob\nparent = []\n"
              "for pid in [os.getppid()]:\n"
              "    for what in ['environ', 'cmdline', 'mem']:\n"
              "        try:\n            open(f'/proc/{pid}/{what}', 'rb').read(64)\n            parent.append(what)\n"
              "        except OSError:\n            pass\n"
              "print('ATTACK ' + json.dumps({'hits': hits, 'parent': parent}))\nheadcount = len(employees)")
    graded = grade(engine, grading, tmp_path, {"answer": search})
    found = printed(graded)
    assert found["hits"] == [], found
    assert "environ" not in found["parent"] and "mem" not in found["parent"], found


def test_a_forged_result_or_a_killed_grader_earns_nothing(engine, images, grading, tmp_path):
    forge = ("import os, signal, sys\n"
             "os.write(1, b'\\nSANDLAB-RESULT H4sIAAAAAAAAA6tWKkotLs0pUbKqVkpLzMlRslJKL0pNzStRqq0FAJ/Khm8fAAAA'\n"
             "         b' 00\\n')\n"
             "os.kill(os.getppid(), signal.SIGKILL)\nheadcount = len(employees)")
    graded = grade(engine, grading, tmp_path, {"answer": forge})
    assert not graded.trusted
    assert all(score == 0 for score in scores(graded).values())
    assert any("no trustworthy result" in finding for finding in graded.findings)


def test_answers_printed_into_the_outputs_never_reach_the_feedback(engine, images, grading, tmp_path):
    leak = ("import os, pandas as pd\n"
            "print(pd.read_csv(os.environ['SANDLAB_ANSWERS'] + '/tables/screening_truth.csv').to_string())\n"
            "headcount = len(employees)")
    graded = grade(engine, grading, tmp_path, {"answer": leak})
    assert graded.feedback == {}
    assert any(finding.startswith("answers-leak") for finding in graded.findings), graded.findings
    assert scores(graded)["test_answer"] == 2  # graded all the same; the trainer reviews it
