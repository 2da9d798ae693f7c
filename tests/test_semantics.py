"""Differential tests of autograd semantics: each program prints values and text, and
autograd_edu must print exactly what PyTorch 2.13 prints (see tests/oracle.py).

Most programs run in-process (fast); a few run in fresh interpreters where the import
machinery itself is under test. Programs are plain text so a failure's diff shows the
program too, and any one of them can be pasted into a notebook.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, tuple[str, tuple]] = {}


def program(name: str, text: str, contains=()):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = (textwrap.dedent(text), contains)


# A helper defined inside programs that need it: register a pre-hook on every node
# reachable from a root (including AccumulateGrad) and record the order they run in.
RECORD_ORDER = """
def record_order(*roots):
    order, seen, stack = [], set(), [r.grad_fn for r in roots]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        node.register_prehook(lambda grads, node=node: order.append(node.name()))
        stack.extend(fn for fn, _ in node.next_functions)
    return order
"""

# ---------------------------------------------------------------------------
# .grad accumulation

program("accumulate_in_place", """
    import torch
    x = torch.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    print(g)
    (x * 3).sum().backward()
    print(g, x.grad, g is x.grad)
    print(x.grad._version)
    x.grad = None
    (x * 4).sum().backward()
    print(g, x.grad, g is x.grad)
""")

program("accumulate_into_user_grad", """
    import torch
    x = torch.ones(2, requires_grad=True)
    mine = torch.tensor([10., 20.])
    x.grad = mine
    (x * x).sum().backward()
    print(mine, x.grad is mine)
""")

program("accumulate_broadcast_and_reuse", """
    import torch
    b = torch.tensor([1.0], requires_grad=True)
    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (w * b + b).sum() + (w @ w).sum()
    y.backward()
    print(b.grad, w.grad)
    y2 = (w * w).mean()
    y2.backward()
    print(b.grad, w.grad)
""")

program("accumulate_create_graph_not_in_place", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    print(g)
    (x ** 2).sum().backward(create_graph=True)
    print(g, x.grad, g is x.grad)
    print(x.grad.grad_fn)
""")

program("zero_grad_variants", """
    import torch
    x = torch.ones(2, requires_grad=True)
    (x * 5).sum().backward()
    x.grad.zero_()
    print(x.grad)
    (x * 5).sum().backward()
    print(x.grad)
    x.grad.data.zero_()
    (x * 1).sum().backward()
    print(x.grad)
    x.grad = None
    print(x.grad)
""")

# ---------------------------------------------------------------------------
# retain_graph and second backward

program("second_backward_per_op", """
    import torch
    ops = [
        ("x * 2", lambda x: x * 2),
        ("x + 2", lambda x: x + 2),
        ("x - 2", lambda x: x - 2),
        ("x / 2", lambda x: x / 2),
        ("x.sum()", lambda x: x.sum()),
        ("x.mean()", lambda x: x.mean()),
        ("x.view(3)", lambda x: x.view(3)),
        ("x.reshape(1, 3)", lambda x: x.reshape(1, 3)),
        ("x.t()", lambda x: x.unsqueeze(0).t()),
        ("-x", lambda x: -x),
        ("x * x", lambda x: x * x),
        ("x ** 2", lambda x: x ** 2),
        ("x.exp()", lambda x: x.exp()),
        ("x.sin()", lambda x: x.sin()),
        ("x.relu()", lambda x: x.relu()),
        ("x.sigmoid()", lambda x: x.sigmoid()),
        ("x[0]", lambda x: x[0]),
        ("x.clone()", lambda x: x.clone()),
        ("x.max()", lambda x: x.max()),
        ("x.abs()", lambda x: x.abs()),
        ("x + x", lambda x: x + x),
    ]
    for text, f in ops:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = f(x)
        y.backward(torch.ones_like(y))
        try:
            y.backward(torch.ones_like(y))
            print(f"{text:12} runs again:", x.grad)
        except RuntimeError as e:
            print(f"{text:12} {type(e).__name__}: {e}")
""")

program("retain_graph_accumulates", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x * 2).sum()
    y.backward(retain_graph=True)
    print(x.grad)
    y.backward(retain_graph=True)
    print(x.grad)
    y.backward()
    print(x.grad)
    try:
        y.backward()
    except RuntimeError as e:
        print(e)
    print(x.grad)
""")

program("second_backward_through_shared_subgraph", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    a = (h * 2).sum()
    b = (h + 1).sum()
    a.backward()
    print(x.grad)
    try:
        b.backward()
    except RuntimeError as e:
        print(type(e).__name__)
    print(x.grad)
""")

# ---------------------------------------------------------------------------
# .grad of non-leaf tensors, retain_grad

program("non_leaf_grad_warning", """
    import torch
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    print(y.grad)
    for i in range(3):
        print(i, y.grad)  # one warning: same line
    print(y.grad is None)
    print(torch.ones(2).grad)  # a leaf that does not require grad: no warning
    with torch.no_grad():
        z = x * 2
    print(z.is_leaf, z.grad)  # made under no_grad: a leaf, no warning
    print(x.detach().grad)
    y.grad = torch.ones(2)  # a non-leaf whose .grad is set: no warning
    print(y.grad)
""")

program("retain_grad", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    print(x.retains_grad, y.retains_grad)
    y.retain_grad()
    y.retain_grad()
    x.retain_grad()
    print(x.retains_grad, y.retains_grad)
    z = (y * y).sum()
    z.backward(retain_graph=True)
    print(y.grad, x.grad)
    g = y.grad
    z.backward()
    print(y.grad, x.grad, g, g is y.grad)
""")

program("retain_grad_runs_after_tensor_hooks", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    print(y.grad, x.grad)
""")

program("retain_grad_on_view_and_output_of_multi", """
    import torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a, b = x.unbind(0)
    b.retain_grad()
    v = x.view(4)
    v.retain_grad()
    (b * 2).sum().backward(retain_graph=True)
    print(b.grad, x.grad)
    (v ** 2).sum().backward()
    print(v.grad, x.grad)
""")

# ---------------------------------------------------------------------------
# tensor hooks

program("leaf_hook_runs_before_accumulation", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    def hook(g):
        print("hook sees grad", g, "and x.grad", x.grad)
        return g * 2
    h = x.register_hook(hook)
    (x * 3).sum().backward()
    print(x.grad)
    (x * 3).sum().backward()
    print(x.grad)
    h.remove()
    (x * 3).sum().backward()
    print(x.grad)
    h.remove()
""")

program("hook_chain_and_none", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.register_hook(lambda g: print("first", g))
    y.register_hook(lambda g: g + 1)
    y.register_hook(lambda g: print("third", g))
    y.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: print("leaf", g))
    y.sum().backward()
    print(x.grad)
""")

program("hook_on_non_leaf_and_handle_context", """
    import torch
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 2
    with y.register_hook(lambda g: g * 100):
        pass
    z = y * 3
    z.backward(retain_graph=True)
    print(x.grad)
    y.register_hook(lambda g: g * 0)
    z.backward()
    print(x.grad)
""")

# ---------------------------------------------------------------------------
# node hooks

program("node_hook_and_prehook", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    def pre(grad_outputs):
        print("pre", type(grad_outputs).__name__, grad_outputs)
    def post(grad_inputs, grad_outputs):
        print("post", type(grad_inputs).__name__, grad_inputs, grad_outputs)
    h1 = y.grad_fn.register_prehook(pre)
    h2 = y.grad_fn.register_hook(post)
    y.sum().backward(retain_graph=True)
    print(x.grad, w.grad)
    h1.remove()
    h2.remove()
    y.sum().backward()
    print(x.grad, w.grad)
""")

program("node_hooks_replace_gradients", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
    y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, None))
    y.sum().backward()
    print(x.grad, w.grad)
""")

program("prehook_on_accumulate_grad", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    print(acc.name(), acc.next_functions)
    acc.register_prehook(lambda go: print("acc pre", go))
    acc.register_hook(lambda gi, go: print("acc post", gi, go))
    x.register_hook(lambda g: print("tensor hook", g))
    y.sum().backward()
    print(x.grad)
""")

program("node_hooks_order_with_tensor_hooks", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda go: print("node prehook", go))
    y.register_hook(lambda g: print("tensor hook", g))
    y.retain_grad()
    y.grad_fn.register_hook(lambda gi, go: print("node hook", gi, go))
    z = y.sum()
    z.backward()
    print(y.grad)
""")


def _order_program(name, body):
    program(f"order_{name}", "import torch\n" + RECORD_ORDER + textwrap.dedent(body))


_order_program("single_chain", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sin().sum()
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("diamond", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.exp()
    c = a.sin()
    d = (b + c).sum()
    order = record_order(d)
    d.backward()
    print(order)
""")
_order_program("diamond_created_in_other_order", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    c = a.sin()
    b = a.exp()
    d = (b + c).sum()
    order = record_order(d)
    d.backward()
    print(order)
""")
_order_program("reuse_a_times_a", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x + 1
    y = (a * a).sum()
    order = record_order(y)
    y.backward()
    print(order, x.grad)
""")
_order_program("several_leaves", """
    x = torch.tensor(1.0, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    c = torch.tensor(4.0, requires_grad=True)
    y = (x * w + b) * c + x * b
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("y_equals_w_x_plus_b", """
    x = torch.tensor(2.0, requires_grad=True)
    w = torch.tensor(3.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    y = w * x + b
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("wide_fan_out", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    parts = [x * i for i in range(1, 12)]
    y = parts[0]
    for p in parts[1:]:
        y = y + p
    y = y.sum()
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("wide_fan_out_stack", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    parts = [(x * i).exp() if i % 2 else (w * i).sin() for i in range(9)]
    y = torch.stack(parts).sum()
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("many_leaves_one_sum", """
    leaves = [torch.tensor(float(i), requires_grad=True) for i in range(9)]
    y = sum(leaf * leaf for leaf in leaves)
    order = record_order(y)
    y.backward()
    print(order)
    print([leaf.grad.item() for leaf in leaves])
""")
_order_program("mlp_like", """
    torch.manual_seed(0)
    x = torch.randn(4, 3)
    w1 = torch.randn(3, 5, requires_grad=True)
    b1 = torch.randn(5, requires_grad=True)
    w2 = torch.randn(5, 2, requires_grad=True)
    b2 = torch.randn(2, requires_grad=True)
    h = (x @ w1 + b1).relu()
    out = (h @ w2 + b2).sigmoid()
    loss = ((out - 1) ** 2).mean()
    order = record_order(loss)
    loss.backward()
    print(order)
""")
_order_program("nn_mlp", """
    import torch.nn as nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = torch.randn(5, 3)
    loss = nn.MSELoss()(model(x), torch.zeros(5, 1))
    order = record_order(loss)
    loss.backward()
    print(order)
""")
_order_program("two_roots", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y1 = (x * w).sum()
    y2 = (x.exp() + w).sum()
    order = record_order(y1, y2)
    torch.autograd.backward([y1, y2])
    print(order)
""")
_order_program("two_roots_reversed", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y1 = (x * w).sum()
    y2 = (x.exp() + w).sum()
    order = record_order(y1, y2)
    torch.autograd.backward([y2, y1])
    print(order)
""")
_order_program("long_and_short_branch", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    short = x * 3
    long = x
    for _ in range(5):
        long = long.sin()
    y = (short + long).sum()
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("view_and_multi_output", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a, b = x.unbind(0)
    c, d = torch.split(x.view(4), 2)
    y = (a * d + b * c).sum() + x.t().sum()
    order = record_order(y)
    y.backward()
    print(order)
""")
_order_program("autograd_grad_order", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (x.exp() * w + x * 2).sum()
    order = record_order(y)
    print(torch.autograd.grad(y, [w, x]))
    print(order)
""")
_order_program("backward_inputs_order", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (x.exp() * w + (w * 2).sin()).sum()
    order = record_order(y)
    y.backward(inputs=[x])
    print(order, x.grad, w.grad)
""")


def _random_graph_program(seed: int) -> str:
    """A random DAG over a few leaves (ops reused, fan-in and fan-out), deterministic per
    seed; the program prints the order backward runs its nodes in."""
    import random
    rng = random.Random(seed)
    lines = ["import torch", RECORD_ORDER]
    values = []
    for i in range(rng.randint(1, 4)):
        a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
        lines.append(f"l{i} = torch.tensor([{a:.3f}, {b:.3f}], requires_grad=True)")
        values.append(f"l{i}")
    lines.append("c = torch.tensor([0.5, -0.25])")
    unary = ["{a}.sin()", "{a} * 2", "{a} + 1", "{a}.view(2)", "{a}.tanh()", "-{a}",
             "{a}.sigmoid()", "{a}.clone()", "({a} * c)", "{a}.unsqueeze(0).squeeze(0)",
             "{a}.exp()", "{a} ** 2"]
    binary = ["{a} + {b}", "{a} * {b}", "{a} - {b}", "torch.maximum({a}, {b})",
              "torch.stack([{a}, {b}]).sum(0)", "torch.cat([{a}, {b}])[1:3]"]
    for k in range(rng.randint(3, 14)):
        if rng.random() < 0.45:
            expr = rng.choice(binary).format(a=rng.choice(values), b=rng.choice(values))
        else:
            expr = rng.choice(unary).format(a=rng.choice(values))
        lines.append(f"t{k} = {expr}")
        values.append(f"t{k}")
    picked = rng.sample(values, min(len(values), rng.randint(1, 4)))
    lines.append(f"y = ({' + '.join(picked)}).sum()")
    lines.append("order = record_order(y)")
    lines.append("y.backward()")
    lines.append("print(order)")
    return "\n".join(lines) + "\n"


for _seed in range(30):
    program(f"order_random_graph_{_seed:02d}", _random_graph_program(_seed))

# ---------------------------------------------------------------------------
# autograd.grad, backward(inputs=...), create_graph

program("autograd_grad_basic", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x ** 2
    g, = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.5, 0.1]))
    print(g, x.grad)
    y2 = (x ** 3).sum()
    print(torch.autograd.grad(y2, x, retain_graph=True))
    print(torch.autograd.grad(y2, [x]))
    try:
        torch.autograd.grad(y2, [x])
    except RuntimeError as e:
        print(type(e).__name__)
""")

program("autograd_grad_second_derivative", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    g, = torch.autograd.grad(y, x, create_graph=True)
    print(g)
    g2, = torch.autograd.grad(g.sum(), x, create_graph=True)
    print(g2)
    g3, = torch.autograd.grad(g2.sum(), x)
    print(g3)
    print(x.grad)
""")

program("autograd_grad_second_derivative_sin", """
    import torch
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = (x.sin() * x.exp()).sum()
    g, = torch.autograd.grad(y, x, create_graph=True)
    print(g)
    h, = torch.autograd.grad(g.sum(), x)
    print(h)
""")

program("autograd_grad_allow_unused", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    u = torch.tensor([5.0], requires_grad=True)
    y = (x * 2).sum()
    print(torch.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True))
    print(torch.autograd.grad(y, [x, u], allow_unused=True, materialize_grads=True))
""")

program("autograd_grad_multiple_outputs", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y1 = (x * w).sum()
    y2 = (x * x + w).sum()
    print(torch.autograd.grad([y1, y2], [x, w]))
""")

program("prod_gradient", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.prod()
    print(y)
    y.backward()
    print(x.grad)
    z = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    p = z.prod(1)
    print(p)
    p.sum().backward()
    print(z.grad)
""")

program("autograd_grad_wrt_non_leaf", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h ** 2).sum()
    print(torch.autograd.grad(y, h))
    print(x.grad)
""")

program("backward_inputs", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    y.backward(inputs=[w], retain_graph=True)
    print(x.grad, w.grad)
    y.backward(inputs=x, retain_graph=True)
    print(x.grad, w.grad)
    h = x * w
    z = (h * h).sum()
    z.backward(inputs=[h])
    print(h.retains_grad, h.is_leaf)
    print(h.grad, x.grad)
""")

program("create_graph_grad_fn", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    g = x.grad
    print(g)
    print(g.grad_fn)
    print(g.requires_grad, g.is_leaf)
    x.grad = None
    g.sum().backward()
    print(x.grad)
""", contains="reference cycle")

program("create_graph_scalar_and_mul", """
    import torch
    x = torch.tensor(3.0, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    y = w * x ** 2
    y.backward(create_graph=True)
    print(x.grad, w.grad)
    print(x.grad.grad_fn, w.grad.grad_fn)
""")

# ---------------------------------------------------------------------------
# custom Function

program("custom_function_basics", """
    import torch
    from torch.autograd import Function

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            print("needs_input_grad", ctx.needs_input_grad)
            return grad_output * 3 * x ** 2

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    print(y)
    print(y.grad_fn)
    print(type(y.grad_fn).__name__, y.grad_fn.name())
    print(y.grad_fn.next_functions)
    y.sum().backward()
    print(x.grad)
    with torch.no_grad():
        print(Cube.apply(x))
    print(Cube.apply(torch.tensor([2.0])))
""")

program("custom_function_non_tensor_args_and_needs_input_grad", """
    import torch
    from torch.autograd import Function

    class ScaleAdd(Function):
        @staticmethod
        def forward(ctx, x, scale, y, name):
            ctx.scale = scale
            ctx.name = name
            ctx.save_for_backward(x, y)
            return x * scale + y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            print(ctx.name, ctx.needs_input_grad)
            gx = g * ctx.scale if ctx.needs_input_grad[0] else None
            gy = g if ctx.needs_input_grad[2] else None
            return gx, None, gy, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0])
    out = ScaleAdd.apply(x, 5.0, y, "first")
    out.sum().backward()
    print(x.grad)
    y.requires_grad_()
    out = ScaleAdd.apply(x.detach(), 2.0, y, "second")
    out.sum().backward()
    print(y.grad)
""")

program("custom_function_multiple_outputs", """
    import torch
    from torch.autograd import Function

    class SinCos(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            x, = ctx.saved_tensors
            print("grads in", gs, gc)
            return gs * x.cos() - gc * x.sin()

    x = torch.tensor([0.0, 1.0], requires_grad=True)
    s, c = SinCos.apply(x)
    print(s, c)
    print(s.grad_fn is c.grad_fn, s.output_nr, c.output_nr)
    (s * 2 + c).sum().backward()
    print(x.grad)
    x.grad = None
    s, c = SinCos.apply(x)
    s.sum().backward()
    print(x.grad)
""")

program("custom_function_mark_non_differentiable", """
    import torch
    from torch.autograd import Function

    class DoubleWithMask(Function):
        @staticmethod
        def forward(ctx, x):
            mask = (x > 1.5).to(x.dtype)
            ctx.mark_non_differentiable(mask)
            return x * 2, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            print("g_mask", g_mask)
            return g * 2

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, m = DoubleWithMask.apply(x)
    print(v, m)
    print(v.requires_grad, m.requires_grad, m.grad_fn, m.is_leaf)
    (v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    print(x.grad)
""")

program("custom_function_returns_input_and_ctx_attrs", """
    import torch
    from torch.autograd import Function

    class Twice(Function):
        @staticmethod
        def forward(ctx, x, k=2):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Twice.apply(x, 3)
    z = Twice.apply(y)
    print(z)
    z.sum().backward()
    print(x.grad)
    print(Twice.apply(torch.tensor([1.0])))
""")

# ---------------------------------------------------------------------------
# grad modes

program("grad_mode_context_managers", """
    import torch
    x = torch.tensor([1.0], requires_grad=True)
    print(torch.is_grad_enabled())
    with torch.no_grad():
        print(torch.is_grad_enabled(), (x * 2).requires_grad)
        with torch.enable_grad():
            print(torch.is_grad_enabled(), (x * 2).requires_grad)
        print(torch.is_grad_enabled())
    with torch.set_grad_enabled(False):
        print(torch.is_grad_enabled(), (x * 2).requires_grad)
    print(torch.is_grad_enabled())
    torch.set_grad_enabled(False)
    print(torch.is_grad_enabled(), (x * 2).requires_grad)
    torch.set_grad_enabled(True)
    print(torch.is_grad_enabled(), (x * 2).requires_grad)
    with torch.inference_mode():
        y = x * 2
        print(torch.is_grad_enabled(), torch.is_inference_mode_enabled(), y.requires_grad)
    print(torch.is_inference_mode_enabled(), y.requires_grad, y)
    with torch.inference_mode(False):
        print(torch.is_grad_enabled(), (x * 2).requires_grad)
    try:
        with torch.no_grad():
            raise ValueError("inside")
    except ValueError:
        print("restored", torch.is_grad_enabled())
""")

program("grad_mode_decorators", """
    import torch
    x = torch.tensor([1.0], requires_grad=True)

    @torch.no_grad()
    def f1(t):
        return t * 2

    @torch.no_grad
    def f2(t):
        return t * 2

    @torch.enable_grad()
    def f3(t):
        return t * 2

    @torch.inference_mode()
    def f5(t):
        return t * 2

    @torch.inference_mode
    def f6(t):
        return t * 2

    print(f1(x).requires_grad, f2(x).requires_grad)
    print(f5(x).requires_grad, f6(x).requires_grad)
    with torch.no_grad():
        print(f3(x).requires_grad, f3(x))
    print(torch.is_grad_enabled())
    print(f1.__name__, f3.__name__)
""")

program("grad_mode_thread_local", """
    import threading
    import torch
    x = torch.tensor([1.0], requires_grad=True)
    entered, computed = threading.Event(), threading.Event()
    results = {}

    def worker():
        with torch.no_grad():
            entered.set()
            computed.wait()
            results["thread"] = (x * 2).requires_grad
            results["thread enabled"] = torch.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    entered.wait()
    results["main"] = (x * 2).requires_grad
    results["main enabled"] = torch.is_grad_enabled()
    computed.set()
    t.join()
    print(results)

    def fresh_thread():
        results["fresh thread"] = torch.is_grad_enabled()
    with torch.no_grad():
        t = threading.Thread(target=fresh_thread)
        t.start()
        t.join()
    print(results["fresh thread"])
""")

program("set_grad_enabled_decorator_restores_mode", """
    import torch

    @torch.set_grad_enabled(False)
    def double(t):
        return t * 2

    print(torch.is_grad_enabled())
    x = torch.tensor([1.0], requires_grad=True)
    print(double(x).requires_grad, (x * 2).requires_grad, torch.is_grad_enabled())
""")

# ---------------------------------------------------------------------------
# version counters

program("version_counters", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0])
    print(x._version)
    x.add_(1)
    print(x._version)
    x.mul_(2)
    x.zero_()
    print(x._version)
    x += 1
    print(x._version)
    x[0] = 5
    print(x._version)
    y = x + 1
    print(x._version, y._version)
    d = x.detach()
    x.add_(1)
    print(x._version, d._version)
    d.add_(1)
    print(x._version, d._version)
    data = x.data
    x.add_(1)
    print(x._version, data._version)
    data.add_(1)
    print(x._version, data._version, x)
    v = x.view(3)
    s = x[1:]
    v.mul_(2)
    print(x._version, v._version, s._version)
    s.fill_(0)
    print(x._version, v._version, s._version, x)
    x.copy_(torch.tensor([7.0, 8.0, 9.0]))
    print(x._version)
    x.clamp_(min=8)
    x.sub_(1)
    x.div_(2)
    x.pow_(2)
    print(x._version, x)
""")

program("version_leaf_under_no_grad_and_data", """
    import torch
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    det = w.detach()
    with torch.no_grad():
        w.add_(1)
    print(w._version, d._version, det._version)
    w.data.mul_(2)
    print(w._version, w)
    w.data = torch.tensor([0.5, 0.5])
    print(w._version, w, w.requires_grad)
""")

program("version_counter_of_outputs", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    print(y._version)
    z = y.view(2)
    print(z._version)
    w = x.clone()
    w.add_(1)
    print(w._version, x._version, w.grad_fn)
""")

# ---------------------------------------------------------------------------
# in-place operations and the graph

program("inplace_error_texts", """
    import torch
    cases = {
        "exp": lambda x: x.exp(),
        "sigmoid": lambda x: x.sigmoid(),
        "tanh": lambda x: x.tanh(),
        "sqrt": lambda x: x.sqrt(),
        "relu": lambda x: x.relu(),
        "pow": lambda x: x ** 2,
        "mul2": lambda x: x * 2,
        "add": lambda x: x + 2,
    }
    for name, f in cases.items():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = f(x)
        y.add_(1)
        try:
            y.sum().backward()
            print(name, "ok", x.grad)
        except RuntimeError as e:
            print(name, e)
""")

program("inplace_modified_input", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * 1
    y = a ** 2
    a.mul_(2)
    try:
        y.sum().backward()
    except RuntimeError as e:
        print(e)
    b = x + 0
    w = torch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    z = b * w
    b.add_(1)
    w2 = b.sin()
    try:
        z.sum().backward()
    except RuntimeError as e:
        print(e)
    m = torch.ones(2, 3, requires_grad=True) * 1
    n = torch.ones(3, 4)
    out = m @ n
    n[0, 0] = 2
    try:
        out.sum().backward()
    except RuntimeError as e:
        print(e)
    print(x.grad)
""")

program("inplace_modified_double_and_int_types", """
    import torch
    x = torch.tensor([[1.0, 2.0]], dtype=torch.float64, requires_grad=True)
    y = x.exp()
    y.mul_(2)
    y.mul_(2)
    try:
        y.sum().backward()
    except RuntimeError as e:
        print(e)
    x = torch.tensor(1.0, requires_grad=True)
    y = x.exp()
    y += 1
    try:
        y.backward()
    except RuntimeError as e:
        print(e)
""")

program("inplace_on_leaf_under_no_grad", """
    import torch
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        w.mul_(3)
        w[0] = 10
        w += 1
    print(w, w.is_leaf, w.grad_fn, w._version)
    (w * 2).sum().backward()
    print(w.grad)
""")

program("inplace_on_non_leaf", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    print(y, y.grad_fn, y._version)
    y.mul_(y.detach().clone())
    print(y, y.grad_fn)
    y.exp_()
    print(y.grad_fn)
    y.sum().backward()
    print(x.grad)
    y2 = x * 2
    y2.mul_(y2.detach())  # saves other = y2.detach(), which shares y2's version counter
    try:
        y2.sum().backward()
    except RuntimeError as e:
        print(e)
    x2 = torch.tensor([1.0, -2.0], requires_grad=True)
    h = x2 * 1
    h.relu_()
    print(h, h.grad_fn)
    h.sum().backward()
    print(x2.grad)
""")

program("inplace_on_view_of_non_leaf", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    v = y[1:3]
    print(v.grad_fn, v._base is y, v._is_view())
    v.mul_(10)
    print(y)
    print(y.grad_fn)
    print(v.grad_fn)
    print(y.grad_fn.next_functions)
    y.sum().backward()
    print(x.grad)
""")

program("inplace_on_view_of_non_leaf_views", """
    import torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    row = y[0]
    row.add_(5)
    print(y.grad_fn, row.grad_fn)
    col = y[:, 1]
    col.mul_(3)
    print(y.grad_fn, col.grad_fn)
    t = y.t()
    t.mul_(2)
    print(y, t.grad_fn)
    flat = y.view(4)
    flat.sub_(1)
    print(flat.grad_fn, y.grad_fn)
    y.sum().backward()
    print(x.grad)
""")

program("inplace_view_then_read_other_view", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    a = y[:2]
    b = y[1:]
    a.mul_(2)
    print(b.grad_fn, b)
    try:
        (b * 3).sum().backward()
        print(x.grad)
    except RuntimeError as e:
        print(e)
""")

program("integer_index_is_a_view", """
    import torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = x[0, 1]
    e.add_(10)
    print(x, e, e._base is x, x._version, e._version)
    r = x[1]
    r[0] = -1
    print(x, r)
    x[0] = 0
    print(x, e)
""")

program("setitem_gradients", """
    import torch
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = torch.tensor(10.0, requires_grad=True)
    y = x.clone()
    y[1] = v
    print(y, y.grad_fn)
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    print(x.grad, v.grad)
    x.grad = None
    y = x * 2
    y[torch.tensor([0, 2])] = torch.tensor([5.0, 6.0])
    print(y, y.grad_fn)
    y.sum().backward()
    print(x.grad)
    x.grad = None
    y = x * 1
    y[y > 2] = 0
    print(y, y.grad_fn)
    y.sum().backward()
    print(x.grad)
    x.grad = None
    m = torch.zeros(2, 3)
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m[1] = w * 2
    print(m, m.grad_fn, m.requires_grad, m.is_leaf)
    m.sum().backward()
    print(w.grad)
""")

program("detach_in_place_and_requires_grad_", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    r = y.detach_()
    print(r is y, y, y.requires_grad, y.is_leaf, y.grad_fn)
    y.requires_grad_()
    print(y, y.is_leaf)
    z = torch.tensor([1.0])
    print(z.requires_grad_() is z, z.requires_grad_(False), z.requires_grad)
    z.requires_grad = True
    print(z)
    w = x * 3
    w.requires_grad_(True)
    print(w.requires_grad)
    print(torch.tensor([1, 2]).requires_grad_(False))
""")

program("training_style_update", """
    import torch
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 0.0, -1.0]])
    target = torch.tensor([1.0, 2.0, 3.0, 0.0])
    lr = 0.01
    for step in range(5):
        pred = x @ w + b
        loss = ((pred - target) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        print(step, loss, w.grad, b.grad)
        w.grad.zero_()
        b.grad.zero_()
    print(w, b, w.is_leaf, w._version)
""")

# ---------------------------------------------------------------------------
# nn and optim

program("mse_loss_reductions", """
    import torch
    import torch.nn as nn
    x = torch.tensor([[0.5, 1.5], [2.0, -1.0]], requires_grad=True)
    t = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    for reduction in ["mean", "sum", "none"]:
        x.grad = None
        fn = nn.MSELoss(reduction=reduction)
        print(fn)
        loss = fn(x, t)
        print(loss)
        loss.backward(torch.ones_like(loss))
        print(x.grad)
    print(nn.functional.mse_loss(x, t), nn.functional.mse_loss(x, t, reduction="sum"))
""")

program("nn_linear_after_seed", """
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    layer = nn.Linear(3, 2)
    print(layer)
    print(layer.weight)
    print(layer.bias)
    for name, p in layer.named_parameters():
        print(name, p.shape, p.requires_grad, p.is_leaf)
    x = torch.tensor([[1.0, 2.0, 3.0]])
    out = layer(x)
    print(out)
    out.sum().backward()
    print(layer.weight.grad, layer.bias.grad)
    torch.manual_seed(42)
    print(nn.Linear(4, 1, bias=False).weight)
    print(list(nn.Linear(2, 2).parameters()))
""")

program("sgd_training_loop", """
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    x = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 1.0]])
    y = torch.tensor([[5.0], [4.0], [9.0], [2.0]])
    for epoch in range(8):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        print(epoch, loss, loss.item())
    print(model.weight, model.bias)
    print(model.weight.grad)
    opt.zero_grad()
    print(model.weight.grad, model.bias.grad)
""")

program("sgd_momentum_loop", """
    import torch
    torch.manual_seed(1)
    w = torch.randn(2, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.05, momentum=0.9)
    for i in range(6):
        opt.zero_grad()
        loss = ((w - torch.tensor([3.0, -1.0])) ** 2).sum()
        loss.backward()
        opt.step()
        print(i, loss.item(), w)
""")

program("matmul_float32_rounding", """
    import torch
    g = torch.tensor([[-2.4143145084381104, -2.1066229343414307, -4.229947090148926,
                       -1.10132896900177]])
    x = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 1.0]])
    print((g @ x).tolist())
    print(torch.mm(g, x).tolist(), (g.t() * x).sum(0).tolist())
""")

# ---------------------------------------------------------------------------
# max, return types

program("max_return_type", """
    import torch
    x = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    r = torch.max(x, 1)
    print(r)
    print(type(r).__name__, type(r))
    print(r.values, r.indices)
    print(r[0], r[1])
    values, indices = torch.max(x, dim=0)
    print(values, indices)
    print(x.max(1, keepdim=True))
    print(torch.min(x, 1))
    print(x.max(), torch.max(x))
    print(torch.max(x, torch.ones(2, 3) * 3))
    print(len(r), isinstance(r, tuple))
""")

program("max_ties_gradients", """
    import torch
    x = torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    x.max().backward()
    print(x.grad)
    x.grad = None
    y = torch.tensor([3.0, 1.0, 3.0, 3.0], requires_grad=True)
    y.max().backward()
    print(y.grad)
    x.grad = None
    v, i = x.max(1)
    print(v, i, v.grad_fn)
    v.sum().backward()
    print(x.grad)
    x.grad = None
    x.min().backward()
    print(x.grad)
""")

program("dtype_promotion_gradients", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    i = torch.tensor([3, 4])
    y = x * i
    print(y, y.dtype)
    z = x + d
    print(z, z.dtype, z.grad_fn)
    (y.sum() + z.sum() + (d * 2.5).sum()).backward()
    print(x.grad, x.grad.dtype, d.grad, d.grad.dtype)
    print((x * 2).dtype, (i * 2.0).dtype, (i / 2).dtype, (i + True).dtype)
""")

# ---------------------------------------------------------------------------
# graph introspection

program("saved_tensors", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    print(y.grad_fn._saved_self, y.grad_fn._saved_other)
    print(y.grad_fn._saved_self is x, y.grad_fn._saved_other is w)
    p = x ** 3
    print(p.grad_fn._saved_exponent, p.grad_fn._saved_self)
    e = x.exp()
    print(e.grad_fn._saved_result, e.grad_fn._saved_result is e)
    print(e.grad_fn._saved_result.grad_fn)
    s = x * 2
    print(s.grad_fn._saved_other, s.grad_fn._saved_self)
    y.sum().backward()
    try:
        y.grad_fn._saved_self
    except RuntimeError as err:
        print(type(err).__name__, err)
    e.sum().backward()
    try:
        e.grad_fn._saved_result
    except RuntimeError as err:
        print(type(err).__name__, err)
    print(p.grad_fn._saved_exponent)
""")

program("saved_tensors_more_ops", """
    import torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    print(x.sum().grad_fn._saved_self_sym_sizes)
    print(x.sigmoid().grad_fn._saved_result)
    print(x.tanh().grad_fn._saved_result)
    print((x / 2).grad_fn._saved_other)
    print(x.pow(2).grad_fn._saved_exponent)
    print(torch.tensor(2.0).pow(x).grad_fn._saved_exponent)
    print((x @ x).grad_fn._saved_self, (x @ x).grad_fn._saved_mat2)
""")

program("next_functions_structure", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([3.0, 4.0])
    y = x * c
    z = (y + x).sum()
    print(z.grad_fn)
    print(z.grad_fn.next_functions)
    add = z.grad_fn.next_functions[0][0]
    print(add.next_functions)
    mul = add.next_functions[0][0]
    print(mul.next_functions)
    acc = mul.next_functions[0][0]
    print(acc, acc.name(), acc.variable is x, acc.next_functions)
    print(acc is add.next_functions[1][0])
    print(x.grad_fn, c.grad_fn)
    w = x * 2 + 1
    print(w.grad_fn.next_functions, w.grad_fn.next_functions[0][0].next_functions)
    u = x.unbind(0)
    print(u[1].output_nr, u[1].grad_fn.next_functions)
    print(torch.cat([x, c]).grad_fn.next_functions)
""")

program("grad_fn_names", """
    import torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    exprs = [
        "x + 1", "1 + x", "x + x", "x - 1", "1 - x", "x * 2", "2 * x", "x / 2", "2 / x",
        "x ** 2", "2 ** x", "x ** x", "-x", "x.exp()", "x.log()", "x.sin()", "x.cos()",
        "x.tanh()", "x.sigmoid()", "x.relu()", "x.sqrt()", "x.abs()", "x.sum()",
        "x.sum(0)", "x.mean()", "x.mean(1)", "x.max()", "x.max(0)[0]", "x.min()",
        "x.prod()", "x.norm()", "x.view(4)", "x.reshape(4)", "x.t()", "x.T",
        "x.transpose(0, 1)", "x.permute(1, 0)", "x.unsqueeze(0)", "x.squeeze()",
        "x.flatten()", "x[0]", "x[:, 1]", "x[0, 1]", "x[x > 2]", "x[[0, 1]]", "x @ x",
        "x.mm(x)", "x.matmul(x)", "x @ x[0]", "x[0] @ x[1]", "x.clone()",
        "x.expand(3, 2, 2)", "torch.cat([x, x])", "torch.stack([x, x])",
        "x.clamp(min=2)", "torch.where(x > 2, x, 0)", "x.softmax(1)",
        "x.log_softmax(1)", "x.square()", "x.to(torch.float64)", "x.double()",
        "x.contiguous()", "x.detach()", "torch.nn.functional.relu(x)",
        "x.repeat(2, 1)", "x.split(1)[0]", "x.chunk(2)[1]", "x.narrow(0, 1, 1)",
        "x.maximum(x * 2)", "x.neg()", "x.reciprocal()", "x.addmm(x, x)",
        "torch.outer(x[0], x[1])", "x.var()", "x.std()", "x.cumsum(0)", "x.amax(1)",
        "x.sort()[0]", "x.log1p()", "x.argmax()", "x.round()", "x.floor()", "x.sign()",
    ]
    for e in exprs:
        try:
            print(e, "->", eval(e).grad_fn)
        except Exception as err:
            print(e, "->", type(err).__name__, err)
""")

program("tensor_type_and_misc_repr", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    print(type(x))
    print(type(x * 2))
    print(isinstance(x, torch.Tensor), torch.is_tensor(x))
    print(x.dtype, x.shape, x.size(), x.device, x.is_leaf)
    print(torch.Size([2, 3]))
    print(repr(x.grad_fn), repr((x * 2).grad_fn))
""")

program("data_and_detach_share_memory", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d[0] = 10
    print(x)
    a = x.data
    a[1] = 20
    print(x, a.requires_grad, d.requires_grad)
    print(x.detach().requires_grad, x.data.is_leaf, x.detach().is_leaf)
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    text, contains = PROGRAMS[name]
    oracle.assert_same_output(text, contains=contains)


# ---------------------------------------------------------------------------
# in fresh interpreters: the import machinery, warnings as a script prints them

def test_imports_in_a_fresh_interpreter():
    oracle.assert_same_output("""
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        from torch import nn as nn2
        from torch.autograd import Function, grad
        from torch.nn import MSELoss, Linear
        print(nn is nn2, F.relu(torch.tensor([-1.0, 1.0])), optim.SGD.__name__)
        print(Function.__name__, grad.__name__, MSELoss(), Linear(2, 1, bias=False))
        x = torch.ones(2, requires_grad=True)
        h = (x * 2).register_hook(lambda g: g)
        print(type(h))
        print(x * 2)
    """, subprocess=True)


def test_warnings_in_a_fresh_interpreter():
    oracle.assert_same_output("""
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        print(y.grad)
        print(y.grad)
        (x * x).sum().backward(create_graph=True)
        print(x.grad)
        (x * x).sum().backward(create_graph=True)  # torch warns once per process
        print(x.grad)
        t = torch.tensor(x)
        print(t)
    """, subprocess=True, contains="UserWarning")


# ---------------------------------------------------------------------------
# autograd_edu only: a long chain must not hit Python's recursion limit

def test_chain_of_100000_ops_backward():
    import sys

    import autograd_edu as torch
    limit = sys.getrecursionlimit()
    x = torch.tensor([1.5, -2.0], requires_grad=True)
    y = x
    for _ in range(50_000):  # 100,000 nodes; y == x throughout (powers of two are exact)
        y = y * 2
        y = y * 0.5
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()  # dy/dx = (2 * 0.5) ** 50000 = 1
    assert x.grad.tolist() == [1.0, 1.0]
    assert sys.getrecursionlimit() == limit

    w = torch.tensor(3.0, requires_grad=True)
    z = w
    for _ in range(100_000):  # z = w + w + ... = 100,001 * w: fan-in of 100,000 edges into w
        z = z + w
    z.backward()
    assert w.grad.item() == 100_001.0
    assert z.item() == 300_003.0

    a = torch.tensor([0.25], requires_grad=True)
    b = a
    for _ in range(100_000):  # b = a + 100000 * 0.5; the last view keeps the chain alive
        b = (b + 0.5).view(1)
    b.backward(torch.tensor([2.0]))
    assert a.grad.tolist() == [2.0]


# ---------------------------------------------------------------------------
# the harness itself

def test_harness_detects_a_difference():
    with pytest.raises(AssertionError, match="outputs differ"):
        oracle.assert_same_output("import torch\nprint(torch.__name__)")
    with pytest.raises(AssertionError, match="outputs differ"):
        oracle.assert_same_output("import torch\nprint(torch.__name__)", subprocess=True)


def test_harness_rejects_a_program_torch_cannot_run():
    with pytest.raises(oracle.OracleProgramError):
        oracle.assert_same_output("import torch\ntorch.ones(2).backward()")
    with pytest.raises(oracle.OracleProgramError):
        oracle.assert_same_error("import torch", "torch.ones(2)")


def test_harness_binds_torch_submodules_in_process():
    out = oracle.run_inprocess("""
        import torch
        import torch.nn as nn
        from torch.autograd import Function
        from torch.nn import functional as F
        print(torch.__name__, nn.__name__, Function.__module__, F.__name__)
    """, "edu")
    # (the output is normalised: "autograd_edu." prints as "torch.")
    assert out == "autograd_edu torch.nn torch.autograd.function torch.nn.functional\n"


def test_harness_normalisation():
    text = ("<autograd_edu.utils.hooks.RemovableHandle object at 0x7f00ab>\n"
            "/x/site-packages/torch/autograd/graph.py:979: UserWarning: w\n"
            "  return Variable._execution_engine.run_backward(\n"
            "/tmp/p.py:3: UserWarning: v\n"
            "  print(y.grad)\n")
    assert oracle.normalise(text, "/tmp/p.py") == (
        "<torch.utils.hooks.RemovableHandle object at 0xADDR>\n"
        "<library>: UserWarning: w\n"
        "<program>:3: UserWarning: v\n"
        "  print(y.grad)\n")
    assert oracle.needs_fresh_process("y.backward(create_graph=True)")
