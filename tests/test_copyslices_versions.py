"""Differential tests of which tensors a node saves, and so which in-place changes make a
later backward raise "modified by an inplace operation" (and with which text: type, sizes,
producer, versions). PyTorch saves exactly what a needed derivative formula takes
(tools/autograd/derivatives.yaml) and unpacks all of it when the node runs; the graph of a
double backward (create_graph=True) saves tensors of the forward graph too. Each program
must print exactly what PyTorch 2.13 prints (see tests/oracle.py)."""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, tuple[str, tuple]] = {}


def program(name: str, text: str, contains=()):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = (textwrap.dedent(text), contains)


MODIFIED = "modified by an inplace operation"

# ---------------------------------------------------------------------------
# sgn saves self and its result: abs's double backward goes through SgnBackward0

program("fuzz_141135_abs_double_backward_after_copyslices", """
    import torch
    x1 = torch.tensor([1.79], requires_grad=True)
    x2 = torch.tensor(-0.44, requires_grad=True)
    y3 = torch.where(x1 > 0, x1, x2)
    g7 = torch.autograd.grad(y3.abs().sum(), [x2], create_graph=True)[0]
    y3[0:].fill_(1.5)           # y3 becomes output 0 of CopySlices, at version 1
    y3.squeeze(-1)[()] += 1.0   # two more versions: the add and the write back
    print(y3.grad_fn.name(), y3._version)
    try:
        g7.backward(torch.tensor(-0.59))
    except RuntimeError as e:
        print(e)
""", contains="output 0 of torch::autograd::CopySlices, is at version 3")

# A grid: y (a non-leaf) changed in place through a view, or as a whole, after abs/sgn/
# sign/relu of it. sgn's backward checks y; abs's first backward checks y itself and its
# double backward checks it through sgn; sign and relu keep nothing of y (no error).
GRID = """
import torch

VIEWS = {"slice": lambda t: t[0:], "row": lambda t: t[1], "select": lambda t: t.select(1, 0),
         "transpose": lambda t: t.t(), "strided": lambda t: t.view(-1)[::3],
         "view_slice": lambda t: t.view(-1)[1:3], "whole": lambda t: t}
EDITS = {"fill_": lambda v: v.fill_(1.5), "add_": lambda v: v.add_(1),
         "mul_": lambda v: v.mul_(2), "copy_": lambda v: v.copy_(v * 0 + 3),
         "setitem": lambda v: v.__setitem__(..., 0.5),
         "twice": lambda v: (v.add_(1), v.sub_(1))}

def run(op, view, edit, create_graph):
    x = torch.tensor([[1.5, -2.0], [0.5, 3.0]], requires_grad=True)
    w = torch.tensor(0.25, requires_grad=True)
    y = torch.where(x > 1, x, w)
    out = getattr(y, op)()
    if create_graph:
        g, = torch.autograd.grad(out.sum(), x, create_graph=True)
    EDITS[edit](VIEWS[view](y))
    print(op, view, edit, y.grad_fn.name(), y._version, end=": ")
    try:
        if create_graph:
            g.sum().backward()
            print(x.grad, w.grad)
        else:
            out.sum().backward()
            print(x.grad)
    except RuntimeError as e:
        print(e)
"""

program("abs_sgn_sign_relu_double_backward_after_in_place_changes", GRID + """
for op in ("abs", "sgn", "sign", "relu"):
    for view in VIEWS:
        for edit in EDITS:
            run(op, view, edit, create_graph=True)
""", contains=MODIFIED)

program("abs_sgn_sign_relu_backward_after_in_place_changes", GRID + """
for op in ("abs", "sgn", "sign", "relu"):
    for view in VIEWS:
        for edit in EDITS:
            run(op, view, edit, create_graph=False)
""", contains=MODIFIED)

program("sgn_checks_self_then_its_result", """
    import torch
    for change in ("self", "result", "both"):
        x = torch.tensor([1.5, -2.0], requires_grad=True)
        y = x * 1
        s = y.sgn()
        print(s.grad_fn._saved_self, s.grad_fn._saved_result)
        if change != "result":
            y[0].mul_(2)
        if change != "self":
            s.add_(1)
        try:
            s.sum().backward()
        except RuntimeError as e:
            print(e)
""", contains="output 0 of Sgn,")

# ---------------------------------------------------------------------------
# products save each operand only for the other's gradient

program("products_save_an_operand_only_for_the_others_gradient", """
    import torch
    A = torch.tensor([[1., 2.], [3., 4.]])
    B = torch.tensor([[1., 0.], [2., -1.]])
    cases = {
        "mm": (lambda a, b: a.mm(b), ("self", "mat2")),
        "mv": (lambda a, b: a.mv(b[0]), ("self", "vec")),
        "dot": (lambda a, b: a[0].dot(b[1]), ("self", "tensor")),
        "bmm": (lambda a, b: a.unsqueeze(0).bmm(b.unsqueeze(0)), ("self", "mat2")),
        "addmm": (lambda a, b: torch.addmm(B, a, b), ("mat1", "mat2")),
        "matmul_1d": (lambda a, b: a[0] @ b, ()),
    }
    for name, (make, saved) in cases.items():
        for which in (0, 1, 2):  # a, b, or both require grad
            leaves = [t.clone().requires_grad_(which in (k, 2)) for k, t in enumerate((A, B))]
            a, b = [t * 1 if t.requires_grad else t.clone() for t in leaves]
            out = make(a, b)
            node = out.grad_fn
            print(name, which, node.name(),
                  [getattr(node, "_saved_" + s) is None for s in saved])
            (a, b)[which % 2].mul_(2)  # one an unneeded save would have kept
            try:
                out.sum().backward()
                print([t.grad for t in leaves])
            except RuntimeError as e:
                print(e)
""", contains=MODIFIED)

# ---------------------------------------------------------------------------
# index tensors: advanced indexing and index_select save them (not their values)

program("index_tensors_are_saved_and_checked", """
    import torch

    def case(name, make_index, f, change=lambda i: i.add_(0)):
        x = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
        i = make_index()
        y = f(x * 1, i)
        change(i)
        try:
            y.sum().backward()
            print(name, "ok", x.grad)
        except RuntimeError as e:
            print(name, e)

    L = lambda: torch.tensor([0, 2])
    M = lambda: torch.tensor([[True, False], [False, True], [True, True]])
    R = lambda: torch.tensor([True, False, True])
    flip = lambda i: i.logical_not_() if hasattr(i, "logical_not_") else i.__setitem__(0, False)
    case("long", L, lambda x, i: x[i])
    case("long_set", L, lambda x, i: x[i], lambda i: i.__setitem__(0, 1))
    case("long_unchanged", L, lambda x, i: x[i], lambda i: None)
    case("long_int32", lambda: torch.tensor([0, 2], dtype=torch.int32), lambda x, i: x[i])
    case("rows_mask", R, lambda x, i: x[i], lambda i: i.__setitem__(0, False))
    case("mask", M, lambda x, i: x[i], lambda i: i.__setitem__(0, False))
    case("pair", L, lambda x, i: x[i, i - 2])
    case("columns", lambda: torch.tensor([1, 0]), lambda x, i: x[:, i])
    case("list_and_tensor", L, lambda x, i: x[[0, 1], i[:1]])
    case("derived_index", L, lambda x, i: x[i % 3])
    case("list_only", L, lambda x, i: x[[0, 2]] * i[0])
    case("int_then_tensor", L, lambda x, i: x[0, i % 2])
    case("zero_d_index", lambda: torch.tensor(1), lambda x, i: x[i])
    case("index_select", L, lambda x, i: x.index_select(0, i))
    case("index_select_0d", lambda: torch.tensor(1), lambda x, i: x.index_select(0, i))
    case("gather", lambda: torch.tensor([[0], [1], [0]]), lambda x, i: x.gather(1, i))
    case("where", M, lambda x, i: torch.where(i, x, 0.), lambda i: i.__setitem__(0, False))
    case("masked_fill", M, lambda x, i: x.masked_fill(i, 0.), lambda i: i.__setitem__(0, False))
    case("setitem", L, lambda x, i: x.__setitem__(i, x[:2] * 3) or x)
    case("setitem_mask", M, lambda x, i: x.__setitem__(i, 7.) or x,
         lambda i: i.__setitem__(0, False))
    case("setitem_rows_mask", R, lambda x, i: x.__setitem__(i, x[:1] * 3) or x,
         lambda i: i.__setitem__(0, False))
""", contains=("[torch.LongTensor [2]] is at version 1", "[CPUBoolType [3, 2]]"))

program("saved_indices_attribute", """
    import torch
    x = torch.ones(3, 2, 4, requires_grad=True)
    i = torch.tensor([0, 2])
    m = torch.tensor([True, False, True])
    for f in (lambda: x[i], lambda: x[:, :, i], lambda: x[i, :, [1, 2]], lambda: x[m],
              lambda: x[0, :, torch.tensor([True, False, True, True])],
              lambda: x[:, torch.tensor([True, False])], lambda: x[[0, 1]], lambda: x[i, 1],
              lambda: x[None, i], lambda: x[..., i]):
        y = f()
        print(y.grad_fn.name(), y.grad_fn._saved_indices, y.shape)
    print(x.index_select(0, torch.tensor(1)).grad_fn._saved_index)
    z = x * 1
    z[i] = 5.
    print(z.grad_fn.name(), z.grad_fn._saved_indices)
    z[m] = x[0, :1] * 2
    print(z.grad_fn.name(), z.grad_fn._saved_indices)
    z[:, torch.tensor([True, False])] = 3.
    print(z.grad_fn.name(), z.grad_fn._saved_indices)
    y = x[i]
    y.sum().backward()
    try:
        y.grad_fn._saved_indices
    except RuntimeError as e:
        print(e)
""")

program("index_tensors_in_double_backward", """
    import torch

    def dbl(name, read, change):
        x = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)
        idx = torch.tensor([0, 2, 0])
        y = read(x, idx)
        g, = torch.autograd.grad((y * y).sum(), x, create_graph=True)
        print(name, g.grad_fn.name(), [n.name() for n, _ in g.grad_fn.next_functions if n])
        change(idx)
        try:
            g.sum().backward()
            print(" ok", x.grad)
        except RuntimeError as e:
            print(" ", e)

    def put(x, i):
        z = x * 1
        z[i[:2]] = x[1] * 3
        return z

    dbl("read", lambda x, i: x[i], lambda i: i.add_(0))
    dbl("read_unchanged", lambda x, i: x[i], lambda i: None)
    dbl("read_derived", lambda x, i: x[:, i[:2] % 2], lambda i: i.mul_(1))
    dbl("index_select", lambda x, i: x.index_select(0, i), lambda i: i.add_(0))
    dbl("setitem", put, lambda i: i.add_(0))
    dbl("setitem_unchanged", put, lambda i: None)
""", contains=MODIFIED)

program("bool_saved_tensor_type_in_the_error", """
    import torch

    class Keep(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(c)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            ctx.saved_tensors
            return g, None

    for dtype in (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32,
                  torch.int64, torch.float16, torch.float32, torch.float64):
        x = torch.ones(2, requires_grad=True)
        c = torch.ones(2, dtype=dtype)
        y = Keep.apply(x, c)
        c.zero_()
        try:
            y.sum().backward()
        except RuntimeError as e:
            print(e)
""", contains="[CPUBoolType [2]]")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    text, contains = PROGRAMS[name]
    oracle.assert_same_output(text, contains=contains)
