"""Benchmark: PII detection quality, Sandlab's detector against plain Presidio, in one run.

Precision, recall and F2 per entity type, by span overlap and by IoU >= 0.9, on
(a) the gold-annotated texts of a synthetic pack (French and English) and
(b) the public English benchmark (presidio-research's synth_dataset_v2.json).
Baseline: Presidio's AnalyzerEngine with its default recognizers, same spaCy model.

    python bench/pii_eval.py --synthetic-employees 300 --public PATH/synth_dataset_v2.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

from sandlab.anonymizer.detect import Detector
from sandlab.anonymizer.offline import block_downloads, model_for
from sandlab.datasets import GenerationSpec, generate_pack, load_profile

DIRECT = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "FR_NIR", "FR_SIRET", "STREET_ADDRESS")
# Public benchmark gold type -> detector types that count as finding it.
PUBLIC_TYPES = {
    "PERSON": {"PERSON"}, "STREET_ADDRESS": {"STREET_ADDRESS", "LOCATION"}, "GPE": {"LOCATION"},
    "ORGANIZATION": {"ORGANIZATION"}, "CREDIT_CARD": {"CREDIT_CARD"}, "DATE_TIME": {"DATE_TIME"},
    "PHONE_NUMBER": {"PHONE_NUMBER"}, "EMAIL_ADDRESS": {"EMAIL_ADDRESS"}, "IBAN_CODE": {"IBAN_CODE"},
    "US_SSN": {"US_SSN"}, "IP_ADDRESS": {"IP_ADDRESS"}, "ZIP_CODE": {"STREET_ADDRESS", "LOCATION"},
    "NRP": {"NRP"}, "DOMAIN_NAME": {"URL"},
}


def plain_presidio(language: str):
    block_downloads()
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": language, "model_name": model_for(language)}]}
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=[language])

    def detect(texts):
        return [[(r.start, r.end, r.entity_type) for r in analyzer.analyze(t, language, score_threshold=0.4)]
                for t in texts]
    return detect


def sandlab_detector(language: str, processes: int):
    detector = Detector(language, n_process=processes)

    def detect(texts):
        return [[(d.start, d.end, d.entity_type) for d in found] for found in detector.detect_many(texts)]
    return detect


def iou(a, b) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, inter) / (max(a[1], b[1]) - min(a[0], b[0]))


def score(golds: list[list[tuple]], preds: list[list[tuple]], compatible: dict[str, set[str]]) -> dict:
    """Per gold type: precision, recall, F2, by overlap and by IoU >= 0.9."""
    counts = defaultdict(lambda: defaultdict(int))
    for gold, pred in zip(golds, preds, strict=True):
        for g in gold:
            accepted = compatible.get(g[2], {g[2]})
            overlapping = [p for p in pred if p[2] in accepted and iou(p, g) > 0]
            counts[g[2]]["gold"] += 1
            counts[g[2]]["tp_overlap"] += bool(overlapping)
            counts[g[2]]["tp_iou"] += any(iou(p, g) >= 0.9 for p in overlapping)
        for p in pred:
            matching = [g for g in gold if p[2] in compatible.get(g[2], {g[2]}) and iou(p, g) > 0]
            if matching:  # credit the gold type it found
                target = max(matching, key=lambda g: iou(p, g))[2]
            else:
                target = next((t for t, accepted in compatible.items() if p[2] in accepted), p[2])
            counts[target]["pred"] += 1
            counts[target]["pp_overlap"] += bool(matching)
            counts[target]["pp_iou"] += any(iou(p, g) >= 0.9 for g in matching)
    return {t: metrics(c) for t, c in sorted(counts.items()) if c["gold"]}


def metrics(c) -> dict:
    out = {"gold": c["gold"], "predicted": c["pred"]}
    for mode in ("overlap", "iou"):
        recall = c[f"tp_{mode}"] / c["gold"] if c["gold"] else 0.0
        precision = c[f"pp_{mode}"] / c["pred"] if c["pred"] else 0.0
        f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0
        out[mode] = {"precision": round(precision, 3), "recall": round(recall, 3), "f2": round(f2, 3)}
    return out


def pooled(per_type: dict, types) -> dict:
    c = defaultdict(int)
    for t in types:
        if t in per_type:
            m = per_type[t]
            c["gold"] += m["gold"]
            c["pred"] += m["predicted"]
            for mode in ("overlap", "iou"):
                c[f"tp_{mode}"] += round(m[mode]["recall"] * m["gold"])
                c[f"pp_{mode}"] += round(m[mode]["precision"] * m["predicted"])
    return metrics(c)


def synthetic_corpus(profile: str, employees: int, seed: int) -> tuple[list[str], list[list[tuple]], str]:
    with tempfile.TemporaryDirectory() as tmp:
        spec = GenerationSpec(load_profile(profile), load_profile(profile).locale, seed, employees)
        generate_pack(spec, Path(tmp) / "pack")
        root = Path(tmp) / "pack"
        texts = {}
        for path in (root / "public" / "texts").glob("*.jsonl"):
            for line in path.read_text().splitlines():
                record = json.loads(line)
                texts[record["id"]] = record["text"]
        gold = {}
        for line in (root / "answers" / "pii_spans.jsonl").read_text().splitlines():
            record = json.loads(line)
            gold[record["id"]] = [(s["start"], s["end"], s["entity_type"]) for s in record["spans"]]
    ids = sorted(texts)
    return [texts[i] for i in ids], [gold[i] for i in ids], spec.locale[:2]


def public_corpus(path: Path) -> tuple[list[str], list[list[tuple]]]:
    records = json.loads(path.read_text())
    return ([r["full_text"] for r in records],
            [[(s["start_position"], s["end_position"], s["entity_type"]) for s in r["spans"]] for r in records])


def evaluate(name: str, texts, gold, language: str, compatible: dict, targeted, processes: int) -> dict:
    result = {"texts": len(texts)}
    for system, make in (("plain_presidio", lambda: plain_presidio(language)),
                         ("sandlab", lambda: sandlab_detector(language, processes))):
        detect = make()
        start = time.perf_counter()
        preds = detect(texts)
        seconds = time.perf_counter() - start
        per_type = score(gold, preds, compatible)
        result[system] = {"texts_per_s": round(len(texts) / seconds, 1), "pooled": pooled(per_type, targeted),
                          "per_type": per_type}
    print(f"\n== {name} ({len(texts)} texts)")
    for system in ("plain_presidio", "sandlab"):
        p = result[system]["pooled"]
        print(f"{system:>15}: overlap P {p['overlap']['precision']:.3f} R {p['overlap']['recall']:.3f} "
              f"F2 {p['overlap']['f2']:.3f} | IoU>=0.9 P {p['iou']['precision']:.3f} R {p['iou']['recall']:.3f} "
              f"F2 {p['iou']['f2']:.3f} | {result[system]['texts_per_s']} texts/s")
    for t, m in result["sandlab"]["per_type"].items():
        base = result["plain_presidio"]["per_type"].get(t, {}).get("overlap", {})
        print(f"   {t:<16} n={m['gold']:<5} sandlab P {m['overlap']['precision']:.3f} R {m['overlap']['recall']:.3f}"
              f"   plain R {base.get('recall', 0):.3f}")
    base = result["plain_presidio"]["pooled"]["overlap"]["recall"]
    ours = result["sandlab"]["pooled"]["overlap"]["recall"]
    print(f"   recall ratio sandlab / plain Presidio: {ours / base if base else float('inf'):.2f}x")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--public", type=Path, help="Path to synth_dataset_v2.json (public English benchmark).")
    parser.add_argument("--synthetic-employees", type=int, default=300, help="Size of the synthetic packs (0: skip).")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--json", type=Path, help="Also write the full results here.")
    args = parser.parse_args()
    results = {}
    if args.synthetic_employees:
        for profile in ("fr-mid-size", "us-outdoor"):
            texts, gold, language = synthetic_corpus(profile, args.synthetic_employees, seed=99)
            types = sorted({g[2] for doc in gold for g in doc})
            results[profile] = evaluate(f"synthetic pack {profile}", texts, gold, language, {}, types, args.processes)
            direct = [t for t in types if t in DIRECT or t in ("US_SSN", "US_BANK_NUMBER")]
            pooled_direct = pooled(results[profile]["sandlab"]["per_type"], direct)
            results[profile]["sandlab"]["direct_identifiers"] = pooled_direct
            print(f"   direct identifiers ({', '.join(direct)}): P {pooled_direct['overlap']['precision']:.3f} "
                  f"R {pooled_direct['overlap']['recall']:.3f}")
    if args.public:
        texts, gold = public_corpus(args.public)
        results["public_en"] = evaluate("public English benchmark", texts, gold, "en", PUBLIC_TYPES,
                                        sorted(PUBLIC_TYPES), args.processes)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
