"""The floor plan holds: imports go one way, top to bottom, and none hides inside a function to dodge a cycle."""
import ast
from pathlib import Path

import loopkata

PACKAGE = Path(loopkata.__file__).parent
# each room and the rooms it may import; a room always may import itself
ROOMS = {
    "cli": {"maintainer", "homework", "learner", "grading", "containment", "testing", "kata"},
    "maintainer": {"homework", "learner", "grading", "containment", "testing", "kata"},
    "homework": {"learner", "grading", "containment", "testing", "kata"},
    "learner": {"containment", "testing", "kata"},
    "grading": {"containment", "testing", "kata"},
    "containment": {"testing", "kata"},
    "testing": {"kata"},
    "kata": set(),
    "__main__": {"cli"},
    "__init__": {"kata"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported loopkata module, whether the import sits inside a function) for every import in the file."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend([(a.name, inner) for a in child.names if a.name.split(".")[0] == "loopkata"])
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.split(".")[0] == "loopkata":
                found.extend((f"{child.module}.{a.name}", inner) for a in child.names)
            visit(child, inner)

    visit(ast.parse(path.read_text()), False)
    return found


def sources():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "tests" not in p.relative_to(PACKAGE).parts]


def room_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def known(name: str) -> str:
    """The module a dotted import name refers to (`loopkata.kata.paths.use_tree` -> `loopkata.kata.paths`)."""
    while name and not ((PACKAGE.parent / name.replace(".", "/")).with_suffix(".py").exists()
                        or (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()):
        name = name.rpartition(".")[0]
    return name


def test_every_module_is_in_a_room():
    assert {room_of(module_name(p)) for p in sources()} <= set(ROOMS)


def test_rooms_import_only_the_rooms_below_them():
    wrong = []
    for path in sources():
        me = room_of(module_name(path))
        for name, _ in imports_of(path):
            theirs = room_of(known(name))
            if theirs != me and theirs not in ROOMS[me] and known(name) != "loopkata":
                wrong.append(f"{module_name(path)} imports {name} ({me} may import {sorted(ROOMS[me])})")
    assert wrong == []


def test_no_import_of_ours_inside_a_function():
    inside = [f"{module_name(p)}: {name}" for p in sources() for name, in_function in imports_of(p) if in_function]
    assert inside == []


def test_the_import_graph_has_no_cycle():
    graph = {module_name(p): {known(n) for n, _ in imports_of(p)} - {module_name(p)} for p in sources()}
    state: dict[str, str] = {}

    def cycle_from(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return trail + [node, nxt]
            if nxt not in state and (found := cycle_from(nxt, trail + [node])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            assert cycle_from(node, []) is None
