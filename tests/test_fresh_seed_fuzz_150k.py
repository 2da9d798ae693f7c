"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on seeds 150000 and up:

- CopySlices and AsStridedBackward0 lay the base's gradient out with the base's strides
  (PyTorch's ``new_empty_strided(base.sizes(), base.strides())`` and ``as_strided``), and
  replay the view on it: a ``flatten`` of a view is only a view in the base's layout, so
  replayed on a contiguous array it found no view (fuzz seeds 161293, 168124);
- ``retain_grad`` copies a first gradient contiguous, whatever the layouts of the tensor
  and of the gradient (PyTorch's retain_grad hook: ``grad.clone(Contiguous)``);
- ``max()``/``min()`` of all elements give a zero result PyTorch's sign: its kernel
  keeps, of equal values in a vector lane, the later one (fuzz seed 165560); ``amax`` and
  ``amin`` replay their kernel's order over TensorIterator's dims (a scalar step keeps
  the first of equal values, a vector step the second), for any dims and layout;
- ``mse_loss_backward`` computes in the common dtype of input, target and gradient and
  writes a tensor of the input's dtype, so under create_graph a float32 input's gradient
  comes from MseLossBackwardBackward0, not from a cast (fuzz seed 156809);
- a custom Function that marks a (recorded) input dirty resets its ``.grad`` to None,
  keeping its hooks and retain_grad (fuzz seed 200430), also when its view rules then
  refuse it (fuzz seed 280328);
- gradients meeting sgn's immutable zero tensor are added as PyTorch's add_zerotensor
  does (a copy of the other one: -0. stays -0.), unless added in place (fuzz seed 203928);
  a product with one is a zero tensor, 0 / x too, x / 0 is +inf and 0 / 0 nan, whatever
  the values (mul_zerotensor, div_zerotensor; fuzz seed 383741);
- a leaf's first ``.grad`` copy keeps the leaf's strides, those of size-1 dims too, and
  adding into a ``.grad`` that breaks the gradient layout contract warns, once per
  process and place (TORCH_WARN_ONCE; fuzz seed 214654), never for an empty tensor
  (fuzz seed 247554);
- the node of an in-place op whose result is cast back (``float32.mul_(float64)``) expects
  a gradient of ``self``'s dtype: no cast of the incoming gradient (fuzz seed 220970);
- unary ops lay their result out as TensorIterator does: an expanded input gives a
  contiguous result (numpy's puts the broadcast dim innermost), so a later ``flatten``
  views it (fuzz seed 313740);
- ``sign``/``sgn`` are PyTorch's ``(0 < x) - (x < 0)``: 0. for nan and -0. (numpy's gives
  nan and -0.), so abs's gradient at nan is 0 (fuzz seed 313982);
- ``zeros_like``/``ones_like``/``empty_like`` lay out their result as PyTorch's
  ``empty_like``: a dense input's strides (size-1 dims' too), else TensorIterator's order
  (fuzz seed 391899: a stride-0 gradient became a parameter whose ``.grad`` then breaks
  the layout contract);
- ``x[index] = v`` into an expanded tensor from its own memory writes element by element
  into memory: positions sharing memory see each write (fuzz seed 367623);
- ``mse_loss`` of infinities is silent, as in PyTorch (fuzz seed 294105);
- two gradients for one input are added in place only if nothing else holds the first:
  a view of it (``expand`` in SumBackward0) counts (fuzz seed 300638);
- ``add``/``sub`` with ``alpha`` (SGD's update) round once, a fused multiply-add, also in
  the rare cases where rounding through float64 rounds twice (found by bit comparison);
"""
import oracle
import pytest

PROGRAMS = {}


def program(name, text):
    PROGRAMS[name] = text


program("copy_slices_replays_the_view_in_the_base_layout", """
import torch
x = torch.ones(2, 2, requires_grad=True)
with torch.no_grad():
    v = x.mT
y = v + torch.ones(2, 2, 2)      # laid out so that y.mT is contiguous
y.retain_grad()
print(y.stride(), y.mT.is_contiguous())
w = y.mT
w.mul_(2)                         # CopySlices on y, w reads its part (AsStridedBackward0)
f = w.flatten()                   # a view of y, because of y's layout
print(f._is_view(), f.grad_fn.name())
f.mul_(torch.arange(8.))
print(y.grad_fn.name(), f.grad_fn.name())
f.backward(torch.linspace(-1, 1, 8))
print(x.grad, y.grad, y.grad.stride())
z = y.detach().requires_grad_() * 1
z.mT.flatten()[1:5].sub_(1)
g, = torch.autograd.grad(z.mT.flatten()[::3].sum(), z)
print(g, g.stride())
""")


program("retain_grad_copies_contiguous", """
import torch
a = torch.ones(2, 3).t().requires_grad_()
b = a * 1
b.retain_grad()
b.backward(torch.arange(6.).reshape(3, 2))
print(b.stride(), b.grad.stride(), b.grad)
c = a * 2
c.retain_grad()
c.backward(torch.arange(6.).reshape(2, 3).t(), retain_graph=True)
print(c.stride(), c.grad.stride(), c.grad)
c.backward(torch.ones(3, 2), inputs=[c])
print(c.grad.stride(), c.grad)
""")


program("max_and_min_of_signed_zeros", """
import torch
gen = torch.Generator().manual_seed(0)
for dtype in [torch.float32, torch.float64]:
    for n in [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 40, 100]:
        for _ in range(12):
            pick = torch.randint(0, 4, (n,), generator=gen)
            x = torch.tensor([0., -0., -1., 2.], dtype=dtype)[pick]
            signs = [torch.signbit(v).item() for v in (x.max(), x.min(), (-x).max())]
            print(n, dtype, x.max().item(), x.min().item(), signs)
    x = torch.tensor([[-0., 0., -0.], [0., -0., 0.], [-0., -0., 0.]], dtype=dtype)
    print(x.max(), x.t().max(), x.min(), x.t().min(), x[:, :2].max(), x.t()[1:].min())
""")


program("mse_loss_backward_writes_the_input_dtype", """
import torch
x = torch.tensor([[-0.88, -0.79], [-0.68, -1.2], [1.3, 1.5]], requires_grad=True)
t = torch.tensor([[-0.4, 1.4], [-0.9, -1.2], [1.3, -1.4]], dtype=torch.float64,
                 requires_grad=True)
for reduction in ["mean", "sum", "none"]:
    loss = torch.nn.functional.mse_loss(x, t, reduction=reduction)
    gx, gt = torch.autograd.grad(loss.sum(), [x, t], create_graph=True)
    print(reduction, loss.dtype, gx.dtype, gx.grad_fn.name(), gt.dtype, gt.grad_fn.name())
    print(gx, gt)
    hx, ht = torch.autograd.grad((gx * gx).sum() + gt.sum(), [x, t])
    print(hx, ht)
""")


program("mark_dirty_forgets_the_old_grad", oracle.DOUBLE_IN_PLACE + """
x = torch.ones(2, requires_grad=True)
y = x * 1
y.retain_grad()
y.register_hook(lambda g: print("hook", g))
y.sum().backward(retain_graph=True)
print(y.grad)
y.mul_(3)
print(y.grad)
Double.apply(y)
print(y.grad, y.retains_grad)
(y * 5).sum().backward()
print(y.grad, x.grad)
z = torch.ones(2)
z.grad = torch.ones(2)
Double.apply(z)
print(z.grad)
leaf = torch.tensor(-0.64, dtype=torch.float64, requires_grad=True)
view = leaf.reshape(1, -1)
view.retain_grad()
view.sum().backward()
try:
    Double.apply(view)
except RuntimeError as e:
    print(e)
print(view.grad, view._version, leaf)
""")


program("adding_a_zero_tensor_keeps_negative_zeros", """
import torch
import warnings
warnings.simplefilter("ignore")  # backward(create_graph=True)'s reference-cycle warning
F = torch.nn.functional
v = torch.tensor([-0.3, 0.8, -0.39], dtype=torch.float64)
for make in [lambda x: x.abs().relu(), lambda x: F.leaky_relu(x.abs()), lambda x: x.abs() * 1,
             lambda x: x.abs().relu() + x.sign()]:
    x = torch.tensor([1.12, 1.17, -1.46], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(make(x).sum(), [x], create_graph=True)
    (g * 1).backward(v, retain_graph=True)
    print(x.grad, x.grad.signbit(), x.grad._is_zerotensor())
    x.grad = None
    (g * 1).backward(v, create_graph=True)
    (g * 2).backward(v, create_graph=True)
    print(x.grad.signbit(), x.grad._is_zerotensor())
    x.grad = None
x = torch.tensor([-1.5, 2.0], requires_grad=True)
x.sign().sum().backward(create_graph=True)
x.sign().sum().backward(create_graph=True)
print(x.grad, x.grad._is_zerotensor())
""")


program("inplace_cast_back_node_expects_self_dtype", """
import torch
x = torch.tensor([[-0.1, 0.3, -0.2], [0.9, 0.6, 0.3]], requires_grad=True)
o = torch.tensor([[0.5, 0.1, -1.7], [1.5, -1.5, 1.8]], dtype=torch.float64, requires_grad=True)
y = x.clamp(max=0.5)
y.mul_(o)
y.register_hook(lambda g: print("hook", g.dtype))
y.grad_fn.register_prehook(lambda g: print("prehook", [t.dtype for t in g]))
y.t().sigmoid_()
g, h = torch.autograd.grad(y.sum(), [x, o], create_graph=True)
node = g.grad_fn
while node is not None:
    print(node.name(), node.metadata if False else "")
    node = node.next_functions[0][0] if node.next_functions else None
print(g, h)
z = x * 1
z.div_(o)
z.backward(torch.ones(2, 3))
print(x.grad, o.grad)
""")


program("amax_amin_signed_zeros", """
import random
import torch
random.seed(1)
for trial in range(250):
    shape = [random.choice([1, 2, 3, 5, 8, 16, 17, 33]) for _ in range(random.randint(1, 3))]
    x = torch.tensor([random.choice([0., -0., -1.]) for _ in range(torch.Size(shape).numel())],
                     dtype=random.choice([torch.float32, torch.float64])).reshape(shape)
    r = random.random()
    if x.dim() > 1 and r < 0.3:
        order = list(range(x.dim()))
        random.shuffle(order)
        x = x.permute(order)
    elif r < 0.45 and x.shape[-1] > 2:
        x = x[..., ::2]
    k = random.randint(0, x.dim())
    dims = tuple(sorted(random.sample(range(x.dim()), k)))
    for name in ["amax", "amin"]:
        res = getattr(x, name)(dims, random.random() < 0.3) if dims else getattr(x, name)()
        print(trial, name, tuple(x.shape), dims, torch.signbit(res).int().flatten().tolist())
print(res)
""")


program("add_with_alpha_rounds_once", """
import numpy as np
import torch
a = torch.tensor([1.0] * 3)
b = torch.tensor([11860678 * 2.0**-38] * 3)
print(a.add(b, alpha=11865889 * 2.0**-33).numpy().view(np.int32))
rng = np.random.default_rng(0)
for dtype, view in [(torch.float32, np.int32), (torch.float64, np.int64)]:
    for alpha in [-0.0137, -0.1, 0.3, 1e-3]:
        x = torch.tensor(rng.standard_normal(20000), dtype=dtype)
        g = torch.tensor(rng.standard_normal(20000) * 1e-3, dtype=dtype)
        y = x.clone()
        y.sub_(g, alpha=alpha)
        sums = (x.add(g, alpha=alpha), y)
        print(dtype, alpha, [int(np.bitwise_xor.reduce(t.numpy().view(view))) for t in sums])
    w = torch.tensor(1.5, dtype=dtype)  # 0-d (fuzz seeds 301890, 304698), inf, nan, -0.
    w.add_(torch.tensor(2.0, dtype=dtype), alpha=-0.1)
    v = torch.tensor([1.0, float("inf"), -1e308, float("nan"), -0.0], dtype=dtype)
    v.add_(torch.tensor([float("inf"), 1.0, -1e308, 1.0, -0.0], dtype=dtype), alpha=0.3)
    print(w, v, torch.signbit(v))
""")


program("accumulate_not_in_place_into_a_viewed_gradient", """
import torch
for shape in [(), (1,)]:
    x = torch.full(shape, 1.0862, requires_grad=True)
    y = x.sum(0, keepdim=True) if shape else x.sum()
    y += x
    z = -y
    g, = torch.autograd.grad(z.sum(), [x], retain_graph=True)
    print(g, g._version)
    z.sum().backward()
    print(x.grad, x.grad._version)
""")


program("mse_loss_of_infinities_is_silent", """
import warnings
import torch
warnings.simplefilter("error")
x = torch.tensor([[float("inf"), 1.0], [2.0, -float("inf")]], requires_grad=True)
for reduction in ["mean", "sum", "none"]:
    loss = torch.nn.functional.mse_loss(x, x.detach(), reduction=reduction)
    print(loss)
    loss.sum().backward()
print(x.grad)
""")


program("unary_ops_of_expanded_inputs_are_contiguous", """
import torch
x = torch.tensor([[0.5, -1.5], [2.0, 0.25], [1.0, -3.0], [0.0, 4.0]])
v = x.expand(2, -1, -1)
for name in ["cos", "floor", "abs", "exp", "sigmoid", "relu", "neg", "sqrt", "tanh", "sgn"]:
    y = getattr(v, name)()
    print(name, y.stride(), y.flatten()._is_view(), y.mT.is_contiguous())
print(x.t().expand(3, -1, -1).exp().stride(), x[:, None].expand(-1, 3, -1).abs().stride(), v.exp())
""")


program("sign_of_nan_and_negative_zero", """
import torch
x = torch.tensor([float("nan"), -float("nan"), 0., -0., 1., -2., float("inf")],
                 requires_grad=True)
print(torch.sign(x.detach()), torch.sgn(x.detach()), torch.signbit(x.detach().sign()))
x.abs().sum().backward()
print(x.grad, torch.signbit(x.grad))
print(torch.tensor([3, -2, 0]).sign(), torch.tensor([True, False]).sign())
""")


program("zero_tensor_products_and_quotients", """
import torch
x = torch.tensor([1.5, -2.0, 0.0], requires_grad=True)
g, = torch.autograd.grad(x.sgn().sum(), [x], create_graph=True)
print(g._is_zerotensor())
for name, f in [("mul", lambda: g * torch.tensor([-1., float("inf"), float("nan")])),
                ("rmul", lambda: -3 * g), ("div", lambda: g / torch.tensor([-2., 0., 1.])),
                ("rdiv", lambda: torch.tensor([-2., 0., 1.]) / g), ("div00", lambda: g / g),
                ("mulzz", lambda: g * g), ("add", lambda: g + 1)]:
    r = f()
    print(name, r, r._is_zerotensor(), torch.signbit(r))
y = x * 1
g2, = torch.autograd.grad((y.abs() * torch.tensor([-1., -2., -3.])).sum(), [y], create_graph=True)
(g2 * torch.tensor([-4., 5., -6.])).sum().backward()
print(x.grad, torch.signbit(x.grad))
""")


program("like_factories_keep_the_layout", """
import torch
x = torch.arange(6.).reshape(2, 3)
for f in [torch.zeros_like, torch.ones_like]:
    print([f(t).stride() for t in (x.t(), x[:, ::2], torch.ones(1).expand(3),
                                   torch.ones(3, 1, 2).transpose(0, 2), x)])
    print(f(x.t()).is_contiguous(), f(x.t()))
try:
    torch.zeros_like(x.t()).view(-1)
except RuntimeError as e:
    print(e)
""")


program("index_put_into_an_expanded_tensor_from_its_own_memory", """
import warnings
import torch
warnings.simplefilter("ignore")  # the deprecation warning of writes into expanded tensors
y = torch.tensor([[-0.87], [-0.42], [-1.89]])
y.unsqueeze(-1).expand(-1, 3, 3)[[2, 0]] = y
print(y)
y = torch.tensor([[1.], [2.], [3.]])
y.unsqueeze(-1).expand(-1, 3, 3)[[0, 2]] = y
print(y)
y = torch.tensor([[1.], [2.], [3.]])
y.expand(3, 4)[[1, 2], 1:3] = y[:2]
print(y)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name], contains="tensor(")


def test_layout_contract_warning_once_per_place():
    """A fresh process each: PyTorch warns once per process."""
    oracle.assert_same_output("""
import warnings
import torch
warnings.simplefilter("always")
e = torch.tensor([[]], dtype=torch.float64, requires_grad=True)  # empty: no warning (seed 247554)
e.backward(torch.tensor([[]], dtype=torch.float64), retain_graph=True)
e.backward(torch.tensor([[]], dtype=torch.float64))
print(e.grad)
x = torch.tensor([[[1.5]]], dtype=torch.float64, requires_grad=True)
g, = torch.autograd.grad(x.sum() * 1, [x], create_graph=True)
g.requires_grad_()
print(g.stride())
g.backward(torch.tensor([[[0.75]]], dtype=torch.float64), retain_graph=True)
print(g.grad.stride())
g.backward(torch.tensor([[[-0.5]]], dtype=torch.float64), retain_graph=True)
g.backward(torch.tensor([[[-0.5]]], dtype=torch.float64))
print(g.grad, g.grad.stride())
w = torch.zeros(2, 3, requires_grad=True)
w.grad = torch.zeros(3, 2).t()
(w * 2).sum().backward()
(w * 2).sum().backward()
print(w.grad, w.grad.stride())
v = torch.zeros(2, 3, requires_grad=True)
v.grad = torch.zeros(3, 2).t()
(v * 2).sum().backward(create_graph=True)
(v * 2).sum().backward(create_graph=True)
print(v.grad.stride())
""", subprocess=True, contains="layout contract")
