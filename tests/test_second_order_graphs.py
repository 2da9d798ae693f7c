"""Double backward against PyTorch 2.13: with ``create_graph=True`` every derivative
formula runs as recorded ops, so a first-order gradient has a graph of its own. It must
be PyTorch's, node for node (C++'s ``t + 1`` is ``add.Scalar``, ``AddBackward1``; a
backward that is one ATen op, such as ``mse_loss_backward``, is one node,
``MseLossBackwardBackward0``; in-place ``masked_fill_`` gives ``MaskedFillBackward0``...),
with PyTorch's values, and the second derivative through it must agree as well."""

import numpy as np
import pytest
import torch
from test_fuzz_programs import graph_signature

import autograd_edu as ae

F = "nn.functional"


def _fn(T, path):
    for part in path.split("."):
        T = getattr(T, part)
    return T


# name: (f(T, x), input shape, domain); x is the only leaf
CASES = {
    "log1p": (lambda T, x: x.log1p(), (2, 3), "positive"),
    "expm1": (lambda T, x: T.expm1(x), (2, 3), "real"),
    "tan": (lambda T, x: x.tan(), (2, 3), "unit"),
    "atan": (lambda T, x: T.atan(x), (2, 3), "real"),
    "abs": (lambda T, x: x.abs(), (2, 3), "nonzero"),
    "sgn": (lambda T, x: x.sgn() * x, (3,), "nonzero"),
    "sigmoid_chain": (lambda T, x: x.exp().sigmoid(), (2, 3), "real"),
    "norm": (lambda T, x: x.norm(), (2, 3), "real"),
    "norm_with_zero": (lambda T, x: (x * T.tensor([0.0, 1.0, 1.0])).norm(), (3,), "real"),
    "norm_dim": (lambda T, x: x.norm(dim=1), (2, 3), "real"),
    "norm_p1": (lambda T, x: x.norm(1), (2, 3), "nonzero"),
    "norm_p3_dim_keepdim": (lambda T, x: x.norm(3, 0, True), (2, 3), "nonzero"),
    "norm_p1_5": (lambda T, x: x.norm(1.5), (2, 3), "nonzero"),
    "norm_inf": (lambda T, x: x.norm(float("inf")), (2, 3), "real"),
    "var": (lambda T, x: x.exp().var(), (2, 3), "real"),
    "var_dim": (lambda T, x: x.exp().var(1), (2, 3), "real"),
    "var_dim_1d": (lambda T, x: x.exp().var(0), (4,), "real"),
    "var_no_freedom": (lambda T, x: x.exp().var(), (1,), "real"),
    "std": (lambda T, x: x.exp().std(), (2, 3), "real"),
    "std_dim_keepdim": (lambda T, x: x.exp().std(0, keepdim=True), (2, 3), "real"),
    "maximum": (lambda T, x: T.maximum(x.exp(), T.tensor([1.0, 2.0, 0.5])), (2, 3), "real"),
    "minimum_tie": (lambda T, x: T.minimum(x * 1, T.tensor([0.5, 0.0, 0.0])),
                    (3,), lambda rng, s: np.array([0.5, 1.0, -1.0])),
    "amax": (lambda T, x: x.exp().amax(1), (2, 3), "real"),
    "amin_keepdim": (lambda T, x: x.exp().amin(0, keepdim=True), (2, 3), "real"),
    "mse_loss": (lambda T, x: _fn(T, F).mse_loss(x.exp(), T.tensor([1.0, 2.0, 3.0])),
                 (2, 3), "real"),
    "mse_loss_sum_target": (lambda T, x: _fn(T, F).mse_loss(T.tensor([1.0, 2.0, 3.0]),
                                                             x.exp(), reduction="sum"),
                            (3,), "real"),
    "mse_loss_none": (lambda T, x: _fn(T, F).mse_loss(x, x.exp(), reduction="none"),
                      (2, 3), "real"),
    "log_softmax": (lambda T, x: _fn(T, F).log_softmax(x.exp(), 1), (2, 3), "real"),
    "log_softmax_dim0": (lambda T, x: x.log_softmax(dim=0), (2, 3), "real"),
    "softplus": (lambda T, x: _fn(T, F).softplus(x.exp()), (2, 3), "real"),
    "softplus_threshold": (lambda T, x: _fn(T, F).softplus(x, 2.0, 1.0), (2, 3), "real"),
    "elu": (lambda T, x: _fn(T, F).elu(x.exp() - 1.5), (2, 3), "real"),
    "elu_alpha": (lambda T, x: _fn(T, F).elu(x, 0.5), (2, 3), "real"),
    "max": (lambda T, x: x.exp().max(), (2, 3), "real"),
    "min_dim": (lambda T, x: x.exp().min(1)[0], (2, 3), "real"),
    "sort": (lambda T, x: x.exp().sort(0, descending=True).values, (3, 2), "real"),
    "sort_0d": (lambda T, x: x.exp().sort(0).values, (), "real"),
    "gather": (lambda T, x: x.exp().gather(1, T.tensor([[2, 2], [0, 1]])), (2, 3), "real"),
    "index_select": (lambda T, x: x.exp().index_select(1, T.tensor([2, 0, 2])), (2, 3), "real"),
    "advanced_index": (lambda T, x: x.exp()[T.tensor([1, 1, 0])], (2, 3), "real"),
    "mask_index": (lambda T, x: x.exp()[T.tensor([True, False, True])], (3,), "real"),
    "masked_fill_tensor_value": (lambda T, x: (x * 1).masked_fill(T.tensor([True, False, True]),
                                                                  x.exp().sum()), (3,), "real"),
    "index_put": (lambda T, x: _index_added(T, x.flip(0)) * x.exp(), (3,), "real"),
    "slice": (lambda T, x: x[1:].exp(), (3, 2), "real"),
    "select": (lambda T, x: x[1].exp(), (3, 2), "real"),
}

def _index_added(T, y):
    y[[2, 0]] += 2  # index_put_: the gradient of y zeroed there goes on (IndexPutBackward0)
    return y


DOMAINS = {"real": lambda rng, s: rng.uniform(-2, 2, s),
           "positive": lambda rng, s: rng.uniform(0.5, 2, s),
           "unit": lambda rng, s: rng.uniform(-0.9, 0.9, s),
           "nonzero": lambda rng, s: rng.choice([-1.0, 1.0], s) * rng.uniform(0.3, 2, s)}


def _numpy(t):
    if getattr(t, "_is_zerotensor", lambda: False)():  # PyTorch's efficient zeros
        return np.zeros(tuple(t.shape), str(t.dtype).removeprefix("torch."))
    return np.array(t.detach().numpy(), copy=True)


def _run(T, fn, a, w, dtype):
    x = T.tensor(a.astype(dtype), requires_grad=True)
    out = fn(T, x)
    v = np.random.default_rng(len(a.shape)).uniform(-1, 1, tuple(out.shape))
    go = T.tensor(v.astype(dtype), requires_grad=True)  # an incoming gradient with a history
    g, = T.autograd.grad(out, x, go, create_graph=True)
    result = {"graph": graph_signature(g), "g": _numpy(g)}
    if g.requires_grad:  # the second derivatives, in x and in the incoming gradient
        seconds = T.autograd.grad((g * T.tensor(w.astype(dtype))).sum(), [x, go],
                                  allow_unused=True, create_graph=True)
        result["second graphs"] = [None if s is None else graph_signature(s) for s in seconds]
        result["seconds"] = [None if s is None else _numpy(s) for s in seconds]
    return result


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", CASES)
def test_double_backward_matches_torch(name, dtype):
    fn, shape, domain = CASES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    a = (DOMAINS[domain] if isinstance(domain, str) else domain)(rng, shape)
    w = rng.uniform(-1, 1, a.shape)
    expected, actual = _run(torch, fn, a, w, dtype), _run(ae, fn, a, w, dtype)
    assert actual["graph"] == expected["graph"]
    # first-order values: PyTorch's (bit for bit, except where forward values differ)
    np.testing.assert_allclose(actual["g"], expected["g"], rtol=1e-6 if dtype == "float32"
                               else 1e-14, atol=0)
    assert actual.keys() == expected.keys()
    if "seconds" in expected:
        assert actual["second graphs"] == expected["second graphs"]
        for a2, e2 in zip(actual["seconds"], expected["seconds"], strict=True):
            assert (a2 is None) == (e2 is None)
            if e2 is not None:
                np.testing.assert_allclose(a2, e2, rtol=1e-5 if dtype == "float32" else 1e-12,
                                           atol=1e-6 if dtype == "float32" else 1e-13)


def test_sum_with_dim_none_is_sum_dim_intlist():
    """``x.sum(None, keepdim=True)`` keeps every dim as 1 (SumBackward1), as norm's
    backward uses it; only ``x.sum()`` is SumBackward0."""
    for T in (torch, ae):
        x = T.ones(2, 3, requires_grad=True)
        assert [(tuple(y.shape), y.grad_fn.name()) for y in
                (x.sum(), x.sum(None), x.sum(None, keepdim=True), x.sum((), keepdim=True))] == \
            [((), "SumBackward0"), ((), "SumBackward1"), ((1, 1), "SumBackward1"),
             ((1, 1), "SumBackward1")]


def test_fourth_order_through_masked_select():
    """masked_select's backward is a masked_scatter_ into zeros, whose own backward
    selects again (padding with zeros): graphs and values down to the third derivative."""
    results = []
    for T in (torch, ae):
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        v = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * 1).masked_fill(T.tensor([True, False, True]), (x * v).sum())
        g, = T.autograd.grad((y * v).sum(), v, create_graph=True)
        g2, = T.autograd.grad((g * g).sum(), x, create_graph=True)
        g3, = T.autograd.grad(g2.sum(), v, create_graph=True)
        results.append([(graph_signature(t), _numpy(t).tolist()) for t in (g, g2, g3)])
    assert results[1] == results[0]


STALE_VIEWS = {  # a view whose base changed in place (through a detached alias) is remade
    "unsqueeze": lambda T, x: x.unsqueeze(0),  # with as_strided: AsStridedBackward0
    "row": lambda T, x: x[0],
    "transposed_slice": lambda T, x: x.t()[1:],
}


@pytest.mark.parametrize("name", STALE_VIEWS)
def test_double_backward_through_a_remade_view(name):
    """as_strided_backward with tensor ops: grad (size-1 dims squeezed) copied into a
    view of zeros (CopySlices), returned viewed as the base (AsStridedBackward0)."""
    results = []
    for T in (torch, ae):
        x = T.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
        v = STALE_VIEWS[name](T, x)
        v.detach().add_(1)
        g, = T.autograd.grad((v.abs() * v.exp()).sum(), x, create_graph=True)
        g2, = T.autograd.grad(g.sum(), x)
        results.append((graph_signature(g), g._version, _numpy(g).tolist(), _numpy(g2).tolist()))
    assert results[1][:2] == results[0][:2]
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-6)
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-6)


def test_std_backward_unpacks_self_first():
    """Both of std's saved tensors modified in place: PyTorch's error names ``self``."""
    from oracle import assert_same_output
    assert_same_output("""
import torch
x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
y = x * 1
s = y.std()
y.add_(1)
s.add_(1)
try:
    s.backward()
except RuntimeError as e:
    print(str(e).split(". Hint")[0])
""")
