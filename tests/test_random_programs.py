"""Random programs, run identically in torch and autograd_edu (hypothesis-driven).

A program starts from one leaf of a random shape (0-d and size-1 dims included) and
applies 1-12 ops drawn from ``CHAIN_OPS`` (``_op_table.py``) to the latest result. A
binary op takes as second operand an earlier tensor of a fitting shape or a new leaf
whose shape broadcasts with the first. After every step the values, dtype, shape and
``grad_fn`` name are compared; at the end backward runs from the last result with a
random upstream gradient and every leaf's ``.grad`` is compared.
``test_random_program_second_order`` differentiates the same chains twice (gradients
with ``create_graph=True``, then a Hessian-vector product) and compares both orders.

CI runs 200 examples (100 for second order), derandomized; set
``AUTOGRAD_EDU_FUZZ_EXAMPLES`` to run more.
A failing example prints the program (``Falsifying example`` ... then the steps) with
the leaves' values: enough to reproduce it by hand.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from _op_table import CHAIN_OPS, DOMAINS, dtype_name, to_numpy
from hypothesis import HealthCheck, Phase, given, note, reject, settings
from hypothesis import strategies as st

import autograd_edu as ae

MAX_EXAMPLES = int(os.environ.get("AUTOGRAD_EDU_FUZZ_EXAMPLES", "200"))
TOL = {"float64": (1e-9, 1e-10), "float32": (2e-4, 2e-5)}
SMALL = 48  # ops marked ``grows`` only apply to tensors up to this many elements


class Mismatch(AssertionError):
    pass


class Program:
    """The same program, built step by step in both engines."""

    def __init__(self, dtype: str, seed: int):
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)
        self.leaves: list[tuple[str, torch.Tensor, ae.Tensor]] = []
        self.pool: list[tuple[str, torch.Tensor, ae.Tensor]] = []
        self.lines: list[str] = [f"# dtype {dtype}"]

    # -- building ------------------------------------------------------------------
    def leaf(self, shape, domain="real"):
        values = DOMAINS[domain](self.rng, shape).astype(self.dtype)
        name = f"x{len(self.leaves)}"
        entry = (name, torch.tensor(values.copy(), requires_grad=True),
                 ae.tensor(values.copy(), requires_grad=True))
        self.leaves.append(entry)
        self.pool.append(entry)
        self.lines.append(f"{name} = T.tensor({values.tolist()!r}, dtype=T.{self.dtype}, "
                          f"requires_grad=True)")
        return entry

    def text(self) -> str:
        return "\n".join(self.lines)

    def fail(self, message: str):
        raise Mismatch(f"{message}\n--- program (T = torch or autograd_edu):\n{self.text()}")

    def apply(self, op, operands, params):
        name = f"y{len(self.pool) - len(self.leaves)}"
        args = ", ".join(o[0] for o in operands)
        extra = "".join(f", {k}={v!r}" for k, v in params.items())
        self.lines.append(f"{name} = {op.name}({args}{extra})")
        try:
            expected = op.fn(torch, *(o[1] for o in operands), **params)
        except Exception:  # noqa: BLE001 - torch refuses the program: not a valid example
            reject()
        try:
            actual = op.fn(ae, *(o[2] for o in operands), **params)
        except Exception as e:  # noqa: BLE001
            self.fail(f"autograd_edu raised {type(e).__name__}: {e}")
        entry = (name, expected, actual)
        self.compare(entry)
        self.pool.append(entry)
        return entry

    # -- checking ------------------------------------------------------------------
    def close(self, actual, expected, what):
        rtol, atol = TOL[self.dtype]
        scale = max(1.0, float(np.nanmax(np.abs(expected), initial=0.0,
                                         where=np.isfinite(expected))))
        if actual.shape != expected.shape or not np.allclose(actual, expected, rtol=rtol,
                                                              atol=atol * scale,
                                                              equal_nan=True):
            self.fail(f"{what} differ:\n torch:        {expected.tolist()}\n"
                      f" autograd_edu: {actual.tolist()}")

    def compare(self, entry):
        name, t, a = entry
        if tuple(a.shape) != tuple(t.shape):
            self.fail(f"{name}: shape {tuple(a.shape)} != torch {tuple(t.shape)}")
        if dtype_name(a) != dtype_name(t):
            self.fail(f"{name}: dtype {dtype_name(a)} != torch {dtype_name(t)}")
        t_fn = None if t.grad_fn is None else t.grad_fn.name()
        a_fn = None if a.grad_fn is None else a.grad_fn.name()
        if a_fn != t_fn:
            self.fail(f"{name}: grad_fn {a_fn} != torch {t_fn}")
        self.close(to_numpy(a), to_numpy(t), f"{name}: values")

    def backward(self):
        name, t, a = self.pool[-1]
        g = self.rng.uniform(-1.0, 1.0, tuple(t.shape)).astype(self.dtype)
        self.lines.append(f"{name}.backward(T.tensor({g.tolist()!r}, dtype=T.{self.dtype}))")
        t.backward(torch.tensor(g.copy()))
        try:
            a.backward(ae.tensor(g.copy()))
        except Exception as e:  # noqa: BLE001
            self.fail(f"autograd_edu backward raised {type(e).__name__}: {e}")
        for leaf_name, tl, al in self.leaves:
            if (tl.grad is None) != (al.grad is None):
                self.fail(f"{leaf_name}.grad: torch {tl.grad} autograd_edu {al.grad}")
            if tl.grad is not None:
                if dtype_name(al.grad) != dtype_name(tl.grad):
                    self.fail(f"{leaf_name}.grad dtype {dtype_name(al.grad)} != "
                              f"{dtype_name(tl.grad)}")
                self.close(to_numpy(al.grad), to_numpy(tl.grad), f"{leaf_name}.grad")


SHAPES = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


def run_program(data, backward=True) -> Program:
    """Draw and run one program; raises ``Mismatch`` at the first difference."""
    dtype = data.draw(st.sampled_from(["float64", "float32"]), label="dtype")
    program = Program(dtype, data.draw(st.integers(0, 2**32 - 1), label="seed"))
    program.leaf(data.draw(SHAPES, label="first shape"))
    steps = data.draw(st.integers(1, 12), label="steps")

    def pick(seq):
        return data.draw(st.sampled_from(list(seq)))

    for _ in range(steps):
        current = program.pool[-1]
        shape, values = tuple(current[1].shape), to_numpy(current[1])
        large = values.size > SMALL or values.ndim >= 4
        choices = [op for op in CHAIN_OPS
                   if op.applies(shape) and not (op.grows and large)
                   and (op.arity == 2 or op.ok(values))]
        by_name = {op.name: op for op in choices}
        op = by_name[data.draw(st.sampled_from(list(by_name)), label="op")]
        params = op.params(shape, pick)
        operands = [current]
        if op.arity == 2:
            other_shape = tuple(op.other_shape(shape, pick))
            reusable = {e[0]: e for e in program.pool[:-1] if tuple(e[1].shape) == other_shape
                        and op.ok(values, to_numpy(e[1]))}
            if reusable and data.draw(st.booleans(), label="reuse"):
                operands.append(reusable[data.draw(st.sampled_from(list(reusable)),
                                                   label="operand")])
            else:
                operands.append(program.leaf(other_shape, op.other_domain))
        program.apply(op, operands, params)
    note(program.text())
    if backward:
        program.backward()
    return program


def second_order(program: Program):
    """Gradients with ``create_graph=True`` from the last result, then the gradient of
    sum_i <grad_i, w_i> (a Hessian-vector product) with respect to every leaf."""
    name, t, a = program.pool[-1]
    if not t.requires_grad:
        return
    g = program.rng.uniform(-1.0, 1.0, tuple(t.shape)).astype(program.dtype)
    leaves_t = [leaf[1] for leaf in program.leaves]
    leaves_a = [leaf[2] for leaf in program.leaves]
    ws = [program.rng.uniform(-1.0, 1.0, tuple(leaf.shape)).astype(dtype_name(leaf))
          for leaf in leaves_t]
    program.lines.append(f"g = T.autograd.grad({name}, leaves, "
                         f"T.tensor({g.tolist()!r}, dtype=T.{program.dtype}), "
                         "create_graph=True, allow_unused=True)")
    program.lines.append(f"# ws = {[w.tolist() for w in ws]!r}")
    program.lines.append("h = T.autograd.grad(sum((gi * T.tensor(w)).sum() for gi, w in "
                         "zip(g, ws) if gi is not None), leaves, allow_unused=True)")

    def grads(T, out, leaves):
        first = T.autograd.grad(out, leaves, T.tensor(g.copy()), create_graph=True,
                                allow_unused=True)
        terms = [(gi * T.tensor(w.copy())).sum() for gi, w in zip(first, ws, strict=True)
                 if gi is not None and gi.requires_grad]
        if not terms:
            return first, None
        return first, T.autograd.grad(sum(terms), leaves, allow_unused=True)

    expected = grads(torch, t, leaves_t)
    try:
        actual = grads(ae, a, leaves_a)
    except Exception as e:  # noqa: BLE001
        program.fail(f"autograd_edu second order raised {type(e).__name__}: {e}")
    for order, (es, acs) in enumerate(zip(expected, actual, strict=True), start=1):
        if (es is None) != (acs is None):
            program.fail(f"order {order}: torch {es} autograd_edu {acs}")
        for i, (e, x) in enumerate(zip(es or [], acs or [], strict=True)):
            what = f"order {order} derivative for x{i}"
            if (e is None) != (x is None):
                program.fail(f"{what}: torch {e} autograd_edu {x}")
            if e is None:
                continue
            if order == 1 and e.requires_grad != x.requires_grad:
                program.fail(f"{what}: requires_grad torch {e.requires_grad} "
                             f"autograd_edu {x.requires_grad}")
            # torch may answer with a ZeroTensor (abs''s second derivative): force=True
            program.close(np.array(x.detach().numpy(force=True)),
                          np.array(e.detach().numpy(force=True)), what)


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(st.data())
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # libcst, imported by hypothesis
def test_random_program(data):
    run_program(data)


@settings(max_examples=max(MAX_EXAMPLES // 2, 1), deadline=None, derandomize=True,
          database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(st.data())
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: degrees of freedom <= 0 (var)
def test_random_program_second_order(data):
    """The same random chains, differentiated twice (``create_graph=True``)."""
    second_order(run_program(data, backward=False))


def test_chain_ops_have_distinct_names():
    names = [op.name for op in CHAIN_OPS]
    assert len(names) == len(set(names))
