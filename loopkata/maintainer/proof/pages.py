"""The proof held against the spec pages: every pitfall planted by a bug, every difference a bullet that
names what it costs."""
from __future__ import annotations

import re

from loopkata.kata.pages import DIFFERS, PITFALLS, bullets
from loopkata.kata.steps import BY_ID
from loopkata.maintainer.proof.data import Bug, Difference

COSTS_CLAUSE = re.compile(r"\(costs (no test|`[^`]+`(?:,? (?:and )?`[^`]+`)*)\)")


def pitfalls(page: str) -> list[str]:
    """The bold names of the bullets under the page's 'Pitfalls the tests catch' heading."""
    return [name for name, _ in bullets(page, PITFALLS)]


def bullet_costs(text: str) -> list[tuple[str, ...]]:
    """The tests named by each "(costs `test_x` and `test_y`)" clause of a bullet; () for "(costs no test)"."""
    return [() if clause == "no test" else tuple(re.findall(r"`([^`]+)`", clause))
            for clause in COSTS_CLAUSE.findall(text)]


def coverage_problems(bugs: list[Bug], pages: dict[str, str]) -> list[str]:
    """Pitfalls (on the given pages, by step id) no bug plants, and bugs naming a pitfall not on their page."""
    problems = []
    for step_id, page in pages.items():
        names = pitfalls(page)
        planted = {b.pitfall for b in bugs if b.step.id == step_id}
        problems += [f"{step_id}: pitfall {n!r} has no bug in the zoo" for n in names if n not in planted]
        problems += [f"{b.id}: pitfall {b.pitfall!r} is not on {b.step.page}"
                     for b in bugs if b.step.id == step_id and b.pitfall is not None and b.pitfall not in names]
    return problems


def notebook_page_problems(differences: list[Difference], pages: dict[str, str]) -> list[str]:
    """Bullets (on the given pages, by step id) without exactly one difference or naming other tests than its
    costs, and differences naming no bullet of their page."""
    problems = []
    for step_id, page in pages.items():
        page_name = BY_ID[step_id].page
        mine = [d for d in differences if d.step.id == step_id]
        found = bullets(page, DIFFERS)
        for name, text in found:
            matching = [d for d in mine if d.differs == name]
            if len(matching) != 1:
                have = f"{len(matching)} ({', '.join(d.id for d in matching)})" if matching else "no"
                problems.append(f"{step_id}: differs bullet {name!r} has {have} difference in notebook.toml, "
                                "must have exactly one")
                continue
            clauses = bullet_costs(text)
            if len(clauses) != 1:
                problems.append(f"{page_name}: differs bullet {name!r} must say once what it costs: "
                                "(costs `test_x`), (costs `test_x` and `test_y`) or (costs no test)")
            elif set(clauses[0]) != set(matching[0].costs):
                problems.append(f"{page_name}: differs bullet {name!r} names {tests_named(clauses[0])}, "
                                f"but {matching[0].id} costs {tests_named(matching[0].costs)}")
        names = {name for name, _ in found}
        problems += [f"{d.id}: differs {d.differs!r} is not a bullet of {page_name}"
                     for d in mine if d.differs not in names]
    return problems


def tests_named(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "no test"
