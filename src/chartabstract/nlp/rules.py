"""Load and validate the rule files (medspaCy JSON formats) before any note is read.

A rules folder holds ``targets.json``, ``context.json``, ``sections.json`` and the concept
registry ``concepts.json``. Each registry concept's ``names`` become literal target rules unless
a target rule of its category already matches the whole name, and ConText's ``allowed_types`` may
name a registry group ("@TREATMENT"), expanded here. Every problem is
reported as a :class:`RuleFileError` naming the file and the rule index, so a user who edits a
copy learns exactly which rule to fix, instead of meeting a medspaCy traceback mid-run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from chartabstract import concepts
from chartabstract.concepts import Registry
from chartabstract.errors import RuleFileError
from chartabstract.nlp.backtracking import catastrophic

RULE_FILES = {
    "targets.json": "target_rules",
    "context.json": "context_rules",
    "sections.json": "section_rules",
}
ALLOWED_KEYS = {
    "target_rules": {"literal", "category", "pattern", "attributes", "metadata"},
    "context_rules": {
        "literal", "direction", "pattern", "category", "metadata",
        "allowed_types", "excluded_types", "max_targets", "max_scope",
    },
    "section_rules": {"literal", "pattern", "category", "metadata", "parents", "parent_required", "max_scope"},
}
DIRECTIONS = {"FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"}
# Besides the registry's categories, IGNORE marks pseudo-targets ("autologous transplant",
# "anti-CD22") that shadow shorter true targets.
IGNORE = "IGNORE"


@dataclass(frozen=True)
class RuleSet:
    """Validated rule dictionaries, where they came from, and a digest for the run manifest."""

    source: str
    targets: list[dict[str, Any]]
    context: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    digest: str
    registry: Registry
    defaults: tuple[str, ...] = ()  # rule files the folder leaves out, read from the packaged rules


def default_rules_dir() -> Path:
    """The rules shipped inside the package (the repository's top-level rules/)."""
    return Path(str(resources.files("chartabstract.rules")))


def load_rules(rules_dir: Path | None = None) -> RuleSet:
    """Read and validate every rule file of a rules folder.

    Args:
        rules_dir: a folder with the three rule files and concepts.json; None for the packaged defaults.

    Returns:
        The validated rules.

    Raises:
        RuleFileError: naming the file (and rule index) of the first problem found.
    """
    folder = rules_dir or default_rules_dir()
    if not folder.is_dir():
        raise RuleFileError(f"{folder}: rules folder not found")
    digest = hashlib.sha256()
    loaded: dict[str, list[dict[str, Any]]] = {}
    defaults = []
    for file_name, top_key in RULE_FILES.items():
        path = folder / file_name
        if not path.exists() and rules_dir is not None:
            # a study folder may hold only what it changes (study.json, concepts.json): the
            # medspaCy rule files it leaves out are the packaged ones, said by `rules check`
            path = default_rules_dir() / file_name
            defaults.append(file_name)
        raw = _read_bytes(path)
        digest.update(file_name.encode() + b"\0" + raw)
        loaded[top_key] = _parse_rule_file(path, raw, top_key)
    registry_path = folder / concepts.FILE_NAME
    raw = _read_bytes(registry_path)
    digest.update(concepts.FILE_NAME.encode() + b"\0" + raw)
    registry = concepts.parse_registry(registry_path, raw)
    for index, rule in enumerate(loaded["target_rules"]):
        _check_target(_used(folder, "targets.json", defaults), index, rule, registry)
    loaded["target_rules"] += name_rules(registry, loaded["target_rules"])
    for index, rule in enumerate(loaded["context_rules"]):
        _check_context(_used(folder, "context.json", defaults), index, rule)
    loaded["context_rules"] = [_expand_groups(_used(folder, "context.json", defaults), index, rule, registry)
                               for index, rule in enumerate(loaded["context_rules"])]
    for index, rule in enumerate(loaded["section_rules"]):
        _check_pattern(_used(folder, "sections.json", defaults), index, rule)
    _check_unique_rule_ids(_used(folder, "targets.json", defaults), loaded["target_rules"])
    return RuleSet(
        source=str(folder),
        targets=loaded["target_rules"],
        context=loaded["context_rules"],
        sections=loaded["section_rules"],
        digest=digest.hexdigest(),
        registry=registry,
        defaults=tuple(defaults),
    )


def _used(folder: Path, file_name: str, defaults: list[str]) -> Path:
    """The file a rule was read from, for messages."""
    return default_rules_dir() / file_name if file_name in defaults else folder / file_name


def name_rules(registry: Registry, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A literal target rule (case-insensitive, whole words) per registry name that no target rule
    of the concept's category already matches whole: a new drug or brand needs only its names.

    Names the shipped targets.json covers add no rule, so their mentions keep their rule ids.
    """
    added = []
    for concept in registry.concepts:
        own = [rule["pattern"] for rule in targets if rule["category"] == concept.category and isinstance(rule.get("pattern"), str)]
        for number, name in enumerate(concept.names):
            if any(re.fullmatch(pattern, name, re.IGNORECASE) for pattern in own):
                continue
            words = r"\s+".join(re.escape(word) for word in name.split())
            pattern = (r"\b" if re.match(r"\w", name) else r"(?<!\w)") + words + (r"\b" if re.search(r"\w$", name) else r"(?!\w)")
            added.append({"literal": name, "category": concept.category, "pattern": pattern,
                          "metadata": {"rule_id": f"name:{concept.concept}:{number}"}})
    return added


def rule_id(rule: dict[str, Any]) -> str:
    """A target rule's id: metadata.rule_id, else its literal."""
    meta = rule.get("metadata") or {}
    return str(meta.get("rule_id") or rule["literal"])


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RuleFileError(f"{path}: rules file missing") from None
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read ({exc.strerror})") from None


def _parse_rule_file(path: Path, raw: bytes, top_key: str) -> list[dict[str, Any]]:
    data = concepts.decode_json(path, raw)
    if not isinstance(data, dict) or top_key not in data:
        raise RuleFileError(f'{path}: expected a JSON object with the key "{top_key}"')
    rules = data[top_key]
    if not isinstance(rules, list):
        raise RuleFileError(f'{path}: "{top_key}" must be a list of rules')
    allowed = ALLOWED_KEYS[top_key]
    for index, rule in enumerate(rules):
        where = f"{path}: rule {index}"
        if not isinstance(rule, dict):
            raise RuleFileError(f"{where}: must be a JSON object")
        unknown = sorted(set(rule) - allowed)
        if unknown:
            raise RuleFileError(
                f"{where} ({rule.get('literal', '?')!r}): unknown key {', '.join(map(repr, unknown))}; "
                f"allowed keys: {', '.join(sorted(allowed))}"
            )
        for key in ("literal", "category"):
            if not isinstance(rule.get(key), str) or not rule[key].strip():
                raise RuleFileError(f"{where}: {key!r} is required and must be a non-empty string")
    return rules


def _check_pattern(path: Path, index: int, rule: dict[str, Any]) -> None:
    """A pattern is a regex string or a spaCy token pattern; both are compiled here."""
    pattern = rule.get("pattern")
    where = f"{path}: rule {index} ({rule['literal']!r})"
    if pattern is None:
        return
    if isinstance(pattern, str):
        _check_regex(where, pattern, re.IGNORECASE)
        return
    if not isinstance(pattern, list) or not all(isinstance(token, dict) for token in pattern):
        raise RuleFileError(f"{where}: pattern must be a regex string or a list of token objects")
    for regex in _token_regexes(pattern):
        _check_regex(f"{where}: token REGEX {regex!r}", regex, 0)
    _check_token_pattern(where, pattern)


def _check_regex(where: str, pattern: str, flags: int) -> None:
    """Compiles, and cannot hang a run: Python's re backtracks, one bad rule could stall every note."""
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        raise RuleFileError(f"{where}: invalid regular expression: {exc}") from None
    reason = catastrophic(pattern, flags)
    if reason:
        raise RuleFileError(f"{where}: regular expression rejected: {reason}; make the repeated parts unable to match "
                            "the same text (or use a possessive repeat such as a++)")


def _token_regexes(value: Any) -> list[str]:
    """Every REGEX predicate in a token pattern ({"LOWER": {"REGEX": ...}}, also under "_")."""
    if isinstance(value, dict):
        return [found for key, inner in value.items()
                for found in ([inner] if key == "REGEX" and isinstance(inner, str) else _token_regexes(inner))]
    if isinstance(value, list):
        return [found for inner in value for found in _token_regexes(inner)]
    return []


@lru_cache(maxsize=1)
def _validating_matcher() -> Any:
    """One validating spaCy Matcher for all token patterns (a new Vocab per pattern cost ~3 ms)."""
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    return Matcher(Vocab(), validate=True)


def _check_token_pattern(where: str, pattern: list[dict[str, Any]]) -> None:
    from spacy.errors import MatchPatternError

    matcher = _validating_matcher()
    try:
        matcher.add("rule", [pattern])
        matcher.remove("rule")
    except (MatchPatternError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first_line[:4])
        raise RuleFileError(f"{where}: invalid token pattern: {detail}") from None


def _check_target(path: Path, index: int, rule: dict[str, Any], registry: Registry) -> None:
    _check_pattern(path, index, rule)
    known = registry.categories | {IGNORE}
    if rule["category"] not in known:
        raise RuleFileError(
            f"{path}: rule {index} ({rule['literal']!r}): unknown category {rule['category']!r}; "
            f"one of {concepts.FILE_NAME}'s categories or IGNORE: {', '.join(sorted(known))}"
        )


def _expand_groups(path: Path, index: int, rule: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """allowed_types/excluded_types entries "@GROUP": the categories of the concepts listing that group."""
    expanded = dict(rule)
    for key in ("allowed_types", "excluded_types"):
        if not any(name.startswith("@") for name in rule.get(key) or ()):
            continue
        names: list[str] = []
        for name in rule[key]:
            if name.startswith("@") and name[1:] not in concepts.CONTEXT_GROUPS:
                raise RuleFileError(f"{path}: rule {index} ({rule['literal']!r}): {key}: unknown group {name!r}; "
                                    f"one of: {', '.join('@' + g for g in concepts.CONTEXT_GROUPS)}")
            names += registry.group_categories(name[1:]) if name.startswith("@") else [name]
        expanded[key] = list(dict.fromkeys(names))
    return expanded


def _check_context(path: Path, index: int, rule: dict[str, Any]) -> None:
    _check_pattern(path, index, rule)
    where = f"{path}: rule {index} ({rule['literal']!r})"
    direction = rule.get("direction", "BIDIRECTIONAL")
    if direction not in DIRECTIONS:
        raise RuleFileError(f"{where}: direction {direction!r} is not one of {', '.join(sorted(DIRECTIONS))}")
    scope = rule.get("max_scope")
    if scope is not None and (not isinstance(scope, int) or scope < 1):
        raise RuleFileError(f"{where}: max_scope must be a positive whole number")
    for key in ("allowed_types", "excluded_types"):
        value = rule.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise RuleFileError(f"{where}: {key} must be a list of category names")


def _check_unique_rule_ids(path: Path, rules: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        rid = rule_id(rule)
        if rid in seen:
            raise RuleFileError(f"{path}: rule {index}: rule_id {rid!r} already used by rule {seen[rid]}")
        seen[rid] = index
