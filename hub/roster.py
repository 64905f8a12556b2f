"""Read HR's export of a training wave (CSV or XLSX) into typed rows and a report of the refused ones.

The export comes from whatever tool HR uses: French or English headers in any case, Excel's Windows-1252
CSV with `;`, a spreadsheet. Columns are therefore found by header name, and each refused row is reported
with the line number a spreadsheet shows, so IT can fix the file and import it again.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from sandlab.cohort import EMAIL, email_key
from sandlab.framework import Language, Persona

DELIMITERS = (",", ";", "\t", "|")
T = TypeVar("T", bound=str)

# The one table of persona values HR may write (besides the personas' own names).
PERSONA_ALIASES: dict[Persona, tuple[str, ...]] = {
    "leaders": ("dirigeants", "direction"),
    "technical": ("technique", "it", "data"),
    "business": ("métier", "utilisateurs"),
    "support": ("rh", "juridique", "finance", "fonctions support"),
}
LANGUAGE_ALIASES: dict[Language, tuple[str, ...]] = {"fr": ("français", "french"), "en": ("anglais", "english")}

# Header names per field; "nom" alone (no first-name column) holds the whole name.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("nom complet", "name", "full name", "nom et prénom", "prénom et nom", "nom prénom", "prénom nom"),
    "given": ("prénom", "first name", "given name"),
    "family": ("nom", "last name", "surname", "family name", "nom de famille"),
    "email": ("email", "e-mail", "courriel", "adresse e-mail", "adresse courriel", "mail", "email address"),
    "persona": ("persona", "profil", "profile", "rôle métier"),
    "language": ("langue", "language"),
}

# Beyond what NFKD decomposes: letters French and European names use that have no accent to drop.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


class RosterError(ValueError):
    """A roster that cannot be read at all; the message names the file and the fix."""


@dataclass(frozen=True)
class RosterRow:
    """One learner as HR listed them; ``given`` and ``family`` make the login name."""

    line: int
    name: str
    given: str
    family: str
    email: str  # lowercase: the key that recognises the person across files
    persona: Persona
    language: Language | None  # None: the cohort's language


@dataclass(frozen=True)
class Refusal:
    line: int
    name: str  # as HR wrote them, to find the line
    email: str
    reason: str


@dataclass(frozen=True)
class Roster:
    path: Path
    rows: list[RosterRow]
    refused: list[Refusal]
    has_language: bool  # without a language column, an import leaves members' languages alone


def fold(text: str) -> str:
    """``text`` without accents: NFKD, combining marks dropped, ligatures spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def key(text: str) -> str:
    """What a header or a value is compared by: no case, accent, space or punctuation ('Adresse e-mail')."""
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


def _lookup(aliases: dict[T, tuple[str, ...]]) -> dict[str, T]:
    return {key(alias): value for value, others in aliases.items() for alias in (value, *others)}


_PERSONAS = _lookup(PERSONA_ALIASES)
_LANGUAGES = _lookup(LANGUAGE_ALIASES)
_HEADERS = _lookup(HEADERS)


def accepted(aliases: dict[str, tuple[str, ...]]) -> str:
    """'leaders (dirigeants, direction), technical (...)': the accepted values, for a refusal's message."""
    return ", ".join(f"{value} ({', '.join(others)})" for value, others in aliases.items())


def read_roster(path: Path) -> Roster:
    """Read ``path`` (CSV or XLSX by its suffix): its learners and the rows refused, with why."""
    path = Path(path)
    table = [(line, cells) for line, cells in _table(path) if any(cells)]
    if not table:
        raise RosterError(f"{path}: the file is empty; expected a header line (e.g. 'nom complet;email;persona') "
                          "and one line per learner")
    (_, header), body = table[0], table[1:]
    columns = _columns(path, header)
    if not body:
        raise RosterError(f"{path}: no learner under the header line")
    rows: list[RosterRow] = []
    refused: list[Refusal] = []
    first_seen: dict[str, int] = {}  # e-mail -> its first line
    for line, cells in body:
        row = _row(line, cells, columns, first_seen)
        (rows if isinstance(row, RosterRow) else refused).append(row)
    return Roster(path, rows, refused, has_language="language" in columns)


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    """Field -> column index; a missing required field names the file and the columns found."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = _HEADERS.get(key(cell))
        if field and field not in columns:
            columns[field] = index
    if "name" not in columns and "given" not in columns and "family" in columns:
        columns["name"] = columns.pop("family")  # 'nom' alone is the whole name
    missing = [label for label, fields in (("name", ("name", "family")), ("e-mail", ("email",)),
                                           ("persona", ("persona",))) if not any(f in columns for f in fields)]
    if missing:
        found = ", ".join(f"'{cell}'" for cell in header if cell) or "none"
        raise RosterError(f"{path}: no {' or '.join(missing)} column (columns found: {found}); expected headers "
                          "such as 'nom complet' (or 'prénom' and 'nom'), 'email' or 'courriel', 'persona' or "
                          "'profil', and optionally 'langue'")
    return columns


def _row(line: int, cells: list[str], columns: dict[str, int], first_seen: dict[str, int]) -> RosterRow | Refusal:
    """The learner of one line, or every reason it is refused."""
    def get(field: str) -> str:
        index = columns.get(field)
        return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

    if "given" in columns and "family" in columns:
        given, family = get("given"), get("family")
        name = f"{given} {family}".strip()
    else:
        name = get("name")
        given, family = split_name(name)
    reasons = [] if name else ["empty name"]
    email = get("email").lower()
    if not email:
        reasons.append("no e-mail")
    elif not re.fullmatch(EMAIL, email):
        reasons.append(f"invalid e-mail '{email}'")
    elif email_key(email) in first_seen:
        reasons.append(f"e-mail {email} already on line {first_seen[email_key(email)]}")
    else:
        first_seen[email_key(email)] = line
    persona = _PERSONAS.get(key(get("persona")))
    if persona is None:
        written = f"unknown persona '{get('persona')}'" if get("persona") else "no persona"
        reasons.append(f"{written}: use {accepted(PERSONA_ALIASES)}")
    language = _LANGUAGES.get(key(get("language")))
    if get("language") and language is None:
        reasons.append(f"unknown language '{get('language')}': use {accepted(LANGUAGE_ALIASES)}, "
                       "or leave it empty for the cohort's")
    if persona is None or reasons:
        return Refusal(line, name, email, "; ".join(reasons))
    return RosterRow(line, name, given, family, email, persona, language)


def split_name(name: str) -> tuple[str, str]:
    """(given, family) of a whole name: 'Élodie Martin-Dupont', or HR's 'DUPONT Jean' (capitals: the family)."""
    words = name.split()
    if len(words) < 2:
        return "", name
    capitals = [word for word in words if word.isupper() and len(word) > 1]
    if capitals and len(capitals) < len(words):
        return " ".join(word for word in words if word not in capitals), " ".join(capitals)
    return words[0], " ".join(words[1:])


def _table(path: Path) -> list[tuple[int, list[str]]]:
    """Every line of the file as (spreadsheet line number, stripped cells)."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods"):
        raise RosterError(f"{path}: {suffix} is not read; save the sheet as .xlsx or as CSV")
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path)
        text = _decode(path, path.read_bytes())
    except FileNotFoundError:
        raise RosterError(f"{path}: no such file") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return [(line, [cell.strip() for cell in cells]) for line, cells in enumerate(reader, 1)]


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), Excel's 'Unicode text' (UTF-16) or, failing those, Windows-1252."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise RosterError(f"{path}: neither UTF-8 nor Windows-1252 text (byte {error.start}); "
                          "save it as 'CSV UTF-8'") from None


def _delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (csv.Sniffer guesses wrong on few rows)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(DELIMITERS, key=lambda delimiter: len(next(csv.reader([header], delimiter=delimiter), [])))


def _xlsx(path: Path) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as error:
        raise RosterError(f"{path}: not a readable XLSX workbook ({error}); save it again from the spreadsheet "
                          "or as CSV") from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some tools write a wrong size; read every cell there is
        return [(line, [_cell_text(value) for value in values])
                for line, values in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()
