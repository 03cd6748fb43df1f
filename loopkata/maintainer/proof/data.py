"""The proof's data files: the bug zoo and the notebook's differences, read and checked.

Every problem of a file is found and told, one line each (`ZooError`), before
anything is graded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.compat import tomllib
from loopkata.kata.steps import BY_ID, MODULE_STEPS, Step

PROOF_DIR = Path("tests") / paths.PROOF_DIR
BUG_KEYS = {"id", "step", "pitfall", "says", "find", "replace"}
REQUIRED_KEYS = BUG_KEYS - {"pitfall"}
DIFFERENCE_KEYS = {"id", "step", "differs", "says", "costs", "find", "replace", "edit"}
DIFFERENCE_REQUIRED = {"id", "step", "differs", "says", "costs"}
EDIT_KEYS = {"find", "replace"}
MAX_COSTS = 2  # tests a difference from the notebook may cost, and failures a rebuild may have per bullet
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TEST_NAME = re.compile(r"test_\w+(\[[^\]]+\])?")


class ZooError(Exception):
    """A proof data file (zoo.toml, notebook.toml) is malformed; the message has one line per problem."""


@dataclass(frozen=True)
class Edit:
    find: str
    replace: str


@dataclass(frozen=True)
class Bug:
    id: str
    step: Step
    says: str
    find: str
    replace: str
    pitfall: str | None = None

    @property
    def edits(self) -> tuple[Edit, ...]:
        return (Edit(self.find, self.replace),)


@dataclass(frozen=True)
class Difference:
    """What the notebook does for one "differs" bullet of its step's page, as edits on the reference."""

    id: str
    step: Step
    differs: str  # the bullet's bold name
    says: str
    edits: tuple[Edit, ...]
    costs: tuple[str, ...]  # test names, a bare one standing for every case of its test


def _key_problems(entry: object, where: str, keys: set[str], required: set[str], text_keys: set[str]) -> list[str]:
    """What is wrong with a table's keys: not a table, missing or unknown keys, values that should be text."""
    if not isinstance(entry, dict):
        return [f"{where}: not a table"]
    problems = []
    missing, unknown = required - entry.keys(), entry.keys() - keys
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    not_text = [k for k in sorted(entry.keys() & text_keys) if not isinstance(entry[k], str)]
    if not_text:
        problems.append(f"{where}: {', '.join(not_text)} must be text")
    return problems


def _module_step(entry: dict, where: str, reference: Path) -> tuple[Step | None, str, list[str]]:
    """The entry's step and its module's source in the reference, or None; and the problems with its id and step."""
    problems = []
    if not ID_PATTERN.fullmatch(entry["id"]):
        problems.append(f"{where}: id must be kebab-case (a-z, 0-9 and single hyphens)")
    step = BY_ID.get(entry["step"])
    if step is None or step.module is None:
        known = ", ".join(s.id for s in MODULE_STEPS)
        return None, "", problems + [f"{where}: unknown step {entry['step']!r} (one of: {known})"]
    try:
        return step, (reference / step.module_file).read_text(), problems
    except OSError:
        return None, "", problems + [f"{where}: the reference has no {step.module_file}"]


def _apply_edits(source: str, edits: tuple[Edit, ...], where: str, module_file: str) -> tuple[str, list[str]]:
    """source with the edits applied in order, and the problems: a find not there exactly once, an edit that
    changes nothing."""
    problems = []
    for number, edit in enumerate(edits, 1):
        at = f"{where}: edit {number}" if len(edits) > 1 else where
        count = source.count(edit.find)
        if count != 1:
            after = " (after the edits before it)" if number > 1 else ""
            problems.append(f"{at}: find occurs {count} times in {module_file}{after}, must occur exactly once")
        else:
            source = source.replace(edit.find, edit.replace, 1)
        if edit.find == edit.replace:
            problems.append(f"{at}: replace is the same as find")
    return source, problems


def _bug(entry: object, where: str, reference: Path) -> tuple[Bug | None, list[str]]:
    """One zoo entry as a Bug, or None and the problems with it."""
    problems = _key_problems(entry, where, BUG_KEYS, REQUIRED_KEYS, BUG_KEYS)
    if problems:
        return None, problems
    step, source, problems = _module_step(entry, where, reference)
    if step is None:
        return None, problems
    problems += _apply_edits(source, (Edit(entry["find"], entry["replace"]),), where, step.module_file)[1]
    if problems:
        return None, problems
    return Bug(entry["id"], step, entry["says"], entry["find"], entry["replace"], entry.get("pitfall")), []


def _edits(entry: dict, where: str) -> tuple[tuple[Edit, ...], list[str]]:
    """The difference's edits: its own find and replace, or its [[difference.edit]] tables, in order."""
    tables, pair = entry.get("edit"), EDIT_KEYS & entry.keys()
    if tables is None:
        if pair != EDIT_KEYS:
            return (), [f"{where}: missing {', '.join(sorted(EDIT_KEYS - pair))} (or [[difference.edit]] tables)"]
        return (Edit(entry["find"], entry["replace"]),), []
    if pair:
        return (), [f"{where}: find and replace, or [[difference.edit]] tables, not both"]
    if not isinstance(tables, list) or not tables:
        return (), [f"{where}: edit must be one or more [[difference.edit]] tables"]
    problems = [p for n, table in enumerate(tables, 1)
                for p in _key_problems(table, f"{where}: edit {n}", EDIT_KEYS, EDIT_KEYS, EDIT_KEYS)]
    return (() if problems else tuple(Edit(t["find"], t["replace"]) for t in tables)), problems


def _costs(entry: dict, where: str) -> tuple[tuple[str, ...], list[str]]:
    """The difference's costs: at most MAX_COSTS distinct test names."""
    costs = entry["costs"]
    if not isinstance(costs, list) or not all(isinstance(c, str) for c in costs):
        return (), [f"{where}: costs must be a list of test names ([] when it costs no test)"]
    problems = [f"{where}: costs names {c!r}, not a test (test_<name>, or test_<name>[<case id>])"
                for c in costs if not TEST_NAME.fullmatch(c)]
    if len(costs) > MAX_COSTS:
        problems.append(f"{where}: costs names {len(costs)} tests; a difference may cost at most {MAX_COSTS}")
    if len(set(costs)) != len(costs):
        problems.append(f"{where}: costs names a test twice")
    return tuple(costs), problems


def _difference(entry: object, where: str, reference: Path) -> tuple[Difference | None, list[str]]:
    """One notebook.toml entry as a Difference, or None and the problems with it."""
    text_keys = DIFFERENCE_KEYS - {"costs", "edit"}
    problems = _key_problems(entry, where, DIFFERENCE_KEYS, DIFFERENCE_REQUIRED, text_keys)
    if problems:
        return None, problems
    edits, problems = _edits(entry, where)
    costs, cost_problems = _costs(entry, where)
    step, source, step_problems = _module_step(entry, where, reference)
    problems += cost_problems + step_problems
    if step is not None and edits:
        problems += _apply_edits(source, edits, where, step.module_file)[1]
    if problems or step is None:
        return None, problems
    return Difference(entry["id"], step, entry["differs"], entry["says"], edits, costs), []


def _parse(text: str, name: str, table: str, parse_entry) -> list:
    """Every [[table]] of a proof data file through parse_entry(entry, where); ZooError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ZooError(f"{name}: not valid TOML: {e}") from None
    entries = data.get(table, [])
    problems = [f"{name}: unknown top-level key {k!r} (only [[{table}]] tables)" for k in data if k != table]
    if not isinstance(entries, list):
        raise ZooError(f"{name}: '{table}' must be an array of tables: write [[{table}]]")
    items, seen = [], set()
    for number, entry in enumerate(entries, 1):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
        where = f"{name}: {table} {label!r}" if label else f"{name}: {table} #{number}"
        if label in seen:
            problems.append(f"{where}: id used twice")
        seen.add(label or "")
        item, entry_problems = parse_entry(entry, where)
        problems += entry_problems
        if item:
            items.append(item)
    if problems:
        raise ZooError("\n".join(problems))
    return items


def parse_zoo(text: str, reference: Path, name: str = "zoo.toml") -> list[Bug]:
    """Read and check the zoo: raise ZooError listing every problem found."""
    return _parse(text, name, "bug", lambda entry, where: _bug(entry, where, reference))


def parse_notebook(text: str, reference: Path, name: str = "notebook.toml") -> list[Difference]:
    """Read and check the notebook's differences, each alone and each step's all together."""
    differences = _parse(text, name, "difference", lambda entry, where: _difference(entry, where, reference))
    problems = []
    for step in dict.fromkeys(d.step for d in differences):
        source = (reference / step.module_file).read_text()
        for d in (d for d in differences if d.step == step):
            where = f"{name}: difference {d.id!r}, after the step's differences before it"
            source, more = _apply_edits(source, d.edits, where, step.module_file)
            problems += more
    if problems:
        raise ZooError("\n".join(problems))
    return differences


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as e:
        raise ZooError(f"{path}: {e.strerror}") from None


def load_zoo(path: Path | None = None, reference: Path | None = None) -> list[Bug]:
    path = path or paths.kata_root() / PROOF_DIR / "zoo.toml"
    return parse_zoo(_read(path), reference or paths.reference_tree(), path.name)


def load_notebook(path: Path | None = None, reference: Path | None = None) -> list[Difference]:
    path = path or paths.kata_root() / PROOF_DIR / "notebook.toml"
    return parse_notebook(_read(path), reference or paths.reference_tree(), path.name)


