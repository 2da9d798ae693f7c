"""autograd_edu: PyTorch's autograd, reimplemented on numpy to be read and taught.

``import autograd_edu as torch`` runs tutorial code unchanged and prints what
PyTorch 2.13 prints. Where to read what:

- ``_tensor.py``      the Tensor (values, version counter, grad, hooks)
- ``autograd/graph.py``   nodes (``grad_fn``), edges, saved tensors, AccumulateGrad
- ``autograd/engine.py``  backward as a generator of steps
- ``ops/*.py``        every operation beside its derivative
- ``_printing.py``    PyTorch's tensor formatter
- ``_random.py``      PyTorch's CPU random generator (same numbers after manual_seed)
"""

from . import (  # noqa: E402,I001
    _dtypes,
    autograd,
    nn,
    ops,  # noqa: E402,I001 - attaches the operations to Tensor
    optim,
    return_types,
)
from ._dtypes import (
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ._printing import get_printoptions, set_printoptions
from ._tensor import Size, Tensor, is_tensor
from .nn.functional import log_softmax, softmax
from .ops.arithmetic import add, div, mul, neg, pow, reciprocal, rsub, square, sub
from .ops.copying import clone
from .ops.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from .ops.indexing import gather, index_select
from .ops.linalg import addmm, bmm, dot, matmul, mm, mv, outer
from .ops.pointwise import (
    abs,
    allclose,
    atan,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    cos,
    eq,
    equal,
    exp,
    expm1,
    floor,
    floor_divide,
    fmod,
    ge,
    gt,
    isnan,
    le,
    log,
    log1p,
    log2,
    log10,
    logical_not,
    lt,
    masked_fill,
    maximum,
    minimum,
    ne,
    relu,
    remainder,
    round,
    rsqrt,
    sgn,
    sigmoid,
    sign,
    signbit,
    sin,
    sqrt,
    tan,
    tanh,
    trunc,
    where,
)
from .ops.reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    sort,
    std,
    sum,
    var,
)
from .ops.shape import (
    cat,
    chunk,
    flatten,
    flip,
    narrow,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unsqueeze,
)

globals().update({name: fn for name, fn in ops.PUBLIC.items() if name in globals()})
softmax, log_softmax = ops.public(softmax, "softmax"), ops.public(log_softmax, "log_softmax")

float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
globals()["bool"] = _dtypes.bool_
concat = concatenate = cat
multiply, subtract, divide, true_divide = mul, sub, div, div
clip, absolute = clamp, abs
ger = outer


from ._random import Generator, default_generator  # noqa: E402


def get_rng_state():
    """The default generator's state as a uint8 tensor (PyTorch's 5056-byte layout)."""
    from . import _random
    return Tensor._make(_random.get_rng_state(), uint8)


def set_rng_state(new_state):
    from . import _random
    _random.set_rng_state(new_state._data if isinstance(new_state, Tensor) else new_state)


def numel(input):  # noqa: A002
    return input.numel()


def result_type(a, b):
    return _dtypes.result_type(a, b)


def is_floating_point(input):  # noqa: A002
    return input.is_floating_point()


__version__ = "0.1.0"
