"""Differential tests of PyTorch's rules for views modified in place (its CreationMeta:
views made by multi-output ops, under no_grad or in inference mode may not be modified in
place while recording, nor used after their base was): the error texts, when ``grad_fn`` /
``is_leaf`` / ``repr`` / backward refuse such a view, how a view's ``requires_grad`` follows
its base, and which "leaf" text an in-place change of a leaf or of a view of one gets.
Each program prints what happens; autograd_edu must print what PyTorch 2.13 prints.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

ATTEMPT = "import torch\n" + oracle.ATTEMPT_CALL

PROGRAMS: dict[str, tuple[str, tuple]] = {}


def program(name: str, text: str, contains=()):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = (ATTEMPT + textwrap.dedent(text), contains)


program("multi_output_views_refuse_inplace", """
x = torch.ones(4, 2, requires_grad=True).clone()
a, b = x.split(2)
attempt(lambda: b.add_(1))                   # Output 1 of Split
attempt(lambda: x.unbind(0)[2].mul_(2))      # Output 2 of Unbind
attempt(lambda: a.unsqueeze(0).add_(1))      # a view of one inherits the rule
attempt(lambda: a.squeeze(-1).neg_())        # SqueezeBackward1 is named Squeeze1
def setitem(t, i, v):
    t[i] = v
attempt(lambda: setitem(x.chunk(2)[1], -1, torch.zeros(2)))  # the written view: Select
attempt(lambda: setitem(a, slice(0, 1), 5.0))                 # Slice
print(x._version, x)
""", contains=("Output 1 of Split", "Output 0 of Squeeze1", "Output 0 of Select"))

program("multi_output_views_without_history", """
base = torch.zeros(4)
w = torch.ones(2, requires_grad=True)
p = base.split(2)[0]
attempt(lambda: p.add_(1))    # nothing to record: allowed
attempt(lambda: p.add_(w))    # recorded: refused, and the view has no grad_fn
print(base)
""", contains=("A view was created in no_grad mode and is being modified inplace",))

program("no_grad_views_refuse_inplace", """
x = torch.ones(3, 2, requires_grad=True)
with torch.no_grad():
    v = x[0]
    s = x.split(1)[0]
attempt(lambda: v.mul_(2))
attempt(lambda: v.expand(3, 2).zero_())       # a view of it made with grad on
attempt(lambda: v[...].add_(1))
attempt(lambda: s.add_(1))                    # multi-output made under no_grad
with torch.no_grad():
    v.mul_(2)                                  # both under no_grad: fine
print(x, v.requires_grad)
attempt(lambda: v.is_leaf)                     # but its history cannot be remade
a = torch.zeros(3)
with torch.no_grad():
    av = a[:2]
attempt(lambda: av.add_(1))                    # nothing requires grad: fine
attempt(lambda: av.add_(torch.ones(2, requires_grad=True)))
print(a)
""", contains=("Output 0 of Expand is a view of a view which was created in no_grad mode",
               "Output 0 of Alias is a view of a view"))

program("inference_mode_views", """
x = torch.ones(3, requires_grad=True)
y = x.clone()
with torch.inference_mode():
    v = x[:2]
    w = y[1:]
    i = torch.ones(3)
    iv = i[:2]
print(v._is_view(), iv._is_view(), v.requires_grad)
attempt(lambda: v.add_(1))
y.add_(1)
attempt(lambda: w.grad_fn)
attempt(lambda: v.mul(2))
""", contains=("A view was created in inference mode and is being modified inplace in normal "
               "mode.",))

program("views_refused_after_their_base_changed", """
x = torch.ones(4, requires_grad=True).clone()
p = x.split(2)[1]
q = x[:2]
with torch.no_grad():
    n = x[2:]
x.add_(1)
attempt(lambda: p.grad_fn)
attempt(lambda: p.is_leaf)
attempt(lambda: p.requires_grad)
attempt(lambda: p * 2)
attempt(lambda: n.grad_fn)
attempt(lambda: n.is_leaf)
print(repr(p), repr(n))
print(q.grad_fn.name(), q.is_leaf)            # a plain view: history remade
attempt(lambda: n.requires_grad_(False))      # PyTorch's C++ is_leaf does not ask
attempt(lambda: (p * 1).sum().backward())
""", contains=("Output 1 of Split is a view and its base or another view of its base has been "
               "modified inplace.", "grad_fn=<Invalid>"))

program("backward_through_a_refused_view", """
x = torch.ones(3, requires_grad=True)
y = x * 2
with torch.no_grad():
    v = y[:2]
z = (v * x[:2]).sum()                         # v saved for x's gradient
s = y.split(1)[0]
t = s.sin()
with torch.no_grad():
    y.mul_(3)
attempt(lambda: z.backward(retain_graph=True))
attempt(lambda: t.sum().backward())
""", contains=("A view was created in no_grad mode and its base",))

program("view_history_remade_once_base_has_history", """
b = torch.zeros(3)
v = b[:2]
b.add_(1)
b.requires_grad_()
attempt(lambda: v.grad_fn.name())             # the stale version: remade now
c = torch.zeros(3)
u = c[:2]
c.requires_grad_()
print(u.grad_fn, u.requires_grad, u.is_leaf)  # same version: nothing to remake
attempt(lambda: u.add_(1))
attempt(lambda: u.backward(torch.ones(2)))    # requires grad, but has no edge
""", contains=("element 0 of tensors does not require grad",))

program("view_requires_grad_follows_base", """
x = torch.ones(3, requires_grad=True)
v = x[:2]
with torch.no_grad():
    n = x[1:]
print(v.requires_grad, n.requires_grad, n.is_leaf)
x.requires_grad_(False)
print(v.requires_grad, n.requires_grad, v.grad_fn.name())
x.requires_grad_()
n.requires_grad_(False)                       # the view's own flag; the base still decides
print(n.requires_grad)
a = torch.zeros(3)
av = a[:2]
av.requires_grad_()                           # a leaf view of a tensor without history
print(av.requires_grad, av.is_leaf, a.requires_grad)
(av * 2).sum().backward()
print(av.grad)
""")

program("which_leaf_text", """
x = torch.ones(2, 3, requires_grad=True)
def setitem(t, i, v):
    t[i] = v
for index in [0, slice(None), slice(0, 2), slice(0, 9), slice(1, None), (slice(0, 2), 0),
              (slice(None), slice(0, 3)), Ellipsis, None, (Ellipsis, 0), slice(0, 2, 1)]:
    attempt(lambda: setitem(x, index, 1.0))
def augmented():
    x[...] += 1
attempt(augmented)
a = torch.zeros(3)
view = a[:2]
a.add_(torch.ones(3, requires_grad=True))     # the base gains history; the view has none
attempt(lambda: view.add_(1))                 # so PyTorch calls it a leaf
attempt(lambda: view.add_(1))                 # after grad_fn was remade: allowed
print(x.grad_fn, a.grad_fn.name(), x._version)
""", contains=("a leaf Variable that requires grad", "a view of a leaf Variable"))

program("full_slices_are_skipped_when_indexing", """
x = torch.ones(2, 3, requires_grad=True)
for index in [slice(0, 2), (slice(0, 2), slice(0, 3)), (0, slice(0, 3)), (slice(None), 1),
              (slice(0, 5), slice(-3, None)), (Ellipsis, slice(0, 3, 1))]:
    print(index, x[index].grad_fn.name())
""", contains=("AliasBackward0", "SelectBackward0"))

program("copy_slices_second_backward", """
x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
y = x.expand(3).prod(-1).expm1()
y.squeeze()[...] = y                          # CopySlices over y's old history
z = y.flip(0)
with torch.no_grad():
    v = z[None]
s = z.sum(0, keepdim=True)
attempt(lambda: v.mul_(v))
s.div_(1.5)
attempt(lambda: torch.autograd.backward([s], [torch.tensor(-0.5, dtype=torch.float64)]))
attempt(lambda: y.backward(torch.tensor(0.5, dtype=torch.float64)))  # CopySlices ran: freed
print(x.grad)
""", contains=("Trying to backward through the graph a second time",))


program("custom_function_views", """
class V(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view(-1)
    @staticmethod
    def backward(ctx, g):
        return g.view(2, 2)
class Id(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x
    @staticmethod
    def backward(ctx, g):
        return g
x = torch.ones(2, 2, requires_grad=True)
y = V.apply(x)
print(y._is_view(), y.grad_fn.name(), y.requires_grad)
attempt(lambda: y.add_(1))
x2 = x.clone()
y2 = V.apply(x2)
x2.mul_(2)
attempt(lambda: y2.grad_fn)
with torch.no_grad():
    y3 = V.apply(x)
attempt(lambda: y3.add_(1))
i = Id.apply(x)                                # an input returned as is: a view of it
print(i._is_view(), i._base is x, i.grad_fn.name(), i.is_leaf)
attempt(lambda: i[0].add_(1))
""", contains=("This view was created inside a custom Function",))

program("hooks_on_views_whose_base_changed", """
z = torch.ones(2, requires_grad=True).clone()
p = z.split(1)[0]
z.mul_(2)
attempt(lambda: p.retain_grad())
attempt(lambda: p.register_hook(lambda g: g))
q = z[:1]
z.mul_(2)
q.retain_grad()
q.register_hook(lambda g: print("hook", g))
q.sum().backward()
print(q.grad, q.grad_fn.name())
""", contains=("hook tensor([1.])",))


program("leaf_moved_into_graph_interior", """
x = torch.tensor(1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True) * 1
y += x                                         # y's history reaches x's AccumulateGrad
x.requires_grad_(False)
x += y                                         # x gains history: no longer a leaf
attempt(lambda: x.backward())
a = torch.tensor(1.0, requires_grad=True)
b = a * 2
a.requires_grad_(False)
attempt(lambda: b.backward())                  # a no longer wants a gradient
print(a.grad)
""", contains=("leaf variable has been moved into the graph interior",))


program("inplace_checks_come_before_shape_checks", """
x = torch.ones(2, 1, requires_grad=True)
attempt(lambda: x.unsqueeze(0).copy_(torch.ones(4, 2, 3, 5)))
attempt(lambda: x.copy_(torch.ones(4, 2, 3, 5)))
attempt(lambda: x.add_(torch.ones(4, 2, 3, 5)))
""", contains=("a view of a leaf Variable",))


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    text, contains = PROGRAMS[name]
    oracle.assert_same_output(text, contains=contains)
