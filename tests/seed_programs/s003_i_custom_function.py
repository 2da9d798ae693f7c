# seed 003: custom autograd Function MultiplyByTwo
import torch
from torch.autograd import Function


class MultiplyByTwo(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input * 2

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 2


x = torch.tensor(3.0, requires_grad=True)
y = MultiplyByTwo.apply(x)
y.backward()
print(x.grad)
print(y)
