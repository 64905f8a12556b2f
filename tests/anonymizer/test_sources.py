"""Bad inputs are refused with file, line and column, and never quote a cell."""

from __future__ import annotations

import pytest

from sandlab.anonymizer.sources import InputError, discover


def write(folder, name, data: bytes):
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    return folder


def read_all(folder):
    tables, _ = discover(folder)
    for table in tables:
        list(table.chunks())


def test_common_encodings_and_delimiters_are_read(tmp_path):
    folder = write(tmp_path / "in", "a.csv", "nom;ville\nLefèvre;Orléans\n".encode("cp1252"))
    write(folder, "b.csv", "nom,ville\nLefèvre,Orléans\n".encode("utf-8-sig"))
    write(folder, "c.tsv", "nom\tville\nLefèvre\tOrléans\n".encode())
    tables, _ = discover(folder)
    for table in tables:
        assert table.columns == ("nom", "ville")
        assert list(table.chunks()) == [(1, {"nom": ["Lefèvre"], "ville": ["Orléans"]})]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bad.csv", b"nom\nok\n\x81\x8d\x8f\x90\n", r"bad.csv:3: bytes that are neither UTF-8 nor Windows-1252"),
    ("ragged.csv", b"a,b\n1,2\n1,2,3\n", r"ragged.csv:3: 3 fields where the header has 2"),
    ("empty.csv", b"", r"empty.csv: empty file"),
    ("blob.csv", b"a,b\n\x00\x01\x02", r"blob.csv: binary content"),
    ("data.xlsx", b"PK\x03\x04", r"unsupported file type '.xlsx'"),
    ("t.jsonl", b'{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', r"t.jsonl:2: not valid JSON"),
    ("u.jsonl", b'{"id": 1}\n{"id": 2, "secret": "x"}\n', r"u.jsonl:2: fields secret not in the first record"),
    ("h.csv", b"a,,a\n1,2,3\n", r"h.csv:1: header has empty or repeated column names"),
])
def test_bad_inputs(tmp_path, name, data, message):
    with pytest.raises(InputError, match=message):
        read_all(write(tmp_path / "in", name, data))


def test_a_ten_megabyte_cell_is_refused_by_line_and_column(tmp_path):
    folder = write(tmp_path / "in", "notes.csv", b"id,note\n1,short\n2," + b"x" * 10_000_000 + b"\n")
    with pytest.raises(InputError, match=r"notes.csv:3: column 'note': a cell of 10,000,000 characters") as error:
        read_all(folder)
    assert "xxxx" not in str(error.value)
