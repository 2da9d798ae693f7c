"""SLEEF's ``exp`` and ``log`` (the ``u10`` ones), bit for bit, in numpy.

PyTorch's CPU softmax and log_softmax kernels compute exp/log with ``Vectorized<float>``
and ``Vectorized<double>``, i.e. SLEEF's ``Sleef_expf16_u10``, ``Sleef_expd8_u10``,
``Sleef_logf16_u10``, ``Sleef_logd8_u10`` (``...f8``/``...d4`` on AVX2 machines, which
give the same values). These are within 1 ulp, not correctly rounded, and numpy's
``np.exp``/``np.log`` round differently in the last bit now and then. Such a bit shows:
``log_softmax(x).expm1()`` is an exact 0 in PyTorch where numpy's bits leave 1e-8.
So ``nn/_softmax_kernels.py`` computes exp/log here, operation by operation as SLEEF
does. (``torch.exp``/``torch.log`` themselves run Intel MKL, closed source: not here.)

The algorithms are SLEEF 3.8's (https://github.com/shibatch/sleef): ``xexpf``,
``xlogf_u1`` in src/libm/sleefsimdsp.c, ``xexp``, ``xlog_u1`` in sleefsimddp.c, the
float-float / double-double arithmetic of src/common/df.h and dd.h (FMA variants) and
the polynomials of src/common/estrin.h. Every ``vmla``/``vfma`` there is a fused
multiply-add (``_fma.py``); nothing else is fused. Where the builds differ (AVX512
splits a log's argument with ``getexp``/``getmant``, AVX2 with integer tricks), both
yield the same mantissa in [0.75, 1.5) and exponent for positive finite arguments,
which ``np.frexp`` yields here.
"""

import numpy as np

from ._fma import _two_sum, fma32, fma64, rounds_twice

_F32 = np.float32


class _Fma32Deferred:
    """fma32 with its double-rounding check deferred: each ``a * b + c`` in float64 (the
    product exact) rounded to float32, the float64 sums kept; ``doubtful()`` then checks
    them all at once, and the few elements where one may round twice are redone with
    fma32. (Checking per call would cost more than the arithmetic.)"""

    def __init__(self):
        self.terms = []

    def __call__(self, a, b, c):
        p = np.multiply(a, b, dtype=np.float64)
        s = p + c
        self.terms.append((s, p, c))
        return s.astype(_F32)

    def doubtful(self, shape):
        """Which elements (of arrays of ``shape``; the sums are elementwise) had a sum that
        rounds twice: one on a float32 tie or subnormal (``rounds_twice``) that float64
        did not hold exactly (an exact sum is rounded once, by the cast; log's exact
        terms often sit on ties)."""
        maybe = rounds_twice(np.stack([_full(s, shape) for s, _, _ in self.terms]))
        if not maybe.any():  # the usual case
            return maybe[0]
        for k in np.flatnonzero(maybe.reshape(len(self.terms), -1).any(axis=1)):
            s, p, c = self.terms[k]
            where = maybe[k]
            c = np.asarray(c, np.float64)
            where[where] = _two_sum(_full(p, shape)[where], c if not c.ndim else
                                    _full(c, shape)[where])[1] != 0
        return maybe.any(axis=0)


def _full(x, shape):
    return x if x.shape == shape else np.broadcast_to(x, shape)


def _float32_fast(fn, d):
    """``fn(d, fma)`` run with _Fma32Deferred; its doubtful elements again with fma32."""
    fma = _Fma32Deferred()
    out = fn(d, fma)
    redo = fma.doubtful(d.shape)
    if redo.any():
        out[redo] = fn(d[redo], fma32)
    return out


def _product_error(a, b, p):
    """``fma(a, b, -p)`` for ``p = a * b`` rounded: the product's exact error (float32
    products are exact in float64)."""
    if p.dtype == _F32:
        return (np.multiply(a, b, dtype=np.float64) - p).astype(_F32)
    return fma64(a, b, -p)


# Pairs (hi, lo) stand for the unevaluated sum hi + lo; the names are SLEEF's (df*/dd*).

def _add2_s_s(x, y):  # dfadd2_vf2_vf_vf: exact sum of two numbers
    s = x + y
    v = s - x
    return s, (x - (s - v)) + (y - v)


def _add_p_s(x, y):  # dfadd_vf2_vf2_vf (|x| >= |y|)
    s = x[0] + y
    return s, ((x[0] - s) + y) + x[1]


def _add_p_p(x, y):  # dfadd_vf2_vf2_vf2 (|x| >= |y|)
    s = x[0] + y[0]
    return s, (((x[0] - s) + y[0]) + x[1]) + y[1]


def _mul_p_s(x, y, fma):  # dfmul_vf2_vf2_vf
    s = x[0] * y
    return s, fma(x[1], y, _product_error(x[0], y, s))


def _div_p_p(n, d, fma):  # dfdiv_vf2_vf2_vf2
    one = n[0].dtype.type(1)
    t = one / d[0]
    s = n[0] * t
    u = _product_error(t, n[0], s)
    v = fma(-d[1], t, fma(-d[0], t, one))
    return s, fma(s, v, fma(n[1], t, u))


def _rint_int(u):
    """``vrint_vi2_vf``/``vrint_vi_vd`` as far as it matters: ties to even; NaN and
    out-of-range arguments, whose results are replaced anyway, give 0."""
    return np.where(np.abs(u) < 2.0**31, u, 0).astype(np.int32)


def exp(d):
    """SLEEF's ``xexpf`` (float32) / ``xexp`` (float64) of a float array, elementwise."""
    d = np.asarray(d)
    with np.errstate(all="ignore"):
        if d.dtype == _F32:
            r = _float32_fast(_exp32, d)
            return np.where(d < -104, _F32(0), np.where(d > 100, _F32(np.inf), r))
        r = _exp64(d)
        return np.where(d < -1000, 0.0, np.where(d > 709.782712893383973096, np.inf, r))


def _exp32(d, fma):
    q = np.rint(d * _F32(1.442695040888963407359924681001892137426645954152985934135449406931))
    s = fma(q, _F32(-0.693145751953125), d)
    s = fma(q, _F32(-1.428606765330187045e-06), s)
    u = _F32(0.000198527617612853646278381)
    for c in (0.00139304355252534151077271, 0.00833336077630519866943359,
              0.0416664853692054748535156, 0.166666671633720397949219, 0.5):
        u = fma(u, s, _F32(c))
    u = _F32(1) + fma(s * s, u, s)
    # vldexp2: u * 2**(q>>1) * 2**(q - (q>>1)), the first product exact: one rounding
    return np.ldexp(u, _rint_int(q))


def _exp64(d):
    u = np.rint(d * 1.442695040888963407359924681001892137426645954152985934135449406931)
    s = fma64(u, -0.69314718055966295651160180568695068359375, d)
    s = fma64(u, -0.28235290563031577122588448175013436025525412068e-12, s)
    s2 = s * s
    s4 = s2 * s2
    c = _EXP64_POLY
    p = fma64(s4, _poly4(s, s2, c[2:6]), _poly4(s, s2, c[6:]))
    p = fma64(s4 * s4, fma64(s, c[0], c[1]), p)  # estrin.h's POLY10
    for c in (0.5, 1.0, 1.0):
        p = fma64(p, s, c)
    return np.ldexp(p, _rint_int(u))  # vldexp2: one rounding, as for float32


_EXP64_POLY = (0.2081276378237164457e-8, 0.2511210703042288022e-7, 0.2755762628169491192e-6,
               0.2755723402025388239e-5, 0.2480158687479686264e-4, 0.1984126989855865850e-3,
               0.1388888888914497797e-2, 0.8333333333314938210e-2, 0.4166666666666602598e-1,
               0.1666666666666669072e+0)
_LOG64_POLY = (0.1532076988502701353e+0, 0.1525629051003428716e+0, 0.1818605932937785996e+0,
               0.2222214519839380009e+0, 0.2857142932794299317e+0, 0.3999999999635251990e+0,
               0.6666666666667333541e+0)


def _poly4(x, x2, c):  # estrin.h's POLY4
    return fma64(x2, fma64(x, c[0], c[1]), fma64(x, c[2], c[3]))


def log(d):
    """SLEEF's ``xlogf_u1`` (float32) / ``xlog_u1`` (float64) of a float array."""
    d = np.asarray(d)
    with np.errstate(all="ignore"):
        return _float32_fast(_log, d) if d.dtype == _F32 else _log(d, fma64)


def _log_series(e, x, dtype, fma):
    """log's and log1p's common end: ``e * ln 2 + 2 atanh(x)`` for ``x`` a double-float
    (``(m - 1) / (m + 1)``, or ``m / (2 + m)``), its series in ``x²`` and the final sum."""
    if dtype == _F32:
        s = _mul_p_s((_F32(0.69314718246459960938), _F32(-1.904654323148236017e-09)), e, fma)
    else:
        s = _mul_p_s((0.693147180559945286226764, 2.319046813846299558417771e-17), e, fma)
    x2 = x[0] * x[0]
    if dtype == _F32:
        t = fma(fma(_F32(0.3027294874), x2, _F32(0.3996108174)), x2, _F32(0.6666694880))
    else:
        c, x4 = _LOG64_POLY, x2 * x2
        t = fma64(x4 * x4, fma64(x4, c[0], fma64(x2, c[1], c[2])), _poly4(x2, x4, c[3:]))
    s = _add_p_p(s, (x[0] * 2, x[1] * 2))
    s = _add_p_s(s, x2 * x[0] * t)
    return s[0] + s[1]


def _log(d, fma):
    dtype = d.dtype.type
    f, e = np.frexp(d)  # d = f * 2**e, f in [0.5, 1); m in [0.75, 1.5) as SLEEF's
    low = f < 0.75
    m = np.where(low, f * 2, f)
    e = (e - low).astype(dtype)
    x = _div_p_p(_add2_s_s(dtype(-1), m), _add2_s_s(dtype(1), m), fma)
    r = _log_series(e, x, dtype, fma)
    r = np.where(d == np.inf, d, np.where((d < 0) | np.isnan(d), dtype(np.nan), r))
    return np.where(d == 0, dtype(-np.inf), r)


# expm1 and log1p. ``torch.expm1``/``torch.log1p`` do not go to MKL (ATen/cpu/vml.h leaves
# ``IMPLEMENT_VML_MKL(expm1, ...)`` and ``(log1p, ...)`` commented out), so their kernels
# (UnaryOpsKernel.cpp's IMPLEMENT_FLOAT_KERNEL, through ``vec::map``, which pads the tail
# into a full vector) run SLEEF's ``xexpm1f``/``xexpm1``/``xlog1pf``/``xlog1p`` on every
# element, strided inputs included (copied to a buffer first). Bit for bit in numpy here.

def _add_s_s(x, y):  # dfadd_vf2_vf_vf (|x| >= |y|)
    s = x + y
    return s, (x - s) + y


def _add_s_p(x, y):  # dfadd_vf2_vf_vf2 (|x| >= |y|)
    s = x + y[0]
    return s, ((x - s) + y[0]) + y[1]


def _add2_p_s(x, y):  # dfadd2_vf2_vf2_vf
    s, t = _add2_s_s(x[0], y)
    return s, t + x[1]


def _add2_p_p(x, y):  # dfadd2_vf2_vf2_vf2
    s, t = _add2_s_s(x[0], y[0])
    return s, t + (x[1] + y[1])


def _mul_p_p(x, y, fma):  # dfmul_vf2_vf2_vf2
    s = x[0] * y[0]
    return s, fma(x[0], y[1], fma(x[1], y[0], _product_error(x[0], y[0], s)))


def _square_p(x, fma):  # dfsqu_vf2_vf2
    s = x[0] * x[0]
    return s, fma(x[0] + x[0], x[1], _product_error(x[0], x[0], s))


def expm1(a):
    """SLEEF's ``xexpm1f`` (float32) / ``xexpm1`` (float64): ``exp`` of ``a`` as a
    float-float (``expk2f``/``expk2``), minus 1 in float-float, rounded once. (float16
    goes through float32, as PyTorch's ``vec::map`` does.)"""
    a = np.asarray(a)
    if a.ndim == 0:  # (numpy turns 0-d results into scalars, which fma32 cannot patch)
        return expm1(a.reshape(1)).reshape(())
    with np.errstate(all="ignore"):
        if a.dtype == np.float16:
            return expm1(a.astype(_F32)).astype(np.float16)
        if a.dtype == _F32:
            r = _float32_fast(_expm1_32, a)
            big, low = _F32(88.72283172607421875), _F32(-16.635532333438687426013570)
        else:
            r = _expm1_64(a)
            big, low = 709.782712893383996732223, -36.736800569677101399113302437
        r = np.where(a > big, np.inf, np.where(a < low, -1, r)).astype(a.dtype)
        return np.where((a == 0) | np.isnan(a), a, r)  # keeps -0.0 and NaN


def _expm1_32(a, fma):  # expk2f((a, 0)), then dfadd2_vf2_vf2_vf(., -1)
    q = np.rint(a * _F32(1.442695040888963407359924681001892137426645954152985934135449406931))
    s = _add2_s_s(a, q * _F32(-0.693145751953125))
    s = _add2_p_s(s, q * _F32(-1.428606765330187045e-06))
    u = _F32(0.1980960224e-3)
    for c in (0.1394256484e-2, 0.8333456703e-2, 0.4166637361e-1):
        u = fma(u, s[0], _F32(c))
    t = _add2_p_s(_mul_p_s(s, u, fma), _F32(0.166666659414234244790680580464))
    t = _add2_p_s(_mul_p_p(s, t, fma), _F32(0.5))
    t = _add_s_p(_F32(1), _add2_p_p(s, _mul_p_p(_square_p(s, fma), t, fma)))
    q = _rint_int(q)  # vldexp2 of each part: one rounding (np.ldexp)
    d = _add2_p_s((np.ldexp(t[0], q), np.ldexp(t[1], q)), _F32(-1))
    return d[0] + d[1]


def _expm1_64(a):  # expk2((a, 0)), then ddadd2_vd2_vd2_vd(., -1)
    q = np.rint(a * 1.442695040888963407359924681001892137426645954152985934135449406931)
    s = _add2_s_s(a, q * -0.69314718055966295651160180568695068359375)
    s = _add2_p_s(s, q * -0.28235290563031577122588448175013436025525412068e-12)
    s2 = _square_p(s, fma64)
    s4 = _square_p(s2, fma64)
    u = _poly10(s[0], s2[0], s4[0], s4[0] * s4[0], _EXPK2_POLY)
    t = _add_s_p(0.5, _mul_p_s(s, 0.1666666666666666574, fma64))
    t = _add_s_p(1.0, _mul_p_p(t, s, fma64))
    t = _add_s_p(1.0, _mul_p_p(t, s, fma64))
    t = _add_p_p(t, _mul_p_s(s4, u, fma64))
    q = _rint_int(q)
    d = _add2_p_s((np.ldexp(t[0], q), np.ldexp(t[1], q)), -1.0)
    return d[0] + d[1]


_EXPK2_POLY = (0.1602472219709932072e-9, 0.2092255183563157007e-8, 0.2505230023782644465e-7,
               0.2755724800902135303e-6, 0.2755731892386044373e-5, 0.2480158735605815065e-4,
               0.1984126984148071858e-3, 0.1388888888886763255e-2, 0.8333333333333347095e-2,
               0.4166666666666669905e-1)


def _poly10(x, x2, x4, x8, c):  # estrin.h's POLY10
    p = fma64(x4, _poly4(x, x2, c[2:6]), _poly4(x, x2, c[6:]))
    return fma64(x8, fma64(x, c[0], c[1]), p)


def log1p(d):
    """SLEEF's ``xlog1pf`` (float32) / ``xlog1p`` (float64): ``log``'s algorithm with the
    argument split as ``1 + d = 2**e * (1 + m)``, ``m`` computed from ``d`` directly, and
    ``x = m / (2 + m)``; beyond ``LOG1P(F)_BOUND`` plain ``log``. (float16: as expm1.)"""
    d = np.asarray(d)
    if d.ndim == 0:  # (as expm1)
        return log1p(d.reshape(1)).reshape(())
    dtype = d.dtype.type
    fma = fma32 if dtype == _F32 else fma64  # (as log: too many ties to defer the check)
    with np.errstate(all="ignore"):
        if dtype == np.float16:
            return log1p(d.astype(_F32)).astype(np.float16)
        _, e = np.frexp((d + dtype(1)) * dtype(1 / 0.75))  # vilogb2k((d + 1) * (1 / 0.75f))
        t = np.ldexp(dtype(1), 1 - e)
        m = d * t + (t - dtype(1))  # SLEEF's fma; the product is exact (t is 2**-e)
        e = (e - 1).astype(dtype)
        bound = _F32(float.fromhex("0x1.2ced32p+126")) if dtype == _F32 else \
            float.fromhex("0x1.c7b1f3cac7433p+1019")
        x = _div_p_p((m, np.zeros_like(m)), _add_s_s(dtype(2), m), fma)
        r = _log_series(e, x, dtype, fma)
        big = ~(d <= bound)  # NaN too
        if big.any():
            r = np.where(big, log(np.where(big, d, dtype(1))), r)
        r = np.where(d < -1, dtype(np.nan), np.where(d == -1, dtype(-np.inf), r))
        return np.where(d == 0, d, r)  # keeps -0.0
