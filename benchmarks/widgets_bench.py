"""Benchmarks for the notebook widgets (not a test: prints figures).

Run:  python benchmarks/widgets_bench.py [--repeats 5]

1. ``draw`` of a 2,000-node MLP graph, rendered to SVG (target ≤ 2 s): split
   into collecting the graph + writing DOT (Python) and running ``dot``.
   A micrograd-style scalar MLP (denser, more crossings) is timed too.
2. One ``BackwardStepper`` step (a ▶ click: one engine step, the frame's
   copies and text, the recoloured SVG, the panel HTML) on a 200-node graph
   (target ≤ 100 ms); the one-off ``dot`` layout at construction is reported
   apart.

Single-threaded; medians over repeats (this machine is shared and noisy).
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import ipywidgets  # noqa: E402
from autograd_edu.widgets import BackwardStepper, draw  # noqa: E402

import autograd_edu as ae  # noqa: E402
from autograd_edu import nn  # noqa: E402


def tensor_mlp(layers, width=4):
    """Linear+ReLU layers: 5 nodes per layer (Addmm, T, ReLU, 2 AccumulateGrad)."""
    ae.manual_seed(0)
    h = ae.randn(2, width)
    for _ in range(layers):
        h = nn.Linear(width, width)(h).relu()
    return h.sum()


def scalar_mlp(n_in, hidden, n_layers=2):
    """micrograd style: one scalar tensor per weight, every neuron sees every input."""
    ae.manual_seed(0)
    acts = [ae.randn(()) for _ in range(n_in)]
    for _ in range(n_layers):
        new = []
        for _ in range(hidden):
            s = ae.randn((), requires_grad=True)
            for a in acts:
                s = s + ae.randn((), requires_grad=True) * a
            new.append(s.tanh())
        acts = new
    out = acts[0]
    for a in acts[1:]:
        out = out + a
    return out


def median_ms(samples):
    return 1000 * statistics.median(samples)


def bench_draw(name, build, repeats):
    python, dot_times = [], []
    nodes = 0
    for _ in range(repeats):
        out = build()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # must not fall back to the collapsed view
            drawing = draw(out)
        mid = time.perf_counter()
        drawing.svg()
        end = time.perf_counter()
        python.append(mid - start)
        dot_times.append(end - mid)
        nodes = len(drawing.model.nodes)
    total = [p + d for p, d in zip(python, dot_times, strict=True)]
    print(f"draw {name}: {nodes} nodes: total {median_ms(total):.0f} ms "
          f"(collect + DOT {median_ms(python):.0f} ms, dot -Tsvg {median_ms(dot_times):.0f} ms)"
          f"  [min {1000 * min(total):.0f}, max {1000 * max(total):.0f}]")
    return statistics.median(total)


def bench_stepper(repeats):
    clicks, setup = [], []
    nodes = 0
    for _ in range(repeats):
        out = tensor_mlp(40)
        start = time.perf_counter()
        stepper = BackwardStepper(out)
        setup.append(time.perf_counter() - start)
        nodes = stepper.recorder.total
        while not stepper.next_button.disabled:
            start = time.perf_counter()
            stepper.next_button.click()
            clicks.append(time.perf_counter() - start)
        assert "<svg" in stepper.picture.value
        ipywidgets.Widget.close_all()
    clicks.sort()
    p95 = clicks[int(0.95 * (len(clicks) - 1))]
    print(f"stepper on {nodes} nodes: one step (▶ click) median {median_ms(clicks):.1f} ms, "
          f"p95 {1000 * p95:.1f} ms, max {1000 * clicks[-1]:.1f} ms over {len(clicks)} steps; "
          f"construction (one dot layout) median {median_ms(setup):.0f} ms")
    return statistics.median(clicks)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    mlp = bench_draw("tensor MLP (400 Linear+ReLU layers)", lambda: tensor_mlp(400),
                     args.repeats)
    bench_draw("scalar MLP (18 inputs, 2 x 18 neurons)", lambda: scalar_mlp(18, 18),
               args.repeats)
    step = bench_stepper(args.repeats)
    print(f"targets: draw 2,000-node MLP <= 2 s: {'ok' if mlp <= 2 else 'MISSED'} "
          f"({mlp:.2f} s); one step on 200 nodes <= 100 ms: "
          f"{'ok' if step <= 0.1 else 'MISSED'} ({1000 * step:.1f} ms)")


if __name__ == "__main__":
    main()
