"""Arguments of the wrong type fail with PyTorch's argument parser's TypeError (see
autograd_edu/_argparse.py), compared with torch as the oracle.

The sweep calls each op of ``CALLS`` with a wrong-typed value in each argument position
(and keyword) under both engines and compares exception type and text:
``python tests/test_argument_types.py`` prints the mismatches and their count."""

import ast
import sys

import pytest

import autograd_edu

torch = pytest.importorskip("torch") if __name__ != "__main__" else __import__("torch")

# Calls that succeed in both engines; the sweep replaces one argument at a time.
CALLS = """
x.sum() x.sum(1) x.sum(dim=1) x.sum(1,keepdim=True) x.mean(1) x.max() x.max(1) x.min(0)
x.prod(1) x.norm() x.var(1) x.std(1) x.amax(1) x.argmax(1) x.softmax(1) x.log_softmax(1)
x.all(1) x.cumsum(1) x.logsumexp(1)
x.add(y) x.add(y,alpha=2) x.sub(y) x.mul(y) x.div(y) x.pow(2) x.matmul(w) x.mm(w) v.dot(v)
x.exp() x.t() x.relu() x.clamp(0,1) x.clamp(min=0) x.masked_fill(m,0.0) x.where(m,y)
x.view(3,2) x.view(6) x.reshape(3,2) x.transpose(0,1) x.permute(1,0) x.squeeze(0)
x.unsqueeze(0) x.expand(2,2,3) x.flatten() x.split(1) x.chunk(2) x.narrow(1,0,2)
x.select(0,1) x.flip(0) x.repeat(2,1) x.unbind(0) x.eq(y) x.gt(0) x.maximum(y)
x.requires_grad_(True) x.clone() x.add_(1) x.mul_(2) x.clamp_(0,1) x.fill_(1)
torch.add(x,y) torch.mul(x,2) torch.sum(x,1) torch.mean(x) torch.max(x,1) torch.exp(x)
torch.matmul(x,w) torch.mm(x,w) torch.cat([x,y]) torch.cat([x,y],1) torch.stack([x,y])
torch.transpose(x,0,1) torch.unsqueeze(x,0) torch.reshape(x,(3,2)) torch.clamp(x,0,1)
torch.where(m,x,y) torch.softmax(x,1) torch.masked_fill(x,m,0.0) torch.squeeze(x)
torch.zeros(2,3) torch.ones(2,3) torch.zeros((2,3)) torch.full((2,3),1.0) torch.arange(5)
torch.arange(0,5,2) torch.linspace(0,1,5) torch.eye(3) torch.randn(2,3) torch.rand(2)
x[1] x[0,1] x[None,1] x[:,1]
""".split()
BAD = ["'a'", "None", "1.5", "[1.5]", "(1.5,2.5)", "y", "True"]
SETUP = """
x = T.ones(2, 3); y = T.ones(2, 3); w = T.ones(3, 2); v = T.ones(3)
m = T.tensor([[True, False, True], [False, True, False]])
"""


def variants(call):
    """``call`` with each argument (and keyword value) replaced by each bad value."""
    tree = ast.parse(call, mode="eval").body
    if isinstance(tree, ast.Subscript):
        items = tree.slice.elts if isinstance(tree.slice, ast.Tuple) else [tree.slice]
        slots = [(items, i) for i in range(len(items))]
    else:
        slots = [(tree.args, i) for i in range(len(tree.args))]
        slots += [(tree.keywords, i) for i in range(len(tree.keywords))]
    out = []
    for seq, i in slots:
        old = seq[i]
        for bad in BAD:
            node = ast.parse(bad, mode="eval").body
            if isinstance(old, ast.keyword):
                seq[i] = ast.keyword(old.arg, node)
            else:
                seq[i] = node
            out.append(ast.unparse(tree))
        seq[i] = old
    if isinstance(tree, ast.Call):  # one argument too many, an unknown keyword
        out.append(ast.unparse(tree)[:-1] + (", " if tree.args or tree.keywords else "") + "1)")
        out.append(ast.unparse(tree)[:-1] + (", " if tree.args or tree.keywords else "")
                   + "foo=1)")
    return out


def outcome(module, code):
    names = {"T": module, "torch": module}
    exec(SETUP, names)
    try:
        eval(code, names)
        return "ok"
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return f"{type(e).__name__}: {e}"


def sweep():
    """[(code, torch's outcome, ours)] for every variant where torch raises a TypeError or
    both engines raise."""
    rows = []
    for call in CALLS:
        for code in variants(call):
            expected = outcome(torch, code)
            if expected == "ok":
                continue
            rows.append((code, expected, outcome(autograd_edu, code)))
    return rows


@pytest.fixture(scope="module")
def sweep_rows():
    return sweep()


# Known differences not fixed yet: indexing with floats/strings, split's
# split_with_sizes overload, Tensor.norm/split (Python functions in PyTorch), linspace of
# tensors, hidden overloads (mm's out_dtype), kwargs order in "unrecognized keywords";
# and calls we still accept (``SILENT``: no type guard yet). 53 mismatches of 912 (were 138,
# 102 of them accepted calls, before the ops' type guards).
SILENT = {
    'x.softmax(1, 1)',
    'x.log_softmax(1, 1)',
    'x.logsumexp(None)',
    'x.add(y, alpha=[1.5])',
    'x.where(y, y)',
    'x.squeeze(None)',
    'torch.where(y, x, y)',
    'torch.softmax(x, 1, 1)',
    'torch.full((2, 3), None)',
    'torch.full((2, 3), [1.5])',
    'torch.full((2, 3), y)',
    'torch.arange(5, 1)',
    'torch.arange(0, None, 2)',
    'torch.linspace(None, 1, 5)',
    'torch.linspace([1.5], 1, 5)',
    'torch.linspace(0, None, 5)',
    'torch.linspace(0, [1.5], 5)',
    'torch.linspace(0, 1, 1.5)',
    'torch.linspace(0, 1, True)',
}
KNOWN = SILENT | {
    'torch.linspace(0, y, 5)',
    'torch.linspace(y, 1, 5)',
    'torch.mean(x, foo=1)',
    'torch.mm(x, w, 1)',
    'torch.mm(x, w, foo=1)',
    'x.add(y, alpha=2, foo=1)',
    'x.clamp(min=0, foo=1)',
    'x.narrow(1, y, 2)',
    'x.norm(foo=1)',
    "x.split('a')",
    'x.split(True)',
    'x.split((1.5, 2.5))',
    'x.split(1, foo=1)',
    'x.split(1.5)',
    'x.split(None)',
    'x.split([1.5])',
    'x.split(y)',
    'x.view(y)',
    "x['a', 1]",
    'x[(1.5, 2.5), 1]',
    "x[0, 'a']",
    'x[0, 1.5]',
    'x[1.5, 1]',
    "x[:, 'a']",
    'x[:, 1.5]',
    "x[None, 'a']",
    'x[None, (1.5, 2.5)]',
    'x[None, 1.5]',
}


def test_sweep(sweep_rows):
    """Each call fails as PyTorch's parser does: the ops' cheap type guards (``int_arg``,
    ``bool_arg``, ``require_tensor``) refuse what would otherwise be accepted silently
    (``x.sum(1, keepdim='a')``), and the public wrapper words the refusal (``_argparse``)."""
    bad = [(c, e, a) for c, e, a in sweep_rows if e != a and c not in KNOWN]
    assert not bad, "\n".join(f"{c}\n  torch: {e}\n  edu:   {a}" for c, e, a in bad[:20])


PROBES = [
    "x.sum('a')", "T.add(x, 'a')", "x.view('a')", "x.reshape('a')", "x.transpose('a', 1)",
    "T.mul(x, None)", "x.pow('a')", "x.exp(1)", "x.exp(a=1)", "x.sum(dim=1.5)", "x.clamp('a')",
    "x.unsqueeze('a')", "x.max('a')", "x.softmax('a')", "T.zeros('a')", "x.expand('a')",
    "x.t(1)", "x.reshape((1.5, 2))", "x.add(x, 1)", "x.unsqueeze(T.tensor(1))",
    "x.unsqueeze(np.float64(1))", "T.cat([x, 'a'])", "x.view(3, 'a')", "T.softmax(x, 'a')",
]
PROBES += [
    "x.view(2.0, 3)", "x.view(2, True, 3)", "x.sum(0, keepdim=1)", "x.requires_grad_(1)",
    "x.unsqueeze(True)", "x.sum(np.int64(1))", "x.sum((1, True))", "x.var(1, 1)",
    "x.max(1, keepdim=np.bool_(True))", "T.zeros(2, True)",
    "x.max(None)", "x.prod(None)", "x.flip(0, 1)", "x.sum(T.tensor(1))", "x.maximum(1.5)",
    "x.narrow(1, T.tensor(0), 2)", "T.cat(x)", "x.chunk(1.5)", "x.select(0, True)",
]


@pytest.mark.parametrize("code", PROBES)
def test_probe(code):
    setup = "import numpy as np\n" + SETUP
    results = []
    for module in (torch, autograd_edu):
        names = {"T": module}
        exec(setup, names)
        try:
            eval(code, names)
            results.append("ok")
        except Exception as e:  # noqa: BLE001
            results.append(f"{type(e).__name__}: {e}")
    assert results[1] == results[0]


if __name__ == "__main__":
    rows = sweep()
    bad = [(c, e, a) for c, e, a in rows if e != a]
    for c, e, a in bad:
        print(f"{c}\n  torch: {e[:300]!r}\n  edu:   {a[:300]!r}")
    print(f"{len(bad)} mismatches of {len(rows)} failing calls", file=sys.stderr)
