"""The anonymization report: what was done to each column, what verification found.

It holds counts, actions, locations and risk figures, never a value: it is read by
trainers and auditors who must not see the source data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from sandlab.anonymizer.policy import Policy
from sandlab.anonymizer.verify import Finding, GroupStats, as_dicts
from sandlab.pack import write_json

LINKABLE_ACTIONS = ("pseudonymize", "hash", "scan")


def classify(policy: Policy, passed: bool) -> dict:
    actions = {c.action for t in policy.tables.values() for c in t.columns.values()}
    linkable = sorted(actions & set(LINKABLE_ACTIONS)) + (["scan"] if policy.documents else [])
    if not passed:
        status, text = "rejected", "Verification failed: nothing was published."
    elif linkable:
        status = "pseudonymised"
        text = ("Pseudonymised, not anonymised: consistent surrogates or keyed hashes "
                f"({', '.join(sorted(set(linkable)))}) keep records linkable for whoever holds the key. Under the "
                "GDPR this is still personal data (CNIL; EDPB guidelines 01/2025): restrict access accordingly.")
    else:
        status = "anonymisation checks passed"
        text = ("Only removal, generalisation and masking were applied, no source value remains and "
                f"k-anonymity reaches {policy.k}: the result passes Sandlab's anonymisation checks. Residual "
                "risk from attributes not declared as quasi-identifiers is not measured.")
    return {"status": status, "explanation": text}


def build_report(policy: Policy, rows: Counter, text_counts: dict[str, Counter], stats: dict[str, GroupStats],
                 findings: list[Finding], attachments: int, reference_date: dt.date, personal_values: int) -> dict:
    risk = {table: group.summary(policy.k) for table, group in stats.items()}
    below_k = [t for t, r in risk.items() if r["k_achieved"] is not None and r["k_achieved"] < policy.k]
    all_findings = findings + [Finding("k_anonymity", t, detail=f"{risk[t]['rows_in_groups_below_k']} rows in "
                                       f"{risk[t]['groups_below_k']} groups smaller than k={policy.k} on "
                                       f"{', '.join(risk[t]['quasi_identifiers'])}; generalise these columns further")
                               for t in below_k]
    passed = not all_findings
    checks = Counter(f.check for f in all_findings)
    return {
        "generator": {"name": "sandlab", "version": version("sandlab"), "presidio": version("presidio-analyzer")},
        "language": policy.language,
        "reference_date": reference_date.isoformat(),
        "classification": classify(policy, passed),
        "tables": {
            key: {"rows": rows.get(key, 0),
                  "columns": {name: {"action": c.action, **({"entity": c.entity} if c.entity else {}),
                                     **({"to": c.to} if c.to else {}), **({"reason": c.reason} if c.reason else {})}
                              for name, c in table.columns.items()},
                  "quasi_identifiers": table.quasi_identifiers, "sensitive": table.sensitive,
                  "replaced_in_text": dict(sorted(text_counts.get(key, Counter()).items()))}
            for key, table in policy.tables.items()
        },
        "documents": {key: {"replaced_in_text": dict(sorted(text_counts.get(key, Counter()).items()))}
                      for key in policy.documents},
        "attachments_removed": attachments,
        "personal_values_in_source": personal_values,
        "risk": risk,
        "verification": {
            "passed": passed,
            "leaks": checks["leak"], "rescan": checks["rescan"], "k_anonymity": checks["k_anonymity"],
            "findings": as_dicts(all_findings[:500]),
            "findings_not_listed": max(0, len(all_findings) - 500),
        },
    }


def markdown(report: dict) -> str:
    verification = report["verification"]
    lines = ["# Anonymization report", "",
             f"**Status: {report['classification']['status']}.** {report['classification']['explanation']}", "",
             f"- Language: {report['language']}; reference date for ages: {report['reference_date']}",
             f"- Personal values found in the source: {report['personal_values_in_source']}",
             f"- Verification: {'passed' if verification['passed'] else 'FAILED'} — leaks {verification['leaks']}, "
             f"unknown identifiers in texts {verification['rescan']}, k-anonymity failures "
             f"{verification['k_anonymity']}", ""]
    if verification["findings"]:
        lines += ["## Findings to fix", "", "| check | file | row | column | entity | detail |",
                  "|---|---|---|---|---|---|"]
        for f in verification["findings"]:
            lines.append(f"| {f['check']} | {f['file']} | {f.get('row', '')} | {f.get('column', '')} | "
                         f"{f.get('entity_type', '')} | {f['detail']} |")
        lines.append("")
    lines += ["## Tables", ""]
    for key, table in report["tables"].items():
        lines += [f"### {key} ({table['rows']} rows)", "", "| column | action | detail |", "|---|---|---|"]
        for name, column in table["columns"].items():
            detail = ", ".join(f"{k}: {v}" for k, v in column.items() if k != "action")
            lines.append(f"| `{name}` | {column['action']} | {detail} |")
        if table["replaced_in_text"]:
            lines.append("")
            replaced = table["replaced_in_text"].items()
            lines.append("Replaced in free text: " + ", ".join(f"{k} {v}" for k, v in replaced))
        risk = report["risk"].get(key)
        if risk:
            lines += ["", f"k-anonymity on {', '.join(risk['quasi_identifiers'])}: k = {risk['k_achieved']} "
                      f"(required {risk['k_required']}), {risk['groups']} groups; l-diversity: "
                      + (", ".join(f"{c} {v}" for c, v in risk["l_diversity"].items()) or "none declared")]
        lines.append("")
    if report["documents"]:
        lines += ["## Documents", ""] + [f"- {k}: " + (", ".join(f"{e} {n}" for e, n in d["replaced_in_text"].items())
                                                        or "nothing replaced") for k, d in report["documents"].items()]
        lines.append(f"- Attachments removed: {report['attachments_removed']}")
    return "\n".join(lines) + "\n"


def write_report(folder: Path, report: dict, stem: str = "anonymization-report") -> list[Path]:
    """The report as JSON and Markdown; returns both paths, Markdown first."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / f"{stem}.json", report)
    (folder / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    return [folder / f"{stem}.md", folder / f"{stem}.json"]
