"""What every command line of Sandlab prints to: one stderr console, one way to fail."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

console = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` (never as markup: messages quote user input) and exit."""
    console.print(Text("error: ", style="red") + Text(message), soft_wrap=True)
    raise typer.Exit(code)
