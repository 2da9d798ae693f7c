"""The graph that in-place ops and ``x[idx] = v`` build, compared with PyTorch 2.13:
node names, edges, ``_version``, ``_is_view()``, the histories views get after their
base changed, and what a second backward through such nodes does (tests/oracle.py).
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, tuple[str, tuple]] = {}


def program(name: str, text: str, contains=(), prelude=""):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = (GRAPH + prelude + textwrap.dedent(text), contains)


# Prints a tensor's whole graph: each node once, with the nodes its edges lead to.
GRAPH = """
import torch

def graph(t):
    nodes, order, stack = {}, [], [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in nodes:
            continue
        nodes[node] = len(order)
        order.append(node)
        stack.extend(fn for fn, _ in reversed(node.next_functions))
    return [(n.name(), [None if fn is None else nodes[fn] for fn, _ in n.next_functions])
            for n in order]
"""

# -- which node: copy_, fill_ or index_put_, on the tensor or through CopySlices ----------

program("setitem_whole_dim_slices_write_the_tensor_itself", """
    for index in ["0:", ":", ":5", "0:3:1", "0:, :", "...", "1:", "::2", "None", "True"]:
        y = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True) * 1
        exec(f"y[{index}] = torch.tensor([7., 8.])")
        print(index, y.grad_fn.name(), graph(y)[:2], y._version)
""", contains=("torch::autograd::CopyBackwards", "torch::autograd::CopySlices"))

program("setitem_getitem_whole_dim_slices", """
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True) * 1
    for index in ["0:", ":", "0:, 0", "0:5, :", ":, :", "-2:, 1", "None, 0:"]:
        print(index, graph(eval(f"x[{index}]"))[:2])
""", contains=("AliasBackward0",))

program("setitem_scalar_fills_with_a_0d_tensor", """
    y = torch.tensor([1., 2.], requires_grad=True) * 1
    y[0:] = -2
    print(y.grad_fn.name(), graph(y))
    w = torch.tensor(3., requires_grad=True)
    z = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True) * 1
    z[...] = w
    print(graph(z))
    z[0] = w
    print(graph(z))
    s = torch.tensor(1., requires_grad=True) * 1
    s[...] = 5.
    print(s.grad_fn.name())
    z.sum().backward()
    print(w.grad)
""", contains=("FillBackward3",))

program("setitem_needs_no_grad_destination", """
    x = torch.tensor([1., 2.])
    w = torch.tensor(1.5, requires_grad=True)
    x[...] = w
    print(x.grad_fn.name(), x._version)
    x[...].mul_(torch.tensor([2., 3.], requires_grad=True))
    print(graph(x))
    x[False] = 7.
    print(x._version)
""", contains=("FillBackward3",))

program("augmented_assignment_on_a_whole_slice", """
    y = torch.tensor([1., 2., 3.], requires_grad=True).tanh()
    y[0:] *= 2
    print(graph(y))
    y[1:] += torch.tensor([1., 1.])
    print(graph(y))
""", contains=("torch::autograd::CopyBackwards",))

# -- the value: viewed without leading 1s, expanded to the destination ------------------

program("setitem_value_is_viewed_and_expanded", """
    v = torch.tensor([[0.5, 1.5]], requires_grad=True)
    y = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True) * 1
    y[1:] = v
    print(graph(y))
    y[0] = v
    print(graph(y))
    y[...] = v
    print(graph(y))
    y[:, 0] = torch.tensor([7.], requires_grad=True)
    print(graph(y))
    y.sum().backward()
    print(v.grad)
""", contains=("ExpandBackward0", "ViewBackward0"))

program("setitem_index_put_value_loses_its_leading_ones", """
    v = torch.tensor([[2.5]], requires_grad=True)
    y = torch.tensor([1., 2., 3.], requires_grad=True) * 1
    y[torch.tensor([0, 2])] = v
    print(graph(y))
    y[[True, False, True]] = torch.tensor([7., 8.], requires_grad=True)
    print(graph(y))
    y[torch.tensor([True, False, False])] += torch.tensor(1., requires_grad=True)
    print(graph(y))
    y.sum().backward()
    print(v.grad)
""", contains=("IndexPutBackward0", "ViewBackward0"))

program("setitem_index_put_needs_one_dtype", """
    x = torch.zeros(3, dtype=torch.float64)
    for v in [torch.ones(2), 1.5, torch.ones(2, dtype=torch.float64)]:
        try:
            x[torch.tensor([0, 1])] = v
            print(x, x._version)
        except RuntimeError as e:
            print(e, x._version)
""", contains=("Index put requires",))

program("setitem_expand_errors_name_the_viewed_value", """
    for dst, val in [(3, (1, 2)), (3, (2,)), ((2, 3), (1, 1, 4)), (3, (1, 1, 3, 1))]:
        x = torch.zeros(dst)
        try:
            x[:] = torch.ones(val)
        except RuntimeError as e:
            print(e, x._version)
""", contains=("Tensor sizes: [2]",))

# -- views whose base changed ----------------------------------------------------------

program("view_remade_after_base_stops_requiring_grad", """
    x1 = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    v2 = x1[...]
    v3 = v2.detach()
    x1.requires_grad_(False)
    v3.mul_(v3)
    print(v2.grad_fn.name(), v2.requires_grad, graph(v2))
    x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    u = x.unsqueeze(-1)
    p = x.permute(1, 0)
    x.requires_grad_(False)
    x.clamp_(max=2.5)
    print(u.grad_fn.name(), p.grad_fn.name())
""", contains=("AsStridedBackward0",))

program("view_of_a_base_that_later_requires_grad", """
    x = torch.ones(2)
    v = x[0]
    x.requires_grad_()
    print(v.requires_grad, v.grad_fn, v.is_leaf)
    try:
        v.add_(1)
    except RuntimeError as e:
        print(e)
""", contains=("a view of a leaf Variable",))

program("view_without_a_fresh_grad_fn_counts_as_a_leaf", """
    x1 = torch.tensor([-1.79], requires_grad=True)
    with torch.no_grad():
        y5 = (x1 * 2).abs()
    x7 = torch.tensor(0.4, requires_grad=True)
    s = y5.squeeze()
    t = s[()]
    t += x7
    try:  # s's grad_fn was never asked for since y5 changed: PyTorch calls s a leaf
        s[()] = t
    except RuntimeError as e:
        print(e)
    print(s.is_leaf, s.grad_fn.name())
    s[()] = t
    print(graph(y5))
""", contains=("a leaf Variable that requires grad",))

program("retain_grad_and_hooks_follow_in_place_ops", """
    a = torch.tensor([1., 2.], requires_grad=True)
    b = a * 1
    v = b[0]
    v.retain_grad()
    b.retain_grad()
    v.mul_(2)
    b.sum().backward(retain_graph=True)
    print(v.grad, b.grad)
    v.sum().backward()
    print(v.grad, b.grad)
    a = torch.tensor([1., 2.], requires_grad=True)
    b = a * 1
    b.register_hook(lambda g: print("hook1", g))
    b.mul_(3)
    b.register_hook(lambda g: print("hook2", g))
    b.sum().backward()
    x = torch.tensor([[0.4, -0.7]], dtype=torch.float64, requires_grad=True)
    y = x.cos()
    y.retain_grad()
    v3 = y.t()
    v4 = v3.reshape(2, 1)
    y5 = v4.softmax(dim=-1)
    v3[:, 0] = v4[0]
    y5.sum().backward()
    print(y.grad)
""", contains=("hook2",))

program("as_strided_backward_of_an_expanded_view", """
    x1 = torch.tensor([[1., 2.]], requires_grad=True)
    y2 = x1 * 1
    v3 = y2.expand(3, 2, -1).transpose(0, 1)[:, ::2]
    y2.div_(2)
    print(v3.grad_fn.name())
    v3.backward(torch.arange(8.).reshape(2, 2, 2))
    print(x1.grad)
""", contains=("AsStridedBackward0",))

# -- a second backward -------------------------------------------------------------------

program("second_backward_stops_at_copy_slices_and_index_nodes", """
    x1 = torch.tensor([[-0.3, 1.5, 1.6], [0.4, 1.9, -1.2], [1.5, -1.6, 0.8]],
                      dtype=torch.float64, requires_grad=True)
    y4 = x1.sin()
    x5 = torch.tensor([[[1.25]], [[0.155]]], dtype=torch.float64, requires_grad=True)
    y4[1:, None] = x5
    v9 = y4.t()
    v9.backward(torch.ones(3, 3, dtype=torch.float64))
    y11 = v9.masked_fill(v9 < 0, torch.tensor(-0.26, requires_grad=True))
    try:
        y11.backward(torch.ones(3, 3, dtype=torch.float64))
    except RuntimeError as e:
        print(str(e)[:60])
    print(x5.grad.flatten())
    for index in ["[[0, 1]]", "[x > 0]"]:
        x = torch.tensor([1., -2., 3.], requires_grad=True)
        z = eval("x" + index).sum()
        z.backward()
        try:
            z.backward()
        except RuntimeError as e:
            print(str(e)[:60])
    w = torch.tensor([0.2], requires_grad=True)
    y = torch.tensor([1., 2.], requires_grad=True) * 1
    y[torch.tensor([0, 1])] = w
    y.sum().backward()
    try:
        y.sum().backward()
    except RuntimeError as e:
        print(str(e)[:60])
    print(w.grad)
""", contains=("Trying to backward through the graph a second time",))

program("backward_of_a_no_grad_view_of_a_new_history", """
    y3 = torch.ones(2, 3) * 1
    v5 = y3[::2]
    v5[1:, None] = torch.ones(3, requires_grad=True)
    print(v5.is_leaf, y3.grad_fn.name())
    with torch.no_grad():
        y7 = v5.squeeze()
    try:
        y7.backward(torch.ones(3))
    except RuntimeError as e:
        print(e)
""", contains=("does not require grad and does not have a grad_fn",))

# -- errors naming producers, versions, views ---------------------------------------------

program("modified_saved_tensor_errors_keep_the_overload_number", """
    def check(f):
        x = torch.tensor([1., 2.], requires_grad=True)
        y = f(x * 1)
        z = y * y
        with torch.no_grad():
            y.add_(1)
        try:
            z.sum().backward()
        except RuntimeError as e:
            print(str(e).split("which is ")[1].split(", is at")[0])
    check(lambda x: x.pow(2.))
    check(lambda x: x.clamp(min=0.))
    check(lambda x: torch.pow(2., x))
    check(lambda x: x.fill_(torch.tensor(2.)))
    check(lambda x: x.fill_(2.))
    check(lambda x: x.copy_(x.detach()))
    check(lambda x: x[0:1])
""", contains=("Clamp1", "Fill3", "torch::autograd::CopyBackwards", "AsStrided"))

program("matmul_versions_and_views", """
    for a, b in [((3,), (3, 2)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 2)),
                 ((4, 2, 3), (3,)), ((3,), (2, 3, 2))]:
        for requires_grad in (True, False):
            x = torch.ones(a, requires_grad=requires_grad)
            z = x @ torch.ones(b)
            print(a, b, z._version, z._is_view(), z.grad_fn)
""", contains=("SqueezeBackward4",))

program("cat_and_stack_results_are_contiguous", """
    x1 = torch.tensor([[-0.38, -1.24]], dtype=torch.float64)
    v2 = x1.expand(2, -1, -1)
    y3 = torch.cat([v2, v2])
    y4 = torch.stack([y3, y3])
    print(y3.is_contiguous(), y4.is_contiguous(), y4.reshape(2, -1)._is_view())
""")

program("gradient_versions_and_views", """
    def show(name, f, shape=(2, 3)):
        x = torch.arange(1., 7.)[:int(torch.ones(shape).numel())].reshape(shape)
        x = x.flip(-1).requires_grad_() if x.dim() else x.requires_grad_()
        g, = torch.autograd.grad(f(x).sum(), [x])
        print(name, g._version, g._is_view())
    show("max_dim", lambda x: x.max(1)[0])
    show("min_dim_keepdim", lambda x: x.min(0, keepdim=True)[0])
    show("max", lambda x: x.max())
    show("sort", lambda x: x.sort(1).values)
    show("sort_1d", lambda x: x.sort(0, descending=True).values, (3,))
    show("cumsum_dim_of_1", lambda x: x.cumsum(0), (1, 3))
    show("cumsum_1_element", lambda x: x.cumsum(0), (1,))
    show("cumsum", lambda x: x.cumsum(1))
    show("repeat", lambda x: x.repeat(1, 2))
    show("repeat_new_dims", lambda x: x.repeat(2, 1, 1))
    show("repeat_once", lambda x: x.repeat(1, 1))
    show("getitem_list", lambda x: x[[0, 0]])
    show("getitem_mask", lambda x: x[x > 2])
    show("index_select", lambda x: x.index_select(1, torch.tensor([0, 0, 1])))
    show("gather", lambda x: x.gather(1, torch.tensor([[0, 0], [1, 1]])))
    show("select", lambda x: x[0])
    show("sum", lambda x: x)
""", contains=("max_dim 2 False",))

program("gradients_summed_in_place_by_the_engine", """
    def show(name, f, n=1):
        xs = [torch.tensor([[1., 5., 3.], [4., 2., 6.]], requires_grad=True) for _ in range(n)]
        gs = torch.autograd.grad(f(*xs).sum(), xs)
        print(name, [(g._version, g._is_view()) for g in gs])
    show("fresh_plus_fresh", lambda x: x * 2 + x * 3)
    show("three_fresh", lambda x: x * 2 + x * 3 + x * 4)
    show("same_tensor_twice", lambda x: x + x + x)
    show("view_first", lambda x: x * 2 + x)
    show("view_second", lambda x: x + x * 2)
    show("unbind", lambda x: x.unbind(0)[0] * x.unbind(0)[1])
    show("expand", lambda x: x.expand(2, 2, 3) * 2 + x)
    show("two_inputs", lambda x, y: x * y + x, n=2)
    show("extremes", lambda x: x.max(1)[0] + x.min(1)[0])
    x = torch.tensor([1., 2.], requires_grad=True)
    g, = torch.autograd.grad((x * 2 + x * 3).sum(), [x], create_graph=True)
    print(g._version)
""", contains=("three_fresh [(2, False)]",))


# -- double backward through CopySlices: its gradient is computed with recorded ops ----

# Not covered: in-place ops whose derivative needs the old self (mul_, pow_): PyTorch
# saves a recorded clone of it (a CloneBackward0 the double-backward graph shows), we
# save a snapshot without history. float64, because PyTorch's float32 exp is MKL's
# (exp(1) = 2.7182817, numpy's 2.718282), which changes the last bits of one case.
program("double_backward_through_copy_slices", """
    CASES = {
        "exp_": lambda v, w: v.exp_(),
        "sigmoid_": lambda v, w: v.sigmoid_(),
        "setitem": lambda v, w: v.__setitem__(0, w[0] * 2),
        "copy_": lambda v, w: v.copy_(w * w),
        "zero_": lambda v, w: v.zero_(),
        "add_self": lambda v, w: v.add_(w * v),
    }
    for name, change in CASES.items():
        for view in ["y[:2]", "y[1:].t()", "y.select(1, 0)[:2]", "y[::2, :1].t()"]:
            x = torch.tensor([[1., 2.], [3., 4.], [0.5, -1.]], dtype=torch.float64,
                             requires_grad=True)
            w = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
            y = x * 1
            v = eval(view)
            change(v, w)
            out = (y * y).sum()
            try:
                grads = torch.autograd.grad(out, [x, w], create_graph=True, allow_unused=True)
                for g in grads:
                    print(name, view, None if g is None else (g, graph(g), g._version))
                total = sum(g.pow(2).sum() for g in grads if g is not None and g.requires_grad)
                if isinstance(total, torch.Tensor):
                    print(torch.autograd.grad(total, [x, w], allow_unused=True))
            except RuntimeError as e:
                print(name, view, e)
""")

# -- custom Functions: ctx.mark_dirty and inputs returned as they are ----------------

program("custom_function_mark_dirty", """
    class DoubleNone(Double):
        @staticmethod
        def backward(ctx, grad):
            return None

    class AddInto(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(a)
            a.add_(b)
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class Forgets(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_dirty(a)
            a.mul_(2)
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            return grad

    def show(name, t):
        print(name, t, t._version, t.is_leaf, t.requires_grad, t._is_view(),
              t.grad_fn and t.grad_fn.name(),
              t.grad_fn and [f and f.name() for f, _ in t.grad_fn.next_functions])

    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    out = Double.apply(y)
    print(out is y); show("y", y)
    out.sum().backward(); print(x.grad)

    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    v = y[:2]
    out = Double.apply(v)
    print(out is v); show("v", v); show("y", y)
    y.sum().backward(); print(x.grad)

    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 1
    DoubleNone.apply(y[1:])
    show("y", y)
    y.sum().backward(); print(x.grad)

    for make in ["torch.tensor([1., 2.], requires_grad=True)",
                 "torch.tensor([1., 2., 3.], requires_grad=True)[:2]"]:
        a = eval(make)
        try:
            Double.apply(a)
        except RuntimeError as e:
            print("E", e)
        print(a, a._version)

    a = torch.tensor([1., 2.])
    b = torch.tensor([1., 1.], requires_grad=True)
    out = AddInto.apply(a, b)
    print(out is a); show("a", a)
    out.sum().backward(); print(b.grad)

    a = torch.tensor([1., 2.])
    out = AddInto.apply(a, torch.ones(2))
    print(out is a); show("a", a)

    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 1
    try:
        Forgets.apply(y)
    except RuntimeError as e:
        print("E", e)
    show("y", y)

    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 1
    with torch.no_grad():
        out = Double.apply(y)
    show("y", y)

    class Ident(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    for grad_mode in [True, False]:
        for make in ["torch.ones(2)", "torch.ones(2, requires_grad=True)",
                     "torch.ones(2, requires_grad=True) * 1"]:
            a = eval(make)
            with torch.set_grad_enabled(grad_mode):
                for F in [Ident, Double]:
                    try:
                        out = F.apply(a)
                        print(grad_mode, make, F.__name__, out is a, out._is_view(),
                              out.requires_grad, out.is_leaf, out._version, a._version,
                              out.grad_fn and out.grad_fn.name())
                    except RuntimeError as e:
                        print(grad_mode, make, F.__name__, "E", e)
""", prelude=oracle.DOUBLE_IN_PLACE)


program("custom_function_integer_outputs_are_not_differentiable", """
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.argmax(), a * 2, a.long(), a > 0

        @staticmethod
        def backward(ctx, g1, g2, g3, g4):
            return g2 * 2

    x = torch.ones(3, requires_grad=True)
    outs = F.apply(x)
    for o in outs:
        print(o.dtype, o.requires_grad, o.grad_fn is not None, o.is_leaf)
    outs[1].sum().backward()
    print(x.grad)
""")


program("custom_function_mark_dirty_on_a_no_grad_view_of_a_leaf", """
    x = torch.tensor(-1.5, requires_grad=True)
    with torch.no_grad():
        v = x[None]
    try:
        Double.apply(v)
    except RuntimeError as e:
        print(e)
    print(x._version, v.requires_grad)
""", prelude=oracle.DOUBLE_IN_PLACE)


program("double_backward_through_an_expanded_view_written_in_place", """
    y4 = torch.tensor([2.0, -1.0]) * 1
    v5 = y4.expand(2, -1)
    x6 = torch.tensor([[1.25, 0.5]], requires_grad=True)
    v5[1:] = x6
    for f in [lambda t: t.log_softmax(-2), lambda t: (t * t), lambda t: t.exp()]:
        y7 = f(v5)
        g, = torch.autograd.grad(y7.sum(), [x6], create_graph=True, retain_graph=True)
        print(g, g.requires_grad, graph(g))
        print(torch.autograd.grad(g.pow(2).sum(), [x6], retain_graph=True))
""")


program("copy_slices_casts_its_view_gradient_with_copy", """
    x1 = torch.tensor([0.5, -1.5], requires_grad=True)  # float32
    y = x1 * 1
    v = y[:1]
    x4 = torch.tensor([-0.25], dtype=torch.float64, requires_grad=True)
    v.div_(x4)
    g, h = torch.autograd.grad(y.sum(), [x1, x4], create_graph=True)
    print(g, g.dtype, graph(g), h, h.dtype, graph(h))
    print(torch.autograd.grad((g * g).sum() + h.sum(), [x1, x4]))
""")


program("double_backward_nodes_check_their_saved_tensors_first", """
    F = torch.nn.functional
    for f in [torch.relu, F.leaky_relu, lambda t: F.leaky_relu(t, 0.2)]:
        w = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float64, requires_grad=True)
        x = torch.tensor([1.0, 2.0, -3.0], dtype=torch.float64)
        x *= w
        y = f(x)
        g, = torch.autograd.grad(y.sum(), [w], create_graph=True)
        x.add_(x, alpha=-0.5)  # changes what the gradient's graph saved
        try:
            g.backward(torch.ones(3, dtype=torch.float64))
            print(w.grad)
        except RuntimeError as e:
            print(str(e)[:160])
""")


program("sgn_gradient_is_an_immutable_zero_tensor", """
    x = torch.tensor(-1.5, dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(x.sgn().sum(), [x])
    print(g, g._is_zerotensor(), g._version)
    CODES = ['g.add_(1)', 'g.zero_()', 'g.mul_(2)', 'g.fill_(1)', 'g.exp_()', 'g + 1',
             'g.copy_(torch.tensor(1., dtype=torch.float64))', 'g.clone()._is_zerotensor()',
             'g.detach()._is_zerotensor()', 'g.view(1)._is_zerotensor()']
    for c in CODES:
        try: print(c, eval(c))
        except Exception as e: print(c, type(e).__name__, str(e)[:100])
    for code in ['g[...] = 1', 'g += 1']:
        try: exec(code); print(code, g)
        except Exception as e: print(code, type(e).__name__, str(e)[:100])
    x.grad = None
    (x.sgn() * 1).sum().backward(); print(x.grad, x.grad._is_zerotensor())
    try:
        (x * 2).sum().backward(); print(x.grad)
    except Exception as e: print(type(e).__name__, str(e)[:120])
    y = torch.tensor([1.5, -2.0], requires_grad=True)
    g, = torch.autograd.grad(y.abs().sum(), [y], create_graph=True)
    g.sum().backward(); print(y.grad, y.grad._is_zerotensor())
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    text, contains = PROGRAMS[name]
    oracle.assert_same_output(text, contains=contains)
