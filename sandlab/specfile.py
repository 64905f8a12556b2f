"""Load a YAML spec file into a typed model.

Every stage reads specs written by people (company profiles, cohorts, lab files,
anonymization policies). A mistake must come back as ``file:line: field: what is
wrong (how to fix it)``, never as a traceback, so this module keeps the YAML node
tree beside the parsed data and maps each validation error back to its line.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

SpecT = TypeVar("SpecT", bound=BaseModel)


class SpecError(ValueError):
    """A spec file that cannot be used; the message names the file, line and fix."""


def load_spec(path: Path, model: type[SpecT]) -> SpecT:
    """Parse ``path`` as YAML and validate it against ``model``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise SpecError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    return parse_spec(text, model, source=str(path))


def parse_spec(text: str, model: type[SpecT], *, source: str) -> SpecT:
    """Validate YAML ``text`` against ``model``; ``source`` names it in errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError(f"{source}:{line}: not valid YAML: {error.problem}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{source}:1: expected a mapping of fields at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = [_describe(source, root, model, item) for item in error.errors()]
        raise SpecError("\n".join(lines)) from None


def _describe(source: str, root: yaml.Node | None, model: type[BaseModel], item: dict) -> str:
    loc = tuple(item["loc"])
    field = ".".join(str(part) for part in loc) or "(top level)"
    line = line_of(root, loc)
    message = item["msg"]
    if item["type"] == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it"
        message = f"unknown field ({hint} known fields here: {', '.join(known)})"
    elif item["type"] == "missing":
        message = "required field is missing; add it"
    return f"{source}:{line}: {field}: {message}"


def line_of(node: yaml.Node | None, loc: tuple) -> int:
    """The 1-based line of the deepest YAML node that ``loc`` reaches."""
    line = node.start_mark.line + 1 if node else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _known_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model that ``loc`` points into (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            current = _inner_model(info.annotation) if info else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The model class inside ``list[Model]``, ``Model | None`` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
