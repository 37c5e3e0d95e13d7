"""The NLP stage: the only package that imports spaCy and medspaCy."""

from chartabstract.nlp.deferred_quickumls import defer_quickumls

defer_quickumls()
