"""Tensor printing: a port of PyTorch's ``torch/_tensor_str.py`` (torch 2.13) to numpy.

``repr(t)`` of an autograd_edu tensor must be character-for-character what PyTorch
prints, so this module follows ``_tensor_str.py`` function by function, keeping its
names and its quirks (they are visible in the output, so they are part of the contract):

* ``PRINT_OPTS``, ``set_printoptions``, ``get_printoptions``, ``printoptions``
  -- the global print options and their profiles;
* ``_Formatter`` -- picks integer / fixed / scientific notation and a column width
  for a whole tensor at once;
* ``_scalar_str``, ``_vector_str``, ``_tensor_str_with_formatter``, ``_tensor_str``
  -- lay out 0-d, 1-d and n-d data (line wrapping, ``...`` summaries, blank lines
  between blocks of dimension >= 3);
* ``get_summarized_data`` -- the values the formatter looks at when summarising;
* ``_add_suffixes`` -- appends ``dtype=...``, ``grad_fn=<...>``, ... with PyTorch's
  line-breaking rule;
* ``tensor_repr`` -- the public entry point, playing the part of ``_str_intern``.

Numbers are turned into text with Python's own ``format`` on Python ``float``/``int``/
``bool`` values, as PyTorch does (``Tensor.item()``/``tolist()`` then ``str.format``).
A float32 value therefore prints as its exact float64 widening, e.g. float32 ``0.1`` is
``0.10000000149...``, which matters at high precision.

Left out, because autograd_edu has no such tensors: complex numbers (``formatter2``),
sparse / compressed / quantized / nested / meta / fake / functorch / functional tensors,
devices other than the CPU, the float8 / float4 / bfloat16 dtypes, named tensors,
forward-mode AD tangents, and ``Parameter(...)`` wrapping. This module never imports torch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]

# dtype_name -> numpy dtype. torch prints each as ``torch.<name>``.
_NUMPY_DTYPES: dict[str, np.dtype] = {
    name: np.dtype(name)
    for name in (
        "float16", "float32", "float64",
        "int8", "int16", "int32", "int64", "uint8",
        "bool",
    )
}  # fmt: skip
_FLOATING_DTYPES = frozenset({"float16", "float32", "float64"})


# --------------------------------------------------------------------------- options


@dataclasses.dataclass
class _PrinterOptions:
    """Mirrors ``__PrinterOptions``: the global options every print reads."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
) -> None:
    """Mirrors ``torch.set_printoptions``.

    ``profile`` ("default", "short", "full") is applied first, then the explicit
    arguments. As in torch, ``sci_mode`` is always assigned, so any call that does not
    pass it resets it to ``None`` (automatic choice).
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Mirrors ``torch._tensor_str.get_printoptions``: a dict usable as
    ``set_printoptions(**options)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Mirrors ``torch._tensor_str.printoptions``: temporarily change the options."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


# ------------------------------------------------------------------------- formatter


class _Formatter:
    """Mirrors ``_Formatter``: one number style and one column width per tensor.

    For floating tensors only the nonzero finite values are inspected:

    * ``int_mode``: every such value is a whole number -> print ``3.`` (a trailing dot
      marks the tensor as floating);
    * ``sci_mode``: unless forced by ``PRINT_OPTS.sci_mode``, use ``1.0000e+09`` style
      when max/min > 1000, max > 1e8 or min < 1e-4 (magnitudes, computed in float64);
    * otherwise fixed point with ``PRINT_OPTS.precision`` decimals.

    ``max_width`` (at least 1) is the widest of those values; every element is
    right-aligned to it. nan, inf and zeros do not count towards the width, so e.g.
    ``tensor([1., nan])`` keeps the torch quirk of an unpadded ``nan``.
    """

    def __init__(self, values: np.ndarray):
        self.floating_dtype = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = values.reshape(-1)

        if not self.floating_dtype:
            # bool and integer tensors: width of the plain str() of each value.
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        nonzero_finite_vals = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite_vals.size == 0:
            # no valid number, keep the defaults
            return

        # torch converts to double before the min/max tests (float16 would overflow).
        nonzero_finite_abs = np.abs(nonzero_finite_vals).astype(np.float64)
        nonzero_finite_min = float(nonzero_finite_abs.min())
        nonzero_finite_max = float(nonzero_finite_abs.max())

        self.int_mode = bool(np.all(nonzero_finite_vals == np.ceil(nonzero_finite_vals)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = (
                nonzero_finite_max / nonzero_finite_min > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        for value in nonzero_finite_vals.tolist():  # Python floats (exact widening)
            if self.sci_mode:
                value_str = f"{value:.{precision}e}"
            elif self.int_mode:
                # +1 for the trailing "." that marks a floating tensor
                value_str = f"{value:.0f}" + "."
            else:
                value_str = f"{value:.{precision}f}"
            self.max_width = max(self.max_width, len(value_str))

    def width(self) -> int:
        return self.max_width

    def format(self, value: float | int | bool) -> str:
        """Format one Python scalar, right-aligned to ``max_width``."""
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


# ---------------------------------------------------------------------------- layout


def _scalar_str(values: np.ndarray, formatter: _Formatter) -> str:
    """Mirrors ``_scalar_str`` (real case): a 0-d tensor is just its formatted value."""
    return formatter.format(values.item())


def _vector_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """Mirrors ``_vector_str``: one row, wrapped to ``linewidth``.

    Each element takes ``width + 2`` columns (", "); at least one element per line.
    Continuation lines are indented to just after the opening ``[``.
    """
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and not edgeitems:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edgeitems:
        data = (
            [formatter.format(val) for val in values[:edgeitems].tolist()]
            + [" ..."]
            + [formatter.format(val) for val in values[-edgeitems:].tolist()]
        )
    else:
        data = [formatter.format(val) for val in values.tolist()]

    data_lines = [data[i : i + elements_per_line] for i in range(0, len(data), elements_per_line)]
    lines = [", ".join(line) for line in data_lines]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    """Mirrors ``_tensor_str_with_formatter``: recurse over the first dimension.

    Sub-tensors are separated by ``","``, then ``dim - 1`` newlines (so a 3-d tensor gets
    one blank line between its matrices), then indentation to the nesting depth.
    When summarising, only the first and last ``edgeitems`` sub-tensors are shown.
    """
    dim = values.ndim

    if dim == 0:
        return _scalar_str(values, formatter)

    if dim == 1:
        return _vector_str(values, indent, summarize, formatter)

    edgeitems = PRINT_OPTS.edgeitems
    size = values.shape[0]
    if summarize and size > 2 * edgeitems:
        slices = (
            [
                _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
                for i in range(edgeitems)
            ]
            + ["..."]
            + [
                _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
                for i in range(size - edgeitems, size)
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
            for i in range(size)
        ]

    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def _tensor_str(values: np.ndarray, indent: int) -> str:
    """Mirrors ``_tensor_str``: decide on summarising, build the formatter, lay out.

    When there are more than ``threshold`` elements, the formatter sees only the
    values that will actually be printed (``get_summarized_data``).
    """
    if values.size == 0:
        return "[]"

    summarize = values.size > PRINT_OPTS.threshold
    formatter = _Formatter(get_summarized_data(values) if summarize else values)
    return _tensor_str_with_formatter(values, indent, summarize, formatter)


def get_summarized_data(values: np.ndarray) -> np.ndarray:
    """Mirrors ``get_summarized_data``: keep the first/last ``edgeitems`` along each dim.

    Quirk kept from torch: with ``edgeitems == 0`` a 1-d tensor keeps *all* its values
    (``x[-0:]`` is the whole tensor), while an n-d tensor keeps none.
    """
    dim = values.ndim
    edgeitems = PRINT_OPTS.edgeitems
    if dim == 0:
        return values
    if dim == 1:
        if values.shape[0] > 2 * edgeitems:
            return np.concatenate((values[:edgeitems], values[-edgeitems:]))
        return values
    if not edgeitems:
        return np.empty([0] * dim, dtype=values.dtype)
    if values.shape[0] > 2 * edgeitems:
        size = values.shape[0]
        rows = list(range(edgeitems)) + list(range(size - edgeitems, size))
        return np.stack([get_summarized_data(values[i]) for i in rows])
    return np.stack([get_summarized_data(x) for x in values])


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, force_newline: bool) -> str:
    """Mirrors ``_add_suffixes``: append ``, suffix`` items and the closing ``)``.

    A suffix goes on a new line, indented by ``len("tensor(")``, when it would make the
    current last line longer than ``linewidth``. The length estimate is torch's own,
    including its off-by-two when the text has no newline yet.
    """
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


# ------------------------------------------------------------------------ public API


def tensor_repr(
    values: np.ndarray,
    dtype_name: str,
    *,
    grad_fn_name: str | None = None,
    requires_grad: bool = False,
    default_float_dtype: str = "float32",
) -> str:
    """The exact text of ``repr(t)`` / ``str(t)`` for a CPU torch tensor with these values.

    Mirrors the dense-tensor path of ``_str_intern``.

    Args:
        values: the data; converted with ``astype`` if its numpy dtype is not
            ``dtype_name`` (float64 -> float32 rounds exactly as ``Tensor.float()`` does).
        dtype_name: "float32", "float64", "int64", "bool", or "float16", "int32",
            "int16", "int8", "uint8".
        grad_fn_name: e.g. "MulBackward0"; shown as ``grad_fn=<MulBackward0>``.
        requires_grad: shown as ``requires_grad=True`` when there is no grad_fn.
        default_float_dtype: what ``torch.get_default_dtype()`` would be.

    Suffix rules (in this order): ``size=`` for empty tensors that are not 1-d, and for
    every tensor when ``edgeitems == 0``; ``dtype=`` when the dtype is not a default one
    (default float dtype, int64, bool) -- but for an empty tensor whenever it is not the
    default float dtype, since there are no values to hint at it; then the autograd part.
    """
    if dtype_name not in _NUMPY_DTYPES:
        raise ValueError(
            f"unsupported dtype_name {dtype_name!r}; expected one of {sorted(_NUMPY_DTYPES)}"
        )
    if default_float_dtype not in _FLOATING_DTYPES:
        raise ValueError(f"default_float_dtype must be floating, got {default_float_dtype!r}")
    values = np.asarray(values)
    if values.dtype != _NUMPY_DTYPES[dtype_name]:
        values = values.astype(_NUMPY_DTYPES[dtype_name])

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dtype_str = f"dtype=torch.{dtype_name}"

    if values.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behaviour.
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype_name != default_float_dtype:
            suffixes.append(dtype_str)
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype_name not in (default_float_dtype, "int64", "bool"):
            suffixes.append(dtype_str)
        tensor_str = _tensor_str(values, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
