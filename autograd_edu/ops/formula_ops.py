"""Operations used inside derivative formulas.

PyTorch's formulas are C++: ``grad * 2`` there multiplies by a *Scalar*
(recorded as ``MulBackward1``), and ``tanh``'s derivative is its own
operation ``tanh_backward`` (recorded as ``TanhBackwardBackward0``). With
``create_graph=True`` those records are what a learner sees in the graph of
a gradient, so the formulas in ``ops/`` call these instead of the Python
operators (which record ``MulBackward0`` with a wrapped number).
"""

import math

import numpy as np

from .._fma import fma
from ..autograd.graph import Node
from ._common import bump_version, new_tensor, promote, record, values


class MulBackward1(Node):
    """out = self * other (a number);  grad_self = grad * other"""

    def apply(self, grad):
        return mul_scalar(grad, self.saved("other")),


def mul_scalar(self, other):
    out = new_tensor(np.multiply(self._data, np.asarray(other, self._dtype.numpy)), self._dtype)
    if self._zero:  # a zero tensor times a number stays one (mul_zerotensor)
        out._data[...], out._zero = 0, True
    return record(MulBackward1, out, (self,), {"other": other})


class DivBackward1(Node):
    """out = self / other (a number);  grad_self = grad / other"""

    def apply(self, grad):
        return div_scalar(grad, self.saved("other")),


def div_scalar(self, other):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = new_tensor(np.divide(self._data, np.asarray(other, self._dtype.numpy)),
                         self._dtype)
    return record(DivBackward1, out, (self,), {"other": other})


class AddBackward1(Node):
    """out = self + other (a number: C++'s ``t + 1``, ``1 + t``);  grad_self = grad"""

    def apply(self, grad):
        return grad,


def add_scalar(self, other):
    out = new_tensor(np.add(self._data, np.asarray(other, self._dtype.numpy)), self._dtype)
    return record(AddBackward1, out, (self,), {"other": other, "alpha": 1})


class SubBackward1(Node):
    """out = self - other (a number);  grad_self = grad"""

    def apply(self, grad):
        return grad,


def sub_scalar(self, other):
    out = new_tensor(np.subtract(self._data, np.asarray(other, self._dtype.numpy)), self._dtype)
    return record(SubBackward1, out, (self,), {"other": other, "alpha": 1})


class ThresholdBackwardBackward0(Node):
    """out = grad_output where self > threshold, else 0;
    grad_grad_output = threshold_backward(grad, self, threshold),  grad_self = 0"""

    def apply(self, grad):
        from .creation import zeros_like
        x = self.saved("self")  # PyTorch unpacks (checks) its saved tensors first, always
        return (threshold_backward(grad, x, self.saved("threshold"))
                if self.needs_input_grad(0) else None,
                zeros_like(grad) if self.needs_input_grad(1) else None)


def threshold_backward(grad_output, self, threshold):
    g = grad_output._data
    out = new_tensor(np.where(values(self, grad_output._dtype) <= threshold,
                              np.zeros((), g.dtype), g), grad_output._dtype)
    return record(ThresholdBackwardBackward0, out, (grad_output, self),
                  {"self": self, "threshold": threshold})


class LeakyReluBackwardBackward0(Node):
    """out = grad_output where self > 0, else slope * grad_output;
    grad_grad_output = leaky_relu_backward(grad, self),  grad_self = 0"""

    def apply(self, grad):
        from .creation import zeros_like
        x = self.saved("self")  # PyTorch unpacks (checks) its saved tensors first, always
        return (leaky_relu_backward(grad, x, self.saved("negative_slope"))
                if self.needs_input_grad(0) else None,
                zeros_like(grad) if self.needs_input_grad(1) else None)


def leaky_relu_backward(grad_output, self, negative_slope):
    g = grad_output._data
    slope = np.asarray(negative_slope, g.dtype)
    out = new_tensor(np.where(values(self, grad_output._dtype) > 0, g, g * slope),
                     grad_output._dtype)
    return record(LeakyReluBackwardBackward0, out, (grad_output, self),
                  {"self": self, "negative_slope": negative_slope})


class TanhBackwardBackward0(Node):
    """out = grad_output * (1 - output²);
    grad_grad_output = tanh_backward(grad, output),  grad_output = grad * -2 output grad_output"""

    def apply(self, grad):
        grad_output, output = self.saved("grad_output"), self.saved("output")
        return (tanh_backward(grad, output) if self.needs_input_grad(0) else None,
                grad * (mul_scalar(output, -2) * grad_output) if self.needs_input_grad(1)
                else None)


def tanh_backward(grad_output, output):
    g, y = grad_output._data, values(output, grad_output._dtype)
    out = new_tensor(g * (np.asarray(1, g.dtype) - y * y), grad_output._dtype)
    return record(TanhBackwardBackward0, out, (grad_output, output),
                  {"grad_output": grad_output, "output": output})


class SigmoidBackwardBackward0(Node):
    """out = grad_output * (1 - output) * output;
    grad_grad_output = sigmoid_backward(grad, output),
    grad_output = grad * grad_output * (1 - 2 output)"""

    def apply(self, grad):
        grad_output, output = self.saved("grad_output"), self.saved("output")
        grad_grad_output = sigmoid_backward(grad, output) if self.needs_input_grad(0) else None
        grad_out = None
        if self.needs_input_grad(1):  # C++ evaluates ``*``'s right side first
            factor = add_scalar(mul_scalar(output, -2), 1)
            grad_out = grad * grad_output * factor
        return grad_grad_output, grad_out


def sigmoid_backward(grad_output, output):
    g, y = grad_output._data, values(output, grad_output._dtype)
    out = new_tensor(g * (np.asarray(1, g.dtype) - y) * y, grad_output._dtype)
    return record(SigmoidBackwardBackward0, out, (grad_output, output),
                  {"grad_output": grad_output, "output": output})


class SoftmaxBackwardDataBackward0(Node):
    """out = output * (grad_output - Σ grad_output·output);
    grad_grad_output = softmax_backward_data(grad, output),
    grad_output = grad_output·grad - Σ(output·grad_output)·grad - grad_output·Σ(output·grad)"""

    def apply(self, grad):
        g_out, output, dim = self.saved("grad_output"), self.saved("output"), self.saved("dim")
        grad_grad_output = grad_output = None
        if self.needs_input_grad(0):
            grad_grad_output = softmax_backward_data(grad, output, dim)
        if self.needs_input_grad(1):  # (a - b) - c with C++'s order: c, then b, then a
            c = g_out * (output * grad).sum(dim, keepdim=True)
            b = (output * g_out).sum(dim, keepdim=True) * grad
            grad_output = (g_out * grad - b) - c
        return grad_grad_output, grad_output


def softmax_kernel_sum(x, dim, factors=None):
    """Σ ``x`` along ``dim`` (kept), added as PyTorch's softmax backward kernels add: along
    the last dim as SIMD vectors from the first terms on (``vec::reduce_all``; a sum of -0s
    is -0); along another dim row by row from +0 (the sign of zeros follows)."""
    if x.ndim and x.size and x.dtype in (np.float32, np.float64):
        from ..nn._softmax_kernels import kernel_sum
        return kernel_sum(x, dim, factors)
    last = x.ndim == 0 or dim == x.ndim - 1
    return np.sum(x, axis=dim if x.ndim else None, keepdims=True, initial=-0.0 if last else 0.0)


def _fused_sum_of_products(g, y, dim):
    """Σ g·y along a dim that is not the last, as PyTorch's kernel adds it: row by row
    from +0, each step one fused multiply-add (GCC contracts ``sum += g * y``)."""
    total = np.zeros(np.delete(g.shape, dim), g.dtype)
    for row_g, row_y in zip(np.moveaxis(g, dim, 0), np.moveaxis(y, dim, 0), strict=True):
        total = fma(row_g, row_y, total, g.dtype)
    return np.expand_dims(total, dim)


def softmax_backward_data(grad_output, output, dim):
    g, y = grad_output._data, output._data
    if g.ndim and dim != g.ndim - 1 and g.dtype.kind == "f":
        if g.itemsize < 4:  # half types are computed in float32
            g, y = g.astype(np.float32), y.astype(np.float32)
        grad_input = y * (g - _fused_sum_of_products(g, y, dim))
    else:
        grad_input = y * (g - softmax_kernel_sum(g * y, dim, factors=(g, y)))
    out = new_tensor(grad_input, grad_output._dtype)
    return record(SoftmaxBackwardDataBackward0, out, (grad_output, output),
                  {"grad_output": grad_output, "output": output, "dim": dim})


class MseLossBackwardBackward0(Node):
    """out = norm * (self - target) * grad_output (norm = 2/numel for 'mean', 2 otherwise);
    its own derivatives (derivatives.yaml): grad_grad_output = mse_loss_backward(grad, self,
    target), grad_self = 2 grad grad_output (/ numel), grad_target = -grad_self"""

    def apply(self, grad):
        grad_output, x, target = (self.saved(k) for k in ("grad_output", "self", "target"))
        reduction = self.saved("reduction")
        return (mse_loss_backward(grad, x, target, reduction) if self.needs_input_grad(0)
                else None,
                _mse_loss_double_backward(grad * grad_output, x, reduction)
                if self.needs_input_grad(1) else None,
                -_mse_loss_double_backward(grad * grad_output, target, reduction)
                if self.needs_input_grad(2) else None)


def _mse_loss_double_backward(grad, input, reduction):  # noqa: A002 - PyTorch's names
    from .inplace import apply_inplace
    grad_input = mul_scalar(grad, 2)
    return apply_inplace(grad_input, div_scalar, input.numel()) if reduction == 1 else grad_input


def mse_loss_backward(grad_output, self, target, reduction):
    """PyTorch's kernel: ``norm * (self - target) * grad_output`` computed in the three
    inputs' common dtype (norm too), written into a tensor of ``self``'s dtype (so a float32
    input with a float64 target gets a float32 gradient from this node, not from a cast)."""
    numel = self.numel()
    norm = (2.0 / numel if numel else math.inf) if reduction == 1 else 2.0
    dtype = promote(self, target, grad_output, elementwise=False)[1]
    with np.errstate(all="ignore"):
        data = (np.asarray(norm, dtype.numpy) * (values(self, dtype) - values(target, dtype))
                * values(grad_output, dtype))
    out = new_tensor(data.astype(self._dtype.numpy, copy=False), self._dtype)
    return record(MseLossBackwardBackward0, out, (grad_output, self, target),
                  {"grad_output": grad_output, "self": self, "target": target,
                   "reduction": reduction})


class LogSoftmaxBackwardDataBackward0(Node):
    """out = grad_output - exp(output) * Σ grad_output (along dim);
    grad_grad_output = grad - Σ grad·exp(output),
    grad_output = -Σ grad_output · exp(output) · grad"""

    def apply(self, grad):
        g_out, output, dim = self.saved("grad_output"), self.saved("output"), self.saved("dim")
        grad_grad_output = grad_output = None
        if self.needs_input_grad(0):
            grad_grad_output = grad - (grad * output.exp()).sum(dim, True)
        if self.needs_input_grad(1):  # C++ evaluates ``*``'s right side, exp, first
            exp = output.exp()
            grad_output = -g_out.sum(dim, True) * exp * grad
        return grad_grad_output, grad_output


def log_softmax_backward_data(grad_output, output, dim):
    g = grad_output._data
    with np.errstate(all="ignore"):
        if g.dtype in (np.float32, np.float64) and g.ndim and g.size:
            # grad - exp(out) * Σ grad, the multiply-subtract fused by the compiler; exp as
            # the kernel computes it (see _softmax_kernels)
            from ..nn._softmax_kernels import kernel_exp
            out = values(output, grad_output._dtype)
            data = fma(-kernel_exp(out, dim, chunked=True),
                       np.broadcast_to(softmax_kernel_sum(g, dim), g.shape), g, g.dtype)
        else:
            data = g - np.exp(values(output, grad_output._dtype)) * softmax_kernel_sum(g, dim)
    return record(LogSoftmaxBackwardDataBackward0, new_tensor(data, grad_output._dtype),
                  (grad_output, output), {"grad_output": grad_output, "output": output, "dim": dim})


class SoftplusBackwardBackward0(Node):
    """out = grad_output * sigmoid(beta self) (grad_output where beta self > threshold);
    grad_grad_output = softplus_backward(grad, self),
    grad_self = sigmoid_backward(grad grad_output, sigmoid(beta self))
                · [beta self < threshold] · beta"""

    def apply(self, grad):
        from .pointwise import sigmoid
        g_out, x = self.saved("grad_output"), self.saved("self")
        beta, threshold = self.saved("beta"), self.saved("threshold")
        grad_grad_output = grad_self = None
        if self.needs_input_grad(0):  # "grad_output" < "self" (see MulBackward0)
            grad_grad_output = softplus_backward(grad, x, beta, threshold)
        if self.needs_input_grad(1):  # softplus_double_backward(grad * grad_output, self)
            grad = grad * g_out
            scaled = mul_scalar(x, beta)
            below = (scaled < threshold).type_as(grad)
            grad_self = mul_scalar(sigmoid_backward(grad, sigmoid(scaled)) * below, beta)
        return grad_grad_output, grad_self


def softplus_backward(grad_output, self, beta, threshold):
    g, dtype = grad_output._data, grad_output._dtype
    scaled = values(self, dtype) * np.asarray(beta, dtype.numpy)
    with np.errstate(all="ignore"):
        z = np.exp(scaled)
        data = np.where(scaled > threshold, g, g * z / (z + np.asarray(1, dtype.numpy)))
    return record(SoftplusBackwardBackward0, new_tensor(data, dtype), (grad_output, self),
                  {"grad_output": grad_output, "self": self, "beta": beta,
                   "threshold": threshold})


class EluBackwardBackward0(Node):
    """out = grad_output where self > 0, else grad_output · alpha · exp(self);
    grad_grad_output = elu_backward(grad, self),
    grad_self = elu_backward(grad grad_output, self) [self < 0]"""

    def apply(self, grad):
        g_out, x, alpha = self.saved("grad_output"), self.saved("self"), self.saved("alpha")
        grad_grad_output = grad_self = None
        if self.needs_input_grad(0):  # "grad_output" < "self" (see MulBackward0)
            grad_grad_output = elu_backward(grad, x, alpha)
        if self.needs_input_grad(1):
            grad_self = (elu_backward(mul_scalar(grad * g_out, 1), x, alpha)
                         * (x < 0).type_as(grad))  # input_scale = 1, a Scalar in C++
        return grad_grad_output, grad_self


def elu_backward(grad_output, self, alpha):
    """PyTorch's kernel (scale = input_scale = 1): a · alpha · exp(x) for x <= 0, else a."""
    g, dtype = grad_output._data, grad_output._dtype
    x = values(self, dtype)
    with np.errstate(all="ignore"):
        data = np.where(x <= 0, g * np.asarray(alpha, dtype.numpy) * np.exp(x), g)
    return record(EluBackwardBackward0, new_tensor(data, dtype), (grad_output, self),
                  {"grad_output": grad_output, "self": self, "alpha": alpha})


class MaskedSelectBackward0(Node):
    """out = self's elements where mask (broadcast), as a 1-d tensor;
    grad_self = zeros with grad scattered where mask (masked_scatter_)"""

    def apply(self, grad):
        mask, shape = self.saved("mask"), self.saved("shape")
        data = np.zeros(shape, grad._dtype.numpy)
        data[np.broadcast_to(mask._data, shape)] = grad._data
        out = bump_version(new_tensor(data, grad._dtype))  # filled in place: version 1
        return record(MaskedScatterBackward0, out, (None, grad),
                      {"mask": mask, "source_sizes": grad._data.shape}),


class MaskedScatterBackward0(Node):
    """out = self with source's first elements written where mask;
    grad_source = grad's elements where mask, padded with zeros, viewed as source
    (self is a formula's zeros here: it needs no gradient)"""

    def apply(self, grad):
        from .creation import zeros
        from .shape import cat
        sizes = self.saved("source_sizes")
        picked = masked_select(grad, self.saved("mask"))
        missing = math.prod(sizes) - picked.numel()
        if missing > 0:
            picked = cat([picked, zeros(missing, dtype=grad.dtype)], 0)
        return None, picked.view(sizes)


def masked_select(self, mask):
    from ._common import broadcast_shape
    shape = broadcast_shape(self._data.shape, mask._data.shape)
    data = np.broadcast_to(self._data, shape)[np.broadcast_to(mask._data, shape)]
    return record(MaskedSelectBackward0, new_tensor(data, self._dtype), (self,),
                  {"mask": mask, "shape": shape})
