# seed 004, In [1]-[7]: mean backward, then accumulation and zeroing through .data
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
#若Tensor是通过某些运算得到的，则返回一个与这些运算相关的对象，否则返回None
print(x.grad_fn)

y = x + 2
print(y)
print(y.grad_fn)

z = y * y * 3
out = z.mean()
print(z, out)

# 缺失情况下默认 requires_grad = False
torch.manual_seed(0)
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a)
print(a.requires_grad)  # False

a.requires_grad_(True)
print(a.requires_grad)  # True

b = (a * a).sum()
print(b.grad_fn)

# 等价于 out.backward(torch.tensor(1.))
out.backward()
# out关于x的梯度
print(x.grad)

# torch.autograd这个包就是用来计算一些雅克比矩阵的乘积的

# 再来反向传播一次，注意grad是累加的
out2 = x.sum()
out2.backward()
print(x.grad)

out3 = x.sum()
# grad在反向传播过程中是累加的(accumulated)
# 每一次运行反向传播，梯度都会累加之前的梯度，所以一般在反向传播之前需把梯度清零。
x.grad.data.zero_()
out3.backward()
print(x.grad)
