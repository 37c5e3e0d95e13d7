"""chartabstract: leukemia chart abstraction with evidence, assertion and review."""

__version__ = "0.1.0"
