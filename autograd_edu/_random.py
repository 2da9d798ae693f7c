"""PyTorch's CPU random number generator, reproduced bit for bit in numpy.

After ``manual_seed(n)``, :func:`uniform`, :func:`normal`, :func:`randint` and
:func:`randperm` return exactly the numbers that ``torch.rand``, ``torch.randn``,
``torch.randint`` and ``torch.randperm`` return after ``torch.manual_seed(n)``,
call after call, because the generator state (including the cached second
Box-Muller sample) is carried across calls just as torch carries it.

Where each piece comes from (paths in the PyTorch source tree):

* ``aten/src/ATen/core/MT19937RNGEngine.h`` -- the 32-bit Mersenne Twister engine.
* ``aten/src/ATen/CPUGeneratorImpl.cpp`` -- ``random()`` (one 32-bit draw),
  ``random64()`` (two draws, the first one is the high word), the cached normal
  sample and the ``get_rng_state()`` byte layout.
* ``aten/src/ATen/core/TransformationHelper.h`` and ``DistributionsHelper.h`` --
  how raw bits become uniform floats, integers and (small) normal samples.
* ``aten/src/ATen/native/cpu/DistributionTemplates.h`` -- the CPU kernels: which
  path a tensor takes (for ``normal_``: 16 or more contiguous elements use the
  block-of-16 Box-Muller fill, fewer use the scalar double-precision sampler).
* ``aten/src/ATen/native/cpu/avx_mathfun.h`` -- the float32 ``log``/``sincos``
  polynomials used by that block fill on AVX2 machines.

Three details of how torch is *compiled* also matter, and were measured against
torch 2.13 on AVX2 and AVX512 CPUs:

1. The AVX2 kernels are built with ``-mfma`` and GCC's default
   ``-ffp-contract=fast``, so C expressions like ``x * (to - from) + from`` run as
   one fused multiply-add (a single rounding).  numpy has no FMA, so
   :func:`._fma.fma32` and :func:`._fma.fma64` compute it exactly.
2. The float32 block fill uses the Cephes polynomials of ``avx_mathfun.h``, not
   the C library; :func:`_log256_ps` and :func:`_sincos256_ps` replay them
   operation by operation, including the multiply-adds GCC fused.
3. The float64 block fill and the small-tensor sampler call the C library's
   (glibc's) ``log``/``log1p``/``cos``/``sin``.  So do Python's ``math``
   functions, which we use (:func:`_libm`); numpy's ufuncs are not glibc on
   every CPU (on AVX512 numpy 2.x has its own float64 ``log``, one ulp off in
   about 1 of 300 results).

Torch picks those kernels on x86-64 CPUs with AVX2 or AVX512: the random
kernels are registered with ``REGISTER_DISPATCH``, which leaves the AVX512 slot
of the dispatch table empty (``native/DispatchStub.h``), so AVX512 CPUs run the
AVX2 build (checked by ``test_avx2_capability_torch``); see
``torch.backends.cpu.get_cpu_capability()``.  With the ``DEFAULT`` capability
(no AVX2, or ``ATEN_CPU_CAPABILITY=default``) torch computes large float32
``randn`` with C-library ``logf``/``sinf``/``cosf`` and does not fuse the
multiply-adds, so float32 ``randn`` of 16+ elements, ``uniform`` with other
bounds than [0, 1) and small ``normal`` with other ``mean/std`` than 0/1 can
differ there by a few float ulps (measured: at most 4.4e-6 relative for
float32).  The raw bit stream, the generator state, ``rand``, ``randint``,
``randperm``, small ``randn`` and float64 ``randn``/``normal`` of 16+ elements
(which call ``std::fma`` explicitly) do not depend on the CPU capability.
This module always replays the AVX2 build; it does not look at the CPU.
"""

from __future__ import annotations

import math
import operator
import os
import time

import numpy as np

from ._fma import fma32 as _fma32
from ._fma import fma64 as _fma64

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "initial_seed",
    "seed",
    "get_rng_state",
    "set_rng_state",
    "uniform",
    "normal",
    "randint",
    "randperm",
]

# torch's c10::detail::default_rng_seed_val (torch itself seeds its default
# generator from /dev/urandom at start-up; we pick this fixed value instead so
# that runs are reproducible).
DEFAULT_SEED = 67280421310721

_U32 = np.uint32
_U64 = np.uint64


# --------------------------------------------------------------------------
# The MT19937 engine (MT19937RNGEngine.h)
# --------------------------------------------------------------------------

_N = 624  # MERSENNE_STATE_N
_M = 397  # MERSENNE_STATE_M
_MATRIX_A = _U32(0x9908B0DF)
_UMASK = _U32(0x80000000)
_LMASK = _U32(0x7FFFFFFF)


def _init_state(seed: int) -> np.ndarray:
    """``init_with_uint32``: Knuth's linear recurrence from the low 32 bits of the seed.

    Only ``seed & 0xffffffff`` enters the state, so seeds that differ only
    above bit 31 produce the same numbers (``initial_seed()`` still differs).
    """
    state = np.empty(_N, dtype=_U32)
    x = seed & 0xFFFFFFFF
    state[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        state[j] = x
    return state


def _twist_pairs(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``twist(u, v)``: top bit of ``u``, low 31 bits of ``v``, shifted and mixed."""
    y = (u & _UMASK) | (v & _LMASK)
    return (y >> _U32(1)) ^ ((v & _U32(1)) * _MATRIX_A)


def _next_state(mt: np.ndarray) -> np.ndarray:
    """``next_state()``: the twist of all 624 words, vectorised.

    Word ``i`` becomes ``mt[i + 397] ^ twist(mt[i], mt[i + 1])`` where indices
    wrap around and words already replaced in this pass are used in their new
    form.  Since word ``i`` reads word ``i - 227`` (mod 624), slices of at most
    227 words only read words finished by an earlier slice.
    """
    new = np.empty_like(mt)
    k = _N - _M  # 227
    new[:k] = mt[_M:] ^ _twist_pairs(mt[:k], mt[1 : k + 1])
    new[k : 2 * k] = new[:k] ^ _twist_pairs(mt[k : 2 * k], mt[k + 1 : 2 * k + 1])
    new[2 * k : _N - 1] = new[k : _M - 1] ^ _twist_pairs(mt[2 * k : _N - 1], mt[2 * k + 1 :])
    new[_N - 1] = new[_M - 1] ^ _twist_pairs(mt[_N - 1 :], new[:1])[0]
    return new


def _temper(y: np.ndarray) -> np.ndarray:
    """The output tempering of ``mt19937_engine::operator()``."""
    y = y ^ (y >> _U32(11))
    y = y ^ ((y << _U32(7)) & _U32(0x9D2C5680))
    y = y ^ ((y << _U32(15)) & _U32(0xEFC60000))
    return y ^ (y >> _U32(18))


# Byte layout of torch.get_rng_state() (CPUGeneratorImplState on x86-64).
_LEGACY_POD = np.dtype(
    [
        ("the_initial_seed", "<u8"),
        ("left", "<i4"),
        ("seeded", "<i4"),
        ("next", "<u8"),
        ("state", "<u8", (_N,)),
        ("normal_x", "<f8"),
        ("normal_y", "<f8"),
        ("normal_rho", "<f8"),
        ("normal_is_valid", "<i4"),
    ],
    align=True,
)
_STATE_DTYPE = np.dtype(
    [
        ("legacy_pod", _LEGACY_POD),
        ("next_float_normal_sample", "<f4"),
        ("is_next_float_normal_sample_valid", "u1"),
    ],
    align=True,
)
STATE_SIZE = _STATE_DTYPE.itemsize  # 5056, like len(torch.get_rng_state())


class Generator:
    """A CPU generator: mt19937 state plus the cached normal samples (``CPUGeneratorImpl``).

    The engine state is kept exactly as torch keeps it: the 624 words, ``left``
    and ``next``.  A draw decrements ``left``; when it reaches 0 the 624 words
    are twisted (``left = 624``, ``next = 0``); then word ``next`` is tempered
    and returned.  Seeding sets ``left = 1`` so the first draw twists.
    """

    def __init__(self, seed: int = DEFAULT_SEED):
        self.manual_seed(seed)

    # -- seeding ------------------------------------------------------------

    def manual_seed(self, seed: int) -> Generator:
        """Seed like ``torch.Generator.manual_seed`` (negative seeds wrap to uint64)."""
        seed = operator.index(seed)
        if not -(2**63) <= seed < 2**64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2**64
        self._mt = _init_state(self._seed)
        self._left = 1
        self._next = 0
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None
        return self

    def initial_seed(self) -> int:
        """The seed last given to :meth:`manual_seed` (as an unsigned 64-bit int)."""
        return self._seed

    def seed(self) -> int:
        """Reseed from ``os.urandom`` (or the clock), like ``torch.Generator.seed``."""
        try:
            value = int.from_bytes(os.urandom(8), "little")
        except NotImplementedError:  # pragma: no cover - no OS randomness source
            value = time.time_ns() & (2**64 - 1)
        self.manual_seed(value)
        return value

    # -- state --------------------------------------------------------------

    def get_state(self) -> np.ndarray:
        """The state as 5056 bytes (uint8), laid out exactly like ``torch.get_rng_state()``."""
        rec = np.zeros((), dtype=_STATE_DTYPE)
        pod = rec["legacy_pod"]
        pod["the_initial_seed"] = self._seed
        pod["left"] = self._left
        pod["seeded"] = 1
        pod["next"] = self._next
        pod["state"] = self._mt
        if self._next_double_normal is not None:
            pod["normal_is_valid"] = 1
            pod["normal_y"] = self._next_double_normal
        if self._next_float_normal is not None:
            rec["is_next_float_normal_sample_valid"] = 1
            rec["next_float_normal_sample"] = self._next_float_normal
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def set_state(self, state) -> None:
        """Restore a state from :meth:`get_state` (or from ``torch.get_rng_state().numpy()``)."""
        raw = np.ascontiguousarray(state, dtype=np.uint8).reshape(-1)
        if raw.size != STATE_SIZE:
            raise ValueError(f"Expected a generator state of {STATE_SIZE} bytes, got {raw.size}")
        rec = raw.view(_STATE_DTYPE)[0]
        pod = rec["legacy_pod"]
        left, nxt = int(pod["left"]), int(pod["next"])
        if not (int(pod["seeded"]) and 0 < left <= _N and nxt <= _N):
            raise ValueError("Invalid mt19937 state")
        self._seed = int(pod["the_initial_seed"])
        self._mt = pod["state"].astype(_U32)
        self._left, self._next = left, nxt
        self._next_double_normal = float(pod["normal_y"]) if int(pod["normal_is_valid"]) else None
        self._next_float_normal = (
            float(rec["next_float_normal_sample"])
            if int(rec["is_next_float_normal_sample_valid"])
            else None
        )

    def clone(self) -> Generator:
        """An independent generator with the same state."""
        other = Generator.__new__(Generator)
        other.set_state(self.get_state())
        return other

    # -- raw draws ----------------------------------------------------------

    def random_uint32(self, n: int) -> np.ndarray:
        """``n`` successive ``random()`` draws (uint32), twisting as often as needed."""
        out = np.empty(n, dtype=_U32)
        # Words readable before the next twist (a draw twists when left hits 0).
        first = min(n, self._left - 1)
        out[:first] = self._mt[self._next : self._next + first]
        self._left -= first
        self._next += first
        rest = n - first
        if rest:
            blocks = -(-rest // _N)
            words = np.empty((blocks, _N), dtype=_U32)
            mt = self._mt
            for b in range(blocks):
                mt = _next_state(mt)
                words[b] = mt
            self._mt = mt
            out[first:] = words.reshape(-1)[:rest]
            used = rest - (blocks - 1) * _N  # words taken from the last block
            self._next = used
            self._left = _N + 1 - used
        return _temper(out)

    def random_uint64(self, n: int) -> np.ndarray:
        """``n`` successive ``random64()`` draws: ``(first << 32) | second``."""
        w = self.random_uint32(2 * n).astype(_U64)
        return (w[0::2] << _U64(32)) | w[1::2]


default_generator = Generator(DEFAULT_SEED)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(int(seed))


def initial_seed() -> int:
    """``torch.initial_seed()``."""
    return default_generator.initial_seed()


def seed() -> int:
    """``torch.seed()``: reseed the default generator non-deterministically."""
    return default_generator.seed()


def get_rng_state() -> np.ndarray:
    """``torch.get_rng_state()`` as a uint8 array."""
    return default_generator.get_state()


def set_rng_state(state) -> None:
    """``torch.set_rng_state()``."""
    default_generator.set_state(state)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _gen(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(operator.index(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return shape


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"expected float32 or float64, got {dtype}")
    return dtype


def _uniform01_float32(gen: Generator, n: int) -> np.ndarray:
    """``uniform_real_distribution<float>(0, 1)``: 24 bits of one 32-bit draw.

    float32 has a 24-bit significand (``numeric_limits<float>::digits``), so
    ``(r & (2**24 - 1)) * 2**-24`` hits every multiple of 2**-24 in [0, 1)
    exactly, and can never round up to 1.0.
    """
    return (gen.random_uint32(n) & _U32(0xFFFFFF)).astype(np.float32) * np.float32(2.0**-24)


def _uniform01_float64(gen: Generator, n: int) -> np.ndarray:
    """``uniform_real_distribution<double>(0, 1)``: 53 bits of one ``random64()``."""
    bits = gen.random_uint64(n) & _U64((1 << 53) - 1)
    return bits.astype(np.float64) * 2.0**-53


# --------------------------------------------------------------------------
# rand / uniform_
# --------------------------------------------------------------------------


def uniform(shape, dtype=np.float32, low=0.0, high=1.0, generator=None) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)`` (``uniform_kernel``).

    ``x = bits * 2**-digits`` then ``x * (high - low) + low`` in the tensor's
    dtype, one fused multiply-add in torch's AVX2 build.  A result that rounds
    up to ``high`` is replaced by ``low`` (torch's clamp), keeping [low, high).
    """
    shape = _shape(shape)
    dtype = _float_dtype(dtype)
    info = np.finfo(dtype)
    low, high = float(low), float(high)
    for name, v in (("from", low), ("to", high)):
        if not float(info.min) <= v <= float(info.max):
            raise ValueError(f"{name} is out of bounds for {dtype}")
    if not low <= high:
        raise ValueError(
            f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}"
        )
    if high - low > float(info.max):
        raise ValueError("uniform_ expects to-from to be within the dtype's range")
    n = math.prod(shape)
    if n == 0:
        return np.empty(shape, dtype)
    gen = _gen(generator)
    lo, hi = dtype.type(low), dtype.type(high)
    if dtype == np.float32:
        x = _uniform01_float32(gen, n)
        if (lo, hi) != (0, 1):
            x = _fma32(x, hi - lo, lo)
    else:
        x = _uniform01_float64(gen, n)
        if (lo, hi) != (0, 1):
            x = _fma64(x, hi - lo, lo)
    x[x == hi] = lo
    return x.reshape(shape)


# --------------------------------------------------------------------------
# randn / normal_
# --------------------------------------------------------------------------


def normal(shape, dtype=np.float32, mean=0.0, std=1.0, generator=None) -> np.ndarray:
    """``torch.randn`` / ``Tensor.normal_(mean, std)`` (``normal_kernel``).

    torch has two paths, chosen by size:

    * fewer than 16 elements: ``normal_distribution<double>``, one double
      Box-Muller pair per two elements, the unused sine sample cached in the
      generator for the next call (:func:`_normal_scalar`);
    * 16 or more: fill the whole tensor with uniforms, then Box-Muller each
      block of 16 (8 pairs); if the size is not a multiple of 16, draw 16 fresh
      uniforms and redo the last 16 elements (:func:`_normal_fill`).
    """
    shape = _shape(shape)
    dtype = _float_dtype(dtype)
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise ValueError(f"normal expects std >= 0.0, but found std {std}")
    n = math.prod(shape)
    if n == 0:
        return np.empty(shape, dtype)
    gen = _gen(generator)
    if n >= 16:
        out = _normal_fill(gen, n, dtype, mean, std)
    else:
        out = _normal_scalar(gen, n, mean, std).astype(dtype)
    return out.reshape(shape)


def _normal_scalar(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``at::normal_distribution<double>`` applied ``n`` times (DistributionsHelper.h).

    ``u1, u2`` are two double uniforms, ``r = sqrt(-2 log1p(-u2))``,
    ``theta = 2 pi u1``; ``r cos(theta)`` is returned and ``r sin(theta)`` is
    cached for the next sample, even across calls (``manual_seed`` clears it).
    The C library calls are the ones Python's ``math`` module makes.
    """
    vals = np.empty(n, dtype=np.float64)
    for i in range(n):
        if gen._next_double_normal is not None:
            vals[i] = gen._next_double_normal
            gen._next_double_normal = None
            continue
        u1, u2 = (float(u) for u in _uniform01_float64(gen, 2))
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        gen._next_double_normal = r * math.sin(theta)
        vals[i] = r * math.cos(theta)
    # transformation::normal: val * std + mean, fused by the compiler.
    return _fma64(vals, std, mean)


def _normal_fill(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """``normal_fill`` (native/cpu/DistributionTemplates.h) for contiguous tensors."""
    if dtype == np.float32:
        draw, fill16 = _uniform01_float32, _normal_fill_16_avx2
    else:
        draw, fill16 = _uniform01_float64, _normal_fill_16_double
    data = draw(gen, n)
    full = n - n % 16
    if full:
        data[:full] = fill16(data[:full], mean, std)
    if n % 16:
        data[n - 16 :] = fill16(draw(gen, 16), mean, std)
    return data


def _normal_fill_16_double(data: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<double>``: scalar Box-Muller on blocks of 16 doubles.

    In each block, ``u1 = 1 - data[j]`` and ``u2 = data[j + 8]`` (j < 8) give
    ``data[j] = fma(r cos, std, mean)`` and ``data[j + 8] = fma(r sin, std, mean)``.
    This is the kernel for every CPU capability (default, AVX2, AVX512); its
    ``log``/``cos``/``sin`` are glibc's, reproduced by :func:`_libm`.
    """
    blocks = data.reshape(-1, 16)
    u1 = 1.0 - blocks[:, :8]
    u2 = blocks[:, 8:]
    radius = np.sqrt(-2.0 * _libm(math.log, u1))
    theta = (2.0 * math.pi) * u2
    out = np.empty_like(blocks)
    out[:, :8] = _fma64(radius * _libm(math.cos, theta), std, mean)
    out[:, 8:] = _fma64(radius * _libm(math.sin, theta), std, mean)
    return out.reshape(-1)


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply a ``math`` function elementwise: the C library's bits, as torch gets them.

    ``math.log``/``cos``/``sin`` call the C library (glibc) directly, like
    torch's ``std::log``/``std::cos``/``std::sin``.  numpy's ufuncs need not: on
    AVX512 CPUs numpy 2.x runs its own SIMD float64 ``log``, one ulp away from
    glibc for about 1 in 300 Box-Muller inputs (its ``sin``/``cos`` agreed when
    measured, but nothing promises that).  ``map`` over a list costs about
    30 ns per element.
    """
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def _normal_fill_16_avx2(data: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<float>`` for AVX2: 8 lanes of u1 (first half) and u2 (second half).

    ``radius = sqrt(-2 * log256_ps(1 - u1))``, ``theta = 2pi * u2`` (2pi rounded to
    float32), then ``fmadd(radius * cos, std, mean)`` and the same with sin.
    Everything is float32.
    """
    f32 = np.float32
    blocks = data.reshape(-1, 16)
    u1 = f32(1.0) - blocks[:, :8]
    u2 = blocks[:, 8:]
    radius = np.sqrt(f32(-2.0) * _log256_ps(u1))
    theta = f32(2.0 * math.pi) * u2
    sin, cos = _sincos256_ps(theta)
    mean32, std32 = f32(mean), f32(std)
    out = np.empty_like(blocks)
    out[:, :8] = _fma32(radius * cos, std32, mean32)
    out[:, 8:] = _fma32(radius * sin, std32, mean32)
    return out.reshape(-1)


# Cephes float32 constants from avx_mathfun.h.
_f32 = np.float32
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = [
    _f32(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_MINUS_DP = [_f32(-0.78515625), _f32(-2.4187564849853515625e-4), _f32(-3.77489497744594108e-8)]
_SINCOF = [_f32(-1.9515295891e-4), _f32(8.3321608736e-3), _f32(-1.6666654611e-1)]
_COSCOF = [_f32(2.443315711809948e-05), _f32(-1.388731625493765e-03), _f32(4.166664568298827e-02)]
_FOPI = _f32(1.27323954473516)  # 4 / pi
_MIN_NORM_POS = np.int32(0x00800000).view(_f32)


def _log256_ps(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` (avx_mathfun.h) for positive float32, step by step.

    Split ``x = m * 2**e`` with ``m`` in [sqrt(1/2), sqrt(2)), evaluate the Cephes
    polynomial in ``m - 1`` and add ``e * ln 2`` in two pieces.  Each
    ``y = y * x + p`` step is one FMA, as GCC emits it (the tests showed that the
    unfused variant differs from torch).  Inputs <= 0 (NaN in the original) never
    occur here: Box-Muller passes ``1 - u`` in (0, 1].
    """
    f32 = np.float32
    x = np.maximum(x, _MIN_NORM_POS)
    bits = x.view(np.int32)
    exponent = (bits.view(_U32) >> _U32(23)).view(np.int32) - np.int32(0x7F)
    # keep the mantissa, force the exponent of 0.5: x in [0.5, 1)
    x = ((bits & np.int32(~0x7F800000)) | f32(0.5).view(np.int32)).view(f32)
    e = exponent.astype(f32) + f32(1.0)
    mask = x < _SQRTHF
    x = (x - f32(1.0)) + np.where(mask, x, f32(0.0))  # x + x - 1 if mask else x - 1
    e = e - np.where(mask, f32(1.0), f32(0.0))
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma32(y, x, p)
    y = y * x
    y = _fma32(y, z, e * _LOG_Q1)  # y * z + e * q1: GCC fuses the first product
    y = _fma32(-z, f32(0.5), y)  # y - z * 0.5
    return _fma32(e, _LOG_Q2, x + y)  # x + y + e * q2


def _sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` (avx_mathfun.h): float32 sine and cosine, step by step.

    Reduce by ``j * pi/4`` (``j`` = even integer nearest above |x| * 4/pi) in
    three exact-ish steps, evaluate both Cephes polynomials on the remainder
    and pick/sign them by the octant.  Multiply-adds are fused as GCC emits them.
    """
    f32 = np.float32
    i32 = np.int32
    bits = x.view(i32)
    sign_sin = bits & i32(-0x80000000)
    x = (bits & i32(0x7FFFFFFF)).view(f32)
    j = (x * _FOPI).astype(i32)  # _mm256_cvttps_epi32 truncates
    j = (j + i32(1)) & i32(~1)
    y = j.astype(f32)
    swap_sign_sin = (j & i32(4)) << i32(29)
    poly_mask = (j & i32(2)) == 0
    for dp in _MINUS_DP:  # x = ((x - y*DP1) - y*DP2) - y*DP3
        x = _fma32(y, dp, x)
    sign_cos = (~(j - i32(2)) & i32(4)) << i32(29)
    sign_sin = sign_sin ^ swap_sign_sin
    z = x * x
    # cosine polynomial for |x| <= pi/4
    yc = _fma32(_COSCOF[0], z, _COSCOF[1])
    yc = _fma32(yc, z, _COSCOF[2])
    yc = yc * z
    yc = _fma32(yc, z, -(z * f32(0.5)))
    yc = yc + f32(1.0)
    # sine polynomial for |x| <= pi/4
    ys = _fma32(_SINCOF[0], z, _SINCOF[1])
    ys = _fma32(ys, z, _SINCOF[2])
    ys = ys * z
    ys = _fma32(ys, x, x)
    # select by octant with the same and/andnot/add/sub sequence as the original
    ysin2 = np.where(poly_mask, ys, f32(0.0))
    ysin1 = np.where(poly_mask, f32(0.0), yc)
    ys = ys - ysin2
    yc = yc - ysin1
    sin = ((ysin1 + ysin2).view(i32) ^ sign_sin).view(f32)
    cos = ((yc + ys).view(i32) ^ sign_cos).view(f32)
    return sin, cos


# --------------------------------------------------------------------------
# randint / random_(from, to)
# --------------------------------------------------------------------------


def _cast_int(value: int, dtype: np.dtype) -> int:
    """``static_cast<int64_t>(static_cast<scalar_t>(value))`` (one rounding, like C)."""
    return int(np.array(value, dtype=np.int64).astype(dtype))


def _update_from(low: int, dtype: np.dtype) -> int:
    """``update_from<scalar_t>``: move ``low`` right until it survives the cast to ``dtype``."""
    plus1 = _cast_int(low + 1, dtype)
    if plus1 < low:
        n = abs(low + 1).bit_length() - 1
        low = plus1 + (1 << (n - (np.finfo(dtype).nmant + 1) + 1))
    return low


def _update_to(high: int, dtype: np.dtype) -> int:
    """``update_to<scalar_t>``: move ``high`` left until ``high - 1`` survives the cast."""
    minus1 = _cast_int(high - 1, dtype)
    if minus1 >= high:
        n = abs(high - 1).bit_length() - 1
        high = minus1 - (1 << (n - (np.finfo(dtype).nmant + 1) + 1))
    return high


def randint(low: int, high: int, shape, dtype=np.int64, generator=None) -> np.ndarray:
    """``torch.randint(low, high, shape)`` / ``Tensor.random_(low, high)``.

    ``random_from_to``: ``range = high - low`` (as uint64) and each element is
    ``(r % range) + low`` computed in uint64 and cast through int64.  ``r`` is one
    32-bit draw when ``range < 2**28`` and a 64-bit draw (two 32-bit draws)
    otherwise -- torch switched from 2**32 to 2**28 to limit the modulo bias.
    """
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    low, high = operator.index(low), operator.index(high)
    if not low < high:
        raise ValueError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    if dtype.kind == "f":
        _float_dtype(dtype)
        low, high = _update_from(low, dtype), _update_to(high, dtype)
        if not low < high:
            raise ValueError("random_ expects 'from' casted to dtype to be less than 'to'")
        bound = float(np.finfo(dtype).max)
        lo_ok, hi_ok = -bound <= low <= bound, -bound <= high - 1 <= bound
    elif dtype.kind in "iub":
        info = np.iinfo(dtype) if dtype.kind != "b" else None
        lo_min, hi_max = (0, 1) if info is None else (int(info.min), int(info.max))
        hi_max = min(hi_max, 2**63 - 1)  # values pass through int64
        lo_ok, hi_ok = lo_min <= low <= hi_max, lo_min <= high - 1 <= hi_max
    else:
        raise TypeError(f"randint does not support dtype {dtype}")
    if not lo_ok:
        raise ValueError(f"from is out of bounds for {dtype}")
    if not hi_ok:
        raise ValueError(f"to - 1 is out of bounds for {dtype}")
    n = math.prod(shape)
    if n == 0:
        return np.empty(shape, dtype)
    gen = _gen(generator)
    span = (high - low) % 2**64
    if span >= 1 << 28:
        r = gen.random_uint64(n)
    else:
        r = gen.random_uint32(n).astype(_U64)
    vals = ((r % _U64(span)) + _U64(low % 2**64)).view(np.int64)
    return vals.astype(dtype).reshape(shape)


# --------------------------------------------------------------------------
# randperm
# --------------------------------------------------------------------------


def randperm(n: int, generator=None) -> np.ndarray:
    """``torch.randperm(n)`` (``randperm_cpu`` in native/TensorFactories.cpp).

    A Fisher-Yates shuffle of ``arange(n)``: for ``i`` in ``0 .. n-2`` swap
    element ``i`` with element ``i + random() % (n - i)``.  The ``n - 1`` draws
    are vectorised; the swaps are inherently sequential (a Python loop, about
    0.3 s per million elements).
    """
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    gen = _gen(generator)
    perm = list(range(n))
    if n > 1:
        draws = gen.random_uint32(n - 1).astype(np.int64)
        offsets = (draws % np.arange(n, 1, -1, dtype=np.int64)).tolist()
        for i, z in enumerate(offsets):
            k = i + z
            perm[i], perm[k] = perm[k], perm[i]
    return np.array(perm, dtype=np.int64)
