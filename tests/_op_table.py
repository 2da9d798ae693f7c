"""One declarative table of the differentiable ops of the public API.

Every entry is declared once and tested several ways (the idea of MyGrad's op
factory): against the PyTorch oracle (``test_ops_oracle.py``), against finite
differences without torch (``test_gradcheck.py``) and inside random programs
(``test_random_programs.py``, which uses ``CHAIN_OPS`` below).

An entry (``Op``) holds:

- ``name``: unique, used in test ids;
- ``fn(T, *tensors)``: the op written against a torch-like module ``T`` (``torch``
  or ``autograd_edu``); every tensor argument is a floating-point leaf that
  requires grad. Non-differentiable arguments (masks, index tensors, class
  targets) are built inside ``fn`` with ``T.tensor``;
- ``shapes``: several input-shape tuples, one shape per tensor argument;
- ``domain``: how input values are drawn (see ``DOMAINS``): one name for every
  input, a tuple of names (one per input), or ``callable(rng, shapes) -> arrays``;
- ``dtypes``: the float dtypes to run it in;
- ``gradcheck``: False when finite differences do not apply (ties and kinks on
  purpose, or an output in float32 from float64 inputs).

Keep tensors small: every case runs in a few milliseconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Shape = tuple[int, ...]

FLOATS = ("float32", "float64")

# -- input domains ------------------------------------------------------------
# Each draws float64 values for one input of ``shape``; float32 cases cast them.
# Kinks and ties are kept >= 0.1 away so that central differences with eps=1e-6
# see a smooth function.


def _real(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)


def _unit(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _distinct(rng, shape):
    """All values pairwise >= ~0.1 apart (for max/min: no ties, even within eps)."""
    n = int(np.prod(shape, dtype=np.int64))
    grid = np.linspace(-2.0, 2.0, max(n, 2))[:n]
    return (rng.permutation(grid) + rng.uniform(-0.01, 0.01, n)).reshape(shape)


def away(*kinks: float, gap: float = 0.1):
    """Uniform on [-2, 2], redrawn wherever a value is within ``gap`` of a kink."""

    def draw(rng, shape):
        x = rng.uniform(-2.0, 2.0, shape)
        for _ in range(1000):
            bad = np.zeros(np.shape(x), bool)
            for k in kinks:
                bad |= np.abs(x - k) < gap
            if not bad.any():
                return x
            x = np.where(bad, rng.uniform(-2.0, 2.0, np.shape(x)), x)
        raise AssertionError("could not draw away from kinks")

    return draw


DOMAINS: dict[str, Callable] = {
    "real": _real,
    "positive": _positive,
    "nonzero": _nonzero,
    "unit": _unit,
    "distinct": _distinct,
    "clamp_kinks": away(-0.5, 0.5),
    # rounding ops are flat between their jumps: keep finite differences off the jumps
    "half_integers": away(-1.5, -0.5, 0.5, 1.5),
    "integers": away(-2.0, -1.0, 0.0, 1.0, 2.0),
    "above_minus_one": lambda rng, shape: rng.uniform(-0.8, 2.0, shape),
    # softplus(beta=2, threshold=1) switches to the identity at x = 0.5
    "softplus_switch": away(0.5),
}


def interleaved(rng, shapes):
    """Input i takes values k + (i + 0.5) / n + jitter with integer k: any two inputs
    differ by >= 1/n - 0.06 everywhere (maximum/minimum/clamp with tensor bounds)."""
    n = len(shapes)
    return [rng.integers(-2, 2, s) + (i + 0.5) / n + rng.uniform(-0.03, 0.03, s)
            for i, s in enumerate(shapes)]


def fixed(*arrays):
    """Exact values, for deliberate ties and kinks (oracle only, no gradcheck)."""
    return lambda rng, shapes: [np.array(a, dtype=np.float64) for a in arrays]


# -- the entry type -------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable
    shapes: tuple[tuple[Shape, ...], ...]
    domain: str | tuple[str, ...] | Callable = "real"
    dtypes: tuple[str, ...] = FLOATS
    gradcheck: bool = True

    def inputs(self, shapes: Sequence[Shape], seed: int) -> list[np.ndarray]:
        """float64 arrays for one case (cast them for float32 cases)."""
        rng = np.random.default_rng(seed)
        if callable(self.domain):
            arrays = self.domain(rng, list(shapes))
        else:
            names = (self.domain,) * len(shapes) if isinstance(self.domain, str) else self.domain
            assert len(names) == len(shapes), self.name
            arrays = [DOMAINS[d](rng, s) for d, s in zip(names, shapes, strict=True)]
        return [np.asarray(a, dtype=np.float64).reshape(s)
                for a, s in zip(arrays, shapes, strict=True)]


def shape_id(shapes: Sequence[Shape]) -> str:
    return "x".join("(" + ",".join(map(str, s)) + ")" for s in shapes)


def case_seed(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


@dataclass(frozen=True)
class Case:
    op: Op
    shapes: tuple[Shape, ...]
    dtype: str

    @property
    def id(self) -> str:
        return f"{self.op.name}-{shape_id(self.shapes)}-{self.dtype}"

    def arrays(self) -> list[np.ndarray]:
        seed = case_seed(self.op.name, shape_id(self.shapes))
        return [a.astype(self.dtype) for a in self.op.inputs(self.shapes, seed)]


def leaves(T, arrays, requires_grad=True):
    """The same arrays as leaf tensors of module ``T`` (copies: no shared memory)."""
    return [T.tensor(np.array(a, copy=True), requires_grad=requires_grad) for a in arrays]


# -- shape sets ---------------------------------------------------------------------

UNARY = ((),), ((1,),), ((3,),), ((2, 3),), ((2, 1, 3),)
BINARY = (
    ((3,), (3,)),
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((), (3,)),
    ((3,), ()),
    ((), ()),
    ((1,), (2, 3)),
    ((2, 1, 3), (4, 1)),
)


def _matmul_shapes() -> tuple[tuple[Shape, Shape], ...]:
    """Every rank pair 1-D..4-D, with equal batches and with broadcast batches."""
    full_batch = (2, 3)
    out = []
    for ra in range(1, 5):
        for rb in range(1, 5):
            variants = [(False,), (True,)] if max(ra, rb) >= 3 else [(False,)]
            for (broadcast,) in variants:
                def batch(rank, parity, broadcast=broadcast):
                    b = full_batch[len(full_batch) - (rank - 2):] if rank > 2 else ()
                    if broadcast:
                        b = tuple(1 if (i + parity) % 2 == 0 else d for i, d in enumerate(b))
                    return b
                a = (3,) if ra == 1 else batch(ra, 0) + (2, 3)
                b = (3,) if rb == 1 else batch(rb, 1) + (3, 4)
                if (a, b) not in out:
                    out.append((a, b))
    out += [((2, 1), (1, 3)), ((1, 3), (3, 1)), ((1,), (1,)), ((1, 1, 3), (2, 3, 1)),
            ((3, 2, 3), (1, 3, 4)), ((2, 1, 2, 3), (3, 3, 4))]
    return tuple(out)


MATMUL = _matmul_shapes()


def _ce_target(T, x):
    n, c = x.shape[0], x.shape[1]
    return T.tensor([(3 * i + 1) % c for i in range(n)])


def _ce_probs(T, x):
    n, c = x.shape
    p = np.arange(1.0, n * c + 1).reshape(n, c)
    return T.tensor(p / p.sum(1, keepdims=True), dtype=x.dtype)


F = "nn.functional"  # readability only


def _f(T):
    return T.nn.functional


# -- the table ------------------------------------------------------------------------


def _table() -> list[Op]:
    ops: list[Op] = []

    def add(name, fn, shapes, domain="real", **kw):
        ops.append(Op(name, fn, tuple(tuple(tuple(s) for s in case) for case in shapes),
                      domain, **kw))

    # arithmetic, tensor (x) tensor, with broadcasting
    add("add", lambda T, a, b: a + b, BINARY)
    add("add_alpha", lambda T, a, b: T.add(a, b, alpha=2.5), BINARY[:4])
    add("sub", lambda T, a, b: a - b, BINARY)
    add("sub_alpha", lambda T, a, b: a.sub(b, alpha=-0.5), BINARY[:4])
    add("mul", lambda T, a, b: a * b, BINARY)
    add("div", lambda T, a, b: a / b, BINARY, ("real", "nonzero"))
    add("pow_tensor", lambda T, a, b: a ** b, BINARY, ("positive", "real"))
    add("pow_fn_tensor", lambda T, a, b: T.pow(a, b), BINARY[:4], ("positive", "real"))
    add("matmul_op", lambda T, a, b: a @ b, MATMUL)
    add("matmul_fn", lambda T, a, b: T.matmul(a, b), MATMUL[::3])
    add("matmul_method", lambda T, a, b: a.matmul(b), MATMUL[1::4])

    # arithmetic with Python scalars, both sides
    add("add_scalar", lambda T, x: x + 2, UNARY)
    add("radd_scalar", lambda T, x: 2.5 + x, UNARY)
    add("sub_scalar", lambda T, x: x - 2, UNARY)
    add("rsub_scalar", lambda T, x: 2 - x, UNARY)
    add("rsub_float", lambda T, x: 0.5 - x, UNARY[:3])
    add("mul_scalar", lambda T, x: x * 2.5, UNARY)
    add("rmul_scalar", lambda T, x: 3 * x, UNARY)
    add("div_scalar", lambda T, x: x / 4, UNARY)
    add("rdiv_scalar", lambda T, x: 2 / x, UNARY, "nonzero")
    add("pow_scalar2", lambda T, x: x ** 2, UNARY)
    add("pow_scalar3", lambda T, x: x ** 3, UNARY)
    add("pow_scalar_half", lambda T, x: x ** 0.5, UNARY, "positive")
    add("pow_scalar_neg", lambda T, x: x ** -1, UNARY, "nonzero")
    add("pow_scalar_neg2", lambda T, x: x ** -2.0, UNARY[:3], "nonzero")
    add("pow_scalar0", lambda T, x: x ** 0, UNARY[:3])
    add("pow_scalar1", lambda T, x: x ** 1, UNARY[:3])
    add("rpow_scalar", lambda T, x: 2 ** x, UNARY)
    add("rpow_float", lambda T, x: 2.5 ** x, UNARY[:3])
    add("pow_method", lambda T, x: x.pow(3), UNARY[:3])
    add("pow_fn_scalar", lambda T, x: T.pow(x, 2.0), UNARY[:3])
    add("pow_fn_scalar_base", lambda T, x: T.pow(2, x), UNARY[:3])
    add("neg", lambda T, x: -x, UNARY)
    add("neg_method", lambda T, x: x.neg(), UNARY[:3])
    add("neg_fn", lambda T, x: T.neg(x), UNARY[:3])

    # pointwise
    add("abs", lambda T, x: x.abs(), UNARY, "nonzero")
    add("abs_fn", lambda T, x: T.abs(x), UNARY[:3], "nonzero")
    add("abs_builtin", lambda T, x: abs(x), UNARY[:3], "nonzero")
    add("exp", lambda T, x: x.exp(), UNARY)
    add("exp_fn", lambda T, x: T.exp(x), UNARY[:3])
    add("log", lambda T, x: x.log(), UNARY, "positive")
    add("log_fn", lambda T, x: T.log(x), UNARY[:3], "positive")
    add("sqrt", lambda T, x: x.sqrt(), UNARY, "positive")
    add("sqrt_fn", lambda T, x: T.sqrt(x), UNARY[:3], "positive")
    add("sin", lambda T, x: x.sin(), UNARY)
    add("sin_fn", lambda T, x: T.sin(x), UNARY[:3])
    add("cos", lambda T, x: x.cos(), UNARY)
    add("cos_fn", lambda T, x: T.cos(x), UNARY[:3])
    add("tanh", lambda T, x: x.tanh(), UNARY)
    add("tanh_fn", lambda T, x: T.tanh(x), UNARY[:3])
    add("tanh_F", lambda T, x: _f(T).tanh(x), UNARY[:3])
    add("sigmoid", lambda T, x: x.sigmoid(), UNARY)
    add("sigmoid_fn", lambda T, x: T.sigmoid(x), UNARY[:3])
    add("sigmoid_F", lambda T, x: _f(T).sigmoid(x), UNARY[:3])
    add("relu", lambda T, x: x.relu(), UNARY, "nonzero")
    add("relu_fn", lambda T, x: T.relu(x), UNARY[:3], "nonzero")
    add("relu_F", lambda T, x: _f(T).relu(x), UNARY[:3], "nonzero")

    # clamp: scalar bounds, one-sided, tensor bounds
    add("clamp_scalar", lambda T, x: x.clamp(-0.5, 0.5), UNARY, "clamp_kinks")
    add("clamp_fn_scalar", lambda T, x: T.clamp(x, min=-0.5, max=0.5), UNARY[:3], "clamp_kinks")
    add("clamp_min_only", lambda T, x: x.clamp(min=-0.5), UNARY, "clamp_kinks")
    add("clamp_max_only", lambda T, x: x.clamp(max=0.5), UNARY, "clamp_kinks")
    add("clamp_min_method", lambda T, x: x.clamp_min(0.5), UNARY[:3], "clamp_kinks")
    add("clamp_max_method", lambda T, x: x.clamp_max(-0.5), UNARY[:3], "clamp_kinks")
    add("clip", lambda T, x: x.clip(-0.5, 0.5), UNARY[:3], "clamp_kinks")
    clamp3 = (((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), (2, 1)), ((3,), (), ()),
              ((), (3,), (3,)))
    add("clamp_tensor", lambda T, x, lo, hi: T.clamp(x, lo, hi), clamp3, interleaved)
    add("clamp_tensor_method", lambda T, x, lo, hi: x.clamp(min=lo, max=hi), clamp3[:2],
        interleaved)
    add("clamp_tensor_min", lambda T, x, lo: x.clamp(min=lo), BINARY, interleaved)
    add("clamp_tensor_max", lambda T, x, hi: T.clamp(x, max=hi), BINARY, interleaved)
    add("maximum", lambda T, a, b: T.maximum(a, b), BINARY, interleaved)
    add("minimum", lambda T, a, b: T.minimum(a, b), BINARY, interleaved)
    add("maximum_method", lambda T, a, b: a.maximum(b), BINARY[:4], interleaved)
    add("max_binary", lambda T, a, b: T.max(a, b), BINARY[:4], interleaved)
    add("min_binary", lambda T, a, b: T.min(a, b), BINARY[:4], interleaved)

    # deliberate ties and kinks: what torch does there (no gradcheck)
    kink = fixed([-1.0, 0.0, 0.0, 2.0])
    add("abs_at_zero", lambda T, x: x.abs(), [[(4,)]], kink, gradcheck=False)
    add("relu_at_zero", lambda T, x: x.relu(), [[(4,)]], kink, gradcheck=False)
    add("sqrt_at_zero", lambda T, x: x.sqrt(), [[(2,)]], fixed([0.0, 4.0]), gradcheck=False)
    add("clamp_at_bounds", lambda T, x: x.clamp(-0.5, 0.5), [[(4,)]],
        fixed([-0.5, 0.5, 0.0, 1.0]), gradcheck=False)
    add("clamp_tensor_at_bounds", lambda T, x, lo, hi: x.clamp(lo, hi), [[(3,), (3,), (3,)]],
        fixed([0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [1.0, 1.0, 2.0]), gradcheck=False)
    add("clamp_min_gt_max", lambda T, x, lo, hi: x.clamp(lo, hi), [[(3,), (3,), (3,)]],
        fixed([0.0, 1.5, 3.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.5]), gradcheck=False)
    add("clamp_scalar_min_gt_max", lambda T, x: x.clamp(1.0, -1.0), [[(3,)]],
        fixed([-2.0, 0.0, 2.0]), gradcheck=False)
    add("maximum_ties", lambda T, a, b: T.maximum(a, b), [[(3,), (3,)]],
        fixed([1.0, 2.0, 3.0], [1.0, 0.0, 3.0]), gradcheck=False)
    add("minimum_ties", lambda T, a, b: T.minimum(a, b), [[(3,), (3,)]],
        fixed([1.0, 2.0, 3.0], [1.0, 0.0, 3.0]), gradcheck=False)
    ties = fixed([[1.0, 3.0, 3.0], [0.0, 3.0, 2.0]])
    add("max_all_ties", lambda T, x: x.max(), [[(2, 3)]], ties, gradcheck=False)
    add("min_all_ties", lambda T, x: (-x).min(), [[(2, 3)]], ties, gradcheck=False)
    add("max_dim_ties", lambda T, x: x.max(1).values, [[(2, 3)]], ties, gradcheck=False)
    add("max_dim0_ties", lambda T, x: x.max(0)[0], [[(2, 3)]], ties, gradcheck=False)
    add("min_dim_ties", lambda T, x: (-x).min(dim=1)[0], [[(2, 3)]], ties, gradcheck=False)
    add("norm_at_zero", lambda T, x: x.norm(), [[(3,)]], fixed([0.0, 0.0, 0.0]),
        gradcheck=False)
    add("norm1_at_zero", lambda T, x: x.norm(p=1), [[(3,)]], fixed([0.0, 1.0, -2.0]),
        gradcheck=False)

    # reductions
    r_all = ((),), ((1,),), ((3,),), ((2, 3),), ((2, 1, 3),)
    r_d0 = ((),), ((3,),), ((2, 3),), ((1, 3),), ((2, 3, 2),)
    r_dneg = ((4,),), ((2, 3),), ((2, 3, 1),)
    r_d1 = ((2, 3),), ((2, 1, 4),)
    r_tuple = ((2, 3, 4),), ((1, 2, 1),)
    for red in ("sum", "mean"):
        add(f"{red}", lambda T, x, r=red: getattr(x, r)(), r_all)
        add(f"{red}_fn", lambda T, x, r=red: getattr(T, r)(x), r_all[2:4])
        add(f"{red}_dim0", lambda T, x, r=red: getattr(x, r)(0), r_d0)
        add(f"{red}_dim_neg", lambda T, x, r=red: getattr(x, r)(-1), r_dneg)
        add(f"{red}_dim1_keepdim", lambda T, x, r=red: getattr(x, r)(1, keepdim=True), r_d1)
        add(f"{red}_dim_kw", lambda T, x, r=red: getattr(T, r)(x, dim=1), r_d1)
        add(f"{red}_tuple", lambda T, x, r=red: getattr(x, r)((0, 2)), r_tuple)
        add(f"{red}_tuple_neg_keepdim", lambda T, x, r=red: getattr(x, r)((-1, 0), keepdim=True),
            r_tuple + (((3, 2),),))
        add(f"{red}_list_dims", lambda T, x, r=red: getattr(x, r)(dim=[1, -1]), r_tuple[:1])
    for red in ("max", "min"):
        add(f"{red}", lambda T, x, r=red: getattr(x, r)(), r_all, "distinct")
        add(f"{red}_fn", lambda T, x, r=red: getattr(T, r)(x), r_all[2:4], "distinct")
        add(f"{red}_dim0", lambda T, x, r=red: getattr(x, r)(0)[0], r_d0, "distinct")
        add(f"{red}_dim_neg_values", lambda T, x, r=red: getattr(x, r)(dim=-1).values, r_dneg,
            "distinct")
        add(f"{red}_dim1_keepdim", lambda T, x, r=red: getattr(x, r)(1, keepdim=True)[0], r_d1,
            "distinct")
        # the whole namedtuple (values, indices): compared as printed
        add(f"{red}_dim_tuple_out", lambda T, x, r=red: getattr(T, r)(x, 1), r_d1, "distinct")
    add("norm", lambda T, x: x.norm(), r_all, "nonzero")
    add("norm_fn", lambda T, x: T.norm(x), r_all[2:4], "nonzero")
    add("norm_p1", lambda T, x: x.norm(p=1), r_all, "nonzero")
    add("norm_p2_kw", lambda T, x: x.norm(p=2), r_all[2:4], "nonzero")
    add("norm_dim", lambda T, x: x.norm(dim=1), r_d1, "nonzero")
    add("norm_dim_neg_keepdim", lambda T, x: x.norm(dim=-1, keepdim=True), r_dneg, "nonzero")
    add("norm_p1_dim", lambda T, x: x.norm(p=1, dim=0), r_d0[1:], "nonzero")
    add("norm_positional", lambda T, x: x.norm(2, 1), r_d1, "nonzero")

    # linear algebra
    add("mm", lambda T, a, b: a.mm(b), [[(2, 3), (3, 4)], [(1, 3), (3, 1)], [(3, 1), (1, 2)]])
    add("mm_fn", lambda T, a, b: T.mm(a, b), [[(2, 3), (3, 4)]])
    add("mv", lambda T, a, b: a.mv(b), [[(2, 3), (3,)], [(1, 3), (3,)]])
    add("mv_fn", lambda T, a, b: T.mv(a, b), [[(2, 3), (3,)]])
    add("dot", lambda T, a, b: a.dot(b), [[(3,), (3,)], [(1,), (1,)]])
    add("dot_fn", lambda T, a, b: T.dot(a, b), [[(4,), (4,)]])

    # shape and view ops
    add("t", lambda T, x: x.t(), [[(2, 3)], [(3,)], [()], [(1, 3)]])
    add("t_fn", lambda T, x: T.t(x), [[(2, 3)]])
    add("T_property", lambda T, x: x.T, [[(2, 3)]])
    add("transpose", lambda T, x: x.transpose(0, 1), [[(2, 3)], [(2, 3, 4)]])
    add("transpose_neg", lambda T, x: x.transpose(-1, 0), [[(2, 3, 4)], [(3, 1)]])
    add("transpose_fn", lambda T, x: T.transpose(x, 1, 2), [[(2, 3, 4)]])
    add("transpose_same_dim", lambda T, x: x.transpose(1, 1), [[(2, 3)]])
    add("permute", lambda T, x: x.permute(2, 0, 1), [[(2, 3, 4)], [(1, 2, 1)]])
    add("permute_tuple_neg", lambda T, x: x.permute((-1, 0, 1)), [[(2, 3, 4)]])
    add("permute_fn", lambda T, x: T.permute(x, (1, 0)), [[(2, 3)]])
    add("view_flat", lambda T, x: x.view(-1), [[(2, 3)], [()], [(2, 1, 3)]])
    add("view_shape", lambda T, x: x.view(3, 2), [[(2, 3)], [(6,)]])
    add("view_tuple", lambda T, x: x.view((1, -1, 1)), [[(2, 3)], [(4,)]])
    add("view_0d", lambda T, x: x.view(()), [[(1,)], [(1, 1)]])
    add("reshape", lambda T, x: x.reshape(3, -1), [[(2, 3)], [(6,)], [(3, 1, 2)]])
    add("reshape_tuple", lambda T, x: x.reshape((-1,)), [[(2, 3)], [()]])
    add("reshape_fn", lambda T, x: T.reshape(x, (2, 3)), [[(3, 2)], [(6,)]])
    add("reshape_noncontig", lambda T, x: x.t().reshape(-1), [[(2, 3)], [(3, 1)]])
    add("reshape_noncontig_3d", lambda T, x: x.transpose(0, 2).reshape(2, -1), [[(2, 3, 4)]])
    add("reshape_same_shape", lambda T, x: x.reshape(2, 3), [[(2, 3)]])
    add("flatten", lambda T, x: x.flatten(), [[(2, 3)], [(2, 3, 4)], [()], [(3,)]])
    add("flatten_start", lambda T, x: x.flatten(1), [[(2, 3, 4)], [(2, 3)]])
    add("flatten_range", lambda T, x: T.flatten(x, 0, 1), [[(2, 3, 4)]])
    add("flatten_noncontig", lambda T, x: x.t().flatten(), [[(2, 3)]])
    add("squeeze_all", lambda T, x: x.squeeze(), [[(2, 1, 3)], [(1, 1)], [(3,)], [()]])
    add("squeeze_dim", lambda T, x: x.squeeze(1), [[(2, 1, 3)], [(2, 3)]])
    add("squeeze_neg", lambda T, x: x.squeeze(-1), [[(3, 1)], [(1,)]])
    add("squeeze_tuple", lambda T, x: x.squeeze((0, 2)), [[(1, 3, 1)], [(1, 3, 2)]])
    add("squeeze_fn", lambda T, x: T.squeeze(x, 0), [[(1, 3)]])
    add("unsqueeze", lambda T, x: x.unsqueeze(0), [[(3,)], [()], [(2, 3)]])
    add("unsqueeze_neg", lambda T, x: x.unsqueeze(-1), [[(3,)], [(2, 3)]])
    add("unsqueeze_mid", lambda T, x: T.unsqueeze(x, 1), [[(2, 3)]])
    add("expand", lambda T, x: x.expand(2, 3), [[(1, 3)], [(3,)], [()]])
    add("expand_minus1", lambda T, x: x.expand(-1, 4), [[(3, 1)]])
    add("expand_new_dims", lambda T, x: x.expand(2, 3, 4), [[(3, 1)], [(1, 4)]])
    add("expand_tuple", lambda T, x: x.expand((2, 2, 3)), [[(1, 3)]])
    add("expand_as", lambda T, x, y: x.expand_as(y), [[(1, 3), (2, 3)]])

    # memory layout: which results are contiguous decides view vs copy in reshape/contiguous
    # (ViewBackward0 / ReshapeAliasBackward0 / UnsafeViewBackward0, CloneBackward0 or none)
    add("layout_binary_first_transposed", lambda T, a, b: (a.t() * b).reshape(-1),
        [[(3, 2), (2, 3)]])
    add("layout_binary_second_transposed", lambda T, a, b: (b * a.t()).reshape(-1),
        [[(3, 2), (2, 3)]])
    add("layout_scalar_op_transposed", lambda T, x: (x.t() + 1).reshape(-1), [[(3, 2)]])
    add("layout_clone_transposed", lambda T, x: x.t().clone().reshape(-1), [[(2, 3)]])
    add("layout_where_transposed", lambda T, x: T.where(x.t() > 0, x.t(), 0.0).reshape(-1),
        [[(2, 3)]], "nonzero")
    add("layout_softmax_transposed", lambda T, x: _f(T).softmax(x.t(), 1).reshape(-1),
        [[(2, 3)]])
    add("layout_unary_expanded_transposed",
        lambda T, x: (2.5 ** x.t().expand(2, 2, 2)).contiguous(), [[(2, 2)]])
    add("reshape_alias_column", lambda T, x: x[:, 0].reshape(2, 2), [[(4, 3)]])
    add("reshape_alias_expanded", lambda T, x: x.expand(2, 1).reshape(2), [[(1,)]])
    add("reshape_copy_expanded", lambda T, x: x.expand(3, 2).reshape(-1), [[(2,)]])

    # indexing
    x43, x234 = [(4, 3)], [(2, 3, 4)]
    add("getitem_int", lambda T, x: x[1], [x43, x234, [(3,)]])
    add("getitem_neg_int", lambda T, x: x[-1], [x43, [(3,)]])
    add("getitem_int_int", lambda T, x: x[1, 2], [x43])
    add("getitem_slice", lambda T, x: x[1:3], [x43, x234])
    add("getitem_slice_step", lambda T, x: x[::2], [x43, [(5,)]])
    add("getitem_slice_step_2d", lambda T, x: x[1::2, ::2], [x43])
    add("getitem_slice_neg", lambda T, x: x[-3:-1], [x43])
    add("getitem_slice_full", lambda T, x: x[:], [x43])
    add("getitem_slice_empty", lambda T, x: x[2:2], [x43])
    add("getitem_none", lambda T, x: x[None], [x43, [()]])
    add("getitem_none_mid", lambda T, x: x[:, None], [x43])
    add("getitem_ellipsis", lambda T, x: x[..., 1], [x43, x234])
    add("getitem_ellipsis_none", lambda T, x: x[None, ..., None], [x43])
    add("getitem_ellipsis_only", lambda T, x: x[...], [x43])
    add("getitem_0d_ellipsis", lambda T, x: x[...], [[()]])
    add("getitem_bool_mask_rows",
        lambda T, x: x[T.tensor([True, False, True, True])], [x43])
    add("getitem_bool_mask_full", lambda T, x: x[x > 0], [x43, x234], "nonzero")
    add("getitem_bool_mask_2d", lambda T, x: x[T.tensor([[True, False, True],
                                                          [False, True, True]])], [x234])
    add("getitem_slice_bool_mask", lambda T, x: x[:, T.tensor([False, True, True])],
        [x234])
    add("getitem_int_tensor", lambda T, x: x[T.tensor([0, 2, 0])], [x43])
    add("getitem_int_tensor_2d", lambda T, x: x[T.tensor([[0, 1], [3, 3]])], [x43])
    add("getitem_int_tensor_0d", lambda T, x: x[T.tensor(1)], [x43])
    add("getitem_neg_int_tensor", lambda T, x: x[T.tensor([-1, 0])], [x43])
    add("getitem_list", lambda T, x: x[[0, 2]], [x43])
    add("getitem_list_repeat", lambda T, x: x[[1, 1, 1]], [[(3,)]])
    add("getitem_two_lists", lambda T, x: x[[0, 3], [2, 0]], [x43])
    add("getitem_mixed_slice_tensor", lambda T, x: x[1:, T.tensor([0, 2])], [x43])
    add("getitem_mixed_int_list", lambda T, x: x[1, [0, 2, 2]], [x43, x234])
    add("getitem_mixed_separated", lambda T, x: x[T.tensor([0, 1]), :, T.tensor([1, 3])], [x234])
    add("getitem_mixed_none_ellipsis_list", lambda T, x: x[None, ..., [0, 0, 1]], [x234])
    add("getitem_mixed_int_none_slice", lambda T, x: x[1, None, ::2], [x43])

    # joining and selecting
    add("cat", lambda T, a, b: T.cat([a, b]), [[(2, 3), (1, 3)], [(3,), (2,)]])
    add("cat_dim1", lambda T, a, b: T.cat((a, b), dim=1), [[(2, 3), (2, 1)]])
    add("cat_dim_neg", lambda T, a, b, c: T.cat([a, b, c], -1),
        [[(2, 1), (2, 3), (2, 2)], [(1,), (2,), (3,)]])
    add("cat_single", lambda T, a: T.cat([a]), [[(2, 3)]])
    add("stack", lambda T, a, b: T.stack([a, b]), [[(3,), (3,)], [(2, 3), (2, 3)], [(), ()]])
    add("stack_dim1", lambda T, a, b, c: T.stack((a, b, c), dim=1), [[(2, 3)] * 3])
    add("stack_dim_neg", lambda T, a, b: T.stack([a, b], -1), [[(2, 3), (2, 3)]])
    where_shapes = (((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), (1, 4)), ((), (3,)),
                    ((3,), ()))
    add("where", lambda T, x, y: T.where(x > 0, x, y), where_shapes, ("nonzero", "real"))
    add("where_scalar_other", lambda T, x: T.where(x > 0, x, 0.0), UNARY[1:], "nonzero")
    add("where_scalar_self", lambda T, x: T.where(x < 0, 1.5, x), UNARY[1:], "nonzero")
    add("where_method", lambda T, x, y: x.where(x > 0, y), where_shapes[:2], ("nonzero", "real"))
    add("where_fixed_cond", lambda T, x, y: T.where(T.tensor([True, False, True]), x, y),
        [[(3,), (3,)], [(2, 3), (1,)]])

    # copies and casts
    add("clone", lambda T, x: x.clone(), UNARY)
    add("clone_fn", lambda T, x: T.clone(x), UNARY[:2])
    add("contiguous_already", lambda T, x: x.contiguous(), [[(2, 3)], [()]])
    add("contiguous_copy", lambda T, x: x.t().contiguous(), [[(2, 3)]])
    add("contiguous_copy_3d", lambda T, x: x.permute(2, 0, 1).contiguous(), [[(2, 3, 4)]])
    add("double", lambda T, x: x.double(), UNARY[:4])
    add("float", lambda T, x: x.float(), UNARY[:4], gradcheck=False)
    add("to_float64", lambda T, x: x.to(T.float64), UNARY[:4])
    add("to_float32", lambda T, x: x.to(T.float32), UNARY[:4], gradcheck=False)
    add("to_dtype_kw", lambda T, x: x.to(dtype=T.float64), UNARY[2:4])
    add("to_same_copy", lambda T, x: x.to(x.dtype, copy=True), UNARY[2:4])
    add("to_cpu", lambda T, x: x.to("cpu"), UNARY[2:4])
    add("to_other", lambda T, x: x.to(T.zeros(1, dtype=T.float64)), UNARY[2:4])
    add("type_as", lambda T, x, y: x.type_as(y), [[(3,), (2,)]])
    add("cast_roundtrip", lambda T, x: x.float().double() * x, UNARY[2:4], gradcheck=False)

    # nn.functional
    sm = ((3,),), ((2, 3),), ((2, 3, 4),), ((1, 1),)
    add("softmax_last", lambda T, x: _f(T).softmax(x, dim=-1), sm)
    add("softmax_dim0", lambda T, x: _f(T).softmax(x, 0), sm[:3] + (((),),))
    add("softmax_dim1", lambda T, x: _f(T).softmax(x, dim=1), sm[1:3])
    add("softmax_top", lambda T, x: T.softmax(x, 1), sm[1:2])
    add("softmax_method", lambda T, x: x.softmax(-1), sm[1:2])
    add("log_softmax_last", lambda T, x: _f(T).log_softmax(x, dim=-1), sm)
    add("log_softmax_dim0", lambda T, x: _f(T).log_softmax(x, 0), sm[:3] + (((),),))
    add("log_softmax_dim1", lambda T, x: _f(T).log_softmax(x, dim=1), sm[1:3])
    add("log_softmax_top", lambda T, x: T.log_softmax(x, 1), sm[1:2])
    add("log_softmax_method", lambda T, x: x.log_softmax(-1), sm[1:2])
    add("softmax_large_values", lambda T, x: _f(T).softmax(x * 100, dim=-1), sm[1:2])
    mse = (((3,), (3,)), ((2, 3), (2, 3)), ((), ()))
    for red in ("mean", "sum", "none"):
        add(f"mse_loss_{red}", lambda T, a, b, r=red: _f(T).mse_loss(a, b, reduction=r), mse)
    add("mse_loss_default", lambda T, a, b: _f(T).mse_loss(a, b), mse[1:2])
    # empty tensors: the mean of nothing is nan, its gradient is empty
    add("mse_loss_empty", lambda T, a, b: _f(T).mse_loss(a, b), [[(0,), (0,)], [(2, 0), (2, 0)]],
        gradcheck=False)
    add("sum_empty", lambda T, x: x.sum(), [[(0,)], [(2, 0)]])
    add("mean_empty_dim", lambda T, x: x.mean(1), [[(2, 0)]], gradcheck=False)
    ce = (((4, 3),), ((1, 5),), ((2, 2),))
    add("cross_entropy", lambda T, x: _f(T).cross_entropy(x, _ce_target(T, x)), ce)
    for red in ("sum", "none"):
        add(f"cross_entropy_{red}",
            lambda T, x, r=red: _f(T).cross_entropy(x, _ce_target(T, x), reduction=r), ce[:2])
    add("cross_entropy_ignore_index",
        lambda T, x: _f(T).cross_entropy(x, T.tensor([0, -100, 2, 1]), ignore_index=-100),
        ce[:1])
    add("cross_entropy_unbatched", lambda T, x: _f(T).cross_entropy(x, T.tensor(1)), [[(3,)]])
    add("cross_entropy_probs", lambda T, x: _f(T).cross_entropy(x, _ce_probs(T, x)), ce[:1])
    add("linear_bias", lambda T, x, w, b: _f(T).linear(x, w, b),
        [[(3,), (4, 3), (4,)], [(2, 3), (4, 3), (4,)], [(2, 5, 3), (4, 3), (4,)],
         [(1, 3), (1, 3), (1,)]])
    add("linear_nobias", lambda T, x, w: _f(T).linear(x, w),
        [[(3,), (4, 3)], [(2, 3), (4, 3)], [(2, 5, 3), (4, 3)]])
    add("linear_bias_kw", lambda T, x, w, b: _f(T).linear(x, w, bias=b), [[(2, 3), (4, 3), (4,)]])

    _newer_ops(add)

    names = [op.name for op in ops]
    assert len(names) == len(set(names)), "duplicate op names"
    return ops


def _gather_index(T, shape, dim):
    """A deterministic index for ``gather`` along ``dim``: repeats on purpose (the gradient
    accumulates), one fewer entry than the input along ``dim`` when it can."""
    dim = dim % len(shape)
    out_shape = tuple(max(d - 1, 1) if i == dim else d for i, d in enumerate(shape))
    n = int(np.prod(out_shape))
    values = [(3 * k + 1) % shape[dim] for k in range(n)]
    return T.tensor(np.array(values, dtype=np.int64).reshape(out_shape))


def _weighted_pieces(pieces):
    """sum_i (i + 1) * piece_i.sum(): every piece reaches the result with its own weight."""
    return sum((i + 1) * p.sum() for i, p in enumerate(pieces))


def _newer_ops(add):
    """Entries for the ops added to the engine after the first table."""
    u2 = ((3,),), ((2, 3),), ((2, 1, 3),)  # no 0-d, no size-1 only
    r23 = ((2, 3),), ((4, 2),), ((2, 3, 2),)

    # repeat
    add("repeat", lambda T, x: x.repeat(2, 1), [[(2, 3)], [(1, 3)], [(3,)], [()]])
    add("repeat_new_dims", lambda T, x: x.repeat(2, 1, 3), [[(3,)], [(2, 1)], [()]])
    add("repeat_tuple", lambda T, x: x.repeat((1, 2)), [[(2, 3)]])
    add("repeat_ones", lambda T, x: x.repeat(1, 1), [[(2, 3)]])

    # var / std: dim, keepdim, unbiased, correction
    for red in ("var", "std"):
        add(f"{red}_all", lambda T, x, r=red: getattr(x, r)(), r23 + (((3,),),))
        add(f"{red}_fn", lambda T, x, r=red: getattr(T, r)(x), r23[:1])
        add(f"{red}_dim", lambda T, x, r=red: getattr(x, r)(1), r23)
        add(f"{red}_dim_neg_keepdim", lambda T, x, r=red: getattr(x, r)(dim=-1, keepdim=True),
            r23)
        add(f"{red}_dim_tuple", lambda T, x, r=red: getattr(x, r)((0, 1)), r23)
        add(f"{red}_unbiased_false", lambda T, x, r=red: getattr(x, r)(unbiased=False), r23[:2])
        add(f"{red}_positional_bool", lambda T, x, r=red: getattr(x, r)(False), r23[:1])
        add(f"{red}_dim_unbiased_keepdim_positional",
            lambda T, x, r=red: getattr(x, r)(1, True, True), r23[:2])
        add(f"{red}_fn_dim_unbiased_false",
            lambda T, x, r=red: getattr(T, r)(x, 0, unbiased=False), r23)
        add(f"{red}_correction0", lambda T, x, r=red: getattr(x, r)(dim=0, correction=0), r23)
        add(f"{red}_correction2", lambda T, x, r=red: getattr(x, r)(correction=2), r23)
        add(f"{red}_correction_dim_keepdim",
            lambda T, x, r=red: getattr(x, r)(1, keepdim=True, correction=0), r23[:2])
        # one element per group: division by zero degrees of freedom (nan / inf)
        add(f"{red}_single_element", lambda T, x, r=red: getattr(x, r)(), [[(1,)], [()]],
            gradcheck=False)
        add(f"{red}_single_element_dim", lambda T, x, r=red: getattr(x, r)(dim=1), [[(3, 1)]],
            gradcheck=False)
        add(f"{red}_single_element_correction0",
            lambda T, x, r=red: getattr(x, r)(correction=0), [[(1,)]], gradcheck=False)
        # all values equal: std's derivative divides by std = 0
        add(f"{red}_constant", lambda T, x, r=red: getattr(x, r)(), [[(3,)]],
            fixed([1.5, 1.5, 1.5]), gradcheck=False)

    # cumsum
    add("cumsum_dim0", lambda T, x: x.cumsum(0), UNARY)
    add("cumsum_neg", lambda T, x: x.cumsum(dim=-1), UNARY[1:])
    add("cumsum_fn_dim1", lambda T, x: T.cumsum(x, 1), [[(2, 3)], [(2, 1, 3)]])

    # amax / amin (ties share the gradient evenly, unlike max(dim))
    for red in ("amax", "amin"):
        add(f"{red}_all", lambda T, x, r=red: getattr(x, r)(), UNARY, "distinct")
        add(f"{red}_dim", lambda T, x, r=red: getattr(x, r)(1), [[(2, 3)], [(2, 1, 3)]],
            "distinct")
        add(f"{red}_dim_neg_keepdim", lambda T, x, r=red: getattr(x, r)(-1, keepdim=True),
            [[(2, 3)], [(3,)]], "distinct")
        add(f"{red}_dim_tuple", lambda T, x, r=red: getattr(x, r)(dim=(0, 2)), [[(2, 3, 2)]],
            "distinct")
        add(f"{red}_fn", lambda T, x, r=red: getattr(T, r)(x, 0), [[(2, 3)], [(3,)], [()]],
            "distinct")
        add(f"{red}_ties", lambda T, x, r=red: getattr(x, r)(), [[(2, 3)]],
            fixed([[1.0, 3.0, 3.0], [-3.0, 3.0, -3.0]]), gradcheck=False)
        add(f"{red}_dim_ties", lambda T, x, r=red: getattr(x, r)(1), [[(2, 3)]],
            fixed([[1.0, 3.0, 3.0], [-3.0, 0.0, -3.0]]), gradcheck=False)

    # sort (values; the whole namedtuple is compared as printed)
    add("sort_values", lambda T, x: x.sort().values, UNARY, "distinct")
    add("sort_dim0_descending", lambda T, x: x.sort(0, descending=True)[0],
        [[(2, 3)], [(3,)], [(3, 1)]], "distinct")
    add("sort_fn_kw", lambda T, x: T.sort(x, dim=-1, descending=True).values, [[(2, 3)]],
        "distinct")
    add("sort_tuple_out", lambda T, x: x.sort(1), [[(2, 3)]], "distinct")
    add("sort_0d_tuple_out", lambda T, x: T.sort(x), [[()]])
    add("sort_ties_stable", lambda T, x: x.sort(stable=True).values, [[(4,)]],
        fixed([2.0, 1.0, 2.0, 1.0]), gradcheck=False)

    # pointwise (smooth)
    add("log1p", lambda T, x: x.log1p(), UNARY, "above_minus_one")
    add("log1p_fn", lambda T, x: T.log1p(x), UNARY[2:4], "above_minus_one")
    add("expm1", lambda T, x: x.expm1(), UNARY)
    add("expm1_fn", lambda T, x: T.expm1(x), UNARY[2:4])
    add("log2", lambda T, x: x.log2(), UNARY, "positive")
    add("log2_fn", lambda T, x: T.log2(x), UNARY[2:4], "positive")
    add("log10", lambda T, x: x.log10(), UNARY, "positive")
    add("log10_fn", lambda T, x: T.log10(x), UNARY[2:4], "positive")
    add("tan", lambda T, x: x.tan(), UNARY, "unit")
    add("tan_fn", lambda T, x: T.tan(x), UNARY[2:4], "unit")
    add("atan", lambda T, x: x.atan(), UNARY)
    add("atan_fn", lambda T, x: T.atan(x), UNARY[2:4])
    add("rsqrt", lambda T, x: x.rsqrt(), UNARY, "positive")
    add("rsqrt_fn", lambda T, x: T.rsqrt(x), UNARY[2:4], "positive")
    add("log1p_at_minus_one", lambda T, x: x.log1p(), [[(2,)]], fixed([-1.0, 0.0]),
        gradcheck=False)
    add("rsqrt_at_zero", lambda T, x: x.rsqrt(), [[(2,)]], fixed([0.0, 4.0]), gradcheck=False)

    # rounding (zero gradient almost everywhere)
    add("round", lambda T, x: x.round(), UNARY, "half_integers")
    add("round_fn", lambda T, x: T.round(x), UNARY[2:4], "half_integers")
    add("round_decimals", lambda T, x: x.round(decimals=1), UNARY[2:4], gradcheck=False)
    add("round_half_even", lambda T, x: x.round(), [[(4,)]], fixed([0.5, 1.5, 2.5, -0.5]),
        gradcheck=False)
    add("floor", lambda T, x: x.floor(), UNARY, "integers")
    add("floor_fn", lambda T, x: T.floor(x), UNARY[2:4], "integers")
    add("ceil", lambda T, x: x.ceil(), UNARY, "integers")
    add("ceil_fn", lambda T, x: T.ceil(x), UNARY[2:4], "integers")
    add("trunc", lambda T, x: x.trunc(), UNARY, "integers")
    add("trunc_fn", lambda T, x: T.trunc(x), UNARY[2:4], "integers")
    add("sign", lambda T, x: x.sign(), UNARY, "nonzero")
    add("sign_fn", lambda T, x: T.sign(x), UNARY[2:4], "nonzero")
    add("sign_at_zero", lambda T, x: x.sign(), [[(3,)]], fixed([-1.0, 0.0, 2.0]),
        gradcheck=False)
    add("floor_times_x", lambda T, x: x.floor() * x, UNARY[2:4], "integers")

    # prod (a multilinear polynomial: zeros are fine for finite differences)
    add("prod_all", lambda T, x: x.prod(), UNARY, "nonzero")
    add("prod_fn", lambda T, x: T.prod(x), UNARY[2:4], "nonzero")
    add("prod_dim", lambda T, x: x.prod(1), [[(2, 3)], [(2, 1, 3)]], "nonzero")
    add("prod_dim_neg_keepdim", lambda T, x: x.prod(-1, keepdim=True), [[(2, 3)], [(3,)]],
        "nonzero")
    add("prod_fn_dim0", lambda T, x: T.prod(x, 0), [[(2, 3)], [(3,)], [()]], "nonzero")
    add("prod_one_zero", lambda T, x: x.prod(), [[(4,)]], fixed([2.0, 0.0, -1.5, 3.0]))
    add("prod_two_zeros", lambda T, x: x.prod(), [[(4,)]], fixed([2.0, 0.0, -1.5, 0.0]))
    add("prod_dim_zeros", lambda T, x: x.prod(1), [[(3, 3)]],
        fixed([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, -1.0]]))

    # masked_fill (mask from the values, fixed and broadcast masks, 0-d tensor values)
    add("masked_fill", lambda T, x: x.masked_fill(x > 0, 0.5), UNARY, "nonzero")
    add("masked_fill_fn", lambda T, x: T.masked_fill(x, x < 0, -1.0), UNARY[2:4], "nonzero")
    add("masked_fill_broadcast_mask",
        lambda T, x: x.masked_fill(T.tensor([True, False, True]), 2.0), [[(2, 3)], [(3,)]])
    add("masked_fill_tensor_value",
        lambda T, x: x.masked_fill(T.tensor([[False], [True]]), T.tensor(-2.5)), [[(2, 3)]])
    add("masked_fill_value_requires_grad", lambda T, x, v: x.masked_fill(x > 0, v),
        [[(2, 3), ()], [(3,), ()]], "nonzero")

    # gather / index_select (repeated indices: gradients accumulate)
    add("gather_dim1", lambda T, x: x.gather(1, _gather_index(T, x.shape, 1)),
        [[(2, 3)], [(3, 4)], [(2, 3, 2)]])
    add("gather_dim0", lambda T, x: T.gather(x, 0, _gather_index(T, x.shape, 0)),
        [[(3, 2)], [(3,)]])
    add("gather_neg_dim", lambda T, x: x.gather(-1, T.tensor([[2, 2, 0, 1], [1, 1, 1, 1]])),
        [[(2, 3)]])
    add("gather_smaller_index", lambda T, x: x.gather(1, T.tensor([[0], [2]])), [[(3, 3)]])
    add("index_select_dim0", lambda T, x: x.index_select(0, T.tensor([2, 0, 2])),
        [[(3,)], [(4, 3)]])
    add("index_select_dim1", lambda T, x: T.index_select(x, 1, T.tensor([1, 1])),
        [[(2, 3)], [(2, 3, 2)]])
    add("index_select_neg_dim", lambda T, x: x.index_select(-1, T.tensor([0])), [[(2, 3)]])
    add("index_select_0d_index", lambda T, x: x.index_select(0, T.tensor(1)), [[(4, 3)]])

    # logsumexp
    add("logsumexp_dim", lambda T, x: x.logsumexp(1), [[(2, 3)], [(2, 1, 3)]])
    add("logsumexp_neg_keepdim", lambda T, x: x.logsumexp(-1, keepdim=True),
        [[(2, 3)], [(3,)]])
    add("logsumexp_fn_tuple", lambda T, x: T.logsumexp(x, dim=(0, 1)), [[(2, 3)], [(2, 3, 2)]])
    add("logsumexp_0d", lambda T, x: T.logsumexp(x, 0), [[()]])
    add("logsumexp_large", lambda T, x: (x * 500).logsumexp(0), [[(3,)]])

    # flip
    add("flip_dim0", lambda T, x: x.flip(0), UNARY[1:])
    add("flip_dims_tuple", lambda T, x: x.flip((0, 1)), [[(2, 3)], [(2, 1, 3)]])
    add("flip_neg", lambda T, x: x.flip(-1), [[(2, 3)], [(3,)]])
    add("flip_fn", lambda T, x: T.flip(x, [0, 2]), [[(2, 3, 2)]])
    add("flip_then_view", lambda T, x: x.flip(1).view(-1), [[(2, 3)]])

    # split / chunk: one piece, every piece (tuple), weighted sum of all pieces
    add("split_piece", lambda T, x: x.split(2)[1], [[(5,)], [(4, 3)], [(3, 2)]])
    add("split_sizes_piece", lambda T, x: x.split([1, 2], dim=1)[0], [[(2, 3)]])
    add("split_sizes_last", lambda T, x: T.split(x, [2, 1, 1])[-1], [[(4,)], [(4, 2)]])
    add("split_all_pieces", lambda T, x: T.split(x, 1, dim=-1), [[(2, 3)], [(3,)]])
    add("split_sum_pieces", lambda T, x: _weighted_pieces(x.split(2)), [[(5,)], [(4, 3)]])
    add("split_larger_than_dim", lambda T, x: x.split(5)[0], [[(3,)]])
    add("chunk_piece", lambda T, x: x.chunk(2)[0], [[(3,)], [(4, 3)], [(5, 2)]])
    add("chunk_last", lambda T, x: T.chunk(x, 2, -1)[-1], [[(2, 3)], [(2, 4)]])
    add("chunk_all_pieces", lambda T, x: x.chunk(3, dim=1), [[(2, 3)], [(2, 5)], [(2, 2)]])
    add("chunk_sum_pieces", lambda T, x: _weighted_pieces(x.chunk(3)), [[(5,)], [(6, 2)]])
    add("chunk_pieces_added", lambda T, x: sum(x.chunk(2)), [[(4,)], [(4, 3)]])

    # nn.functional activations
    add("softplus", lambda T, x: _f(T).softplus(x), UNARY)
    add("softplus_beta", lambda T, x: _f(T).softplus(x, beta=2.0), UNARY[2:4])
    add("softplus_threshold", lambda T, x: _f(T).softplus(x, beta=2, threshold=1.0),
        UNARY[2:4], "softplus_switch")
    add("softplus_large", lambda T, x: _f(T).softplus(x * 30), [[(4,)]])
    add("leaky_relu", lambda T, x: _f(T).leaky_relu(x), UNARY, "nonzero")
    add("leaky_relu_slope", lambda T, x: _f(T).leaky_relu(x, 0.2), UNARY[2:4], "nonzero")
    add("leaky_relu_slope_kw", lambda T, x: _f(T).leaky_relu(x, negative_slope=-0.5),
        UNARY[2:4], "nonzero")
    add("leaky_relu_at_zero", lambda T, x: _f(T).leaky_relu(x, 0.1), [[(3,)]],
        fixed([-1.0, 0.0, 1.0]), gradcheck=False)
    add("elu", lambda T, x: _f(T).elu(x), UNARY, "nonzero")
    add("elu_alpha", lambda T, x: _f(T).elu(x, alpha=0.5), UNARY[2:4], "nonzero")
    add("elu_alpha_positional", lambda T, x: _f(T).elu(x, 2.0), UNARY[2:4], "nonzero")
    add("elu_at_zero", lambda T, x: _f(T).elu(x), [[(3,)]], fixed([-1.0, 0.0, 1.0]),
        gradcheck=False)

    # tensor methods that mirror functions
    add("where_method_scalar", lambda T, x: x.where(x > 0, 0.0), u2, "nonzero")
    add("where_method_broadcast", lambda T, x, y: x.where(T.tensor([True, False, True]), y),
        [[(2, 3), ()], [(3,), (2, 1)]])
    add("softmax_method_dim0", lambda T, x: x.softmax(0), [[(3,)], [(2, 3)], [(2, 3, 4)]])
    add("softmax_method_kw", lambda T, x: x.softmax(dim=1), [[(2, 3)], [(2, 1, 3)]])
    add("log_softmax_method_dim0", lambda T, x: x.log_softmax(0), [[(3,)], [(2, 3)]])
    add("log_softmax_method_kw", lambda T, x: x.log_softmax(dim=-1), [[(2, 3, 4)], [(1, 1)]])


OPS: list[Op] = _table()
OPS_BY_NAME: dict[str, Op] = {op.name: op for op in OPS}


def cases(dtypes: Sequence[str] | None = None, where: Callable[[Op], bool] | None = None):
    """Every (op, shapes, dtype) case, optionally restricted."""
    out = []
    for op in OPS:
        if where is not None and not where(op):
            continue
        for shapes in op.shapes:
            for dtype in op.dtypes:
                if dtypes is None or dtype in dtypes:
                    out.append(Case(op, shapes, dtype))
    return out


# -- ops for random programs -------------------------------------------------------------
# Shape-generic versions of table entries (same names) for ``test_random_programs.py``:
#
# - ``applies(shape)``: whether the op takes an input of that shape;
# - ``params(shape, pick)``: the op's keyword parameters, chosen with ``pick(seq)`` (which
#   returns one element: hypothesis's draw in the fuzzer);
# - binary ops get a second operand of shape ``other_shape(shape, pick)``, drawn from
#   ``other_domain`` when it is a new leaf;
# - ``ok(values)``: the current values are in the op's domain (log of a negative...);
#   for binary ops ``ok(values, other_values)``;
# - ``grows``: the op makes tensors bigger (left out once tensors are large).


@dataclass(frozen=True, repr=False)
class ChainOp:
    name: str
    fn: Callable  # fn(T, x, *others, **params)
    arity: int = 1
    params: Callable = lambda shape, pick: {}
    other_shape: Callable | None = None
    other_domain: str = "real"
    ok: Callable = lambda *arrays: True
    applies: Callable = lambda shape: True
    grows: bool = False

    def __repr__(self):
        return f"ChainOp({self.name!r})"


def _broadcastable_partner(shape, pick):
    """A shape that broadcasts with ``shape``: the same, some dims set to 1, leading dims
    dropped, a new leading dim, or 0-d."""
    kind = pick(["same", "ones", "drop", "lead", "scalar"])
    if kind == "ones":
        return tuple(1 if pick([True, False]) else d for d in shape)
    if kind == "drop":
        return shape[pick(range(len(shape) + 1)):]
    if kind == "lead" and len(shape) < 4:
        return (2,) + shape
    if kind == "scalar":
        return ()
    return shape


def _pick_dim(shape, pick):
    return pick(range(-len(shape), len(shape))) if shape else pick([0, -1])


def _reduce_params(shape, pick):
    form = pick(["all", "dim", "keepdim", "tuple"])
    if form == "all":
        return {}
    d = _pick_dim(shape, pick)
    if form == "tuple" and len(shape) >= 2:
        other = pick([e for e in range(len(shape)) if e != d % len(shape)])
        return {"dim": (d, other), "keepdim": pick([True, False])}
    return {"dim": d, "keepdim": form == "keepdim"}


def _red(method):
    def fn(T, x, **p):
        return getattr(x, method)(**p) if p else getattr(x, method)()
    return fn


def _maxmin(method):
    def fn(T, x, **p):
        if "dim" not in p:
            return getattr(x, method)()
        return getattr(x, method)(p["dim"], keepdim=p["keepdim"])[0]
    return fn


def _maxmin_params(shape, pick):
    if pick([True, False]):
        return {}
    return {"dim": _pick_dim(shape, pick), "keepdim": pick([True, False])}


def _reshape_params(shape, pick):
    n = int(np.prod(shape, dtype=np.int64))
    choices = [(-1,), (n,), (1, n), (n, 1)]
    choices += [(d, -1) for d in range(2, n) if n % d == 0]
    return {"shape": pick(choices)}


def _permute_params(shape, pick):
    dims = list(range(len(shape)))
    return {"dims": tuple(pick([dims[1:] + dims[:1], dims[::-1], dims[-1:] + dims[:-1]]))}


def _transpose_params(shape, pick):
    return {"d0": _pick_dim(shape, pick), "d1": _pick_dim(shape, pick)}


def _squeeze_params(shape, pick):
    ones = [i for i, d in enumerate(shape) if d == 1]
    return {"dim": pick([None] + ones + [i - len(shape) for i in ones])}


def _getitem_params(shape, pick):
    """An index, as data: ("list", [...]) and ("mask", [...]) become tensors."""
    if not shape:
        return {"index": pick([(), None, Ellipsis])}
    n = shape[0]
    forms = [0, -1, slice(None, None, 2), slice(1, None), None, Ellipsis, (Ellipsis, 0),
             (None, Ellipsis), ("list", [0, n - 1, 0]),
             ("mask", [i % 2 == 0 for i in range(n)])]
    if len(shape) >= 2:
        forms += [(slice(None), 0), (0, slice(None, None, 2)), (slice(1, None), [0, 0]),
                  (("list", [n - 1]), slice(None), Ellipsis)]
    return {"index": pick(forms)}


def materialize_index(T, index):
    if isinstance(index, tuple) and len(index) == 2 and index[0] in ("list", "mask"):
        return T.tensor(index[1])
    if isinstance(index, tuple):
        return tuple(materialize_index(T, i) for i in index)
    return index


def _getitem(T, x, index):
    return x[materialize_index(T, index)]


def _matmul_partner(shape, pick):
    k = shape[-1]
    return pick([(k,), (k, 2), (1, k, 2)] if len(shape) < 4 else [(k,), (k, 2)])


def _nonempty(x, *_):
    return np.size(x) > 0


CHAIN_OPS: list[ChainOp] = [
    ChainOp("neg", lambda T, x: -x),
    ChainOp("abs", lambda T, x: x.abs()),
    ChainOp("exp", lambda T, x: x.exp(), ok=lambda x: np.all(np.abs(x) < 5)),
    ChainOp("log", lambda T, x: x.log(), ok=lambda x: np.all(x > 0.05)),
    ChainOp("sqrt", lambda T, x: x.sqrt(), ok=lambda x: np.all(x > 0.05)),
    ChainOp("sin", lambda T, x: x.sin()),
    ChainOp("cos_fn", lambda T, x: T.cos(x)),
    ChainOp("tanh", lambda T, x: x.tanh()),
    ChainOp("sigmoid_fn", lambda T, x: T.sigmoid(x)),
    ChainOp("relu", lambda T, x: x.relu()),
    ChainOp("clamp_scalar", lambda T, x: x.clamp(-0.5, 0.5)),
    ChainOp("clamp_min_only", lambda T, x: x.clamp(min=-0.25)),
    ChainOp("clamp_max_only", lambda T, x: x.clamp(max=0.25)),
    ChainOp("add_scalar", lambda T, x: x + 1.5),
    ChainOp("rsub_scalar", lambda T, x: 2 - x),
    ChainOp("mul_scalar", lambda T, x: x * -0.5),
    ChainOp("div_scalar", lambda T, x: x / 3),
    ChainOp("rdiv_scalar", lambda T, x: 1 / x, ok=lambda x: np.all(np.abs(x) > 0.2)),
    ChainOp("pow_scalar2", lambda T, x: x ** 2, ok=lambda x: np.all(np.abs(x) < 30)),
    ChainOp("pow_scalar_half", lambda T, x: x ** 0.5, ok=lambda x: np.all(x > 0.05)),
    ChainOp("rpow_float", lambda T, x: 2.5 ** x, ok=lambda x: np.all(np.abs(x) < 10)),
    ChainOp("sum", _red("sum"), params=_reduce_params),
    ChainOp("mean", _red("mean"), params=_reduce_params, ok=_nonempty),
    ChainOp("max", _maxmin("max"), params=_maxmin_params, ok=_nonempty),
    ChainOp("min", _maxmin("min"), params=_maxmin_params, ok=_nonempty),
    ChainOp("norm", lambda T, x: x.norm(), ok=lambda x: np.any(x != 0)),
    ChainOp("t", lambda T, x: x.t(), applies=lambda s: len(s) <= 2),
    ChainOp("transpose", lambda T, x, d0, d1: x.transpose(d0, d1), params=_transpose_params,
            applies=lambda s: len(s) >= 2),
    ChainOp("permute", lambda T, x, dims: x.permute(*dims), params=_permute_params,
            applies=lambda s: len(s) >= 2),
    ChainOp("reshape", lambda T, x, shape: x.reshape(shape), params=_reshape_params),
    ChainOp("view", lambda T, x, shape: x.contiguous().view(shape), params=_reshape_params),
    ChainOp("flatten", lambda T, x: x.flatten()),
    ChainOp("squeeze", lambda T, x, dim: x.squeeze() if dim is None else x.squeeze(dim),
            params=_squeeze_params),
    ChainOp("unsqueeze", lambda T, x, dim: x.unsqueeze(dim),
            params=lambda s, pick: {"dim": pick(range(-len(s) - 1, len(s) + 1))}, grows=True),
    ChainOp("expand", lambda T, x: x.expand(2, *x.shape), grows=True),
    ChainOp("getitem", _getitem, params=_getitem_params),
    ChainOp("clone", lambda T, x: x.clone()),
    ChainOp("contiguous", lambda T, x: x.contiguous()),
    ChainOp("softmax", lambda T, x, dim: T.nn.functional.softmax(x, dim),
            params=lambda s, pick: {"dim": _pick_dim(s, pick)}),
    ChainOp("log_softmax", lambda T, x, dim: T.nn.functional.log_softmax(x, dim),
            params=lambda s, pick: {"dim": _pick_dim(s, pick)}),
    ChainOp("add", lambda T, x, y: x + y, 2, other_shape=_broadcastable_partner),
    ChainOp("rsub_tensor", lambda T, x, y: y - x, 2, other_shape=_broadcastable_partner),
    ChainOp("mul", lambda T, x, y: x * y, 2, other_shape=_broadcastable_partner),
    ChainOp("div", lambda T, x, y: x / y, 2, other_shape=_broadcastable_partner,
            other_domain="nonzero", ok=lambda x, y: np.all(np.abs(y) > 0.2)),
    ChainOp("maximum", lambda T, x, y: T.maximum(x, y), 2, other_shape=_broadcastable_partner),
    ChainOp("minimum", lambda T, x, y: T.minimum(y, x), 2, other_shape=_broadcastable_partner),
    ChainOp("where", lambda T, x, y: T.where(x > 0, x, y), 2, other_shape=_broadcastable_partner),
    ChainOp("matmul", lambda T, x, y: x @ y, 2, other_shape=_matmul_partner,
            applies=lambda s: len(s) >= 1, grows=True),
    ChainOp("cat", lambda T, x, y: T.cat([x, y], 0), 2, other_shape=lambda s, pick: s,
            applies=lambda s: len(s) >= 1, grows=True),
    ChainOp("stack", lambda T, x, y: T.stack([y, x], -1), 2, other_shape=lambda s, pick: s,
            grows=True),
    ChainOp("mse_loss", lambda T, x, y: T.nn.functional.mse_loss(x, y), 2,
            other_shape=lambda s, pick: s),
]


def _off_kinks(*kinks, gap=1e-3):
    """Values clear of the jumps of a step function (both engines must round alike)."""
    def ok(x):
        return all(bool(np.all(np.abs(np.asarray(x) - k) > gap)) for k in kinks)
    return ok


def _off_integers(x, gap=1e-3):
    x = np.asarray(x)
    return bool(np.all(np.isfinite(x)) and np.all(np.abs(x - np.round(x)) > gap))


def _off_half_integers(x, gap=1e-3):
    return _off_integers(np.asarray(x) + 0.5, gap)


def _var_params(shape, pick):
    form = pick(["all", "dim", "correction", "unbiased"])
    if form == "all" or not shape:
        return {}
    p = {"dim": _pick_dim(shape, pick), "keepdim": pick([True, False])}
    if form == "correction":
        p["correction"] = pick([0, 1, 2])
    if form == "unbiased":
        p["unbiased"] = pick([True, False])
    return p


def _var_ok(x, **_):
    return np.size(x) >= 2


def _dim_params(shape, pick):
    return {"dim": _pick_dim(shape, pick)}


def _amax_params(shape, pick):
    form = pick(["all", "dim", "keepdim"])
    if form == "all" or not shape:
        return {}
    return {"dim": _pick_dim(shape, pick), "keepdim": form == "keepdim"}


def _amaxmin(method):
    def fn(T, x, **p):
        return getattr(x, method)(**p)
    return fn


def _sort_params(shape, pick):
    return {"dim": _pick_dim(shape, pick), "descending": pick([True, False])}


def _repeat_params(shape, pick):
    reps = tuple(pick([1, 2]) for _ in shape)
    return {"repeats": pick([reps, (2,) + reps]) if reps else (pick([1, 2, 3]),)}


def _flip_params(shape, pick):
    if not shape:
        return {"dims": (pick([0, -1]),)}
    first = _pick_dim(shape, pick)
    return {"dims": pick([(first,), tuple(range(len(shape)))])}


def _split_params(shape, pick):
    if not shape:
        return {"size": 1, "dim": 0, "piece": 0}
    dim = _pick_dim(shape, pick)
    n = shape[dim]
    size = pick(range(1, n + 1))
    return {"size": size, "dim": dim, "piece": pick(range(-((n + size - 1) // size), 0))}


def _index_select_params(shape, pick):
    if not shape:
        return {"dim": 0, "index": [0]}
    dim = _pick_dim(shape, pick)
    n = shape[dim]
    return {"dim": dim, "index": [pick(range(n)) for _ in range(pick([1, 2, 3]))]}


def _gather_params(shape, pick):
    if not shape:
        return {"dim": 0, "index": 0}
    dim = _pick_dim(shape, pick)
    out = tuple(pick(range(1, d + 1)) if i != dim % len(shape) else pick([1, 2, 3])
                for i, d in enumerate(shape))
    values = [pick(range(shape[dim])) for _ in range(int(np.prod(out)))]
    return {"dim": dim, "index": np.array(values).reshape(out).tolist()}


def _masked_fill_params(shape, pick):
    return {"value": pick([0.0, -1.5, 2.0])}


CHAIN_OPS += [
    ChainOp("log1p", lambda T, x: x.log1p(), ok=lambda x: np.all(x > -0.95)),
    ChainOp("expm1_fn", lambda T, x: T.expm1(x), ok=lambda x: np.all(np.abs(x) < 5)),
    ChainOp("log2", lambda T, x: x.log2(), ok=lambda x: np.all(x > 0.05)),
    ChainOp("log10_fn", lambda T, x: T.log10(x), ok=lambda x: np.all(x > 0.05)),
    ChainOp("tan", lambda T, x: x.tan(), ok=lambda x: np.all(np.abs(x) < 1.2)),
    ChainOp("atan_fn", lambda T, x: T.atan(x)),
    ChainOp("rsqrt", lambda T, x: x.rsqrt(), ok=lambda x: np.all(x > 0.05)),
    ChainOp("round", lambda T, x: x.round(), ok=_off_half_integers),
    ChainOp("floor", lambda T, x: x.floor(), ok=_off_integers),
    ChainOp("ceil_fn", lambda T, x: T.ceil(x), ok=_off_integers),
    ChainOp("trunc", lambda T, x: x.trunc(), ok=_off_integers),
    ChainOp("sign", lambda T, x: x.sign(), ok=_off_kinks(0.0)),
    ChainOp("softplus", lambda T, x: T.nn.functional.softplus(x)),
    ChainOp("leaky_relu", lambda T, x: T.nn.functional.leaky_relu(x, 0.1), ok=_off_kinks(0.0)),
    ChainOp("elu", lambda T, x: T.nn.functional.elu(x), ok=_off_kinks(0.0)),
    ChainOp("var", lambda T, x, **p: x.var(**p), params=_var_params, ok=_var_ok),
    ChainOp("std", lambda T, x, **p: x.std(**p), params=_var_params,
            ok=lambda x: np.size(x) >= 2 and np.ptp(x) > 1e-3),
    ChainOp("cumsum", lambda T, x, dim: x.cumsum(dim), params=_dim_params),
    ChainOp("amax", _amaxmin("amax"), params=_amax_params, ok=_nonempty),
    ChainOp("amin_fn", lambda T, x, **p: T.amin(x, **p), params=_amax_params, ok=_nonempty),
    ChainOp("sort", lambda T, x, dim, descending: x.sort(dim, descending=descending).values,
            params=_sort_params, ok=lambda x: np.unique(x).size == np.size(x)),
    ChainOp("prod", lambda T, x, **p: x.prod(**p), params=_maxmin_params,
            ok=lambda x: np.all(np.abs(x) < 3)),
    ChainOp("logsumexp", lambda T, x, dim: x.logsumexp(dim), params=_dim_params),
    ChainOp("flip", lambda T, x, dims: x.flip(dims), params=_flip_params),
    ChainOp("repeat", lambda T, x, repeats: x.repeat(*repeats), params=_repeat_params,
            grows=True),
    ChainOp("split_piece", lambda T, x, size, dim, piece: x.split(size, dim)[piece],
            params=_split_params),
    ChainOp("chunk_piece", lambda T, x, size, dim, piece: x.chunk(size, dim)[piece],
            params=_split_params),
    ChainOp("index_select", lambda T, x, dim, index: x.index_select(dim, T.tensor(index)),
            params=_index_select_params, applies=lambda s: len(s) >= 1),
    ChainOp("gather", lambda T, x, dim, index: x.gather(dim, T.tensor(index)),
            params=_gather_params, applies=lambda s: len(s) >= 1),
    ChainOp("masked_fill", lambda T, x, value: x.masked_fill(x > 0, value),
            params=_masked_fill_params),
    ChainOp("softmax_method", lambda T, x, dim: x.softmax(dim), params=_dim_params),
    ChainOp("log_softmax_method", lambda T, x, dim: x.log_softmax(dim=dim), params=_dim_params),
    ChainOp("where_method", lambda T, x, y: x.where(y > 0, y), 2,
            other_shape=_broadcastable_partner),
    ChainOp("masked_fill_tensor_value",
            lambda T, x, y: x.masked_fill(x < 0, y.sum()), 2,
            other_shape=lambda s, pick: pick([(), (1,)])),
]


# -- harness shared by the test modules ------------------------------------------------------

TOLERANCES = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


def as_outputs(out) -> list:
    """An op result as a list of tensors (a namedtuple such as (values, indices) unpacked)."""
    return list(out) if isinstance(out, tuple) else [out]


def to_numpy(t) -> np.ndarray:
    return np.array(t.detach().numpy(), copy=True)


def dtype_name(t) -> str:
    return str(t.dtype).replace("torch.", "")


def graph_names(t):
    """The graph behind ``t`` as nested tuples: (name, ((child, output_nr), ...)).

    ``None`` where an input needs no gradient; a leaf's AccumulateGrad has no children."""

    def walk(node):
        if node is None:
            return None
        return (node.name(), tuple((walk(n), nr) for n, nr in node.next_functions))

    return walk(t.grad_fn)


def differentiable(outputs) -> list:
    return [o for o in outputs if o.requires_grad and o.dtype.is_floating_point]


def upstream(outputs, seed) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, tuple(o.shape)).astype(dtype_name(o)) for o in outputs]


def assert_close(actual, expected, dtype, what="", **tol):
    """Values (NaN where NaN), shape and dtype of two numpy arrays."""
    tol = tol or TOLERANCES.get(dtype, dict(rtol=0, atol=0))
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    np.testing.assert_allclose(actual, expected, equal_nan=True, err_msg=what, **tol)
