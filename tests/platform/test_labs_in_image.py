"""Labs validated where learners run them: in the lab image, as uid 1000, with no network."""

from __future__ import annotations

import http.server
import threading

import nbformat
import pytest

from sandlab.labs.in_image import validate_in_image
from sandlab.labs.paths import lab_ids, source_notebook
from sandlab.labs.reference import generate_reference_pack
from sandlab.labs.scaffold import new_lab
from sandlab.labs.validate import validate_lab


@pytest.fixture(scope="module")
def lab_pack(tmp_path_factory):
    return generate_reference_pack(tmp_path_factory.mktemp("in-image") / "pack")


def test_every_catalogue_lab_validates_inside_the_lab_image_in_both_languages(engine, images, lab_pack):
    """As learners run them: the lab image, uid 1000, no capability, no network (about 7 minutes)."""
    results = validate_in_image(engine, lab_ids(), lab_pack)
    assert [result.lab_id for result in results] == lab_ids()
    for result in results:
        assert result.passed, result.as_dict()
        assert [lang.language for lang in result.languages] == ["fr", "en"]
        assert all(task.solution == task.max_score for lang in result.languages for task in lang.tasks
                   if not task.manual)
        for language in result.languages:
            assert language.solution_seconds < 300
            assert any(task.manual for task in language.tasks)  # a judgement the trainer grades


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"0")

    def log_message(self, *args):
        pass


def test_a_solution_that_needs_the_network_fails_inside_the_image(engine, images, lab_pack, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    new_lab("l90-online", "technical", 4, tmp_path)
    for language in ("fr", "en"):  # the solution fetches a number from a service: fine here, not offline
        path = source_notebook("l90-online", language, tmp_path)
        notebook = nbformat.read(path, as_version=4)
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer")
        cell.source = ("import urllib.request\nheadcount = None\n### BEGIN SOLUTION\n"
                       f"offset = int(urllib.request.urlopen('http://127.0.0.1:{server.server_address[1]}/', "
                       "timeout=5).read())\nheadcount = len(employees) + offset\n### END SOLUTION")
        nbformat.write(notebook, path)
    try:
        assert validate_lab("l90-online", lab_pack, tmp_path).passed  # on a machine with a network
        [inside] = validate_in_image(engine, ["l90-online"], lab_pack, tmp_path)
    finally:
        server.shutdown()
    assert not inside.passed
    assert any("the solution scores 0" in problem for lang in inside.languages for problem in lang.problems)
