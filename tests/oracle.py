"""Differential harness: run one program with real PyTorch 2.13 and with autograd_edu
aliased as ``torch``, and compare what they print.

Two ways to run a program:

- ``run_inprocess(program, engine)`` execs the text in a fresh namespace whose
  ``__import__`` maps ``torch``/``torch.*`` to ``autograd_edu``/``autograd_edu.*``
  (for engine ``"edu"``), capturing stdout, stderr and warnings in order. Fast;
  ``import torch.nn as nn`` and ``from torch.autograd import Function`` work too.
- ``run_subprocess(program, engine)`` writes the text to a file and runs it in a
  fresh ``python -u``; for ``"edu"`` through a small runner that aliases
  ``sys.modules['torch'...]`` to autograd_edu's modules first. stdout and stderr
  go to one pipe, so warnings interleave with prints as a learner sees them.

PyTorch emits a few warnings once per *process* (``TORCH_WARN_ONCE``: the
``backward(create_graph=True)`` reference-cycle warning), so a program that can
trigger one is always run in fresh interpreters (``needs_fresh_process``); otherwise
in-process results would depend on which tests ran before.

``assert_same_output(program)`` compares the two engines' normalised outputs and
shows a unified diff on failure. Normalisation removes only what honestly differs:
memory addresses, the package name (``autograd_edu.utils.hooks.RemovableHandle``
prints as ``torch.utils.hooks.RemovableHandle``), where a warning raised inside the
library points (file, line and source line of library code), and the program's
own file name.
"""

from __future__ import annotations

import builtins
import contextlib
import difflib
import importlib
import io
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import traceback
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ENGINES = ("torch", "edu")
PROGRAM_NAME = "<program>"
UNCAUGHT = "UNCAUGHT EXCEPTION"

# ---------------------------------------------------------------------------
# normalisation

_ADDR = re.compile(r"0x[0-9a-fA-F]+")
# Tensor methods are C built-ins in torch 2.13 (`<built-in method retain_grad of Tensor object
# at 0x...>`) and Python functions here (`<bound method Tensor.retain_grad of tensor(...)>`, which
# is what older torch printed too, see seed 001). The README's rule: where torch's text names its
# C implementation we print our own honest text, so both forms map to one canonical one.
_METHOD_REPR = re.compile(r"<(?:built-in method (\w+) of Tensor object at 0x[0-9a-fA-F]+>|"
                          r"bound method Tensor\.(\w+) of tensor\((?:[^<>]|<[^<>]*>)*?\)>)",
                          re.DOTALL)
_PACKAGE = re.compile(r"\bautograd_edu\.")
# A warning raised inside the library: "<path>/torch/....py:979: UserWarning: ..." (torch)
# or "<path>/autograd_edu/....py:176: UserWarning: ..." (edu), followed by the source line.
_LIB_WARNING = re.compile(
    r"^(?P<path>\S*?/(?:site-packages/torch|autograd_edu|widgets)/\S+?\.py):\d+: "
    r"(?P<rest>\w+(?:Warning|Error)?: .*)$")


def normalise(text: str, program_path: str | None = None) -> str:
    """Make the two engines' outputs comparable (see module docstring)."""
    if program_path:
        text = text.replace(program_path, PROGRAM_NAME)
    lines = text.split("\n")
    out = []
    lines_to_source = 0  # a warning's source line follows its message (up to 3 lines long)
    for line in lines:
        if lines_to_source:
            lines_to_source -= 1
            if line.startswith("  "):
                lines_to_source = 0
                continue
        m = _LIB_WARNING.match(line)
        if m:
            out.append(f"<library>: {m.group('rest')}")
            lines_to_source = 3
            continue
        out.append(line)
    text = "\n".join(out)
    text = _METHOD_REPR.sub(lambda m: f"<method Tensor.{m.group(1) or m.group(2)}>", text)
    text = _ADDR.sub("0xADDR", text)
    text = _PACKAGE.sub("torch.", text)
    return text


# ---------------------------------------------------------------------------
# in-process runner

_real_import = builtins.__import__


def _edu_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and (name == "torch" or name.startswith("torch.")):
        module = importlib.import_module("autograd_edu" + name[len("torch"):])
        if fromlist:
            return module
        return importlib.import_module("autograd_edu")
    return _real_import(name, globals, locals, fromlist, level)


def _builtins_for(engine: str) -> dict:
    b = dict(vars(builtins))
    if engine == "edu":
        b["__import__"] = _edu_import
    return b


def _module_for(engine: str):
    return importlib.import_module("torch" if engine == "torch" else "autograd_edu")


def _python_default_filters():
    """The warning filters of a fresh ``python`` process (no -W, no PYTHONWARNINGS)."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    warnings.filterwarnings("ignore", category=ResourceWarning)
    warnings.filterwarnings("ignore", category=ImportWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _reset_global_state(module):
    """Undo what a program may have changed in the (shared, in-process) module."""
    with contextlib.suppress(Exception):
        module.set_grad_enabled(True)
    with contextlib.suppress(Exception):
        module.set_default_dtype(module.float32)
    with contextlib.suppress(Exception):
        module.set_printoptions(profile="default")


def run_inprocess(program: str, engine: str) -> str:
    """Exec ``program`` with ``torch`` meaning ``engine``; return everything it printed."""
    assert engine in ENGINES
    program = textwrap.dedent(program)
    module = _module_for(engine)
    buf = io.StringIO()

    def showwarning(message, category, filename, lineno, file=None, line=None):
        where = f"{PROGRAM_NAME}:{lineno}" if filename == PROGRAM_NAME else "<library>"
        buf.write(f"{where}: {category.__name__}: {message}\n")

    namespace = {"__name__": "__main__", "__builtins__": _builtins_for(engine), "torch": module}
    code = compile(program, PROGRAM_NAME, "exec")
    try:
        with warnings.catch_warnings():
            _python_default_filters()
            warnings.showwarning = showwarning
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                try:
                    exec(code, namespace)
                except BaseException as e:  # noqa: BLE001 - reported in the output
                    frames = traceback.extract_tb(e.__traceback__)
                    lines = [f.lineno for f in frames if f.filename == PROGRAM_NAME]
                    where = f" (line {lines[-1]})" if lines else ""
                    buf.write(f"{UNCAUGHT}{where}: {type(e).__name__}: {e}\n")
    finally:
        _reset_global_state(module)
        namespace.clear()
    return normalise(buf.getvalue())


# ---------------------------------------------------------------------------
# subprocess runner

_EDU_RUNNER = """\
import runpy, sys
import autograd_edu
import autograd_edu.autograd, autograd_edu.nn, autograd_edu.nn.functional, autograd_edu.optim
import autograd_edu.utils.hooks
for _name, _mod in list(sys.modules.items()):
    if _name == "autograd_edu" or _name.startswith("autograd_edu."):
        sys.modules["torch" + _name[len("autograd_edu"):]] = _mod
_path = sys.argv[1]
del sys.argv[0]
runpy.run_path(_path, run_name="__main__")
"""


def _env():
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_subprocess(program: str, engine: str, timeout: float = 300) -> str:
    """Run ``program`` in a fresh interpreter; return stdout+stderr (interleaved), normalised."""
    assert engine in ENGINES
    program = textwrap.dedent(program)
    with tempfile.TemporaryDirectory(prefix="oracle_") as tmp:
        path = Path(tmp) / "program.py"
        path.write_text(program, encoding="utf-8")
        if engine == "torch":
            cmd = [sys.executable, "-u", str(path)]
        else:
            runner = Path(tmp) / "edu_runner.py"
            runner.write_text(_EDU_RUNNER, encoding="utf-8")
            cmd = [sys.executable, "-u", str(runner), str(path)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              cwd=tmp, env=_env(), timeout=timeout)
        text = proc.stdout.decode("utf-8", errors="replace")
        if proc.returncode != 0:
            text += f"\n{UNCAUGHT}: exit status {proc.returncode}\n"
        return normalise(text, str(path))


# ---------------------------------------------------------------------------
# comparison

def run(program: str, engine: str, subprocess: bool = False) -> str:
    return (run_subprocess if subprocess else run_inprocess)(program, engine)


def outputs(program: str, subprocess: bool = False) -> tuple[str, str]:
    """(torch output, autograd_edu output), both normalised. Subprocesses run side by side."""
    if subprocess:
        with ThreadPoolExecutor(max_workers=2) as pool:
            expected = pool.submit(run_subprocess, program, "torch")
            actual = pool.submit(run_subprocess, program, "edu")
            return expected.result(), actual.result()
    return run(program, "torch"), run(program, "edu")


def diff(expected: str, actual: str, a: str = "torch 2.13", b: str = "autograd_edu") -> str:
    return "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        fromfile=a, tofile=b))


class OracleProgramError(AssertionError):
    """The program itself does not run under real torch: a bug in the test."""


_ONCE_PER_PROCESS = re.compile(r"create_graph\s*=\s*True")


def needs_fresh_process(program: str) -> bool:
    """Whether ``program`` may trigger a warning torch gives once per process."""
    return bool(_ONCE_PER_PROCESS.search(program))


def assert_same_output(program: str, *, subprocess: bool = False, contains=(), forbid=(),
                       allow_uncaught: bool = False) -> str:
    """Run ``program`` under both engines; fail with a unified diff if they print differently.

    ``contains``: substrings torch's output must hold (guards against a test that
    compares two identical wrong things, e.g. both engines raising in setup).
    ``forbid``: substrings torch's output must not hold. Returns torch's output."""
    if isinstance(contains, str):
        contains = (contains,)
    if isinstance(forbid, str):
        forbid = (forbid,)
    subprocess = subprocess or needs_fresh_process(program)
    if subprocess:
        expected, actual = outputs(program, subprocess=True)
    else:
        expected, actual = run(program, "torch"), None
    if not allow_uncaught and UNCAUGHT in expected:
        raise OracleProgramError(f"program fails under real torch:\n{expected}")
    for piece in contains:
        if piece not in expected:
            raise OracleProgramError(f"torch output lacks {piece!r}:\n{expected}")
    for piece in forbid:
        if piece in expected:
            raise OracleProgramError(f"torch output holds {piece!r}:\n{expected}")
    if actual is None:
        actual = run(program, "edu")
    if expected != actual:
        raise AssertionError("outputs differ\n" + diff(expected, actual)
                             + "\n--- program ---\n" + textwrap.dedent(program))
    return expected


# Preludes for programs that try many statements and print each outcome (the same text
# under both engines, so exceptions are compared too).
ATTEMPT_CALL = """
def attempt(f):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__, e)
"""
ATTEMPT_EXEC = """
import warnings
warnings.simplefilter("always")

def attempt(code, **names):
    try:
        exec(code, {"torch": torch, **names})
        print("ok:", code)
    except Exception as e:
        print(f"{type(e).__name__}: {e} <- {code}")
"""


def error_program(setup: str, statement: str) -> str:
    """A program that runs ``setup`` then prints the exception ``statement`` raises."""
    setup = textwrap.dedent(setup).strip("\n")
    statement = textwrap.dedent(statement).strip("\n")
    body = textwrap.indent(statement, "    ")
    return (f"{setup}\n"
            f"try:\n{body}\n"
            f"except Exception as e:\n"
            f"    print(type(e).__name__, e, sep=': ')\n"
            f"else:\n"
            f"    print('NO EXCEPTION')\n")


def assert_same_error(setup: str, statement: str, *, after: str = "",
                      subprocess: bool = False, contains=()) -> str:
    """``statement`` must raise under torch; autograd_edu must raise the same type and text.

    ``after`` runs once the exception has been caught (e.g. to print state)."""
    program = error_program(setup, statement) + textwrap.dedent(after)
    return assert_same_output(program, subprocess=subprocess, contains=contains,
                              forbid="NO EXCEPTION")

# A custom Function that doubles its input in place and says so (ctx.mark_dirty).
DOUBLE_IN_PLACE = """
import torch

class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.mark_dirty(a)
        return a.mul_(2)

    @staticmethod
    def backward(ctx, grad):
        return grad * 2
"""
