"""Notebook workspaces: a step per notebook, its export cells collected into the step's module.

As the course did with `notebook2script.py` (and nbdev does), the code of a
notebook is the code cells whose first line is an export marker, `#export`,
`# export` or `#| export`, in order. They go to the module a `default_exp`
marker names (`#| default_exp loss`), or else the module of the step the
notebook's number names (`02_whatever.ipynb`: step 2, lesson9/loss.py). The
notebook is read, never run.

A notebook that cannot be used (not notebook JSON, no export cells, a second
notebook exporting the same module) gives its module one line that raises,
saying why: every test of its step fails with that line, and nothing of ours
breaks. Messages that name a line of a made module are told as the
notebook, cell and line it came from (`relocate`).
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.files import Files, read_files
from loopkata.kata.steps import MODULE_STEPS, Step

EXPORT = re.compile(r"^#\s*\|?\s*export\s*$")
DEFAULT_EXP = re.compile(r"^#\s*\|?\s*default_exp\s+(?:lesson9\.)?(\w+)\s*$", re.MULTILINE)
NUMBER = re.compile(r"^(\d+)")
# a line of a made module, as messages name it: ".../lesson9/loss.py:12", "lesson9/loss.py, line 12",
# "(loss.py, line 12)" and "lesson9/loss.py has a syntax error at line 12"
PLACES = re.compile(r"(?:[^\s(\"']*/)?(?:lesson9/)?(?P<module>\w+)\.py(?P<sep>:|, line | has a syntax error at line )"
                    r"(?P<line>\d+)")


@dataclass
class Block:
    """Where some lines of a made module come from."""
    notebook: str
    cell: int  # counting every cell of the notebook from 1, as it reads top to bottom
    start: int  # the module's line that holds the cell's first line
    length: int
    opening: str = ""  # the cell's first line of code, to find it by

    def name(self) -> str:
        shown = self.opening if len(self.opening) <= 40 else self.opening[:37] + "..."
        return f"{self.notebook}, cell {self.cell}" + (f" ({shown})" if shown else "")


@dataclass
class Export:
    files: Files = field(default_factory=dict)  # lesson9/__init__.py and a module per notebook
    blocks: dict[str, list[Block]] = field(default_factory=dict)  # module name -> where its lines come from
    problems: list[str] = field(default_factory=list)  # one line each

    def relocate(self, text: str) -> str:
        """text with every place in a made module named as the notebook, cell and line it came from."""
        def where(match: re.Match) -> str:
            for block in self.blocks.get(match["module"], []):
                line = int(match["line"])
                if block.start <= line < block.start + block.length:
                    place = f"{block.name()}, line {line - block.start + 1}"
                    return place + (" has a syntax error" if "syntax" in match["sep"] else "")
            return match[0]

        return PLACES.sub(where, text)


def notebooks_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def is_notebook_workspace(folder: Path) -> bool:
    """A folder of notebooks (and no lesson9/): a workspace made by `loopkata init --notebooks`."""
    return folder.is_dir() and not paths.is_kata_tree(folder) and bool(notebooks_in(folder))


def is_workspace(folder: Path) -> bool:
    """A learner's work: a kata tree (lesson9/), or a folder of notebooks."""
    return paths.is_kata_tree(folder) or is_notebook_workspace(folder)


def read_workspace(folder: Path) -> tuple[Files, Export | None]:
    """Its lesson9 modules: the files of its lesson9/, or what its notebooks export (and how)."""
    if is_notebook_workspace(folder):
        exported = export(folder)
        return exported.files, exported
    return read_files(folder, "lesson9/**/*.py"), None


def _read(path: Path) -> list[dict]:
    """The notebook's cells; ValueError with one line when it is not a notebook."""
    import nbformat  # here: most commands never read a notebook, and it is slow to import

    try:
        return [dict(cell) for cell in nbformat.read(path, as_version=4).cells]
    except (ValueError, KeyError, AttributeError, nbformat.ValidationError) as e:
        raise ValueError(f"{path.name} is not a notebook Jupyter can open ({type(e).__name__}: "
                         f"{' '.join(str(e).split())[:160]})") from None
    except OSError as e:
        raise ValueError(f"{path.name} cannot be read: {e.strerror}") from None


def _numbered_module(path: Path) -> str | None:
    """The module of the step whose number starts the notebook's name."""
    number = NUMBER.match(path.name)
    return next((s.module for s in MODULE_STEPS if number and s.number == int(number[1])), None)


def _module_of(path: Path, cells: list[dict]) -> str | None:
    for cell in cells:
        match = DEFAULT_EXP.search(_source(cell))
        if match:
            return match[1]
    return _numbered_module(path)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def export(folder: Path) -> Export:
    """The modules the folder's notebooks export, read without running anything."""
    result = Export(files={"lesson9/__init__.py": b""})
    owner: dict[str, str] = {}  # module -> notebook
    for path in notebooks_in(folder):
        try:
            cells = _read(path)
        except ValueError as e:
            _fail(result, _numbered_module(path), str(e))
            continue
        module = _module_of(path, cells)
        if module is None:
            result.problems.append(f"{path.name} exports into no step's module: add a cell `#| default_exp loss` "
                                   "(the step's module) or start its name with the step's number")
            continue
        if module in owner:
            _fail(result, module, f"both {owner[module]} and {path.name} export into lesson9/{module}.py: "
                                  "keep one of them in this folder")
            continue
        owner[module] = path.name
        code = [(n, _source(cell)) for n, cell in enumerate(cells, 1)
                if cell.get("cell_type") == "code" and EXPORT.match(_source(cell).split("\n", 1)[0].strip())]
        if not code:
            _fail(result, module, f"{path.name} has no export cells: start each cell of your code with `#| export`")
            continue
        lines, blocks = [], []
        for n, source in code:
            opening = next((l.strip() for l in source.split("\n")[1:] if l.strip() and not l.startswith("#")), "")
            blocks.append(Block(path.name, n, len(lines) + 1, source.count("\n") + 1, opening))
            lines += source.split("\n") + ["", ""]
        result.files[f"lesson9/{module}.py"] = "\n".join(lines).encode()
        result.blocks[module] = blocks
    return result


def _fail(result: Export, module: str | None, problem: str) -> None:
    """The module raises `problem` when imported, so every test of its step says it."""
    result.problems.append(problem)
    if module is not None:
        result.files[f"lesson9/{module}.py"] = f"raise ImportError({problem!r})\n".encode()
        result.blocks.pop(module, None)


# --- making a notebook workspace -------------------------------------------------------------------

INTRO = """\
**Your code goes in the cells that start with `#| export`**: loopkata collects them into
`lesson9/{module}.py`, in order, and never runs this notebook. Save the notebook (Ctrl-S), then run
the last cell, or `loopkata check {step}` in a terminal in this folder.
"""
SKIPPED_SECTIONS = ("## Run the tests",)


def _chunks(source: str) -> list[str]:
    """A module cut into cells: what comes before its first function or class, then each of them."""
    tree = ast.parse(source)
    lines = source.splitlines()
    starts = [min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) for n in tree.body
              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    cuts = [0] + [s - 1 for s in starts] + [len(lines)]
    return [c for c in ("\n".join(lines[a:b]).strip("\n") for a, b in zip(cuts, cuts[1:])) if c]


def _sections(page: str) -> list[str]:
    """The page's sections as Markdown cells, without the hints (`loopkata hint` gives those)."""
    parts = re.split(r"(?m)^(?=## )", page)
    return [p.strip() for p in parts if p.strip() and not p.startswith(SKIPPED_SECTIONS)]


def make_notebook(step: Step) -> dict:
    """The step's notebook: its page, then its skeleton in export cells, then a cell that checks it."""
    import nbformat  # here: see _read

    page = (paths.kata_root() / step.page).read_text()
    skeleton = (paths.skeleton_tree() / step.module_file).read_text()
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(section) for section in _sections(page)]
    cells.append(nbformat.v4.new_markdown_cell(INTRO.format(module=step.module, step=step.id)))
    cells.append(nbformat.v4.new_code_cell(f"#| default_exp {step.module}"))
    cells += [nbformat.v4.new_code_cell(f"#| export\n{chunk}") for chunk in _chunks(skeleton)]
    cells.append(nbformat.v4.new_code_cell(f'from loopkata import check\ncheck("{step.id}")'))
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def notebook_name(step: Step) -> str:
    return f"{step.number:02d}_{step.id}.ipynb"


def write_notebooks(folder: Path) -> list[Path]:
    """A notebook per step in folder (which must hold none of them yet)."""
    written = []
    for step in MODULE_STEPS:
        path = folder / notebook_name(step)
        path.write_text(json.dumps(make_notebook(step), indent=1) + "\n")
        written.append(path)
    return written

