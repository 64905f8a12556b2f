"""Documents (.txt and .eml): the texts to scan in each, and the rewritten file.

An e-mail is parsed, not treated as raw text: quoted-printable and base64 bodies
would hide names from the detector. Headers that name people and every text part
are rewritten; attachments are removed (they are counted in the report).
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from pathlib import Path

from sandlab.anonymizer.sources import DocumentSource, read_document

PERSONAL_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject")

Rewrite = Callable[[str, str], str]  # (part name, text) -> new text


def _message(path: Path) -> email.message.EmailMessage:
    with open(path, "rb") as handle:
        return email.message_from_binary_file(handle, policy=email.policy.default)


def texts_of(source: DocumentSource) -> list[tuple[str, str]]:
    """(part name, text) pairs to scan."""
    if source.kind == "txt":
        return [("text", read_document(source))]
    message = _message(source.path)
    parts = [(f"header:{h}", str(message[h])) for h in PERSONAL_HEADERS if message[h]]
    for index, part in enumerate(message.walk()):
        if part.get_content_maintype() == "text" and not part.is_attachment():
            parts.append((f"part:{index}", part.get_content()))
    return parts


def rewrite(source: DocumentSource, out: Path, replace: Rewrite) -> int:
    """Write the rewritten document; returns the number of attachments removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if source.kind == "txt":
        out.write_text(replace("text", read_document(source)), encoding="utf-8")
        return 0
    message = _message(source.path)
    for header in PERSONAL_HEADERS:
        if message[header]:
            new = replace(f"header:{header}", str(message[header]))
            del message[header]
            message[header] = new
    removed = 0
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        if part.get_content_maintype() == "text" and not part.is_attachment():
            part.set_content(replace(f"part:{index}", part.get_content()), subtype=part.get_content_subtype())
        else:
            part.set_content("[attachment removed by anonymization]")
            removed += 1
    out.write_bytes(message.as_bytes())
    return removed
