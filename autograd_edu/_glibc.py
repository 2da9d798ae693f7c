"""glibc's scalar ``expf``, bit for bit, in numpy.

Where a PyTorch CPU kernel leaves elements to its scalar loop (the positions a softmax
along a non-last dim cannot fill a SIMD vector with), ``std::exp(float)`` calls glibc's
``expf``. Rounding the double ``exp`` instead differs in the last bit for about 0.06% of
arguments, enough to turn an exact 0 into 1e-10 after a cancellation. glibc 2.36 (what
the PyPI wheel runs on Debian 12; the algorithm has been the same since 2.28) picks
``__expf_fma`` on an FMA CPU: ``sysdeps/ieee754/flt-32/e_expf.c`` (ARM's optimized-routines
algorithm: a 32-entry table of 2**(i/32) and a cubic polynomial, all in double), compiled
with GCC contracting ``a * b + c`` into FMAs; which operations are fused was read off
the machine code. (float64 ``std::exp`` is glibc's ``exp``, i.e. Python's ``math.exp``.)
"""

import math

import numpy as np

from ._fma import fma64

_EXP2F_TAB = np.array([
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
], dtype=np.uint64)  # 2**(i/32) with its low bits adjusted: the exponent comes from k
_INVLN2N = float.fromhex("0x1.71547652b82fep+0") * 32
_SHIFT = float.fromhex("0x1.8p+52")
_C = (float.fromhex("0x1.c6af84b912394p-5") / 32 / 32 / 32,
      float.fromhex("0x1.ebfce50fac4f3p-3") / 32 / 32,
      float.fromhex("0x1.62e42ff0c52d6p-1") / 32)
_F32 = np.float32


def expf(x):
    """glibc's ``expf`` of a float32 array, elementwise: ``x = (k + r) ln2 / 32`` with
    ``k`` an integer, ``2**(k/32)`` from the table and ``k``'s high bits, ``exp(r ln2/32)``
    a polynomial; fused as the machine code: ``kd``, ``r`` and the polynomial's steps
    (``y * s`` and the final conversion to float are not)."""
    x = np.asarray(x, _F32)
    with np.errstate(all="ignore"):
        xd = x.astype(np.float64)
        kd = fma64(_INVLN2N, xd, _SHIFT)  # round(x * 32 / ln2) in the low bits of kd
        ki = np.where(np.isfinite(kd), kd, 0.0).view(np.uint64)
        kd = kd - _SHIFT
        r = fma64(_INVLN2N, xd, -kd)
        s = _EXP2F_TAB[(ki % np.uint64(32)).astype(np.intp)] + (ki << np.uint64(47))
        s = s.view(np.float64)
        y = fma64(fma64(_C[0], r, _C[1]), r * r, fma64(_C[2], r, 1.0))
        y = np.asarray(y * s).astype(_F32)
        # |x| >= 88 or NaN: glibc's special cases, in its order
        bits = x.view(np.uint32)
        abstop = (bits >> np.uint32(20)) & np.uint32(0x7FF)
        special = abstop >= np.uint32(0x42B)
        if special.any():
            y = np.where(special & (x < _F32(float.fromhex("-0x1.9d1d9ep6"))), _F32(2.0**-149), y)
            y = np.where(special & (x < _F32(float.fromhex("-0x1.9fe368p6"))), _F32(0), y)
            y = np.where(special & (x > _F32(float.fromhex("0x1.62e42ep6"))), _F32(np.inf), y)
            y = np.where(special & (abstop >= np.uint32(0x7F8)), x + x, y)
            y = np.where(bits == np.uint32(0xFF800000), _F32(0), y)  # exp(-inf)
    return y


def exp(x):
    """``std::exp`` of a float32 or float64 array: glibc's ``expf``, or its ``exp``, which is
    Python's ``math.exp`` (numpy's differs in ~5% of last bits)."""
    if x.dtype == _F32:
        return expf(x)
    x = np.where(x > 709.782712893384, np.inf, x)  # log(DBL_MAX): math.exp raises above
    return np.asarray(np.frompyfunc(math.exp, 1, 1)(x), np.float64)
