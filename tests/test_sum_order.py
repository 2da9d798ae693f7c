"""Float sums add in PyTorch's order (ops/summation.py replays cascade_sum over
TensorIterator's loops), so sums, means and the gradients that sum (repeat, expand,
broadcasting, a linear layer's bias) agree with torch to the last bit.

Random reductions: random shapes, dims, keepdim, layouts (permuted, sliced,
expanded), float32/float64, values of mixed magnitude; torch is the oracle. Before
the replay covered every layout, about 70% of them were bit-equal.
"""

import numpy as np
import pytest
import torch
from oracle import assert_same_output

import autograd_edu as ae

GRAIN_SIZE = 32768


def _case(rng):
    nd = int(rng.integers(0, 5))
    shape = [int(rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 33, 40, 64, 100]))
             for _ in range(nd)]
    while np.prod(shape) > 30000:
        shape[int(rng.integers(nd))] //= 2
    dtype = (np.float32, np.float64)[int(rng.integers(2))]
    data = (rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7, size=shape)).astype(dtype)
    ops = []
    if nd >= 2 and rng.random() < 0.5:
        ops.append(("permute", tuple(int(i) for i in rng.permutation(nd))))
    if nd >= 1 and rng.random() < 0.3:
        ops.append(("slice", int(rng.integers(nd)), int(rng.integers(1, 3))))
    if rng.random() < 0.2:
        ops.append(("expand", int(rng.choice([2, 3, 9]))))
    return data, ops, rng.choice(["all", "dims", "mean"])


def _apply(lib, data, ops):
    t = lib.tensor(data)
    for op in ops:
        if op[0] == "permute":
            t = t.permute(*op[1])
        elif op[0] == "slice":
            index = [slice(None)] * t.dim()
            index[op[1]] = slice(None, None, op[2])
            t = t[tuple(index)]
        else:
            t = t.expand(op[1], *t.shape)
    return t


def _bits(a):
    return a.dtype, a.shape, np.ascontiguousarray(a).tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_random_reductions_bit_equal(seed):
    """Every random reduction below GRAIN_SIZE elements (one thread) is bit-equal; above
    it (PyTorch splits the work among threads, replayed) all but full reductions of
    inputs whose dims do not coalesce (expanded ones), which use numpy's order."""
    rng = np.random.default_rng(1000 + seed)
    small = big = small_same = big_same = 0
    for _ in range(250):
        data, ops, kind = _case(rng)
        t, a = _apply(torch, data, ops), _apply(ae, data, ops)
        f = "mean" if kind == "mean" else "sum"
        if kind == "all" or t.dim() == 0:
            args = ()
        else:
            dims = tuple(int(d) for d in rng.choice(t.dim(), int(rng.integers(1, t.dim() + 1)),
                                                    replace=False))
            args = (dims, bool(rng.random() < 0.3))
        same = _bits(getattr(t, f)(*args).numpy()) == _bits(np.asarray(getattr(a, f)(*args)._data))
        if t.numel() < GRAIN_SIZE:
            small, small_same = small + 1, small_same + same
        else:
            big, big_same = big + 1, big_same + same
    assert small_same == small
    assert big_same >= 0.4 * big


PROGRAMS = {
    # RepeatBackward0: reshape, then sum over several dims at once
    "repeat_backward": """
torch.manual_seed(0)
x = (torch.randn(3, 2, 1) * 10 ** torch.randint(-4, 4, (3, 2, 1))).requires_grad_()
g = torch.randn(2, 6, 4, 2) * 10 ** torch.randint(-4, 4, (2, 6, 4, 2))
x.repeat(2, 2, 2, 2).backward(g)
print(x.grad.tolist())
""",
    # a linear layer's bias gradient: an outer reduction (sum over dim 0); above
    # GRAIN_SIZE elements PyTorch splits the outputs among its threads
    "bias_gradient": """
torch.manual_seed(1)
for batch, width in [(13, 37), (128, 10), (128, 256), (200, 333)]:
    lin = torch.nn.Linear(5, width)
    x = torch.randn(batch, 5) * 100
    (lin(x) * torch.randn(batch, width)).sum().backward()
    print(lin.bias.grad.sum().item(), lin.bias.grad[:5].tolist())
""",
    # ExpandBackward0 / broadcasting: sum_to_size over leading and size-1 dims
    "broadcast_backward": """
torch.manual_seed(2)
a = torch.randn(1, 7, 1, 3, requires_grad=True)
b = torch.randn(5, 4, 7, 9, 3) * 1e3
(a * b).sum().backward()
print(a.grad.flatten().tolist())
c = torch.randn(3, requires_grad=True)
c.expand(40, 3).t().mul(torch.randn(3, 40) * 1e4).sum().backward()
print(c.grad.tolist())
""",
    "layouts_and_mean": """
torch.manual_seed(3)
x = torch.randn(33, 17, 9, dtype=torch.float32) * 10 ** torch.randint(-5, 5, (33, 17, 9))
for t in [x, x.transpose(0, 2), x.permute(1, 2, 0), x[::2, :, 1:], x[:, :1].expand(33, 40, 9)]:
    for dims in [(0,), (1,), (2,), (0, 2), (1, 0), (0, 1, 2)]:
        print(t.sum(dims).flatten()[:4].tolist(), t.mean(dims, keepdim=True).flatten()[:2].tolist())
    print(t.sum().item(), t.mean().item())
""",
    "large_sums": """
torch.manual_seed(4)
x = torch.randn(300, 250) * 10 ** torch.randint(-5, 5, (300, 250))
print(x.sum().item(), x.double().sum().item(), x.t().sum().item())
print(x.sum(0)[:6].tolist(), x.sum(1)[:6].tolist(), x.t().sum(0)[:4].tolist())
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_sum_order_programs(name):
    assert_same_output(PROGRAMS[name])
