"""chartabstract: leukemia chart abstraction with evidence, assertion and review."""

__version__ = "0.1.0"

__all__ = ["load_cohort"]


def load_cohort(path, study=None):  # type: ignore[no-untyped-def]
    """A run's cohort.csv or cohort.parquet as a typed pandas DataFrame (see chartabstract.load).

    Imported on call so `import chartabstract` stays light (no pandas) for the CLI."""
    from chartabstract.load import load_cohort as load

    return load(path, study)
