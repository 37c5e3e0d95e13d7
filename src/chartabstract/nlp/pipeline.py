"""Build the spaCy/medspaCy pipeline from a validated rule set: the one place components are wired."""

from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from chartabstract.concepts import Registry, default_registry
from chartabstract.nlp import components, report_targets, sentencizer  # noqa: F401  (register the chartabstract_* spaCy factories)
from chartabstract.nlp import context_scope, matchers, medspacy_adapter
from chartabstract.nlp.rules import RuleSet

# ConText categories that set the standard medspaCy span attributes; the EVENT_*, EXPRESSION_*
# and RESULT_* categories carry values instead and are read from span._.modifiers in extract.py.
SPAN_ATTRIBUTES = {
    "NEGATED_EXISTENCE": {"is_negated": True},
    "POSSIBLE_EXISTENCE": {"is_uncertain": True},
    "HYPOTHETICAL": {"is_hypothetical": True},
    "HISTORICAL": {"is_historical": True},
    "FAMILY": {"is_family": True},
}
# Lab shorthand glues signs and slashes to markers: "CD19+CD22-", "CD19-/CD22+", "C2D8".
_EXTRA_INFIXES = [r"(?<=CD\d\d)[+\-/](?=\S)", r"(?<=\d)%(?=\S)"]
_EXTRA_SUFFIXES = [r"(?<=CD\d\d)[+\-]+", r"(?<=CD\d)[+\-]+"]
# The concept registry the pipeline's rules were loaded with, kept on the Language for extract.py.
_REGISTRY_ATTR = "chartabstract_registry"


def build_nlp(rules: RuleSet, *, fast_regex: bool = True) -> Language:
    """Assemble tokenizer tweaks, sentence splitter, target matcher, sectionizer and ConText.

    Args:
        rules: validated rules from ``load_rules``.
        fast_regex: use FastRegexMatcher inside medspaCy's matchers and match ConText cues only in
            sentences holding a target (same results, faster; only on a supported medspaCy, see
            medspacy_adapter); False builds medspaCy as shipped.

    Raises:
        UnsupportedMedspacyError: with ``fast_regex``, on a medspaCy the speed-ups were not tested on.

    Returns:
        A ready pipeline; ``doc.ents`` holds the target spans with ConText attributes, and
        ``registry_of(nlp)`` the concept registry of ``rules``.
    """
    from medspacy.context import ConTextRule
    from medspacy.section_detection import SectionRule
    from medspacy.target_matcher import TargetRule

    if fast_regex:  # the speed-ups rely on medspaCy's private internals: refuse an untested medspaCy
        medspacy_adapter.check_supported()
    nlp = spacy.blank("en")
    setattr(nlp, _REGISTRY_ATTR, rules.registry)
    _tune_tokenizer(nlp)
    nlp.add_pipe("chartabstract_sentencizer")
    # medspaCy 1.3.1: config={"rules": path} raises AttributeError, so rules are added after.
    matcher = nlp.add_pipe("medspacy_target_matcher")
    # IGNORE rules first: of two equally long overlapping matches medspaCy keeps the first found,
    # and a pseudo-target ("BMT team") must hide the target it contains ("BMT").
    independent = sorted((rule for rule in rules.targets if not _needs(rule)), key=lambda rule: rule["category"] != "IGNORE")
    matcher.add([TargetRule.from_dict(_without_none(rule)) for rule in independent])
    nlp.add_pipe("chartabstract_report_targets")
    needing = nlp.add_pipe("chartabstract_needing_targets")
    needing.add([TargetRule.from_dict(_without_none(rule)) for rule in rules.targets if _needs(rule)])
    sectionizer = nlp.add_pipe(
        "medspacy_sectionizer", config={"rules": None, "require_start_line": True}
    )
    sectionizer.add([SectionRule.from_dict(_without_none(rule)) for rule in rules.sections])
    context = nlp.add_pipe("medspacy_context", config={"rules": None, "span_attrs": "default"})
    context.context_attributes_mapping = SPAN_ATTRIBUTES
    if fast_regex:  # load_rules validated every token pattern; spaCy would validate each one again
        for component in (matcher, needing.matcher, sectionizer, context):
            matchers.skip_pattern_validation(component)
    context_rules = [split for rule in rules.context for split in (split_first_token_set(rule) if fast_regex else [rule])]
    context.add([ConTextRule.from_dict(_without_none(rule)) for rule in context_rules])
    if fast_regex:
        fast = {component: matchers.use_fast_regex(component) for component in (matcher, needing.matcher, sectionizer, context)}
        # the target regexes' matches come from the prefilter; the others share one scan per document
        matchers.share_scanner(fast[needing.matcher] + fast[sectionizer] + fast[context])
        medspacy_adapter.swap_class(matcher, matchers.BatchTargetMatcher)
        medspacy_adapter.swap_class(sectionizer, matchers.SectionListSectionizer)
        context_scope.scope_context_to_target_sentences(context)
        _gate_needing_rules(rules)
    return nlp


def registry_of(nlp: Language) -> Registry:
    """The concept registry ``build_nlp`` built ``nlp`` with (the packaged one for other pipelines)."""
    found = getattr(nlp, _REGISTRY_ATTR, None)
    return found if isinstance(found, Registry) else default_registry()


def split_first_token_set(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """One rule per word of a token pattern's first-token set: the same matches, found faster.

    spaCy's Matcher tests a set predicate ({"LOWER": {"IN": [...]}}) in Python for every token
    and every pattern that starts with one; with ConText's cue rules that was most of ConText's
    time. A plain first token ({"LOWER": "denies"}) is tested in C, and the set predicates of
    later tokens only run where a match has begun.
    """
    pattern = rule.get("pattern")
    if not isinstance(pattern, list) or not pattern:
        return [rule]
    first = pattern[0]
    if "OP" in first or len(first) != 1:
        return [rule]
    (attr, test), = first.items()
    if attr not in ("LOWER", "TEXT") or not isinstance(test, dict) or set(test) != {"IN"}:
        return [rule]
    return [{**rule, "pattern": [{attr: word}, *pattern[1:]]} for word in test["IN"]]


def _needs(rule: dict[str, object]) -> bool:
    return bool((rule.get("metadata") or {}).get("needs"))  # type: ignore[union-attr]


def _gate_needing_rules(rules: RuleSet) -> None:
    """Rules that need another category run only where that category's literals occur."""
    from chartabstract.nlp.folding import caseless
    from chartabstract.nlp.prefilter import required_literals

    for rule in rules.targets:
        needed = (rule.get("metadata") or {}).get("needs")
        if not needed or not isinstance(rule.get("pattern"), str):
            continue
        options: set[str] = set()
        for other in rules.targets:
            if other["category"] != needed:
                continue
            pattern = other.get("pattern")
            found = required_literals(pattern) if isinstance(pattern, str) else {caseless(str(other["literal"]))} if pattern is None else None
            if not found:
                break  # a rule of that category with no required literal: no gate
            options |= found
        else:
            matchers.require_alongside(rule["pattern"], tuple(sorted(options)))


def build_assertion_nlp(context_rules: list[dict[str, object]]) -> Language:
    """Tokenizer, sentence splitter and ConText only: targets are set by the caller.

    Used to measure assertion rules alone (bench/negex_bench.py) with everything else fixed.
    """
    from medspacy.context import ConTextRule

    nlp = spacy.blank("en")
    _tune_tokenizer(nlp)
    nlp.add_pipe("chartabstract_sentencizer")
    context = nlp.add_pipe("medspacy_context", config={"rules": None, "span_attrs": "default"})
    context.context_attributes_mapping = SPAN_ATTRIBUTES
    context.add([ConTextRule.from_dict(_without_none(rule)) for rule in context_rules])
    return nlp


def _tune_tokenizer(nlp: Language) -> None:
    """spaCy's English tokenizer with the lab-shorthand infixes and suffixes, built in one go: setting
    them one by one on the default tokenizer reloads its 4,000 special cases each time (0.12 s of
    every worker's start)."""
    defaults = nlp.Defaults
    nlp.tokenizer = Tokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(list(defaults.suffixes) + _EXTRA_SUFFIXES).search,
        infix_finditer=compile_infix_regex(list(defaults.infixes) + _EXTRA_INFIXES).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


def _without_none(rule: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in rule.items() if value is not None}


def has_token_targets(rules: RuleSet) -> bool:
    """Token-pattern targets cannot be prefiltered by text scans; the prefilter is then off."""
    return any(isinstance(rule.get("pattern"), list) for rule in rules.targets)
