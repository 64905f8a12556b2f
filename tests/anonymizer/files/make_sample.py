"""Make the sample company export shipped with the tests (run once; output committed).

    python tests/anonymizer/files/make_sample.py tests/anonymizer/files/sample

A small French company export as a real one looks: a semicolon CSV in Windows-1252,
a JSONL of tickets, an SQLite CRM with a foreign key, a text note and an e-mail.
Every person in it is synthetic (made by `sandlab data generate`).
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pyarrow.parquet as pq

from sandlab.datasets import GenerationSpec, generate_pack, load_profile


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "pack"
        generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed=2026, employees=60), pack)
        tables = pack / "public" / "tables"
        employees = pq.read_table(tables / "employees.parquet").to_pylist()[:60]
        customers = pq.read_table(tables / "customers.parquet").to_pylist()[:40]
        texts = {r["text_id"]: r["text"] for r in pq.read_table(tables / "texts.parquet").to_pylist()}
        tickets = [t for t in pq.read_table(tables / "tickets.parquet").to_pylist() if t["customer_id"] <= 40][:30]
        emails = pq.read_table(tables / "emails.parquet").to_pylist()[:3]

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "salaries.csv", "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["matricule", "prenom", "nom", "sexe", "date_naissance", "nir", "email", "telephone",
                         "adresse", "code_postal", "ville", "salaire", "commentaire_rh"])
        for e in employees:
            comment = (f"Entretien annuel OK. Joindre {e['first_name']} au {e['phone']}."
                       if e["employee_id"] % 3 == 0 else "")
            writer.writerow([e["employee_id"], e["first_name"], e["last_name"], e["gender"], e["birth_date"],
                             e["national_id"], e["email"], e["phone"], e["street"], e["postal_code"], e["city"],
                             int(e["salary"]), comment])
    with open(out / "tickets.jsonl", "w", encoding="utf-8") as handle:
        for t in tickets:
            handle.write(json.dumps({"id": t["ticket_id"], "client": t["customer_id"], "ouvert_le":
                                     str(t["opened_on"]), "message": texts[t["text_id"]]}, ensure_ascii=False) + "\n")
    db = sqlite3.connect(out / "crm.sqlite")
    db.execute("CREATE TABLE clients (id INTEGER PRIMARY KEY, raison_sociale TEXT, siret TEXT, prenom TEXT, "
               "nom TEXT, email TEXT, telephone TEXT, iban TEXT, ville TEXT)")
    db.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id), "
               "date TEXT, note TEXT)")
    for c in customers:
        db.execute("INSERT INTO clients VALUES (?,?,?,?,?,?,?,?,?)",
                   (c["customer_id"], c["company_name"], c["establishment_number"], c["first_name"], c["last_name"],
                    c["email"], c["phone"], c["bank_account"], c["city"]))
        db.execute("INSERT INTO contacts VALUES (?,?,?,?)",
                   (c["customer_id"], c["customer_id"], str(c["signup_date"]),
                    f"Appel de {c['first_name']} {c['last_name']} ({c['phone']}) : demande de devis."))
    db.commit()
    db.close()
    notes = out / "notes"
    notes.mkdir(exist_ok=True)
    e = employees[4]
    (notes / "entretien-2025.txt").write_text(
        f"Compte rendu d'entretien\n\nSalarié : {e['first_name']} {e['last_name'].upper()}\n"
        f"NIR : {e['national_id']}\nAdresse : {e['street']}, {e['postal_code']} {e['city']}\n"
        f"Objectifs atteints. Prochain point avec {employees[1]['first_name']} {employees[1]['last_name']}.\n",
        encoding="utf-8")
    mails = out / "mails"
    mails.mkdir(exist_ok=True)
    sender, recipient = employees[2], employees[3]
    message = EmailMessage()
    message["From"] = f"{sender['first_name']} {sender['last_name']} <{sender['email']}>"
    message["To"] = f"{recipient['first_name']} {recipient['last_name']} <{recipient['email']}>"
    message["Subject"] = "Relance facture"
    message.set_content(texts[emails[0]["text_id"]] + f"\n\n{sender['first_name']} {sender['last_name']}\n"
                        f"Tél. {sender['phone']}\n")
    (mails / "relance.eml").write_bytes(bytes(message))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
