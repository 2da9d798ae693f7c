"""Threads: grad mode is thread-local, and backward runs in several threads at once.

Every test runs its body with ``T = autograd_edu`` and, as a check on the test's own
assumptions, with ``T = torch`` (PyTorch 2.13): both must pass.

Threads are forced to interleave: a ``threading.Barrier`` holds them at the points
where the other thread's mode must not leak in, and ``sys.setswitchinterval`` is made
tiny so that the interpreter switches threads inside the engine's code as well.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import numpy as np
import pytest
import torch

import autograd_edu

ENGINES = {"autograd_edu": autograd_edu, "torch": torch}
TIMEOUT = 30.0


@pytest.fixture(params=list(ENGINES))
def T(request):
    return ENGINES[request.param]


@pytest.fixture(autouse=True)
def _fast_switching():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def run_threads(*targets: Callable[[], object]) -> list:
    """Run each target in its own thread; return their results, re-raise their errors."""
    results: list = [None] * len(targets)
    errors: list = []

    def wrap(i, fn):
        try:
            results[i] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i, fn), daemon=True)
               for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a thread hung (deadlock?)"
    if errors:
        raise errors[0]
    return results


# -- grad mode is thread-local ---------------------------------------------------------------


def test_no_grad_in_one_thread_recording_in_another(T):
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def silent():
        with T.no_grad():
            barrier.wait()  # 1: both threads are in their mode
            modes = []
            for _ in range(200):
                y = x * 2
                modes.append((T.is_grad_enabled(), y.requires_grad, y.grad_fn is None))
            barrier.wait()  # 2: the other thread has recorded meanwhile
        return modes

    def recording():
        barrier.wait()
        modes = []
        for _ in range(200):
            y = x * 2
            modes.append((T.is_grad_enabled(), y.requires_grad, y.grad_fn is None))
        barrier.wait()
        return modes

    silent_modes, recording_modes = run_threads(silent, recording)
    assert set(silent_modes) == {(False, False, True)}
    assert set(recording_modes) == {(True, True, False)}
    assert T.is_grad_enabled()


def test_set_grad_enabled_false_does_not_leak(T):
    """The plain-call form changes the calling thread only, also after the thread ends."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    seen = {}

    def switch_off():
        T.set_grad_enabled(False)
        barrier.wait()  # 1: mode set here
        barrier.wait()  # 2: the other thread has looked at its own mode
        seen["off_thread"] = T.is_grad_enabled()

    def look():
        barrier.wait()
        seen["other_thread"] = T.is_grad_enabled()
        x = T.ones(2, requires_grad=True)
        seen["other_records"] = (x + 1).requires_grad
        barrier.wait()

    run_threads(switch_off, look)
    assert seen == {"off_thread": False, "other_thread": True, "other_records": True}
    assert T.is_grad_enabled()  # the main thread never changed


def test_new_threads_start_with_grad_enabled(T):
    """A thread started inside ``no_grad`` records: grad mode is not inherited."""
    x = T.tensor([1.0, 2.0], requires_grad=True)
    with T.no_grad():
        assert not T.is_grad_enabled()
        (inside,) = run_threads(lambda: (T.is_grad_enabled(), (x * x).requires_grad))
        assert not T.is_grad_enabled()
        assert not (x * x).requires_grad
    assert inside == (True, True)


def test_enable_grad_inside_no_grad_per_thread(T):
    barrier = threading.Barrier(3, timeout=TIMEOUT)
    x = T.tensor([0.5, -1.5], requires_grad=True)

    def nested():
        with T.no_grad():
            with T.enable_grad():
                barrier.wait()
                a = (x * 3).requires_grad
                barrier.wait()
            b = (x * 3).requires_grad
        return a, b

    def plain_no_grad():
        with T.no_grad():
            barrier.wait()
            a = (x * 3).requires_grad
            barrier.wait()
        return a, (x * 3).requires_grad

    def nothing():
        barrier.wait()
        a = (x * 3).requires_grad
        barrier.wait()
        return a, T.is_grad_enabled()

    assert run_threads(nested, plain_no_grad, nothing) == [(True, False), (False, True),
                                                          (True, True)]


def test_no_grad_decorator_in_threads(T):
    """One decorated function, called from two threads at once: each call has its own
    context (the mode is restored per thread)."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    x = T.tensor([1.0, 2.0], requires_grad=True)

    @T.no_grad()
    def step():
        barrier.wait()
        out = (x * 2).requires_grad
        barrier.wait()
        return out

    def call():
        inside = step()
        return inside, T.is_grad_enabled(), (x * 2).requires_grad

    assert run_threads(call, call) == [(False, True, True)] * 2


def test_inference_mode_is_thread_local(T):
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def inference():
        with T.inference_mode():
            barrier.wait()
            state = (T.is_inference_mode_enabled(), T.is_grad_enabled())
            barrier.wait()
        return state

    def normal():
        barrier.wait()
        state = (T.is_inference_mode_enabled(), T.is_grad_enabled())
        barrier.wait()
        return state

    assert run_threads(inference, normal) == [(True, False), (False, True)]


# -- backward in several threads -------------------------------------------------------------


def _graph(T, seed, dtype):
    """A small graph with shared subexpressions, and its analytic gradients (numpy)."""
    rng = np.random.default_rng(seed)
    a_np, b_np = rng.uniform(0.5, 2.0, (3, 4)), rng.uniform(-1.0, 1.0, (4,))
    a = T.tensor(a_np.astype(dtype), requires_grad=True)
    b = T.tensor(b_np.astype(dtype), requires_grad=True)
    h = (a * b).tanh()
    loss = (h * h).sum() + (a.log() * b).mean()
    t = np.tanh(a_np * b_np)
    dh = 2 * t * (1 - t ** 2)
    ga = dh * b_np + b_np / a_np / a_np.size
    gb = (dh * a_np).sum(0) + np.log(a_np).sum(0) / a_np.size
    return (a, b), loss, (ga, gb)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_backward_in_two_threads_on_separate_graphs(T, dtype):
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    rounds = 30

    def worker(seed):
        results = []
        for r in range(rounds):
            leaves, loss, expected = _graph(T, seed * 1000 + r, dtype)
            barrier.wait()  # both threads start backward together
            loss.backward()
            results.append(([leaf.grad.numpy().copy() for leaf in leaves], expected))
        return results

    rtol = 1e-10 if dtype == "float64" else 2e-5
    for results in run_threads(lambda: worker(1), lambda: worker(2)):
        for actual, expected in results:
            for g, e in zip(actual, expected, strict=True):
                assert g.dtype == np.dtype(dtype)
                np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol)


def test_autograd_grad_in_two_threads(T):
    """``autograd.grad`` with ``create_graph=False`` in both threads, one inside
    ``no_grad`` (the engine must not depend on the caller's mode of the other thread)."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def worker(seed, silent):
        out = []
        for r in range(30):
            leaves, loss, expected = _graph(T, seed * 1000 + r, "float64")
            barrier.wait()
            if silent:
                with T.no_grad():
                    grads = T.autograd.grad(loss, leaves)
            else:
                grads = T.autograd.grad(loss, leaves)
            out.append(([g.numpy().copy() for g in grads], [g.requires_grad for g in grads],
                        expected))
        return out

    for results in run_threads(lambda: worker(3, True), lambda: worker(4, False)):
        for grads, flags, expected in results:
            assert flags == [False, False]
            for g, e in zip(grads, expected, strict=True):
                np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_backward_in_two_threads_into_one_leaf(T):
    """Separate graphs over the same leaf: every backward's gradient is accumulated
    (PyTorch locks AccumulateGrad; no update may be lost)."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
    rounds = 200

    def worker(scale):
        for _ in range(rounds):
            y = (x * scale).sum()
            barrier.wait()
            y.backward()

    run_threads(lambda: worker(1.0), lambda: worker(2.0))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 3.0 * rounds))


def test_second_order_in_two_threads(T):
    """``create_graph=True`` in one thread while the other runs plain backward."""
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def second_order():
        out = []
        for r in range(20):
            x = T.tensor([0.5 + r / 10, -1.0], dtype=T.float64, requires_grad=True)
            (g,) = T.autograd.grad((x ** 3).sum(), x, create_graph=True)
            barrier.wait()
            (h,) = T.autograd.grad(g.sum(), x)
            out.append((x.detach().numpy().copy(), g.detach().numpy().copy(),
                        h.numpy().copy()))
        return out

    def first_order():
        for r in range(20):
            leaves, loss, expected = _graph(T, 77 + r, "float64")
            barrier.wait()
            loss.backward()
            np.testing.assert_allclose(leaves[0].grad.numpy(), expected[0], rtol=1e-10)

    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_graph's reference-cycle warning
        results, _ = run_threads(second_order, first_order)
    for x, g, h in results:
        np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-12)
        np.testing.assert_allclose(h, 6 * x, rtol=1e-12)
