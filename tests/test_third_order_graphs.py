"""Third derivatives against PyTorch 2.13: the graph of a gradient of a gradient's gradient.

A backward formula run with ``create_graph=True`` makes nodes, and the order it makes them
in is their sequence-number order, which is the order a later backward runs them in, which
is the order the gradients reaching one tensor are summed in (``AddBackward0``'s inputs).
So the third derivative's graph shows whether every formula makes its nodes in PyTorch's
order: a generated node computes its inputs' gradients in the alphabetical order of
derivatives.yaml's keys (``other`` before ``self``, ``mat2`` before ``self``, ``exponent``
before ``self``, ``grad_output`` before ``self``), and C++ (GCC) evaluates the right side of
``a * b`` first (``-grad * ((self / other) / other)`` makes the divisions before the Neg).
"""

import numpy as np
import pytest
import torch
from oracle import assert_same_output
from test_fuzz_programs import graph_signature

import autograd_edu as ae

F = "nn.functional"


def _fn(T, path):
    for part in path.split("."):
        T = getattr(T, part)
    return T


def _matrix(rng, shape):
    return rng.uniform(-2, 2, shape)


def _nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2, shape)


# name: (f(T, *leaves), shapes, domain); every leaf requires grad
CASES = {
    "mul": (lambda T, a, b: a * b * a, [(3,), (3,)], _nonzero),
    "div": (lambda T, a, b: a / b, [(3,), (3,)], _nonzero),
    "rdiv": (lambda T, a: 2 / a, [(3,)], _nonzero),
    "pow_tensor": (lambda T, a, b: a ** b, [(3,), (3,)], _positive),
    "maximum": (lambda T, a, b: T.maximum(a * a, b), [(3,), (3,)], _nonzero),
    "minimum": (lambda T, a, b: T.minimum(a * a, b), [(3,), (3,)], _nonzero),
    "where": (lambda T, a, b: T.where(a > 0, a * b, b * b), [(4,), (4,)], _nonzero),
    "clamp_tensors": (lambda T, a, b, c: T.clamp(a * a, b, c + 2) * b, [(4,), (4,), (4,)],
                      _nonzero),
    "clamp_min_tensor": (lambda T, a, b: T.clamp_min(a, b) * a, [(4,), (4,)], _nonzero),
    "clamp_max_tensor": (lambda T, a, b: T.clamp_max(a, b) * a, [(4,), (4,)], _nonzero),
    "remainder": (lambda T, a, b: T.remainder(a * a, b) * b, [(3,), (3,)], _nonzero),
    "mm": (lambda T, a, b: (a @ b) * (a @ b), [(2, 3), (3, 2)], _matrix),
    "matmul_batched": (lambda T, a, b: (a @ b) ** 2, [(2, 2, 3), (3, 2)], _matrix),
    "bmm": (lambda T, a, b: (a @ b) ** 2, [(2, 2, 3), (2, 3, 2)], _matrix),
    "addmm_scaled": (lambda T, a, b, c: T.addmm(a, b, c * c, beta=2, alpha=3) ** 2,
                     [(2, 2), (2, 3), (3, 2)], _matrix),
    "rsqrt": (lambda T, a: a.rsqrt(), [(3,)], _positive),
    "var": (lambda T, a: (a * a).var(), [(2, 3)], _matrix),
    "std_dim": (lambda T, a: (a * a).std(1), [(2, 3)], _matrix),
    "sigmoid": (lambda T, a: (a * a).sigmoid(), [(3,)], _matrix),
    "softmax": (lambda T, a: (a * a).softmax(1), [(2, 3)], _matrix),
    "log_softmax": (lambda T, a: (a * a).log_softmax(0), [(2, 3)], _matrix),
    "softplus": (lambda T, a: _fn(T, F).softplus(a * a), [(3,)], _matrix),
    "elu": (lambda T, a: _fn(T, F).elu(a * a - 1), [(3,)], _matrix),
    "logsumexp_two_dims": (lambda T, a: (a * a).logsumexp((0, 1)), [(2, 3)], _matrix),
    "norm_p0_5": (lambda T, a: a.norm(0.5), [(2, 3)], _nonzero),
    "norm_p1_5_dims": (lambda T, a: a.norm(1.5, dim=(0, 1)), [(2, 3)], _nonzero),
    "norm_inf": (lambda T, a: (a * a).norm(float("inf")), [(2, 3)], _matrix),
    # pow_ saves a clone of its input made after its node (the clone's node runs first)
    "pow_in_place": (lambda T, a: (a * a).pow_(3) * a, [(3,)], _nonzero),
}


def _numpy(t):
    return np.array(t.detach().numpy(), copy=True)


def _third_derivatives(T, fn, arrays):
    """The graphs and values of three nested derivatives, each one's inputs including the
    incoming gradient of the first (so that formulas' own derivatives run too)."""
    xs = [T.tensor(a, requires_grad=True) for a in arrays]
    out = fn(T, *xs)
    rng = np.random.default_rng(7)
    go = T.tensor(rng.uniform(-1, 1, tuple(out.shape)), requires_grad=True)
    inputs, results = xs + [go], []
    grads = T.autograd.grad(out, xs, go, create_graph=True)
    for _ in range(2):
        total = sum((g * T.tensor(rng.uniform(-1, 1, tuple(g.shape)))).sum()
                    for g in grads if g is not None and g.requires_grad)
        grads = T.autograd.grad(total, inputs, create_graph=True, allow_unused=True)
        results.append([None if g is None else (graph_signature(g), _numpy(g)) for g in grads])
    return results


@pytest.mark.parametrize("name", CASES)
def test_third_derivative_graphs_match_torch(name):
    fn, shapes, domain = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    arrays = [domain(rng, s) for s in shapes]
    expected = _third_derivatives(torch, fn, arrays)
    actual = _third_derivatives(ae, fn, arrays)
    for order, (got, want) in enumerate(zip(actual, expected, strict=True), start=2):
        assert [g and g[0] for g in got] == [w and w[0] for w in want], f"order {order}"
        for g, w in zip(got, want, strict=True):
            if w is not None:
                np.testing.assert_allclose(g[1], w[1], rtol=1e-10, atol=1e-12)


def test_fuzz_seed_145640_rdiv_then_in_place_div():
    """``1 / x`` then ``/= x``: the third derivative sums DivBackward0's and
    ReciprocalBackward0's contributions in PyTorch's order (div's gradient for ``other``
    is made first, its divisions before its Neg)."""
    assert_same_output("""
import torch
def names(t):
    out, seen, stack = [], set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        out.append(node.name())
        stack.extend(n for n, _ in reversed(node.next_functions))
    return out
keep = True  # create_graph (autograd.grad warns nothing: the program runs in-process)
x1 = torch.tensor(-1.4545860290527344, requires_grad=True)
y2 = 1 / x1
y2 /= x1
g3 = torch.autograd.grad(y2.sum(), [x1], create_graph=keep)[0]
g4 = torch.autograd.grad(g3.sum(), [x1], create_graph=keep)[0]
print(names(g3))
print(names(g4))
print(g4)
""")
