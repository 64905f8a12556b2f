from __future__ import annotations

import json
import re
import stat
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from sandlab.grading.exchange import names
from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.store import (
    MAX_FILE_BYTES,
    MAX_FILES,
    ExchangeCorrupt,
    ExchangeNotFound,
    ExchangeStore,
    release_version,
)


def notebook(text: str = "print(1)") -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "source": text, "metadata": {}, "outputs": [],
                                  "execution_count": None}], "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 5}).encode()


def mode(path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def visible_tree(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".staging" not in p.parts)


@pytest.fixture
def store(tmp_path):
    return ExchangeStore(tmp_path / "exchange")


def test_release_layout_same_content_is_a_no_op_and_versions_are_kept(store):
    first = store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook("v1")})
    assert re.fullmatch(r"[0-9a-f]{12}", first.version)
    folder = store.root / "demo/releases/l01-what-ai-is/fr"
    assert (folder / first.version / "l01.ipynb").read_bytes() == notebook("v1")
    assert json.loads((folder / "current.json").read_text()) == {
        "version": first.version, "released_at": first.released_at, "notebooks": ["l01.ipynb"]}
    assert datetime.fromisoformat(first.released_at).utcoffset().total_seconds() == 0
    assert store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook("v1")}) == first

    second = store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook("v2"), "extra.ipynb": notebook()})
    assert second.version != first.version and second.notebooks == ["extra.ipynb", "l01.ipynb"]
    assert store.current_release("demo", "l01-what-ai-is", "fr") == second
    assert store.release_files("demo", "l01-what-ai-is", "fr") == {"l01.ipynb": notebook("v2"),
                                                                   "extra.ipynb": notebook()}
    assert store.release_files("demo", "l01-what-ai-is", "fr", first.version) == {"l01.ipynb": notebook("v1")}
    assert mode(folder / first.version) == 0o555 and mode(folder / first.version / "l01.ipynb") == 0o444
    assert store.current_release("demo", "l01-what-ai-is", "en") is None
    with pytest.raises(ExchangeNotFound):
        store.release_files("demo", "l01-what-ai-is", "en")
    store.put_release("demo", "l02-data-quality", "en", {"l02.ipynb": notebook()})
    assert [(r.lab, r.language) for r in store.releases("demo")] == [("l01-what-ai-is", "fr"),
                                                                      ("l02-data-quality", "en")]
    assert list((store.root / ".staging").iterdir()) == []


def test_version_depends_on_names_and_contents_not_order():
    assert release_version({"a.ipynb": b"1", "b.ipynb": b"2"}) == release_version({"b.ipynb": b"2", "a.ipynb": b"1"})
    assert release_version({"a.ipynb": b"1"}) != release_version({"b.ipynb": b"1"})
    assert release_version({"a.ipynb": b"12", "b.ipynb": b""}) != release_version({"a.ipynb": b"1", "b.ipynb": b"2"})


def test_submission_layout_manifest_and_read_only(store):
    record = store.put_submission("demo", "alice", "l01-what-ai-is", {"l01.ipynb": notebook("mine")})
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{4}", record.id)
    folder = store.root / "demo/submissions/alice/l01-what-ai-is" / record.id
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["id"] == record.id and manifest["timestamp"] == record.timestamp
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", record.timestamp)
    assert manifest["files"] == {"l01.ipynb": {"sha256": record.files["l01.ipynb"], "size": len(notebook("mine"))}}
    assert record.size == len(notebook("mine")) and not record.has_feedback
    assert mode(folder) == 0o555
    assert all(mode(path) == 0o444 for path in folder.iterdir())
    assert store.submission_files("demo", "alice", "l01-what-ai-is", record.id) == {"l01.ipynb": notebook("mine")}
    assert list((store.root / ".staging").iterdir()) == []


def test_submitting_again_keeps_both_and_the_last_counts(store):
    first = store.put_submission("demo", "alice", "l01-what-ai-is", {"l01.ipynb": notebook("draft")})
    second = store.put_submission("demo", "alice", "l01-what-ai-is", {"l01.ipynb": notebook("final")})
    store.put_submission("demo", "bruno", "l01-what-ai-is", {"l01.ipynb": notebook("his")})
    store.put_submission("demo", "alice", "l02-data-quality", {"l02.ipynb": notebook()})
    mine = store.submissions("demo", "alice", "l01-what-ai-is")
    assert [r.id for r in mine] == [first.id, second.id]
    assert store.submission_files("demo", "alice", "l01-what-ai-is", mine[-1].id) == {"l01.ipynb": notebook("final")}
    assert store.submission_files("demo", "alice", "l01-what-ai-is", first.id) == {"l01.ipynb": notebook("draft")}
    assert {r.user for r in store.submissions("demo")} == {"alice", "bruno"}
    assert len(store.submissions("demo", lab="l01-what-ai-is")) == 3
    assert store.submissions("demo", "nobody") == []
    moment = datetime(2026, 12, 1, 23, 15, 3, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert names.new_submission_id(moment).startswith("20261201T221503.123456Z-")


def test_a_failure_midway_leaves_nothing_visible(store):
    store.put_submission("demo", "alice", "l00-warm-up", {"a.ipynb": notebook()})
    before = visible_tree(store.root)
    (store.root / "demo/submissions/alice/l01-what-ai-is").write_text("in the way")  # the rename cannot happen
    with pytest.raises(OSError):
        store.put_submission("demo", "alice", "l01-what-ai-is", {"l01.ipynb": notebook(), "b.ipynb": notebook()})
    (store.root / "demo/releases").mkdir()
    (store.root / "demo/releases/l01-what-ai-is").write_text("in the way")
    with pytest.raises(OSError):
        store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook()})
    assert visible_tree(store.root) == sorted(before + ["demo/releases", "demo/releases/l01-what-ai-is",
                                                        "demo/submissions/alice/l01-what-ai-is"])
    assert list((store.root / ".staging").iterdir()) == []


def test_corruption_is_detected(store):
    record = store.put_submission("demo", "alice", "l01-what-ai-is", {"l01.ipynb": notebook("x")})
    folder = store.root / "demo/submissions/alice/l01-what-ai-is" / record.id
    folder.chmod(0o755)
    target = folder / "l01.ipynb"
    target.chmod(0o644)
    target.write_bytes(notebook("y"))  # same size, other content
    with pytest.raises(ExchangeCorrupt, match="does not match its manifest"):
        store.submission_files("demo", "alice", "l01-what-ai-is", record.id)
    target.write_bytes(notebook("x"))
    (folder / "smuggled.ipynb").write_bytes(notebook())
    with pytest.raises(ExchangeCorrupt, match="manifest lists"):
        store.submission_files("demo", "alice", "l01-what-ai-is", record.id)
    (folder / "smuggled.ipynb").unlink()
    assert store.submission_files("demo", "alice", "l01-what-ai-is", record.id) == {"l01.ipynb": notebook("x")}
    (folder / "manifest.json").chmod(0o644)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(ExchangeCorrupt, match="unreadable"):
        store.submissions("demo", "alice")
    with pytest.raises(ExchangeNotFound):
        store.submission_files("demo", "alice", "l01-what-ai-is", "20260101T000000.000000Z-0000")


def test_a_damaged_release_is_detected(store):
    record = store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook()})
    folder = store.root / "demo/releases/l01-what-ai-is/fr" / record.version
    folder.chmod(0o755)
    (folder / "l01.ipynb").chmod(0o644)
    (folder / "l01.ipynb").write_bytes(notebook("changed"))
    with pytest.raises(ExchangeCorrupt, match="no longer matches"):
        store.release_files("demo", "l01-what-ai-is", "fr")


BAD_FILE_NAMES = ["../x.ipynb", "/etc/passwd.ipynb", "a/b.ipynb", "..", ".ipynb", ".hidden.ipynb", "x.txt",
                  "x.ipynb\n", "x.ipynb/", "", "x y.ipynb", "x\\y.ipynb", "ä.ipynb", "a" * 130 + ".ipynb", 7]


@pytest.mark.parametrize("name", BAD_FILE_NAMES)
def test_every_bad_file_name_is_refused(store, name):
    with pytest.raises(ExchangeRefused, match="refused: a notebook name has letters"):
        store.put_submission("demo", "alice", "l01-what-ai-is", {name: notebook()})
    assert not (store.root / "demo").exists()


@pytest.mark.parametrize("cohort, user, lab", [
    ("../demo", "alice", "l01-x"), ("/demo", "alice", "l01-x"), ("Demo", "alice", "l01-x"), ("d", "alice", "l01-x"),
    ("demo", "../alice", "l01-x"), ("demo", "alice/..", "l01-x"), ("demo", "Alice", "l01-x"), ("demo", "bob-", "l01-x"),
    ("demo", "alice", "../l01-x"), ("demo", "alice", "l01-x/.."), ("demo", "alice", "l1-x"),
    ("demo", "alice", "/l01-x"), ("demo", "alice", "l01-x\n"), ("demo", "", "l01-x"),
])
def test_every_bad_path_name_is_refused(store, cohort, user, lab):
    with pytest.raises(ExchangeRefused, match="refused: "):
        store.put_submission(cohort, user, lab, {"a.ipynb": notebook()})
    if user:
        with pytest.raises(ExchangeRefused):
            store.submissions(cohort, user, lab)
    assert not store.root.exists() or visible_tree(store.root) == []


def test_refusal_messages_say_how_to_fix():
    with pytest.raises(ExchangeRefused) as refused:
        names.notebook_name("../x.ipynb")
    assert str(refused.value).startswith("file name '../x.ipynb' refused: a notebook name has letters, digits, '.'")
    with pytest.raises(ExchangeRefused, match="looks like 'l01-what-ai-is'"):
        names.lab_id("../../etc")
    with pytest.raises(ExchangeRefused, match="use one of fr, en"):
        names.language("de")


def test_limits_are_checked_before_anything_is_copied(store):
    with pytest.raises(ExchangeRefused, match=f"at most {MAX_FILES} notebooks"):
        store.put_submission("demo", "alice", "l01-x", {f"n{i}.ipynb": notebook() for i in range(MAX_FILES + 1)})
    with pytest.raises(ExchangeRefused, match="limit per notebook"):
        store.put_submission("demo", "alice", "l01-x", {"big.ipynb": bytes(MAX_FILE_BYTES + 1)})
    with pytest.raises(ExchangeRefused, match="in all is over the 50.0 MiB limit"):
        store.put_submission("demo", "alice", "l01-x", {f"n{i}.ipynb": bytes(19 * 2**20) for i in range(3)})
    huge = bytes(200 * 2**20)  # zero pages from calloc: costs no memory until read
    tracemalloc.start()
    try:
        with pytest.raises(ExchangeRefused, match="200.0 MiB is over"):
            store.put_submission("demo", "alice", "l01-x", {"huge.ipynb": huge})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, "the content was copied before being refused"
    assert not (store.root / "demo").exists()


@pytest.mark.parametrize("content", [b"hello", b"[1, 2]", b'{"cells": {}, "nbformat": 4}', b'{"cells": []}',
                                     b'{"cells": [], "nbformat": "4"}', b'{"cells": [], "nbformat": true}',
                                     b"\xff\xfe\x00garbage", b""])
def test_a_file_that_is_not_a_notebook_is_refused(store, content):
    with pytest.raises(ExchangeRefused, match="is not a notebook"):
        store.put_submission("demo", "alice", "l01-x", {"l01.ipynb": content})


def test_feedback_is_replaced_whole_and_kept_apart_per_submission(store):
    record = store.put_submission("demo", "alice", "l01-x", {"l01.ipynb": notebook()})
    with pytest.raises(ExchangeNotFound, match="no feedback yet"):
        store.feedback_files("demo", "alice", "l01-x", record.id)
    store.put_feedback("demo", "alice", "l01-x", record.id, {"l01.html": b"<p>first</p>", "old.html": b"x"})
    store.put_feedback("demo", "alice", "l01-x", record.id, {"l01.html": b"<p>second</p>"})
    assert store.feedback_files("demo", "alice", "l01-x", record.id) == {"l01.html": b"<p>second</p>"}
    parent = store.root / "demo/feedback/alice/l01-x"
    assert (parent / record.id).is_symlink() and len(list(parent.iterdir())) == 2  # the link and one folder
    listed = store.submissions("demo", "alice")[0]
    assert listed.has_feedback and set(listed.feedback) == {"l01.html"}
    with pytest.raises(ExchangeRefused, match="feedback name"):
        store.put_feedback("demo", "alice", "l01-x", record.id, {"../l01.html": b"x"})
    with pytest.raises(ExchangeNotFound):
        store.put_feedback("demo", "bruno", "l01-x", record.id, {"l01.html": b"x"})
    assert store.feedback_files("demo", "alice", "l01-x", record.id) == {"l01.html": b"<p>second</p>"}
    assert list((store.root / ".staging").iterdir()) == []
