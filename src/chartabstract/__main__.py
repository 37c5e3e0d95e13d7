"""`python -m chartabstract` runs the CLI."""

from chartabstract.cli import app

app()
