"""Helpers for the widget tests (no tests here): small programs written once and
run on either engine (``T`` is ``torch`` or ``autograd_edu``). The same program
must give the same graph, the same step order and the same gradients in both."""

import random


def diamond(T):
    a = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = a.exp()
    out = (b.sin() * b.cos()).sum()
    return out, {"a": a}


def reuse(T):
    a = T.tensor([1.5, -2.0], requires_grad=True)
    out = (a * a * a).sum() + (a * a).mean()
    return out, {"a": a}


def several_leaves(T):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = T.tensor([0.5, -0.25], requires_grad=True)
    b = T.tensor(0.1, requires_grad=True)
    out = (x * w + b).tanh().sum() + (w * b).sum()
    return out, {"x": x, "w": w, "b": b}


def mlp(T):
    x = T.tensor([[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8], [-0.9, 1.0, 1.1, -1.2]])
    w1 = T.tensor([[0.1 * (i - j) for j in range(4)] for i in range(5)], requires_grad=True)
    b1 = T.tensor([0.01, -0.02, 0.03, -0.035, 0.05], requires_grad=True)  # no pre-activation near 0
    w2 = T.tensor([[0.2, -0.1, 0.3, 0.05, -0.3], [0.1, 0.2, -0.2, 0.4, 0.1]],
                  requires_grad=True)
    b2 = T.tensor([0.1, -0.1], requires_grad=True)
    h = T.nn.functional.linear(x, w1, b1).relu()
    out = T.nn.functional.linear(h, w2, b2).tanh().pow(2).mean()
    return out, {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def shared_depths(T):
    """One value used by three consumers at different depths: ready-queue ties."""
    x = T.tensor([0.3, 0.7], requires_grad=True)
    y = T.tensor([1.2, -0.4], requires_grad=True)
    s = x * y
    out = s.sum() + s.exp().sin().sum() + (s * x).tanh().sum() + y.sum()
    return out, {"x": x, "y": y, "s": s}


def random_dag(seed):
    """A random expression DAG (same ops, same order, in both engines)."""
    def build(T):
        rng = random.Random(seed)
        leaves = [T.tensor([rng.uniform(0.2, 1.0) for _ in range(3)], requires_grad=True)
                  for _ in range(rng.randint(2, 4))]
        values = list(leaves)
        for _ in range(rng.randint(5, 14)):
            op = rng.choice(["add", "mul", "sin", "exp", "tanh", "sub", "sq"])
            a = values[rng.randrange(len(values))]
            b = values[rng.randrange(len(values))]
            if op == "add":
                v = a + b
            elif op == "mul":
                v = a * b
            elif op == "sub":
                v = a - b
            elif op == "sin":
                v = a.sin()
            elif op == "exp":
                v = (a * 0.1).exp()
            elif op == "tanh":
                v = a.tanh()
            else:
                v = a * a
            values.append(v)
        out = values[-1].sum()
        for v in values[len(leaves):-1:2]:
            out = out + v.sum()
        return out, {f"leaf{i}": t for i, t in enumerate(leaves)}
    build.__name__ = f"random_dag_{seed}"
    return build


PROGRAMS = [diamond, reuse, several_leaves, mlp, shared_depths] + [random_dag(s) for s in range(8)]


def leaves_of(names):
    return {k: v for k, v in names.items() if v.is_leaf}
