"""``nll_loss``: -input[sample, target] · weight[target], reduced as PyTorch's CPU kernel
(LossNLL.cpp, LossNLL2d.cpp) reduces it, with its checks in its order.

The sum of a batch is not added left to right: each sample's term goes into level 0 of
a cascade of 8 partial sums, and after sample ``b`` a level is carried into the next one
when the low bits of ``b`` are all 0 (blocks of 16). So the first sample ends alone in
the top level, and the levels are added at the end. The mean divides by the summed
weights (the number of samples not ignored without weights): 0 of them gives nan.
"""

import numpy as np

from ..autograd.graph import Node
from ..ops._common import new_tensor, record, values

_LEVELS = 8
REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}  # PyTorch's Reduction enum


def _cascade(terms, weights, positions, count):
    """(Σ -terms, Σ weights) added as the kernel adds them; ``positions`` are the samples'
    indices in the batch (ignored samples have none), ``count`` the batch's size;
    ``weights`` None: each sample weighs 1."""
    power = max(4, (max(count - 1, 1).bit_length() if count > 2 else 1) // _LEVELS)
    if len(positions) == count and count and power == 4:
        total_weight = terms.dtype.type(count) if weights is None else \
            _cascade_all_kept(-weights)
        return _cascade_all_kept(terms), total_weight
    if weights is None:
        weights = np.ones(len(positions), terms.dtype)
    mask = (1 << power) - 1
    zero = terms.dtype.type(0)
    loss, weight = [zero] * _LEVELS, [zero] * _LEVELS
    for b, term, w in zip(positions.tolist(), terms, weights, strict=True):
        loss[0] = loss[0] - term
        weight[0] = weight[0] + w
        for j in range(_LEVELS - 1):
            if b & (mask << (j * power)):
                break
            loss[j + 1], loss[j] = loss[j + 1] + loss[j], zero
            weight[j + 1], weight[j] = weight[j + 1] + weight[j], zero
    total_loss, total_weight = zero, zero
    for level_loss, level_weight in zip(loss, weight, strict=True):
        total_loss, total_weight = total_loss + level_loss, total_weight + level_weight
    return total_loss, total_weight


def _cascade_all_kept(terms):
    """``_cascade``'s loss when no sample is ignored, a level at a time: the first term
    goes alone to the top level; the others are added 16 by 16 into level 0, and each
    full block of 16 is one term of level 1 (added from 0, 16 by 16 again), and so on."""
    zero = terms.dtype.type(0)
    top = zero - terms[0]
    for _ in range(_LEVELS - 1):  # carried up level by level (0 + x: a -0 turns +0)
        top = zero + top
    levels, items, sign = [], terms[1:], -1
    while len(items):
        full = len(items) // 16 * 16
        blocks = items[:full].reshape(-1, 16)
        carried = np.zeros(len(blocks), terms.dtype)
        for column in blocks.T:
            carried = carried + column if sign > 0 else carried - column
        rest = zero
        for item in items[full:]:
            rest = rest + item if sign > 0 else rest - item
        levels.append(rest)
        items, sign = carried, 1
    total = zero
    for level in levels + [zero] * (_LEVELS - 1 - len(levels)) + [top]:
        total = total + level
    return total


def _check(input, target, weight):  # noqa: A002 - PyTorch's names
    """nll_loss_nd's and the kernel's checks, in their order."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    if target._dtype.is_floating_point or target._dtype.name == "bool":
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{target._dtype.c_name}")
    if weight is not None and weight._dtype is not input._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype.c_name} but found "
                           f"{weight._dtype.c_name}")


def _samples(input, target):  # noqa: A002
    """(N, C) scores and N targets: the batch dim first, the class dim last, other dims
    (a K-dimensional loss) flattened in PyTorch's loop order."""
    x = values(input, input._dtype)
    if x.ndim == 1:
        return x.reshape(1, -1), target._data.reshape(-1)
    if x.ndim > 2:
        x = np.moveaxis(x.reshape(x.shape[0], x.shape[1], -1), 1, 2).reshape(-1, x.shape[1])
    return x, target._data.reshape(-1)


class NllLossBackward0(Node):
    """out = -Σ self[i, target[i]]·w (/ Σ w for 'mean');
    grad_self = -grad·w (/ Σ w) at each [i, target[i]], 0 elsewhere"""

    def apply(self, grad):
        x, target, weight = self.saved("self"), self.saved("target"), self.saved("weight")
        reduction, total = self.saved("reduction"), self.saved("total_weight")
        scores, targets = _samples(x, target)
        keep = targets != self.saved("ignore_index")
        rows = np.arange(targets.shape[0])[keep]
        data = np.zeros(scores.shape, x._dtype.numpy)
        if reduction == 0:  # -w · grad[i]
            g = grad._data.reshape(-1)[keep]
            step = -(g if weight is None else weight._data[targets[keep]] * g)
        else:  # w · -(grad / Σ w)
            g = -(grad._data / total._data if reduction == 1 else grad._data)
            step = g if weight is None else weight._data[targets[keep]] * g
        data[rows, targets[keep]] = step
        if x.dim() > 2:
            data = np.moveaxis(data.reshape(x.shape[0], -1, x.shape[1]), 2, 1)
        out = new_tensor(data.reshape(x._data.shape), x._dtype)
        # nll_loss_backward is an op of its own: under create_graph it is recorded
        return record(self._double_backward, out, (grad, x),
                      {k: self.saved(k) for k in ("target", "weight", "reduction",
                                                  "ignore_index")}),


class NllLossBackwardBackward0(Node):
    """out = nll_loss_backward(grad_output, self, ...), linear in grad_output;
    grad_grad_output = nll_loss(grad, target, weight), grad_self = 0"""

    def apply(self, grad):
        from ..ops.creation import zeros_like
        name = {v: k for k, v in REDUCTIONS.items()}[self.saved("reduction")]
        return (nll_loss(grad, self.saved("target"), self.saved("weight"),
                         ignore_index=self.saved("ignore_index"), reduction=name)
                if self.needs_input_grad(0) else None,
                zeros_like(grad) if self.needs_input_grad(1) else None)


class NllLoss2DBackwardBackward0(NllLossBackwardBackward0):
    """The same, for nll_loss2d_backward."""


class NllLoss2DBackward0(NllLossBackward0):
    """The same, for a K-dimensional loss (scores (N, C, d1, ...), targets (N, d1, ...))."""

    _double_backward = NllLoss2DBackwardBackward0


NllLossBackward0._double_backward = NllLossBackwardBackward0


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100,  # noqa: A002
             reduce=None, reduction="mean"):
    _check(input, target, weight)
    if input.dim() <= 2:
        return _nll(input, target, weight, ignore_index, reduction, NllLossBackward0)
    # PyTorch's nll_loss_nd: a K-dimensional loss goes through nll_loss2d on views
    n, c = input.shape[0], input.shape[1]
    out_size = (n, *input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {list(out_size)}, got {list(target.shape)}")
    scores = input.contiguous().view(n, c, 1, -1) if input.numel() else \
        input.contiguous().view(n, c, 0, 0)
    targets = target.contiguous().view(n, 1, -1) if target.numel() else \
        target.contiguous().view(n, 0, 0)
    out = _nll(scores, targets, weight, ignore_index, reduction, NllLoss2DBackward0)
    return out.view(out_size) if reduction == "none" else out


def _nll(input, target, weight, ignore_index, reduction, node):  # noqa: A002
    scores, targets = _samples(input, target)
    keep = targets != ignore_index
    bad = keep & ((targets < 0) | (targets >= scores.shape[1]))
    if bad.any():
        raise IndexError(f"Target {targets[bad][0]} is out of bounds.")
    positions = np.flatnonzero(keep)
    picked = scores[positions, targets[keep]]
    w = None if weight is None else values(weight, input._dtype)[targets[keep]]
    terms = picked if w is None else picked * w
    dtype = input._dtype.numpy
    if reduction == "none":
        out = np.zeros(targets.shape, dtype)
        out[positions] = -terms
        out = out.reshape(target._data.shape)
        total = np.zeros((), dtype)
    else:
        loss, total = _cascade(terms, w, positions, len(targets))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.asarray(loss / total if reduction == "mean" else loss, dtype)
    return record(node, new_tensor(out, input._dtype), (input,),
                  {"self": input, "target": target, "weight": weight,
                   "reduction": REDUCTIONS[reduction], "ignore_index": ignore_index,
                   "total_weight": new_tensor(np.asarray(total, dtype), input._dtype)})
