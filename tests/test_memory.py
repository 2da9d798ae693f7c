"""Graphs are freed by reference counting alone (no cycles), and memory stays flat."""

import gc
import tracemalloc
import weakref

import autograd_edu as torch


def _all_nodes(root):
    seen, stack = [], [root]
    while stack:
        node = stack.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return seen


def _graph_refs(build):
    gc.collect()
    gc.disable()
    try:
        out = build()
        refs = [weakref.ref(n) for n in _all_nodes(out.grad_fn)]
        out_ref = weakref.ref(out)
        del out
        return refs, out_ref
    finally:
        gc.enable()


def _assert_freed_without_gc(build):
    gc.disable()
    try:
        refs, out_ref = _graph_refs(build)
        assert out_ref() is None
        alive = [r() for r in refs if r() is not None]
        assert not alive, f"still alive without the cycle collector: {alive}"
    finally:
        gc.enable()


def test_plain_graph_is_freed_by_refcounting():
    def build():
        x = torch.ones(3, requires_grad=True)
        y = (x * 2).exp().sum()
        y.backward(retain_graph=True)
        return y
    _assert_freed_without_gc(build)


def test_retain_grad_custom_function_and_saved_output_leave_no_cycle():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a * a
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            a, _ = ctx.saved_tensors
            return 2 * a * grad

    def build():
        x = torch.ones(3, requires_grad=True)
        h = Square.apply(x.exp())  # exp saves its own output
        h.retain_grad()
        h.register_hook(lambda g: g * 1)
        out = h.sum()
        out.backward(retain_graph=True)
        return out
    _assert_freed_without_gc(build)


def test_memory_is_flat_over_many_iterations():
    x = torch.ones(100, requires_grad=True)
    w = torch.ones(100, requires_grad=True)

    def iteration():
        loss = ((x * w).tanh() + x.exp()).mean()
        loss.backward()

    for _ in range(200):  # warm up caches
        iteration()
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        iteration()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert growth < 64 * 1024, f"memory grew by {growth} bytes over 10,000 iterations"
