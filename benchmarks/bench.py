"""Benchmarks: autograd_edu vs PyTorch 2.13 (CPU) vs hand-written numpy.

Run:  python benchmarks/bench.py [--repeats 5]

Single-threaded (this machine's second core is noisy); the engines are
interleaved inside every repeat so they see the same machine state; each
figure is the median over repeats and ratios are taken within this run.
Prints a Markdown table (copied into benchmarks/README.md).
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import autograd_edu as ae  # noqa: E402

torch.set_num_threads(1)


def timed(fn, number=1):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


# -- workloads: each returns a zero-argument callable per engine ---------------

def tiny_ops(lib):
    if lib is np:
        x = np.array([1.0, 2.0, 3.0], np.float32)

        def step():
            y = x * 2 + 1
            y.sum()
            return np.full_like(x, 2.0)
        return step
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def step():
        (x * 2 + 1).sum().backward()
    return step


def _mlp_data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((128, 784)).astype(np.float32),
            rng.integers(0, 10, 128),
            (rng.standard_normal((256, 784)) * 0.03).astype(np.float32),
            (rng.standard_normal((10, 256)) * 0.06).astype(np.float32))


def mlp_step(lib):
    """One SGD step of a 784-256-10 MLP with cross-entropy, batch 128, float32."""
    x, y, w1, w2 = _mlp_data()
    lr = 0.01
    if lib is np:
        w1, w2 = w1.copy(), w2.copy()
        b1, b2 = np.zeros(256, np.float32), np.zeros(10, np.float32)

        def step():
            nonlocal w1, w2, b1, b2
            h_pre = x @ w1.T + b1
            h = np.maximum(h_pre, 0)
            logits = h @ w2.T + b2
            shifted = logits - logits.max(1, keepdims=True)
            p = np.exp(shifted)
            p /= p.sum(1, keepdims=True)
            g = p
            g[np.arange(128), y] -= 1
            g /= 128
            gw2, gb2 = g.T @ h, g.sum(0)
            gh = g @ w2
            gh[h_pre <= 0] = 0
            gw1, gb1 = gh.T @ x, gh.sum(0)
            w1 -= lr * gw1
            b1 -= lr * gb1
            w2 -= lr * gw2
            b2 -= lr * gb2
        return step
    nn, F = lib.nn, lib.nn.functional
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor(w1))
        model[2].weight.copy_(lib.tensor(w2))
        model[0].bias.zero_()
        model[2].bias.zero_()
    opt = lib.optim.SGD(model.parameters(), lr=lr)
    xt, yt = lib.tensor(x), lib.tensor(y)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(xt), yt).backward()
        opt.step()
    return step


def chain_2000(lib):
    """1,000 × (multiply, add): 2,000 elementwise ops on 100×100, forward + backward."""
    if lib is np:
        x0 = np.ones((100, 100), np.float32)

        def step():
            y = x0
            for _ in range(1000):
                y = y * np.float32(0.999) + np.float32(0.001)
            g = np.ones_like(x0)
            for _ in range(1000):
                g = g * np.float32(0.999)
            return g
        return step
    x = lib.ones(100, 100, requires_grad=True)

    def step():
        y = x
        for _ in range(1000):
            y = y * 0.999 + 0.001
        y.sum().backward()
    return step


def chain_100k(lib):
    """100,000 ops on one element, forward + backward: recursion-free engine."""
    if lib is np:
        def step():
            y = np.ones(1, np.float32)
            for _ in range(100_000):
                y = y * np.float32(1.0000001)
            g = np.ones(1, np.float32)
            for _ in range(100_000):
                g = g * np.float32(1.0000001)
        return step
    x = lib.ones(1, requires_grad=True)

    def step():
        y = x
        for _ in range(100_000):
            y = y * 1.0000001
        y.backward()
    return step


WORKLOADS = [  # (name, unit, scale, number per repeat)
    ("tiny ops `(x*2+1).sum().backward()`", "µs", 1e6, 2000, tiny_ops),
    ("MLP 784-256-10 SGD step, batch 128", "ms", 1e3, 50, mlp_step),
    ("2,000-op chain on 100×100, fwd+bwd", "ms", 1e3, 3, chain_2000),
    ("100,000-op chain, fwd+bwd", "s", 1, 1, chain_100k),
]
ENGINES = [("autograd_edu", ae), ("torch", torch), ("numpy (hand)", np)]


def import_time(module, repeats):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); import {module}; " \
           f"print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)  # warm .pyc
    times = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                  capture_output=True, text=True).stdout) for _ in range(repeats)]
    return statistics.median(times)


def memory():
    """Peak and retained bytes (tracemalloc) around a graph with 1e6-element intermediates."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    x = ae.ones(1_000_000, requires_grad=True)
    loss = (x * 2).exp().sin().sum()
    before = tracemalloc.get_traced_memory()[0] - base
    loss.backward()
    after_backward = tracemalloc.get_traced_memory()[0] - base
    grad_bytes = x.grad.numel() * 4 + x.numel() * 4
    del loss
    gc.collect()
    after_del_loss = tracemalloc.get_traced_memory()[0] - base
    del x
    gc.collect()
    after_del_all = tracemalloc.get_traced_memory()[0] - base
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return before, after_backward, grad_bytes, after_del_loss, after_del_all, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", default=",".join(label for label, _ in ENGINES),
                        help="comma-separated subset, e.g. 'autograd_edu,numpy (hand)'")
    parser.add_argument("--workloads", default="", help="substrings of workload names")
    args = parser.parse_args()
    engines = [(label, lib) for label, lib in ENGINES if label in args.engines.split(",")]
    wanted = [w for w in args.workloads.split(",") if w]
    rows = []
    for name, unit, scale, number, make in WORKLOADS:
        if wanted and not any(w in name for w in wanted):
            continue
        steps = {label: make(lib) for label, lib in engines}
        for fn in steps.values():  # warm up
            fn()
        samples = {label: [] for label, _ in engines}
        for _ in range(args.repeats):
            for label, _ in engines:  # interleaved
                samples[label].append(timed(steps[label], number))
        med = {k: statistics.median(v) for k, v in samples.items()}
        rows.append((name, unit, scale, med))
    print("| workload | autograd_edu | torch | numpy (hand) | ae / torch | ae / numpy |")
    print("|---|---|---|---|---|---|")
    nan = float("nan")
    for name, unit, scale, med in rows:
        a, t, n = (med.get(k, nan) for k in ("autograd_edu", "torch", "numpy (hand)"))
        print(f"| {name} | {a * scale:.3g} {unit} | {t * scale:.3g} {unit} | "
              f"{n * scale:.3g} {unit} | {a / t:.2f}× | {a / n:.2f}× |")
    if wanted:
        return
    ae_import = import_time("autograd_edu", args.repeats)
    np_import = import_time("numpy", args.repeats)
    print(f"| `import autograd_edu` (fresh process, .pyc written) | {ae_import * 1e3:.1f} ms | "
          f"| numpy alone {np_import * 1e3:.1f} ms | | +{(ae_import - np_import) * 1e3:.1f} ms |")
    before, after, grad_bytes, after_del_loss, after_del, peak = memory()
    mb = 1 / 2**20
    print()
    print(f"Memory (tracemalloc, 1e6-element float32 intermediates): graph built "
          f"{before * mb:.1f} MiB, peak {peak * mb:.1f} MiB, after backward "
          f"{after * mb:.1f} MiB (x and x.grad alone: {grad_bytes * mb:.1f} MiB), "
          f"after `del loss` {after_del_loss * mb:.1f} MiB, after `del x` "
          f"{after_del * mb:.2f} MiB.")


if __name__ == "__main__":
    main()
