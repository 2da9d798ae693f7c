"""Fused multiply-add (``a * b + c`` rounded once) in numpy, which has none.

PyTorch's CPU kernels are compiled with FMA and GCC's default ``-ffp-contract=fast``,
so C expressions like ``acc += x * y`` or ``x * (to - from) + from`` round once; the
random number kernels, linspace, ``add(..., alpha=)`` and softmax's backward need the
same last bits. float32: the product is exact in float64, only the final rounding
needs care; float64: Dekker's exact product and Boldo & Melquiond's round-to-odd sum.
"""

import math

import numpy as np


def fma(a, b, c, dtype):
    """``a * b + c`` rounded once to the numpy float ``dtype``. (float16 goes through an
    exact float32 result, as PyTorch computes half types in float.)"""
    if np.dtype(dtype).itemsize == 8:
        return fma64(a, b, c)
    return fma32(a, b, c).astype(dtype, copy=False)


def _is_exact_scale(b) -> bool:
    """True if ``b`` is a scalar whose products are exact (0 or a moderate power of two).

    Then ``a * b + c`` rounds only once, so a plain multiply-add already equals
    the fused one and the slow exact emulation can be skipped.
    """
    if np.ndim(b) != 0:
        return False
    b = float(b)
    if b == 0.0:
        return True
    mantissa, exponent = math.frexp(abs(b))
    return mantissa == 0.5 and -60 <= exponent <= 60


def _two_sum(a, b):
    """Knuth's TwoSum: ``s = fl(a + b)`` and the exact error ``a + b - s``."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_to_odd_sum(a, b):
    """``a + b`` rounded to float64 with "round to odd".

    If the sum is inexact and ``fl(a + b)`` has an even last bit, step one ulp
    towards the exact value (the neighbour there is odd).  A value rounded to
    odd can be rounded again to a narrower format without double-rounding
    errors (Boldo & Melquiond, 2008).
    """
    s, err = _two_sum(a, b)
    fix = (err != 0) & ((s.view(np.int64) & 1) == 0)
    if np.any(fix):
        s = np.where(fix, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s


_CHUNK = 8192  # elements per piece of a big fma (see _in_pieces)


def _in_pieces(fn, a, b, c):
    """``fn(a, b, c)`` piece by piece along the first dim, or None for a small problem.
    The float64 temporaries of a big one (an SGD update of 200k weights) exceed glibc's
    mmap threshold, so each would be mapped and page-faulted in anew on every call, which
    made it 6x slower than these 64 KiB pieces, which the heap reuses."""
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    if not shape or math.prod(shape) <= 2 * _CHUNK:
        return None
    rows = max(1, _CHUNK // max(1, math.prod(shape[1:])))
    full = [np.broadcast_to(x, shape) for x in (a, b, c)]
    out = None
    for i in range(0, shape[0], rows):
        part = fn(*(x[i:i + rows] for x in full))
        if out is None:
            out = np.empty(shape, part.dtype)
        out[i:i + rows] = part
    return out


def fma32(a, b, c):
    """float32 ``a * b + c`` with a single rounding, like ``_mm256_fmadd_ps``.

    The product of two float32 values is exact in float64 (24 + 24 bits < 53);
    the float64 sum is then rounded to float32.  That second rounding can only
    differ from a single rounding when the float64 sum lands exactly half-way
    between two float32 values (low 29 mantissa bits ``1000...0``) or in the
    float32 subnormal range; those rare elements are redone with round-to-odd.
    """
    if (pieces := _in_pieces(fma32, a, b, c)) is not None:
        return pieces
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    c = np.asarray(c, np.float32)
    p = np.multiply(a, b, dtype=np.float64)
    s = np.asarray(p + c)  # (numpy makes 0-d results scalars, which cannot be patched)
    out = np.asarray(s.astype(np.float32))
    tie = rounds_twice(s)
    if tie.any():
        shape = s.shape
        pt = p[tie] if p.shape == shape else np.broadcast_to(p, shape)[tie]
        ct = np.broadcast_to(c, shape)[tie].astype(np.float64)
        out[tie] = _round_to_odd_sum(pt, ct).astype(np.float32)
    return out


def rounds_twice(s):
    """Where rounding the float64 ``s`` (an exact product plus a float32) to float32 may
    differ from rounding the exact value once: ``s`` on a float32 tie, or subnormal."""
    tie = (s.view(np.int64) & 0x1FFFFFFF) == 0x10000000
    tiny = np.abs(s) < 2.0**-126
    return tie | (tiny & (s != 0)) if tiny.any() else tie


def _split(a):
    """Veltkamp split of a float64 into two 26-bit halves (``a == hi + lo``)."""
    t = 134217729.0 * a  # 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def fma64(a, b, c):
    """float64 ``a * b + c`` with a single rounding, like C's ``std::fma``.

    Boldo & Melquiond's emulation: the exact product ``uh + ul`` (Dekker), the
    exact sum ``th + tl = c + uh``, then ``th + round_to_odd(tl + ul)``.
    Valid for finite inputs far from overflow/underflow, which is all we need.
    """
    a = np.asarray(a, np.float64)
    if _is_exact_scale(b):
        return a * b + c
    if (pieces := _in_pieces(fma64, a, b, c)) is not None:
        return pieces
    b = np.asarray(b, np.float64)
    c = np.asarray(c, np.float64)
    uh = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, uh)
    out = th + _round_to_odd_sum(tl, ul)
    # an exact 0 takes the sign IEEE gives a * b + c (the error terms lose it), and inf
    # or nan inputs give what a * b + c gives (the error terms would make nan of inf)
    plain = ~np.isfinite(out) | (out == 0)
    return np.where(plain, uh + c, out) if np.any(plain) else out
