"""The lesson notebooks (notebooks/*.ipynb): everything nbval does not check.

nbval (collected by the same ``python -m pytest``, see pyproject.toml) re-runs each
notebook and compares every cell with its stored outputs. It has gaps, closed here:

- it silently skips cells saved without outputs (``execution_count`` null), so a
  notebook with cleared outputs would pass: every code cell must have been run, in
  order, and hold outputs (except the few cells listed in ``SILENT``);
- it passes a ``raises-exception`` cell that does not raise: each must hold an error;
- it cannot compare pictures (SVG bytes depend on the graphviz build) or widgets, so
  those cells are tagged ``nbval-ignore-output``; here the notebook is re-run in this
  process and the drawings, steppers and static walks are rebuilt and compared with
  what is stored;
- it only compares autograd_edu with itself: here each notebook is also run with real
  PyTorch 2.13 and must print the same (modulo addresses and package names);
- the seed coverage table in notebooks/README.md must list every program of
  tests/seed_programs/, and the cells it names must hold that program's code and
  output;
- the Binder configuration (binder/), and the Dockerfile repo2docker makes of it.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
import shutil
import subprocess
import sys
import tokenize
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat
import oracle
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PROGRAMS = ROOT / "tests" / "seed_programs"
BINDER = ROOT / "binder"

LESSONS = [
    "01_tensors_and_requires_grad.ipynb",
    "02_backward_and_grad.ipynb",
    "03_graph_and_grad_fn.ipynb",
    "04_hooks_retain_grad_and_accumulation.ipynb",
    "05_no_grad_detach_and_data.ipynb",
    "06_inplace_and_versions.ipynb",
    "07_custom_functions_and_losses.ipynb",
]
SEED_FILES = {
    "000": "000_cbe3bcbc4f17b15d.txt",
    "001": "001_3cf1339e6f070a28.txt",
    "002": "002_fd77bfc8ade742c0.txt",
    "003": "003_e2152113bdbbb746.txt",
    "004": "004_2cbe050765e092f5.txt",
}
# Code cells that rightly print nothing (imports, a class definition, a bare backward()).
# Any other code cell without outputs means the notebook was saved unexecuted.
SILENT = {
    "01_tensors_and_requires_grad.ipynb": {"setup"},
    "02_backward_and_grad.ipynb": {"setup"},
    "03_graph_and_grad_fn.ipynb": {"setup"},
    "04_hooks_retain_grad_and_accumulation.ipynb": {"setup", "s002_b-10"},
    "05_no_grad_detach_and_data.ipynb": {"setup"},
    "06_inplace_and_versions.ipynb": {"setup", "s002_d-3"},
    "07_custom_functions_and_losses.ipynb": {"setup", "s003_i-1"},
}
# The errors a learner must meet, as (exception, start of message).
REQUIRED_ERRORS = [
    ("RuntimeError", "grad can be implicitly created only for scalar outputs"),
    ("RuntimeError", "Trying to backward through the graph a second time"),
    ("RuntimeError", "one of the variables needed for gradient computation has been "
                     "modified by an inplace operation"),
    ("AttributeError", "'Tensor' object has no attribute 'zero_grad'"),
]
IGNORE_OUTPUT = "nbval-ignore-output"
RAISES = "raises-exception"


@cache
def load(name: str):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell):
    return cell.metadata.get("tags", [])


# -- what a stored cell shows, as text ---------------------------------------------------------
def stored_text(cell) -> str:
    """stdout, then the displayed value's text/plain, then the error, as one text."""
    out = []
    for o in cell.outputs:
        if o.output_type == "stream" and o.name == "stdout":
            out.append(o.text)
    for o in cell.outputs:
        if o.output_type in ("execute_result", "display_data"):
            out.append(o.data.get("text/plain", "") + "\n")
    for o in cell.outputs:
        if o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}\n")
    return "".join(out)


_WARNING_LINE = re.compile(r"^\S.*?:\d+: (\w+): (.*)$")


def stored_warnings(cell) -> list[tuple[str, str]]:
    """(category, message) of each warning printed to the cell's stderr."""
    found = []
    for o in cell.outputs:
        if o.output_type == "stream" and o.name == "stderr":
            for line in o.text.splitlines():
                m = _WARNING_LINE.match(line)
                if m:
                    found.append((m.group(1), m.group(2)))
    return found


# -- 1. the notebooks are executed, in order, and self-contained --------------------------------
def test_the_seven_lessons_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == LESSONS


@pytest.mark.parametrize("name", LESSONS)
def test_every_code_cell_ran_in_order_and_has_outputs(name):
    nb = load(name)
    nbformat.validate(nb)
    cells = code_cells(nb)
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{name}: execution counts {counts}: re-run the notebook top to bottom (Run All) "
        "and save it with its outputs; nbval skips cells saved without outputs")
    empty = {c.id for c in cells if not c.outputs}
    assert empty == SILENT[name], (
        f"{name}: code cells without outputs {sorted(empty)} (expected {sorted(SILENT[name])})")
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", LESSONS)
def test_first_cell_imports_autograd_edu_as_torch(name):
    nb = load(name)
    first = nb.cells[0]
    assert first.cell_type == "code"
    assert first.source.splitlines()[0] == "import autograd_edu as torch"
    source = "\n".join(c.source for c in code_cells(nb))
    if re.search(r"torch\.rand", source):
        assert "torch.manual_seed(0)" in first.source, "seed the generator before random draws"
    for used, needed in (("nn.", "import autograd_edu.nn as nn"),
                         ("Function)", "from autograd_edu.autograd import Function"),
                         ("draw(", "from autograd_edu.widgets import draw"),
                         ("BackwardStepper(", "BackwardStepper")):
        if used in source:
            assert needed in first.source, f"{name}: the first cell should import {needed!r}"


@pytest.mark.parametrize("name", LESSONS)
def test_notebooks_never_import_torch_itself(name):
    for cell in code_cells(load(name)):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] != "torch", (
                    f"{name} cell {cell.id} imports {module}: use `import autograd_edu as torch`")
        assert not re.search(r"^\s*[%!].*\btorch\b", cell.source, re.M), cell.source


# -- 2. errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LESSONS)
def test_raises_exception_cells_hold_their_error(name):
    for cell in code_cells(load(name)):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if RAISES in tags(cell):
            assert len(errors) == 1 and cell.outputs[-1] is errors[0], (
                f"{name} cell {cell.id} is tagged {RAISES} but holds no error")
        else:
            assert not errors, f"{name} cell {cell.id} raised without the {RAISES} tag"


def test_the_learner_meets_the_four_classic_errors():
    seen = [(o.ename, o.evalue) for name in LESSONS for c in code_cells(load(name))
            if RAISES in tags(c) for o in c.outputs if o.output_type == "error"]
    for ename, start in REQUIRED_ERRORS:
        assert any(e == ename and v.startswith(start) for e, v in seen), (ename, start)


# -- 3. seed coverage ---------------------------------------------------------------------------
@dataclass
class Row:
    seed_file: str
    program: str
    lesson: str
    cells: list[str]
    first: int
    last: int


_ROW = re.compile(r"^\| `(?P<seed>[^`]+)` \| `(?P<program>s\d{3}_\w+)`: .*? \| "
                  r"\[(?P<lesson>[^\]]+)\]\((?P=lesson)\) \| (?P<cells>(?:`[^`]+`(?:, )?)+) "
                  r"\(In \[(?P<first>\d+)\](?:–\[(?P<last>\d+)\])?\) \|$")


def mapping_rows() -> list[Row]:
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- mapping -->\n(.*?)<!-- /mapping -->", text, re.S)
    assert table, "notebooks/README.md lacks the <!-- mapping --> table"
    rows = []
    for line in table.group(1).splitlines()[2:]:
        m = _ROW.match(line)
        assert m, f"unreadable mapping row: {line}"
        rows.append(Row(m["seed"], m["program"], m["lesson"], re.findall(r"`([^`]+)`", m["cells"]),
                        int(m["first"]), int(m["last"] or m["first"])))
    return rows


def mapped_cells(row: Row):
    by_id = {c.id: c for c in code_cells(load(row.lesson))}
    missing = [cid for cid in row.cells if cid not in by_id]
    assert not missing, f"{row.program}: no cells {missing} in {row.lesson}"
    return [by_id[cid] for cid in row.cells]


def test_mapping_table_lists_every_seed_program():
    programs = sorted(p.stem for p in PROGRAMS.glob("s*.py"))
    rows = mapping_rows()
    assert sorted(r.program for r in rows) == programs
    for row in rows:
        assert row.seed_file == SEED_FILES[row.program[1:4]], row
        assert row.lesson in LESSONS, row
        cells = mapped_cells(row)
        counts = [c.execution_count for c in cells]
        assert (counts[0], counts[-1]) == (row.first, row.last), (row, counts)
        for cell in cells:
            assert row.program in cell.metadata.get("seed_programs", []), (row, cell.id)
    # and the other way round: every cell that says it reproduces a program is listed
    listed = {(r.lesson, cid) for r in rows for cid in r.cells}
    for name in LESSONS:
        for cell in code_cells(load(name)):
            if cell.metadata.get("seed_programs"):
                assert (name, cell.id) in listed, (name, cell.id)


def _compact(source: str) -> str:
    """Source as its tokens with comments and layout dropped: `y = 2* x+1` -> `y=2*x+1`."""
    tokens = tokenize.generate_tokens(io.StringIO(source + "\n").readline)
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER}
    return "".join(t.string for t in tokens if t.type not in skip)


def program_statements(source: str) -> list[str]:
    """The statements a lesson must contain: imports dropped, try/except unwrapped
    (a lesson shows the error in a ``raises-exception`` cell instead), and
    ``print(repr(x))`` reduced to ``x`` (a notebook displays the value)."""
    tree = ast.parse(source)

    def walk(body):
        for stmt in body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                continue
            if isinstance(stmt, ast.Try):
                yield from walk(stmt.body)
                continue
            node = stmt
            if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
                    and getattr(stmt.value.func, "id", None) == "print"
                    and len(stmt.value.args) == 1 and isinstance(stmt.value.args[0], ast.Call)
                    and getattr(stmt.value.args[0].func, "id", None) == "repr"):
                node = stmt.value.args[0].args[0]
            yield _compact(ast.get_source_segment(source, node))

    return list(walk(tree.body))


_ERROR_PRINT = re.compile(r"^(\w+(?:Error|Exception)): ")
_NODE_REPR = re.compile(r"<([\w.]+) object at (0xADDR)>")


def _lines_for_matching(normalised: str) -> list[str]:
    """Lines of an ``oracle.normalise``d text, with ``<X object at 0x..>`` (print) and
    ``<X at 0x..>`` (Jupyter's display) shown the same way."""
    text = _NODE_REPR.sub(r"<\1 at \2>", normalised)
    return [_ERROR_PRINT.sub(r"\1 ", line.rstrip()) for line in text.splitlines()]


@pytest.mark.parametrize("row", mapping_rows(), ids=lambda r: r.program)
def test_mapped_cells_hold_the_seed_programs_code_and_output(row):
    program = (PROGRAMS / f"{row.program}.py").read_text(encoding="utf-8")
    cells = mapped_cells(row)
    lesson_code = "\n".join(_compact(c.source) for c in cells)
    for statement in program_statements(program):
        assert statement in lesson_code, f"{row.program}: {statement!r} is not in {row.cells}"

    # what the program prints under autograd_edu (checked against PyTorch by test_seeds.py)
    # must appear, line by line and in order, in the stored outputs of those cells
    printed = oracle.run_inprocess(program, "edu")
    expected = [line for line in _lines_for_matching(printed)  # warnings are not compared
                if not re.match(r"^(<program>:\d+|<library>): \w+: ", line)]
    shown = _lines_for_matching(oracle.normalise("".join(stored_text(c) for c in cells)))
    i = 0
    for line in expected:
        while i < len(shown) and shown[i] != line:
            i += 1
        assert i < len(shown), (f"{row.program}: {line!r} not shown (in order) by cells "
                                f"{row.cells}:\n" + "\n".join(shown))
        i += 1


# -- 4. re-running the notebooks in this process -------------------------------------------------
@dataclass
class CellRun:
    cell: object
    text: str = ""
    value: object = None
    error: BaseException | None = None
    warnings: list = field(default_factory=list)

    def picture(self) -> str:
        """What a drawing or walk shows, as text: the DOT source of a drawing, the frame
        texts of a static walk, the stepper's current frame (same for either engine)."""
        value = self.value
        if hasattr(value, "source") and hasattr(value, "svg"):
            return value.source
        if hasattr(value, "_repr_mimebundle_"):
            return value._repr_mimebundle_()["text/plain"]
        return repr(value)


def _for_torch(source: str) -> str:
    """The same cell with real PyTorch (the widgets accept PyTorch tensors as they are)."""
    source = re.sub(r"^import autograd_edu as torch$", "import torch", source, flags=re.M)
    source = re.sub(r"^import autograd_edu\.nn as nn$", "import torch.nn as nn", source, flags=re.M)
    return source.replace("from autograd_edu.autograd import", "from torch.autograd import")


def run_notebook(name: str, engine: str) -> list[CellRun]:
    """Run the code cells like a kernel would (the last expression is displayed with
    IPython's pretty printer); keep each cell's text, value, error and warnings."""
    from IPython.lib.pretty import pretty

    namespace = {"__name__": "__main__"}
    runs = []
    with warnings.catch_warnings(), _global_state_restored(engine):
        for cell in code_cells(load(name)):
            source = cell.source if engine == "edu" else _for_torch(cell.source)
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            run = CellRun(cell)
            buf = io.StringIO()
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
                warnings.simplefilter("always")
                try:
                    exec(compile(tree, f"<cell {cell.id}>", "exec"), namespace)
                    if last is not None:
                        run.value = eval(compile(ast.Expression(last.value),
                                                 f"<cell {cell.id}>", "eval"), namespace)
                except Exception as e:  # noqa: BLE001 - compared with the stored error
                    run.error = e
            run.text = buf.getvalue()
            if run.value is not None:
                run.text += pretty(run.value) + "\n"
            if run.error is not None:
                run.text += f"{type(run.error).__name__}: {run.error}\n"
            run.warnings = [(w.category.__name__, str(w.message)) for w in caught]
            runs.append(run)
    return runs


@contextlib.contextmanager
def _global_state_restored(engine: str):
    """Leave the engine's global state (generator, grad mode) as other tests expect it."""
    module = importlib.import_module("torch" if engine == "torch" else "autograd_edu")
    # autograd_edu keeps get/set_rng_state in its generator module (not re-exported)
    rng = module if engine == "torch" else importlib.import_module("autograd_edu._random")
    state = rng.get_rng_state()
    try:
        yield
    finally:
        rng.set_rng_state(state)
        module.set_grad_enabled(True)


@pytest.fixture(autouse=True)
def _close_widgets():
    yield
    import ipywidgets

    ipywidgets.Widget.close_all()


PICTURE_LESSONS = [n for n in LESSONS
                   if any(IGNORE_OUTPUT in tags(c) for c in code_cells(load(n)))]


def _svg_node_ids(svg: str) -> set[str]:
    return set(re.findall(r'<g id="(n\d+)" class="node"', svg))


def _dot_version() -> str | None:
    dot = shutil.which("dot")
    if not dot:
        return None
    out = subprocess.run([dot, "-V"], capture_output=True, text=True).stderr
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else None


@pytest.mark.parametrize("name", PICTURE_LESSONS)
def test_pictures_and_widgets_match_a_fresh_headless_run(name):
    """The cells nbval ignores: rebuild each drawing, stepper and static walk and compare."""
    from autograd_edu.widgets import BackwardStepper, Drawing
    from autograd_edu.widgets.stepper import StaticWalk

    nb = load(name)
    widget_state = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    runs = run_notebook(name, "edu")
    dot_version = _dot_version()
    checked = 0
    for i, run in enumerate(runs):
        cell = run.cell
        if IGNORE_OUTPUT not in tags(cell):
            continue
        assert run.error is None, f"{name} cell {cell.id}: {run.error!r}"
        (out,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        data = out.data
        value = run.value
        if isinstance(value, Drawing):
            assert data["text/plain"] == repr(value)
            svg = data["image/svg+xml"]
            assert _svg_node_ids(svg) == {n.id for n in value.model.nodes}
            for node in value.model.nodes:
                assert node.name in svg, node.name
            stored_version = re.search(r"Generated by graphviz version (\S+)", svg)
            if dot_version and stored_version and stored_version.group(1) == dot_version:
                assert svg == value.svg(), f"{name} cell {cell.id}: the stored drawing is stale"
        elif isinstance(value, BackwardStepper):
            assert data["text/plain"] == repr(value) == (
                "<BackwardStepper: Before backward: 1 start gradient>")
            model_id = data["application/vnd.jupyter.widget-view+json"]["model_id"]
            assert model_id in widget_state, "widget state not saved: no picture without a kernel"
            # walk it with the ▶ button, as a learner would
            texts = [value.frame.text()]
            while not value.next_button.disabled:
                value.next_button.click()
                texts.append(value.frame.text())
                assert f"Step {value.step} of" in value.panel.value
                assert "<svg" in value.picture.value
            assert texts[-1].endswith("the leaves' .grad now hold the result.")
            # the static walk (next cell) shows exactly these frames
            static = runs[i + 1]
            assert isinstance(static.value, StaticWalk)
            stored_static = static.cell.outputs[0].data
            assert stored_static["text/plain"] == "\n\n".join(texts)
            assert stored_static["text/html"].count("<svg") == len(texts)
        elif isinstance(value, StaticWalk):
            bundle = value._repr_mimebundle_()
            assert data["text/plain"] == bundle["text/plain"]
            assert data["text/html"].count("<section") == bundle["text/html"].count("<section")
        else:
            raise AssertionError(f"{name} cell {cell.id}: unexpected {type(value).__name__}")
        checked += 1
    assert checked


# -- 5. the lessons print what PyTorch 2.13 prints ---------------------------------------------
_TORCH_METHOD = re.compile(r"<function Tensor\.(\w+)>")


def _comparable(text: str) -> str:
    return _TORCH_METHOD.sub(r"<method Tensor.\1>", oracle.normalise(text))


@pytest.mark.parametrize("name", LESSONS)
def test_each_cell_prints_what_pytorch_prints(name):
    """Run with real PyTorch, each cell prints what is stored. The widgets accept PyTorch
    tensors too (the stepper then replays PyTorch's own backward): a drawing or walk of
    the PyTorch run must read exactly like autograd_edu's."""
    import torch  # noqa: F401 - the oracle is a test dependency: missing it must fail
    runs = run_notebook(name, "torch")
    edu_runs = run_notebook(name, "edu")
    for run, edu_run in zip(runs, edu_runs, strict=True):
        cell = run.cell
        if IGNORE_OUTPUT in tags(cell):
            assert run.error is None, f"{name} cell {cell.id} fails with PyTorch: {run.error!r}"
            # (a stale saved tensor cannot be unpacked from a PyTorch node, so there its box
            # lacks the dtype: drawings with show_saved are only checked against autograd_edu's
            # own rebuild, in test_pictures_and_widgets_match_a_fresh_headless_run)
            if "show_saved=True" not in cell.source:
                assert run.picture() == edu_run.picture(), f"{name} cell {cell.id}"
            continue
        assert _comparable(run.text) == _comparable(stored_text(cell)), (
            f"{name} cell {cell.id}:\n{cell.source}\n--- PyTorch 2.13 ---\n{run.text}"
            f"--- stored ---\n{stored_text(cell)}")
        assert run.warnings == stored_warnings(cell), (name, cell.id)


# -- 6. Binder ---------------------------------------------------------------------------------
def _lines(path: Path) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()
            if line.split("#", 1)[0].strip()]


def test_binder_files():
    assert sorted(p.name for p in BINDER.iterdir()) == ["apt.txt", "requirements.txt",
                                                        "runtime.txt"]
    # repo2docker ignores requirements.txt if an environment.yml is present, and ignores
    # pyproject.toml when binder/ exists: the package is installed only by `-e .` here
    assert _lines(BINDER / "requirements.txt") == ["-e .[lessons]"]
    assert _lines(BINDER / "apt.txt") == ["graphviz"]
    assert _lines(BINDER / "runtime.txt") == ["python-3.11"]
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    assert ("https://mybinder.org/v2/gh/OWNER/REPO/main?urlpath=lab/tree/notebooks/"
            "01_tensors_and_requires_grad.ipynb") in readme


def test_repo2docker_dockerfile(tmp_path):
    import repo2docker  # noqa: F401 - in the test extra: missing it must fail, not skip
    # a copy of what repo2docker reads (binder/, and the package the Dockerfile copies)
    shutil.copytree(BINDER, tmp_path / "binder")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    proc = subprocess.run([sys.executable, "-m", "repo2docker", "--no-build", "--debug",
                           "--no-run", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    # Python 3.11: the base environment is built from repo2docker's 3.11 lock file
    assert "Building conda environment for python=3.11" in text
    lock = re.search(r"COPY --chown=0:0 build_script_files/(\S+) /tmp/env/environment.lock", text)
    assert lock, text
    # the file name is escaped (escapism, "-" as escape char) and, depending on where
    # repo2docker is installed, may carry more than the lock's name: look for its parts
    name = lock.group(1)
    assert ("3-2e11" in name or "3.11" in name) and "linux" in name and "lock" in name, name
    apt = re.search(r"apt-get install --yes --no-install-recommends ([^&\n]*)", text)
    assert apt and apt.group(1).split() == ["graphviz"], text
    copy_repo = text.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    pip = text.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_repo < pip, "pip must run after the repository is copied (for `-e .`)"

