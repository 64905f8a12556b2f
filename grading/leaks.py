"""Does a text carry the pack's hidden answers? Checked before any feedback goes back to a learner.

A graded notebook runs with answers/ readable (its hidden tests need it), so a submission
can read the ground truth and print it. The feedback is then withheld, fail-closed, and
the trainer is told. What counts as answers' content: values found in answers/ and nowhere
in what learners may see (the pack's public part, the lab's own text): labels, and the
precise figures of the truth tables (a probability, a merit), recognised when two figures
of the same answers row stand in the text together, for several rows (one figure alone can
match a learner's own result by chance).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.csv as pa_csv

NUMBER = re.compile(r"-?\d+\.\d{3,}")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{7,}")
ROWS_FOR_A_LEAK = 3


def _cells(folder: Path, *, headers: bool) -> list[list[str]]:
    """Every row's values as text (and, with ``headers``, each table's column names as a row)."""
    rows: list[list[str]] = []
    for path in sorted(folder.rglob("*.csv")):
        table = pa_csv.read_csv(path)
        if headers:
            rows.append(list(table.column_names))
        rows += [[str(value) for value in row.values() if value is not None] for row in table.to_pylist()]
    return rows


def _tokens(values: list[str]) -> tuple[set[str], set[str]]:
    numbers, words = set(), set()
    for value in values:
        numbers.update(NUMBER.findall(value))
        words.update(WORD.findall(value))
    return numbers, words


@dataclass
class AnswerLeaks:
    """Built once per pack; ``find`` is cheap per feedback file."""

    labels: set[str] = field(default_factory=set)
    rows: list[frozenset[str]] = field(default_factory=list)

    @classmethod
    def from_pack(cls, pack: Path, visible_texts: list[str] = ()) -> AnswerLeaks:
        return cls.from_folders(Path(pack) / "public", Path(pack) / "answers", visible_texts)

    @classmethod
    def from_folders(cls, public: Path, answers: Path, visible_texts: list[str] = ()) -> AnswerLeaks:
        """From a pack's public part, its answers and the texts learners may see anyway."""
        public_numbers, public_words = _tokens([value for row in _cells(public, headers=True) for value in row]
                                               + list(visible_texts))
        found = cls()
        for row in _cells(answers, headers=False):
            numbers, words = _tokens(row)
            found.labels |= {word for word in words if word not in public_words and not word.isdigit()}
            private = frozenset(numbers - public_numbers)
            if len(private) >= 2:
                found.rows.append(private)
        return found

    def find(self, text: str) -> list[str]:
        """What of the answers ``text`` holds, described without quoting it."""
        text = html.unescape(text)
        words = set(WORD.findall(text))
        numbers = set(NUMBER.findall(text))
        problems = []
        labels = self.labels & words
        if labels:
            problems.append(f"{len(labels)} label(s) found only in answers/")
        rows = sum(1 for row in self.rows if len(row & numbers) >= 2)
        if rows >= ROWS_FOR_A_LEAK:
            problems.append(f"figures of {rows} rows of answers/ tables")
        return problems
