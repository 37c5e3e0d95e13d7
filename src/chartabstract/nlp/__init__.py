"""The NLP stage: the only package that imports spaCy and medspaCy."""
