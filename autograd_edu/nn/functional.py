"""``torch.nn.functional``: activations and losses, each forward beside its derivative."""


import numpy as np

from .. import _dtypes
from .._ieee import silent
from ..autograd.graph import Node
from ..ops import linalg, pointwise
from ..ops._common import autograd_first, new_tensor, np_axis, record, values, wrap_dim
from . import _softmax_kernels
from ._nll_loss import REDUCTIONS, nll_loss

relu = pointwise.relu
sigmoid = pointwise.sigmoid
tanh = pointwise.tanh


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _kernel_applies(x):
    """PyTorch's float32/float64 kernels are replayed (see _softmax_kernels); a 0-d tensor
    or a half type takes numpy's plain formula."""
    return x.ndim > 0 and x.dtype in (np.float32, np.float64)


class SoftmaxBackward0(Node):
    """out = exp(self) / Σ exp(self) along dim;  grad_self = out * (grad - Σ grad·out)"""

    def apply(self, grad):
        from ..ops.formula_ops import softmax_backward_data
        return softmax_backward_data(grad, self.saved("result"), self.saved("dim")),


@autograd_first
@silent  # inf - inf is nan without a word, as in PyTorch
def softmax(input, dim=None, dtype=None):  # noqa: A002 - torch's names
    d = wrap_dim(dim, input.dim())
    x, axis = values(input, input._dtype), np_axis(d, input.dim())
    if x.size == 0:  # nothing to normalize: an empty result of the same shape
        out = x.copy()
    elif _kernel_applies(x):
        out = _softmax_kernels.softmax(x, d)
    else:
        shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
        out = shifted / np.sum(shifted, axis=axis, keepdims=True)
    # PyTorch's softmax kernels always write a contiguous result
    out = new_tensor(np.ascontiguousarray(out).reshape(x.shape), input._dtype)
    return record(SoftmaxBackward0, out, (input,), {"dim": d}, save_output="result")


class LogSoftmaxBackward0(Node):
    """out = self - log Σ exp(self) along dim;  grad_self = grad - exp(out) * Σ grad"""

    def apply(self, grad):
        from ..ops.formula_ops import log_softmax_backward_data
        return log_softmax_backward_data(grad, self.saved("result"), self.saved("dim")),


@autograd_first
@silent
def log_softmax(input, dim=None, dtype=None):  # noqa: A002
    d = wrap_dim(dim, input.dim())
    x, axis = values(input, input._dtype), np_axis(d, input.dim())
    if x.size == 0:
        out = x.copy()
    elif _kernel_applies(x):
        out = _softmax_kernels.log_softmax(x, d)
    else:
        shifted = x - np.max(x, axis=axis, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    out = new_tensor(np.ascontiguousarray(out).reshape(x.shape), input._dtype)
    return record(LogSoftmaxBackward0, out, (input,), {"dim": d}, save_output="result")


class MseLossBackward0(Node):
    """out = reduce((self - target)²);  grad_self = norm * (self - target) * grad,
    grad_target = norm * (target - self) * grad, with norm = 2/numel for 'mean' and 2
    otherwise (the same formula with the roles swapped, as derivatives.yaml says: not
    -grad_self, which differs in the sign of zeros)"""

    def apply(self, grad):
        from ..ops.formula_ops import mse_loss_backward
        x, target, reduction = self.saved("self"), self.saved("target"), self.saved("reduction")
        return (mse_loss_backward(grad, x, target, reduction) if self.needs_input_grad(0)
                else None,
                mse_loss_backward(grad, target, x, reduction) if self.needs_input_grad(1)
                else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    if input.shape != target.shape:
        import warnings
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      f"to broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=2)
        # F.mse_loss broadcasts first (torch.broadcast_tensors: only a differing one expands)
        from ..ops._common import broadcast_shape
        shape = broadcast_shape(input._data.shape, target._data.shape)
        input = input if input._data.shape == shape else input.expand(shape)  # noqa: A001
        target = target if target._data.shape == shape else target.expand(shape)
    from ..ops._common import promote
    (input, target), dtype = promote(input, target)
    from ..ops.reductions import _reduce_sum
    with np.errstate(all="ignore"):  # PyTorch is silent about inf - inf; summed in its order
        diff = values(input, dtype) - values(target, dtype)
        squared = diff * diff
        out = {"none": lambda: squared, "sum": lambda: _reduce_sum(squared, None, False),
               "mean": lambda: np.divide(_reduce_sum(squared, None, False),
                                         squared.dtype.type(squared.size))}[reduction]()
    return record(MseLossBackward0, new_tensor(out, dtype), (input, target),
                  {"self": input, "target": target, "reduction": REDUCTIONS[reduction]})


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):  # noqa: A002
    """PyTorch's composite (LossNLL.cpp), op for op, so the graph has its nodes: class
    indices go to nll_loss of log_softmax; class probabilities (a float target) give
    -Σ target · log p; label smoothing mixes in the loss against uniform targets."""
    from ..ops.formula_ops import add_scalar, mul_scalar
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim] if input.dim() else 1
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    if target._dtype.is_floating_point:  # class probabilities: -Σ target · log p (· weight)
        if label_smoothing > 0.0:
            target = add_scalar(mul_scalar(target, 1 - label_smoothing),
                                label_smoothing / n_classes)
        weighted = log_softmax(input, class_dim) * target
        if weight is not None:
            weighted = weighted * weight.view([-1 if d == class_dim else 1
                                               for d in range(input.dim())])
        if reduction == "none":
            return -weighted.sum(class_dim)
        if reduction == "sum":
            return -weighted.sum()
        from ..ops.formula_ops import div_scalar
        return div_scalar(-weighted.sum(), input.numel() // input.shape[class_dim])
    log_p = log_softmax(input, class_dim)
    loss = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing > 0.0:
        return loss
    return _label_smoothed(loss, log_p, target, weight, ignore_index, reduction,
                           label_smoothing, class_dim)


def _label_smoothed(loss, log_p, target, weight, ignore_index, reduction, smoothing, class_dim):
    """PyTorch's cross_entropy_loss_label_smoothing: (1 - s)·nll + s/C · Σ_c -log p_c
    (weighted, ignored targets left out, reduced like the nll term)."""
    from ..ops.formula_ops import masked_select, mul_scalar
    if weight is not None:
        view = [weight.shape[0] if d == class_dim else 1 for d in range(log_p.dim())]
        smooth = -(log_p * weight.view(view)).sum(class_dim)
    else:
        smooth = -log_p.sum(class_dim)
    ignored = target == ignore_index
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        kept = masked_select(target, ~ignored).flatten()
        smooth = smooth.sum() / (weight.gather(0, kept).sum() if weight is not None
                                 else (~ignored).sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    n_classes = log_p.shape[class_dim]
    return mul_scalar(loss, 1 - smoothing) + mul_scalar(smooth, smoothing / n_classes)


def linear(input, weight, bias=None):  # noqa: A002
    """x Wᵀ + b, recorded with the same nodes as PyTorch's ``linear``."""
    if input.dim() == 2 and bias is not None:
        return linalg.addmm(bias, input, weight.t())
    if bias is not None and bias.dim() == 1 and input.is_contiguous():
        # PyTorch's _flatten_nd_linear: fold leading dims, addmm, view back
        leading = input.shape[:-1]
        flat = input.reshape(int(np.prod(leading, dtype=np.int64)), input.shape[-1])
        out = linalg.addmm(bias, flat, weight.t())
        return out.view(*leading, out.shape[1])
    out = input.matmul(weight.t())
    return out if bias is None else out.add_(bias)  # PyTorch adds the bias in place here


def one_hot(tensor, num_classes=-1):
    n = int(tensor._data.max()) + 1 if num_classes < 0 else num_classes
    return new_tensor(np.eye(n, dtype=np.int64)[tensor._data], _dtypes.int64)


class SoftplusBackward0(Node):
    """out = log(1 + exp(beta·self)) / beta (self where beta·self > threshold);
    grad_self = grad * sigmoid(beta·self) (grad above the threshold)"""

    def apply(self, grad):
        from ..ops.formula_ops import softplus_backward
        return softplus_backward(grad, self.saved("self"), self.saved("beta"),
                                 self.saved("threshold")),


@silent  # overflow to inf without a word, as in PyTorch
def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    x = values(input, input._dtype)
    with np.errstate(over="ignore"):
        soft = np.log1p(np.exp(x * beta)) / beta
    out = new_tensor(np.where(x * beta > threshold, x, soft).astype(x.dtype), input._dtype)
    return record(SoftplusBackward0, out, (input,),
                  {"self": input, "beta": beta, "threshold": threshold})


class LeakyReluBackward0(Node):
    """out = self if self > 0 else slope·self;  grad_self = grad (or slope·grad)"""

    def apply(self, grad):
        from ..ops.formula_ops import leaky_relu_backward
        return leaky_relu_backward(grad, self.saved("self"), self.saved("negative_slope")),


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    x = values(input, input._dtype)
    out = new_tensor(np.where(x > 0, x, x * np.asarray(negative_slope, x.dtype)), input._dtype)
    return record(LeakyReluBackward0, out, (input,),
                  {"self": input, "negative_slope": negative_slope})


class EluBackward0(Node):
    """out = self if self > 0 else alpha·(exp(self) - 1);
    grad_self = grad (or grad·(out + alpha))"""

    def apply(self, grad):
        from ..ops.formula_ops import elu_backward
        return elu_backward(grad, self.saved("self"), self.saved("alpha")),


@silent  # overflow to inf without a word, as in PyTorch
def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    x = values(input, input._dtype)
    out = new_tensor(np.where(x > 0, x, alpha * np.expm1(x)).astype(x.dtype), input._dtype)
    return record(EluBackward0, out, (input,), {"alpha": alpha, "self": input})
