"""Regressions from fresh fuzz seeds (10000-19999), compared against PyTorch."""
import oracle
import pytest

PROGRAMS = {
    # std/var with several outputs: Welford's update (equal values give exactly 0)
    "welford_variance": """\
a = torch.tensor([1.184049134002953, 0.6957201485169544, 1.5863228182289317], dtype=torch.float64)
a = a + a.round()
print(a.expand(3, 3).std(0), a.expand(3, 3).var(1), a.expand(2, 3, 3).std((0, 1), keepdim=True))
b = torch.tensor([[1.5, 2.25, -3.0], [0.1, 0.7, 0.3]], requires_grad=True)
print(b.std(0), b.var(1, keepdim=True), b.std(), b.std(0, correction=2), b.var(1, correction=0))
print(torch.tensor([0.1, 0.2, 0.7]).expand(5, 3).var(0))
""",
    # advanced indexing lays out its result as TensorIterator orders the dims
    "index_result_layout": """\
a = torch.arange(24.).reshape(2, 3, 4)
for t in [a, a.transpose(0, 2), a.expand(2, 2, 3, 4)[:, 1], a.permute(1, 2, 0), a[:, ::2]]:
    for idx in [([1, 0],), (slice(None), [0, 1]), ([0, 1], slice(None), [1, 0]), (Ellipsis, [1]),
                (torch.tensor([[0], [1]]), slice(None), torch.tensor([0, 1])), (t[..., 0] > 2,)]:
        print(t[idx].stride(), t[idx].shape)
b = torch.arange(6.).reshape(2, 3).expand(4, 2, 3)
print(b[[1]].stride(), b[:, [0, 1, 1]].stride(), b[[0, 1], :, [2, 0]].stride())
b[[1], :, ...].view(1, -1)
""",
    # a bad advanced index is found after autograd saw the tensor (stale view, in-place checks)
    "index_errors_after_autograd": """\
def mk():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    with torch.no_grad():
        v = y[:]
    y.zero_()
    return v
for f in [lambda v: v[torch.tensor([3])], lambda v: v[5], lambda v: v[0, 1], lambda v: v[[0, 3]],
          lambda v: v[torch.tensor([True])], lambda v: v[1:, [4]], lambda v: v[torch.tensor([1])]]:
    try:
        print(f(mk()))
    except Exception as e:
        print(type(e).__name__, str(e)[:60])
for f in [lambda v: v.__setitem__(torch.tensor([3]), 1.0), lambda v: v.__setitem__([0, 3], 1.0),
          lambda v: v.__setitem__(torch.tensor([True]), 1.0), lambda v: v.__setitem__([1], 1.0)]:
    try:
        print(f(mk()))
    except Exception as e:
        print(type(e).__name__, str(e)[:60])
x = torch.tensor([1.0, 2.0], requires_grad=True)
for f in [lambda: x.__setitem__([3], 1.0), lambda: x[1:].__setitem__([3], 1.0), lambda: x[[3]]]:
    try:
        f()
    except Exception as e:
        print(type(e).__name__, str(e)[:60])
""",    # softmax backward along a dim that is not the last: fused multiply-adds (sign of a 0 grad)
    "softmax_backward_fma": """\
y7 = torch.tensor([-0.0])
x8 = torch.tensor([[[-1.5516226291656494, 1.831381916999817]]], requires_grad=True)
x17 = torch.tensor([[[0.5906566977500916, -0.41914162039756775]],
                    [[-0.8735241293907166, -0.42512211203575134]]])
y = torch.softmax(x17 - (torch.matmul(y7, x8) - 0.15690083801746368), dim=-3)
y.backward(torch.tensor([[[-0.15715746581554413, -0.4709746837615967]],
                         [[-0.9257677793502808, 0.8225192427635193]]]))
print(x8.grad)
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program(name):
    oracle.assert_same_output(PROGRAMS[name])
