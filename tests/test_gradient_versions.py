"""Differential tests of the gradients' own tensors: ``_version`` and ``_is_view()`` of
what autograd.grad returns show how PyTorch's derivative formulas built them (a fresh
tensor, one written in place, the incoming gradient passed on or a view of it), and
which saved tensor a backward checks first. Each program must print exactly what
PyTorch 2.13 prints (see tests/oracle.py)."""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


# A helper defined inside the programs: each gradient's version, view-ness and value.
SHOW = """
import torch

def show(out, *inputs):
    for g in torch.autograd.grad(out.sum(), inputs, allow_unused=True):
        print(None if g is None else (g._version, g._is_view(), g))
"""

program("selecting_reductions_of_a_0d_tensor", SHOW + """
# sort / max(dim) / min(dim) of a 0-d tensor still scatter into zeros(()) in place
for make in (lambda x: x.sort()[0], lambda x: x.sort(descending=True)[0],
             lambda x: x.max(0)[0], lambda x: x.min(0, keepdim=True)[0],
             lambda x: x.sort()[0].prod(), lambda x: x.max()):
    x = torch.tensor(-1.25, requires_grad=True)
    show(make(x), x)
""")

program("prod_backward_passes_or_views_the_gradient", SHOW + """
for data, dims in [(0.75, None), (0.75, (0,)), (0.75, (0, True)), ([0.0, 2.0], None),
                   ([0.0, 0.0], None), ([0.0], None), ([[0.0, 2.0]], (1,)),
                   ([[0.0, 2.0]], (0,)), ([[0.0, 0.0]], (1,)), ([[0.0, 2.0]], (1, True)),
                   ([3.0], (0,)), ([[3.0, 2.0]], (0,)), ([0.1, 0.7, 0.3], None),
                   ([[0.1, 0.7, 0.3]], (1,))]:
    x = torch.tensor(data, dtype=torch.float32, requires_grad=True)
    show(x.prod() if dims is None else x.prod(*dims), x)
""")

program("copy_slices_gradient_is_at_version_2", SHOW + """
x = torch.tensor([[0.1], [1.7]], requires_grad=True)
y = x + 1
y[-2, 0] = -2
show(2.0 ** y, x)
a = torch.tensor([-0.5], dtype=torch.float64)
b = torch.tensor([[-0.7], [1.5]], dtype=torch.float64, requires_grad=True)
c = a + b
c[None].add_(a, alpha=-0.5)
show(c, b)
s = torch.stack([torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)])
s.flatten().sub_(torch.arange(4.0))
show(s, s.grad_fn.next_functions[0][0].next_functions[0][0].variable)
""")

program("squeeze_backward_unsqueezes_only_size_1_dims", SHOW + """
for data, squeeze in [(1.5, lambda v: v.squeeze()), (1.5, lambda v: v.squeeze(0)),
                      ([[1.0, 2.0]], lambda v: v.squeeze()),
                      ([[1.0, 2.0]], lambda v: v.squeeze(1)),
                      ([[[1.0, 2.0]]], lambda v: v.squeeze((0, 2)))]:
    x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    show(squeeze(x).min(), x)
    show(squeeze(x) * 2, x)
x = torch.tensor(1.5, requires_grad=True)
show(x.squeeze().logsumexp(0).reshape(1, 1), x)
""")

# which saved tensor a backward unpacks (and checks) first, and what its error names
TRY = "import torch\n" + oracle.ATTEMPT_CALL

program("gather_saves_self_and_checks_index_first", TRY + """
x = torch.tensor([[-0.9], [0.1]], requires_grad=True)
y = x.gather(-1, torch.tensor([[0, 0, 0]]))
with torch.no_grad():
    x -= 0.1
attempt(lambda: y.expand(2, 1, 3).sum().backward())
x = torch.randn(2, 2, requires_grad=True)
index = torch.tensor([[0, 1]])
y = x.gather(0, index)
with torch.no_grad():
    x.mul_(2)
index.add_(0)
attempt(lambda: y.sum().backward())
s = torch.tensor([[-1.9, -0.3, 1.1], [0.9, 0.1, 1.9]], requires_grad=True).sigmoid()
y = s.gather(0, torch.tensor([[1, 1, 1], [0, 1, 0]]))
s[::2][...] += 0
attempt(lambda: y.sum().backward())
p = torch.tensor(-0.27, dtype=torch.float64, requires_grad=True).prod(0, keepdim=True)
e = p.expand(3)
y = e.gather(0, torch.tensor([2, 2, 2]))
p.fill_(1.5)
attempt(lambda: y.sum().backward())
""")

program("inplace_on_a_view_saved_output_names_the_views_grad_fn_while_alive", TRY + """
for keep in (False, True):
    x = torch.tensor([[0.1, -1.1]], dtype=torch.float64, requires_grad=True)
    v = (x * 1).reshape(2, 1).unsqueeze(1)
    v.sigmoid_()
    kept = v.grad_fn if keep else None  # the node made for v by sigmoid_
    v[-1] = -2
    attempt(lambda: v.backward(torch.ones(2, 1, 1), retain_graph=True))
    x = torch.tensor([[0.1, -1.1]], dtype=torch.float64, requires_grad=True)
    y = x * 1
    v = y[0]
    v.exp_()
    w = v * 2 if keep else None  # its edge keeps the node alive
    y.add_(1)
    attempt(lambda: v.sum().backward())
""")

program("sort_of_a_0d_tensor_backward_twice", TRY + """
x = torch.tensor(1.8, requires_grad=True)
y = x.sort()[0]
y.backward()
attempt(lambda: y.backward())
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    oracle.assert_same_output(PROGRAMS[name])
