"""torch.sigmoid's last bits, forward and backward, against PyTorch 2.13.

``sigmoid_kernel`` runs ``cpu_kernel_vec``: SLEEF's vector ``exp`` on whole SIMD blocks of
each TensorIterator row, glibc's scalar ``exp`` on a row's leftover and on strided rows
(``ops.pointwise.vector_elements``). Which element takes which path depends on the layout,
so each layout is compared here, bit for bit (numpy's ``exp`` differed in ~15% of float32
elements). ``sigmoid_backward`` (``grad * (1 - y) * y``) fuses nothing: same on both paths.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest
import torch

import autograd_edu
from autograd_edu.ops.formula_ops import sigmoid_backward

VIEWS = {
    "contiguous": lambda v, m, b: v,
    "matrix": lambda v, m, b: m,
    "transposed": lambda v, m, b: m.t(),
    "every_other_column": lambda v, m, b: m[:, ::2],
    "every_other_row": lambda v, m, b: m[::2],
    "narrowed_columns": lambda v, m, b: m[:, 3:40],
    "expanded_rows": lambda v, m, b: m[:1].expand(37, 45),
    "expanded_column": lambda v, m, b: m[:, :1].expand(37, 45),
    "unsqueezed_expand": lambda v, m, b: v[:45].unsqueeze(0).expand(3, 45).t(),
    "zero_dim": lambda v, m, b: v[3],
    "short": lambda v, m, b: v[:31],
    # above at::internal::GRAIN_SIZE elements: rows also cut where the threads' shares meet
    "threaded": lambda v, m, b: b,
    "threaded_transposed": lambda v, m, b: b.t(),
    "threaded_narrowed": lambda v, m, b: b[:, 1:250],
}

SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, 16.0, -16.0, 88.7, -88.7, -103.0,
           -104.0, 709.0, 709.8, -709.8, -745.0, -750.0, 100.0, -100.0]


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.int64 if a.dtype == np.float64 else np.int32)


def _raw(dtype, seed):
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(1000, generator=g, dtype=dtype) * 4
    v[-len(SPECIAL):] = torch.tensor(SPECIAL, dtype=dtype)
    return [v, torch.randn(37, 45, generator=g, dtype=dtype) * 4,
            torch.randn(300, 257, generator=g, dtype=dtype) * 4]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_forward_and_backward_bits(view, dtype):
    raw = _raw(dtype, seed=len(view))
    tx = [r.clone().requires_grad_() for r in raw]
    ax = [autograd_edu.tensor(r.numpy(), requires_grad=True) for r in raw]
    ty = torch.sigmoid(VIEWS[view](*tx))
    ay = autograd_edu.sigmoid(VIEWS[view](*ax))
    assert ay.stride() == ty.stride()
    assert np.array_equal(_bits(ay.detach().numpy()), _bits(ty.detach().numpy()))
    grad = torch.randn(ty.shape, dtype=dtype)
    # the backward kernel alone, on torch's own forward values and a transposed grad too
    for g in (grad, grad.t() if grad.dim() == 2 else grad):
        y = ty.detach().t() if g is not grad else ty.detach()
        ours = sigmoid_backward(autograd_edu.tensor(g.numpy()), autograd_edu.tensor(y.numpy()))
        assert np.array_equal(_bits(ours.numpy()),
                              _bits(torch.ops.aten.sigmoid_backward(g, y).numpy()))
    ay.backward(autograd_edu.tensor(grad.numpy()))
    ty.backward(grad)
    i = 0 if view in ("contiguous", "zero_dim", "short", "unsqueezed_expand") else \
        2 if view.startswith("threaded") else 1
    if not view.startswith("expanded"):  # (an expand's backward sums rows: not sigmoid)
        assert np.array_equal(_bits(ax[i].grad.numpy()), _bits(tx[i].grad.numpy()))


@pytest.mark.parametrize("n", [1, 15, 16, 17, 31, 32, 33, 63, 64, 100])
def test_row_tails(n):
    """The scalar loop takes ``n % 32`` float32 (``n % 16`` float64) of each row."""
    for dtype in (torch.float32, torch.float64):
        x = torch.linspace(-3, 3, n * 7, dtype=dtype).reshape(7, n)
        for t in (x, x.t(), x[:, 1:] if n > 1 else x):
            ours = autograd_edu.tensor(x.numpy())
            ours = ours.t() if t is not x and t.shape != x[:, 1:].shape else \
                ours[:, 1:] if t is not x else ours
            assert np.array_equal(_bits(autograd_edu.sigmoid(ours).numpy()),
                                  _bits(torch.sigmoid(t).numpy()))


PROGRAMS = {
    "printed_in_full": """
import torch
torch.manual_seed(0)
x = torch.randn(5, 7, requires_grad=True)
y = torch.sigmoid(x)
y.sum().backward()
torch.set_printoptions(precision=10)
print(y, x.grad)
print(torch.sigmoid(x.t()[1:]).sum().item(), torch.sigmoid(x[0, 2]).item())
""",
    "inplace_and_double": """
import torch
torch.manual_seed(1)
x = torch.randn(40, dtype=torch.float64, requires_grad=True)
y = x.clone()
y[3:].sigmoid_()
g, = torch.autograd.grad(y.sum(), x, create_graph=True)
g.sum().backward()
print(y.sum().item(), g.sum().item(), x.grad.sum().item())
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_programs(name):
    oracle.assert_same_output(PROGRAMS[name])
