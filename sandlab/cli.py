"""`sandlab`: one command line, one sub-app per stage of the pipeline."""

from __future__ import annotations

import typer

from sandlab.anonymizer.cli import app as anonymize_app
from sandlab.datasets.cli import app as data_app
from sandlab.demo import demo
from sandlab.grading.cli import app as grading_app
from sandlab.hub import lifecycle_cli  # noqa: F401 - adds warm, close and restore to `sandlab cohort`
from sandlab.hub.backup_cli import backup_command, restore_command
from sandlab.hub.cli import app as hub_app
from sandlab.hub.cohort_cli import app as cohort_app
from sandlab.images.cli import app as images_app
from sandlab.kpis.cli import kpis
from sandlab.labs.cli import app as labs_app
from sandlab.labs.library_cli import app as library_app

app = typer.Typer(help="Sandlab: sandboxed hands-on AI labs with synthetic or anonymized company data.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
app.add_typer(data_app, name="data")
app.add_typer(anonymize_app, name="anonymize")
app.add_typer(labs_app, name="labs")
app.add_typer(library_app, name="library")
app.add_typer(images_app, name="images")
app.add_typer(hub_app, name="hub")
app.add_typer(cohort_app, name="cohort")
app.add_typer(grading_app, name="grading")
app.command("kpis")(kpis)  # one command: `sandlab kpis COHORT_FILE`, not a group
app.command("demo")(demo)
app.command("backup")(backup_command)
app.command("restore")(restore_command)

if __name__ == "__main__":
    app()
