"""Benchmark: the anonymization pipeline against a naive per-cell Presidio loop, in one run.

Input: a company export made from a synthetic pack (a customers CSV with eight
personal columns, and the support tickets as JSONL), so every personal value is
known. Baseline: for every personal cell and every ticket, ``AnalyzerEngine.analyze``
then ``AnonymizerEngine.anonymize``, Presidio set up as documented (whole spaCy
pipeline) with Sandlab's recognizers. Recall, for both: the share of known personal
values no longer present in their output row. Models load before either clock starts.

    python bench/anonymize.py --employees 300 --processes 2
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from sandlab.anonymizer.detect import NER_MAPPING
from sandlab.anonymizer.detect import detector as cached_detector
from sandlab.anonymizer.offline import block_downloads, model_for
from sandlab.anonymizer.pipeline import VerificationFailed, run
from sandlab.anonymizer.policy import Policy
from sandlab.anonymizer.registry import build_registry
from sandlab.datasets import GenerationSpec, generate_pack, load_profile

PERSONAL = {"first_name": "FIRST_NAME", "last_name": "LAST_NAME", "email": "EMAIL_ADDRESS",
            "phone": "PHONE_NUMBER", "street": "STREET_ADDRESS", "bank_account": "IBAN_CODE",
            "company_number": "FR_SIREN", "establishment_number": "FR_SIRET"}
KEPT = ("customer_id", "postal_code", "city", "segment")


def make_export(folder: Path, employees: int, seed: int) -> tuple[list[dict], list[dict], list[list[str]]]:
    pack = folder / "pack"
    generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed, employees), pack)
    tables = pack / "public" / "tables"
    customers = [{k: ("" if r[k] is None else str(r[k])) for k in (*KEPT, *PERSONAL)}
                 for r in pq.read_table(tables / "customers.parquet").to_pylist()]
    texts = {r["text_id"]: r["text"] for r in pq.read_table(tables / "texts.parquet").to_pylist()}
    tickets = [{"id": t["ticket_id"], "customer_id": t["customer_id"], "text": texts[t["text_id"]]}
               for t in pq.read_table(tables / "tickets.parquet").to_pylist()]
    gold = {}
    for line in (pack / "answers" / "pii_spans.jsonl").read_text().splitlines():
        record = json.loads(line)
        gold[record["id"]] = record["spans"]
    ticket_gold = []
    for t in pq.read_table(tables / "tickets.parquet").to_pylist():
        text = texts[t["text_id"]]
        ticket_gold.append([text[s["start"]:s["end"]] for s in gold[t["text_id"]]])
    export = folder / "export"
    export.mkdir()
    with open(export / "customers.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(customers[0]))
        writer.writeheader()
        writer.writerows(customers)
    with open(export / "tickets.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in tickets)
    return customers, tickets, ticket_gold


def recall(customers_out, tickets_out, customers, ticket_gold) -> float:
    found = total = 0
    for before, after in zip(customers, customers_out, strict=True):
        for column in PERSONAL:
            if before[column]:
                total += 1
                found += before[column] not in after[column]
    for values, after in zip(ticket_gold, tickets_out, strict=True):
        total += len(values)
        found += sum(v not in after["text"] for v in values)
    return found / total


def naive(customers, tickets) -> tuple[list[dict], list[dict], float]:
    """Presidio as its documentation shows it (the model loaded whole), with Sandlab's recognizers
    so that recall compares like with like, called once per cell."""
    block_downloads()
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "fr", "model_name": model_for("fr")}],
              "ner_model_configuration": {"model_to_presidio_entity_mapping": NER_MAPPING}}
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    analyzer = AnalyzerEngine(registry=build_registry("fr"), nlp_engine=engine, supported_languages=["fr"])
    anonymizer = AnonymizerEngine()
    replace = {"DEFAULT": OperatorConfig("replace")}

    def clean(text: str) -> str:
        if not text:
            return text
        results = analyzer.analyze(text=text, language="fr")
        return anonymizer.anonymize(text=text, analyzer_results=results, operators=replace).text

    start = time.perf_counter()
    customers_out = [{k: (clean(v) if k in PERSONAL else v) for k, v in row.items()} for row in customers]
    tickets_out = [{**t, "text": clean(t["text"])} for t in tickets]
    return customers_out, tickets_out, time.perf_counter() - start


def sandlab(folder: Path, processes: int) -> tuple[list[dict], list[dict], float]:
    columns = {c: "keep" for c in KEPT} | {c: {"action": "pseudonymize", "entity": e} for c, e in PERSONAL.items()}
    policy = Policy.model_validate({"language": "fr", "tables": {
        "customers.csv": {"columns": columns},
        "tickets.jsonl": {"columns": {"id": "keep", "customer_id": "keep", "text": "scan"}}}})
    cached_detector("fr", processes)  # models load before the clock starts, as for the baseline
    start = time.perf_counter()
    try:
        run(folder / "export", policy, folder / "out", b"benchmark-key-0123456789abcdef", n_process=processes,
            reference_date=dt.date(2025, 12, 31))
    except VerificationFailed as failure:
        print((folder / "out.rejected-report.md").read_text()[:3000])
        raise SystemExit(f"sandlab refused to publish: {failure}") from None
    seconds = time.perf_counter() - start
    with open(folder / "out" / "public" / "customers.csv", encoding="utf-8", newline="") as handle:
        customers_out = list(csv.DictReader(handle))
    tickets_out = [json.loads(line) for line in (folder / "out" / "public" / "tickets.jsonl").read_text().splitlines()]
    return customers_out, tickets_out, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=300)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        customers, tickets, ticket_gold = make_export(folder, args.employees, args.seed)
        cells = len(customers) * len(PERSONAL) + len(tickets)
        base_c, base_t, base_s = naive(customers, tickets)
        ours_c, ours_t, ours_s = sandlab(folder, args.processes)
    base_r, ours_r = recall(base_c, base_t, customers, ticket_gold), recall(ours_c, ours_t, customers, ticket_gold)
    print(f"input: {len(customers)} customers x {len(PERSONAL)} personal columns + {len(tickets)} tickets "
          f"= {cells} values to anonymize")
    print(f"naive per-cell Presidio loop: {base_s:.1f} s, {cells / base_s:.0f} values/s, recall {base_r:.3f}")
    print(f"sandlab pipeline ({args.processes} process{'es' if args.processes > 1 else ''}, verification "
          f"included): {ours_s:.1f} s, {cells / ours_s:.0f} values/s, recall {ours_r:.3f}")
    print(f"throughput ratio: {base_s / ours_s:.1f}x")
    print(json.dumps({"values": cells, "naive_s": round(base_s, 2), "sandlab_s": round(ours_s, 2),
                      "ratio": round(base_s / ours_s, 2), "naive_recall": round(base_r, 4),
                      "sandlab_recall": round(ours_r, 4), "processes": args.processes}))


if __name__ == "__main__":
    main()
