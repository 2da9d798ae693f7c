"""Matrix products: mm, mv, dot, bmm, and matmul/@ composed from them exactly
as PyTorch composes it (so ``x @ w`` records the same nodes)."""

import numpy as np

from .. import _messages as msg
from .._ieee import silent
from .._tensor import Tensor
from ..autograd.graph import Node
from ._common import (
    CPP_TYPE_NAMES,
    connect_stale_views,
    gives_edge,
    needs_recording,
    new_tensor,
    not_implemented_for,
    promote,
    record,
    require_tensor,
    values,
)


@silent  # inf and nan in products without a word, as in PyTorch
def _product(a, b, start=None):
    """(start +) a @ b. For the small matrices lessons use, PyTorch's CPU kernel
    adds the k products one after another (starting from the bias in addmm),
    which rounds differently from numpy's BLAS; doing the same gives PyTorch's
    last bits. Larger products go to numpy's matmul (PyTorch's BLAS then also
    blocks the sums its own way, so those can differ in the last bit)."""
    m, n, k = a.shape[-2], (b.shape[-1] if b.ndim > 1 else 1), a.shape[-1]
    if k == 1 and m > 1 and n > 1 and start is None and a.ndim == b.ndim == 2:
        return a * b  # measured: mm's kernel writes the products themselves (a -0 stays)
    # measured on PyTorch 2.13 (x86, MKL): these shapes are summed one product at a time;
    # a column-major mat2 (nn.Linear's weight.t()) goes through another kernel
    column_major = b.ndim == 2 and b.strides[0] == b.itemsize and b.shape[0] > 1 and n > 1
    a_column_major = a.ndim == 2 and a.strides[0] == a.itemsize and m > 1
    if column_major:
        small = k <= 3 or (k <= 5 and n <= 3)
    elif n == 1 and a_column_major:  # gemv on a column-major matrix: columns added in order
        small = True
    else:
        small = m == 1 or (n == 1 and k <= 8) or 1 < n <= 8
    if not small or m * k > 65536:
        out = np.matmul(a, b)
        return out if start is None else start + out
    column = b.ndim == 1
    b2 = b[:, None] if column else b
    out_shape = a.shape[:-1] + b2.shape[-1:]
    # a matrix-vector product (n = 1) and the column-major kernel add the bias last
    bias_last = start is not None and (n == 1 and m > 1 or column_major)
    out = np.zeros(out_shape, a.dtype) if start is None or bias_last else \
        np.array(np.broadcast_to(start, out_shape), a.dtype)
    for i in range(a.shape[-1]):
        out = out + a[..., i:i + 1] * b2[..., i:i + 1, :]
    out = out + start if bias_last else out
    return out[..., 0] if column else out


def _operands(a, b):
    """Numbers become tensors; dtypes are checked by :func:`_same_dtype`."""
    (a, b), dtype = promote(a, b, elementwise=False)
    return a, b, dtype


def _same_dtype(a, b, op="mm"):
    """Matrix products need one dtype (PyTorch does not promote them). Each op checks
    at its own moment: ``dot`` first, the others after their shape checks."""
    if a._dtype is not b._dtype:
        raise RuntimeError(msg.PRODUCT_DTYPES[op].format(
            a=a._dtype.c_name, b=b._dtype.c_name, a_c=CPP_TYPE_NAMES[a._dtype.name],
            b_c=CPP_TYPE_NAMES[b._dtype.name]))


def _save_for_other(first, second):
    """The saved operands of a product (name, tensor) x 2: each one only when the other
    gets a gradient, since only the other's gradient uses it (PyTorch saves what a needed
    derivative uses; ``grad_fn._saved_<name>`` is None otherwise)."""
    (name_a, a), (name_b, b) = first, second
    return {name_a: a if gives_edge(b) else None, name_b: b if gives_edge(a) else None}


def _strides(t):
    """Strides in elements, as PyTorch reports them."""
    return tuple(s // t._data.itemsize for s in t._data.strides)


def _column_major(strides, sizes):
    return strides[0] == 1 and strides[1] == sizes[0]


class MmBackward0(Node):
    """out = self @ mat2;  grad_self = grad @ mat2ᵀ,  grad_mat2 = selfᵀ @ grad
    (for an input stored column-major, PyTorch computes the transposed product
    and transposes it, so the gradient has the input's layout)"""

    def apply(self, grad):
        grad_self = grad_mat2 = None
        if self.needs_input_grad(1):  # first: "mat2" < "self" (see MulBackward0)
            grad_mat2 = _mat2_grad(grad, self.saved("self"), self.saved("mat2_sym_strides"),
                                   self.saved("mat2_sym_sizes"))
        if self.needs_input_grad(0):
            grad_self = _mat1_grad(grad, self.saved("mat2"), self.saved("self_sym_strides"),
                                   self.saved("self_sym_sizes"))
        return grad_self, grad_mat2


def _mat1_grad(grad, mat2, mat1_strides, mat1_sizes):
    """PyTorch's mm_mat1_backward: grad @ mat2ᵀ, computed transposed for a
    column-major mat1 so the gradient has its layout."""
    if _column_major(mat1_strides, mat1_sizes):
        return mat2.mm(grad.t()).t()
    return grad.mm(mat2.t())


def _mat2_grad(grad, mat1, mat2_strides, mat2_sizes):
    """PyTorch's mm_mat2_backward: mat1ᵀ @ grad (transposed for a column-major mat2)."""
    if _column_major(mat2_strides, mat2_sizes):
        return grad.t().mm(mat1).t()
    return mat1.t().mm(grad)


def _check_mm_shapes(a, b):
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(msg.MM_SHAPES.format(a0=a._data.shape[0], a1=a._data.shape[1],
                                                b0=b._data.shape[0], b1=b._data.shape[1]))


def _refuse_bool(dtype, kernel):
    if dtype.name == "bool":
        raise not_implemented_for(kernel, dtype)


def mm(self, mat2):
    require_tensor(self)
    require_tensor(mat2)
    a, b, dtype = _operands(self, mat2)
    if a._data.ndim != 2 or b._data.ndim != 2:
        raise RuntimeError("self must be a matrix" if a._data.ndim != 2 else
                           "mat2 must be a matrix")
    _check_mm_shapes(a, b)
    _same_dtype(a, b)
    _refuse_bool(dtype, "addmm_impl_cpu_")
    out = new_tensor(_product(values(a, dtype), values(b, dtype)), dtype)
    return record(MmBackward0, out, (a, b), {**_save_for_other(("self", a), ("mat2", b)),
                                            "self_sym_sizes": a._data.shape,
                                            "mat2_sym_sizes": b._data.shape,
                                            "self_sym_strides": _strides(a),
                                            "mat2_sym_strides": _strides(b)})


class MvBackward0(Node):
    """out = self @ vec;  grad_self = outer(grad, vec),  grad_vec = selfᵀ @ grad"""

    def apply(self, grad):
        return (outer(grad, self.saved("vec")) if self.needs_input_grad(0) else None,
                self.saved("self").t().mv(grad) if self.needs_input_grad(1) else None)


def mv(self, vec):
    """PyTorch's mv: an empty result of self.size(0) given to addmv, which checks the
    dims (result, mat, vec), then the sizes, then the dtypes."""
    require_tensor(self)
    require_tensor(vec)
    a, b, dtype = _operands(self, vec)
    if not a._data.ndim:
        raise IndexError(msg.NO_DIMS.format(dim=0))
    if a._data.ndim != 2 or b._data.ndim != 1:
        raise RuntimeError(msg.MV_DIMS.format(mat=a._data.ndim, vec=b._data.ndim))
    if a._data.shape[1] != b._data.shape[0]:
        raise RuntimeError(msg.MV_SIZES.format(n=a._data.shape[0], r=a._data.shape[0],
                                               c=a._data.shape[1], m=b._data.shape[0]))
    _same_dtype(a, b, "mv")
    _refuse_bool(dtype, "addmv_impl_cpu")
    out = new_tensor(_product(values(a, dtype), values(b, dtype)), dtype)
    return record(MvBackward0, out, (a, b), _save_for_other(("self", a), ("vec", b)))


class DotBackward0(Node):
    """out = Σ self·tensor;  grad_self = grad * tensor,  grad_tensor = grad * self"""

    def apply(self, grad):
        return (grad * self.saved("tensor") if self.needs_input_grad(0) else None,
                grad * self.saved("self") if self.needs_input_grad(1) else None)


def dot(self, tensor):
    require_tensor(self)
    require_tensor(tensor)
    a, b, dtype = _operands(self, tensor)
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and "
                           f"{b._data.ndim}D tensors")
    _same_dtype(a, b, "dot")
    _refuse_bool(dtype, "dot")
    if a._data.shape != b._data.shape:
        raise RuntimeError(msg.DOT_SIZES.format(n=a._data.shape[0], m=b._data.shape[0]))
    # + 0.0: PyTorch's dot adds the products to a +0 (numpy's dot of one -0 product is -0)
    with np.errstate(all="ignore"):
        out = new_tensor(np.dot(values(a, dtype), values(b, dtype)) + 0.0, dtype)
    return record(DotBackward0, out, (a, b), _save_for_other(("self", a), ("tensor", b)))


class BmmBackward0(Node):
    """out[i] = self[i] @ mat2[i];  grad_self = grad @ mat2ᵀ,  grad_mat2 = selfᵀ @ grad"""

    def apply(self, grad):
        grad_mat2 = self.saved("self").transpose(1, 2).bmm(grad) if self.needs_input_grad(1) \
            else None  # first: "mat2" < "self" (see MulBackward0)
        return (grad.bmm(self.saved("mat2").transpose(1, 2)) if self.needs_input_grad(0)
                else None, grad_mat2)


def bmm(self, mat2):
    require_tensor(self)
    require_tensor(mat2)
    a, b, dtype = _operands(self, mat2)
    for name, t in (("batch1", a), ("batch2", b)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if b._data.shape[:2] != (a._data.shape[0], a._data.shape[2]):
        raise RuntimeError(msg.BMM_SIZES.format(b=a._data.shape[0], k=a._data.shape[2],
                                                b2=b._data.shape[0], k2=b._data.shape[1]))
    _same_dtype(a, b, "bmm")
    _refuse_bool(dtype, "bmm")
    out = new_tensor(_product(values(a, dtype), values(b, dtype)), dtype)
    return record(BmmBackward0, out, (a, b), _save_for_other(("self", a), ("mat2", b)))


def outer(self, vec2):
    require_tensor(self)
    require_tensor(vec2)
    for name, t in (("self", self), ("vec2", vec2)):  # PyTorch's composite checks first
        if t._data.ndim != 1:
            raise RuntimeError(msg.OUTER_1D.format(name=name, ndim=t._data.ndim))
    return self.reshape(self._data.shape[0], 1) * vec2  # as PyTorch writes it


def _unsafe_view(t, shape):
    from .shape import UnsafeViewBackward0
    out = new_tensor(t._data.reshape(shape), t._dtype)
    return record(UnsafeViewBackward0, out, (t,), {"self_sym_sizes": t._data.shape})


def _should_fold(tensor1, tensor2):
    """PyTorch's should_fold: can the larger operand be folded into a matrix
    (mm/mv instead of bmm) without an extra copy?"""
    larger = tensor1._data.ndim >= tensor2._data.ndim
    t1 = tensor1._data if larger else np.swapaxes(tensor2._data, -1, -2)
    dim_t2 = tensor2._data.ndim if larger else tensor1._data.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (tensor2 if larger else tensor1).requires_grad:
        return True
    if tensor1._data.ndim == 2:
        return False
    if t1.size == 0:
        return True
    strides = [s // t1.itemsize for s in t1.strides]
    return all(strides[i] == strides[i + 1] * t1.shape[i + 1] for i in range(t1.ndim - 2))


def matmul(self, other):
    """PyTorch's ``_matmul_impl``: dot, mv, mm, folding into mm/mv, or batched bmm."""
    require_tensor(self)
    require_tensor(other)
    from .shape import broadcast_batch
    d1, d2 = self._data.ndim, other._data.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{d1}D and {d2}D")
    if needs_recording(self, other):  # then PyTorch's first op on them connects them
        connect_stale_views((self, other))
    if d1 == 1 and d2 == 1:
        return dot(self, other)
    if d1 == 2 and d2 == 1:
        return mv(self, other)
    if d1 == 1 and d2 == 2:
        if self._data.shape[0] != other._data.shape[0]:
            raise RuntimeError(msg.MM_SHAPES.format(a0=1, a1=self._data.shape[0],
                                                    b0=other._data.shape[0],
                                                    b1=other._data.shape[1]))
        return _squeeze_first(mm(self.unsqueeze(0), other))
    if d1 == 2 and d2 == 2:
        return mm(self, other)
    if _should_fold(self, other):
        transpose = d2 > d1
        t1 = other.mT if transpose else self
        t2 = (self.t() if d1 == 2 else self) if transpose else other
        sizes = t1._data.shape
        output_shape = sizes[:-1]
        folded = t1.reshape(int(np.prod(output_shape, dtype=np.int64)), sizes[-1])
        if t2._data.ndim == 2:
            output_shape = output_shape + (t2._data.shape[1],)
            out = _unsafe_view(mm(folded, t2), output_shape)
            return out.mT.contiguous() if transpose else out
        return _unsafe_view(mv(folded, t2), output_shape)
    n = self._data.shape[-2] if d1 > 1 else 1
    m1 = self._data.shape[-1]
    m2 = other._data.shape[-2] if d2 > 1 else other._data.shape[0]
    p = other._data.shape[-1] if d2 > 1 else 1
    batch1 = self._data.shape[:max(d1 - 2, 0)]
    batch2 = other._data.shape[:max(d2 - 2, 0)]
    if d1 == 3 and d2 == 3 and batch1[0] != batch2[0]:
        # a batch of one that needs a gradient is squeezed so the fold applies
        if batch1[0] == 1 and self.requires_grad:
            return matmul(self.squeeze(0), other)
        if batch2[0] == 1 and other.requires_grad:
            return matmul(self, other.squeeze(0))
    batch = broadcast_batch(batch1, batch2)
    count = int(np.prod(batch, dtype=np.int64))
    left = self.expand(batch + (n, m1)).reshape(count, n, m1)
    right = other.expand(batch + ((m2,) if d2 == 1 else (m2, p)))
    right = right.reshape(count, m2).unsqueeze(2) if d2 == 1 else right.reshape(count, m2, p)
    out_shape = batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ())
    product = left.bmm(right)
    return _unsafe_view(product.squeeze(-1) if d2 == 1 else product, out_shape)


def _squeeze_first(t):
    """(1, n) -> (n,): PyTorch squeezes the fresh product in place, so no view results
    (and the result is at version 1)."""
    from .shape import SqueezeBackward4
    out = new_tensor(t._data[0], t._dtype)
    out._version_counter.version += 1
    return record(SqueezeBackward4, out, (t,), {"dim": 0, "self_sym_sizes": t._data.shape})


def rmatmul(self, other):
    return matmul(other, self) if isinstance(other, Tensor) else NotImplemented


class AddmmBackward0(Node):
    """out = beta * self + alpha * mat1 @ mat2 (nn.Linear);
    grad_self = grad,  grad_mat1 = grad @ mat2ᵀ,  grad_mat2 = mat1ᵀ @ grad"""

    def apply(self, grad):
        # in derivatives.yaml's key order mat1, mat2, self (see MulBackward0); PyTorch's
        # maybe_multiply by a number (C++'s ``t * scalar``: MulBackward1) when it is not 1
        from .formula_ops import mul_scalar
        alpha, beta = self.saved("alpha"), self.saved("beta")
        grad_mat1 = grad_mat2 = grad_self = None
        if self.needs_input_grad(1):
            grad_mat1 = _mat1_grad(grad, self.saved("mat2"), self.saved("mat1_sym_strides"),
                                   self.saved("mat1_sym_sizes"))
            grad_mat1 = grad_mat1 if alpha == 1 else mul_scalar(grad_mat1, alpha)
        if self.needs_input_grad(2):
            grad_mat2 = _mat2_grad(grad, self.saved("mat1"), self.saved("mat2_sym_strides"),
                                   self.saved("mat2_sym_sizes"))
            grad_mat2 = grad_mat2 if alpha == 1 else mul_scalar(grad_mat2, alpha)
        if self.needs_input_grad(0):
            grad_self = grad if beta == 1 else mul_scalar(grad, beta)
        return grad_self, grad_mat1, grad_mat2


def addmm(self, mat1, mat2, *, beta=1, alpha=1):
    (bias, a, b), dtype = promote(self, mat1, mat2, elementwise=False)
    if bias._dtype is not b._dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{bias._dtype.c_name} and {b._dtype.c_name}")
    _same_dtype(a, b, "addmm")
    for name, t in (("mat1", a), ("mat2", b)):
        if t._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._data.ndim}-D tensor")
    _check_mm_shapes(a, b)
    from .shape import check_expandable
    check_expandable(bias._data.shape, (a._data.shape[0], b._data.shape[1]), bias._dtype)
    _refuse_bool(dtype, "addmm_impl_cpu_")
    if alpha == 1 and beta == 1:
        out = _product(values(a, dtype), values(b, dtype), values(bias, dtype))
    else:  # beta = 0 ignores self (its nan too)
        out = alpha * _product(values(a, dtype), values(b, dtype))
        out = out + beta * values(bias, dtype) if beta != 0 else np.broadcast_to(
            out, out.shape).copy()
    out = new_tensor(out, dtype)
    return record(AddmmBackward0, out, (bias, a, b),
                  {**_save_for_other(("mat1", a), ("mat2", b)),
                   "alpha": alpha, "beta": beta, "mat1_sym_sizes": a._data.shape,
                   "mat1_sym_strides": _strides(a), "mat2_sym_sizes": b._data.shape,
                   "mat2_sym_strides": _strides(b)})
