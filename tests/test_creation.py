"""Factory functions give PyTorch's exact values (including its rounding) and reprs."""

import numpy as np
import pytest
import torch

import autograd_edu as ae

LINSPACE = [(0, 1, 5), (-1, 1, 7), (0, 1, 100), (-3, 7, 33), (0.1, 0.9, 17), (5, -5, 1001),
            (0, 1, 1), (2, 3, 2), (0, 3.3, 40), (1e-3, 7, 16)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("start,end,steps", LINSPACE)
def test_linspace_bits(start, end, steps, dtype):
    expected = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    got = ae.linspace(start, end, steps, dtype=getattr(ae, dtype)).numpy()
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


@pytest.mark.parametrize("args", [(5,), (1, 4), (0, 1, 0.1), (0.0, 5.0), (1, 2.5, 0.5),
                                  (-1, 1, 0.3), (0, 10, 0.7), (10, 0, -3)])
def test_arange(args):
    expected, got = torch.arange(*args), ae.arange(*args)
    assert repr(got) == repr(expected)
    assert np.array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("make", [
    lambda T: T.eye(3), lambda T: T.eye(2, 3), lambda T: T.full((2, 2), 7),
    lambda T: T.full((2,), 1.5), lambda T: T.full((1,), True),
    lambda T: T.zeros(2, 3, dtype=T.int64),
    lambda T: T.ones(2, dtype=T.float64), lambda T: T.empty(0), lambda T: T.zeros(0, 3),
    lambda T: T.tensor([]), lambda T: T.tensor([[1, 2], [3, 4]]), lambda T: T.tensor(True),
    lambda T: T.tensor([1.5, 2]), lambda T: T.tensor(3),
    lambda T: T.ones_like(T.zeros(2), dtype=T.float64),
    lambda T: T.zeros_like(T.ones(2, dtype=T.long)), lambda T: T.tensor([1.7, -2.7]).long(),
    lambda T: T.tensor([0.0, 1.0]).bool(), lambda T: T.tensor([1, 2]) + 0.5,
    lambda T: T.tensor([True, False]).sum(), lambda T: T.ones(2, 3).new_zeros(2),
], ids=lambda f: "case")
def test_factory_repr(make):
    assert repr(make(ae)) == repr(make(torch))
