"""Losses against PyTorch 2.13 (tests/oracle.py): nll_loss and cross_entropy with class
weights, ignore_index, every reduction, unbatched and K-dimensional inputs, their
checks and errors, gradients and grad_fn names, label smoothing (its whole graph); and
the last digits of ``loss.item()``:
PyTorch adds a batch's terms in a cascade of partial sums (LossNLL.cpp), and its
log_softmax kernel reduces rows as SIMD vectors (see autograd_edu/nn/_softmax_kernels.py).
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


program("nll_loss_weights_ignore_index_reductions", """
import torch
F = torch.nn.functional
x = torch.tensor([[0.1, -1.2, 0.3], [0.5, 0.2, -0.7], [1.0, 0.0, 2.0], [-0.3, 0.8, 0.1]],
                 requires_grad=True)
w = torch.tensor([1.0, 2.0, 0.5])
for target in [[0, 1, 2, 1], [0, -100, 2, 1], [-100, -100, -100, -100], [2, 2, 2, 0]]:
    for weight in [None, w]:
        for reduction in ["mean", "sum", "none"]:
            x.grad = None
            loss = F.nll_loss(x, torch.tensor(target), weight=weight, reduction=reduction)
            loss.sum().backward()
            print(target, weight is not None, reduction, loss, loss.grad_fn.name(), x.grad)
        loss = F.cross_entropy(x, torch.tensor(target), weight=weight)
        print(loss.item(), torch.nn.CrossEntropyLoss(weight=weight)(x, torch.tensor(target)))
        print(torch.nn.NLLLoss(weight=weight, reduction="sum")(x, torch.tensor(target)))
""")

program("nll_loss_unbatched_and_k_dimensional", """
import torch
F = torch.nn.functional
g = torch.linspace(-2, 2, 60)
x1 = g[:4].clone().requires_grad_()
print(F.nll_loss(x1, torch.tensor(2)), F.cross_entropy(x1, torch.tensor(3)))
x = g[:24].reshape(2, 3, 4).clone().requires_grad_()
t = torch.tensor([[0, 1, 2, 1], [2, 2, 0, -100]])
for weight in [None, torch.tensor([1.0, 2.0, 3.0])]:
    for reduction in ["mean", "sum", "none"]:
        x.grad = None
        loss = F.nll_loss(x, t, weight=weight, reduction=reduction)
        loss.sum().backward()
        print(reduction, loss, loss.grad_fn.name(),
              [f.name() for f, _ in loss.grad_fn.next_functions if f], x.grad)
    x4 = g[:48].reshape(2, 3, 2, 4).clone().requires_grad_()
    loss = F.cross_entropy(x4, t.reshape(2, 1, 4).expand(2, 2, 4) % 3, weight=weight)
    loss.backward()
    print(loss, x4.grad)
""")

program("cross_entropy_probability_targets_with_weights", """
import torch
F = torch.nn.functional
x = torch.tensor([[0.1, -1.2, 0.3], [0.5, 0.2, -0.7]], requires_grad=True)
p = torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
for weight in [None, torch.tensor([1.0, 2.0, 0.5])]:
    for reduction in ["mean", "sum", "none"]:
        x.grad = None
        loss = F.cross_entropy(x, p, weight=weight, reduction=reduction)
        loss.sum().backward()
        print(reduction, loss, loss.grad_fn.name(), x.grad)
x3 = torch.linspace(-1, 1, 12).reshape(2, 3, 2).requires_grad_()
print(F.cross_entropy(x3, torch.full((2, 3, 2), 1 / 3)))
""")

program("nll_loss_checks_in_order", """
import torch
F = torch.nn.functional
x = torch.linspace(-1, 1, 12).reshape(3, 4).requires_grad_()
CASES = [dict(target=torch.tensor([0, 5, 1])), dict(target=torch.tensor([0, -1, 1])),
         dict(target=torch.tensor([0, 1, 1]), weight=torch.ones(3)),
         dict(target=torch.tensor([0, 1, 1]), weight=torch.ones(4, dtype=torch.float64)),
         dict(target=torch.tensor([0, 1])), dict(target=torch.tensor([0., 1, 1])),
         dict(target=torch.tensor([0, 5, 1]), ignore_index=5)]
for case in CASES:
    for reduction in ["mean", "none", "sum"]:
        try:
            print(F.nll_loss(x, reduction=reduction, **case))
        except (RuntimeError, IndexError, ValueError) as e:
            print(type(e).__name__, e)
for inp, tgt in [("torch.zeros(())", "torch.tensor(0)"),
                 ("torch.zeros(2, 3, 4)", "torch.zeros(2, 3, dtype=torch.long)")]:
    try:
        print(F.nll_loss(eval(inp), eval(tgt)))
    except (RuntimeError, ValueError) as e:
        print(type(e).__name__, e)
""")

program("nll_loss_item_last_digits", """
import torch
torch.manual_seed(0)
for n, c in [(4, 3), (16, 5), (17, 5), (33, 10), (64, 10), (300, 7)]:
    for trial in range(5):
        logp = torch.randn(n, c) - 2  # the same numbers in both engines (not log_softmax)
        target = torch.randint(0, c, (n,))
        weight = torch.rand(c)
        print(n, c, torch.nn.functional.nll_loss(logp, target).item(),
              torch.nn.functional.nll_loss(logp, target, weight=weight).item(),
              torch.nn.functional.nll_loss(logp, target, reduction="sum").item())
""")

program("log_softmax_rows_last_digits", """
import torch
torch.manual_seed(1)
for shape in [(3,), (2, 5), (4, 16), (2, 17), (3, 40), (1, 1000)]:
    for dtype in [torch.float32, torch.float64]:
        x = torch.randn(shape, dtype=dtype) * 3
        print(shape, dtype, x.log_softmax(-1).sum(-1).tolist())
""")


program("nll_loss_double_backward_graph", """
import torch
F = torch.nn.functional
x = torch.tensor([[0.1, -1.2, 0.3], [0.5, 0.2, -0.7]], requires_grad=True)
for weight in [None, torch.tensor([1., 2., 0.5])]:
    for reduction in ["mean", "sum", "none"]:
        for loss_fn in [F.cross_entropy, F.nll_loss]:
            loss = loss_fn(x, torch.tensor([0, 2]), weight=weight, reduction=reduction)
            g, = torch.autograd.grad(loss.sum(), x, create_graph=True)
            print(g.grad_fn.name(), [f.name() if f else None for f, _ in g.grad_fn.next_functions])
            if g.requires_grad:  # PyTorch's and our double-backward sums may differ in the
                h, = torch.autograd.grad((g * g).sum(), x)  # last bit: 5 decimals
                print([round(v, 5) for v in h.flatten().tolist()])
""")


program("cross_entropy_label_smoothing", """
import torch
F = torch.nn.functional

def graph(node, depth=0):
    while node is not None:
        print("  " * depth + node.name())
        nexts = [n for n, _ in node.next_functions if n is not None]
        for n in nexts[1:]:
            graph(n, depth + 1)
        node = nexts[0] if nexts else None

x = torch.tensor([[0.1, -1.2, 0.3], [0.5, 0.2, -0.7], [1.0, 0.0, 2.0], [-0.3, 0.8, 0.1]],
                 requires_grad=True)
w = torch.tensor([1.0, 2.0, 0.5])
for target in [[0, 1, 2, 1], [0, -100, 2, 1], [-100, -100, -100, -100]]:
    for weight in [None, w]:
        for reduction in ["mean", "sum", "none"]:
            for smoothing in [0.1, 1.0, -0.2]:
                x.grad = None
                loss = F.cross_entropy(x, torch.tensor(target), weight=weight,
                                       reduction=reduction, label_smoothing=smoothing)
                loss.sum().backward()
                print(target, weight is not None, reduction, smoothing, loss, x.grad)
loss = F.cross_entropy(x, torch.tensor([0, 1, -100, 2]), weight=w, label_smoothing=0.25)
graph(loss.grad_fn)
loss = torch.nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1)(x, torch.tensor([0, 1, 2, 1]))
graph(loss.grad_fn)
print(loss)
print(F.cross_entropy(x[0], torch.tensor(2), label_smoothing=0.3))
k = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1), requires_grad=True)
loss = F.cross_entropy(k, torch.tensor([[0, 1, 2, 1], [2, 2, 0, 1]]), label_smoothing=0.1)
loss.backward()
print(loss, k.grad)
p = torch.softmax(torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.1, 3.0]]), 1).requires_grad_()
loss = F.cross_entropy(x[:2], p, label_smoothing=0.3, weight=w)
loss.backward()
graph(loss.grad_fn)
print(loss, p.grad)
for bad in [1.5, 2]:
    for tgt in [torch.tensor([0, 1, 2, 1]), torch.softmax(x, 1).detach()]:
        try:
            F.cross_entropy(x, tgt, label_smoothing=bad)
        except RuntimeError as e:
            print(e)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_loss_program(name):
    oracle.assert_same_output(PROGRAMS[name])
