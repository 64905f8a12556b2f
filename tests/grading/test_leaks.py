"""Feedback that carries the pack's hidden answers is recognised; ordinary outputs are not."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from sandlab.datasets import GenerationSpec, generate_pack, load_profile
from sandlab.grading.leaks import AnswerLeaks


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaks") / "pack"
    generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed=5, employees=40), root)
    return root


def test_a_printed_truth_table_is_a_leak(pack):
    leaks = AnswerLeaks.from_pack(pack)
    truth = (pack / "answers" / "tables" / "screening_truth.csv").read_text()
    assert leaks.find(f"<pre>{truth}</pre>")
    anomalies = (pack / "answers" / "tables" / "invoice_anomalies.csv").read_text()
    assert leaks.find(anomalies)


def test_public_data_and_a_learner_s_own_figures_are_not(pack):
    leaks = AnswerLeaks.from_pack(pack)
    employees = pq.read_table(pack / "public" / "tables" / "employees.parquet").to_pandas()
    assert leaks.find(employees.to_html()) == []
    assert leaks.find("taux de sélection : 0.4521, ratio 0.7134, AUC 0.8123") == []


def test_words_the_lab_itself_shows_are_not_leaks(pack):
    labels = AnswerLeaks.from_pack(pack).labels
    assert labels
    word = sorted(labels)[0]
    assert AnswerLeaks.from_pack(pack, visible_texts=[f"look for {word}"]).find(f"found {word}") == []
