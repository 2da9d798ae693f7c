# seed 003: nn.MSELoss gradient
import torch
import torch.nn as nn

x = torch.tensor([0.5, 1.5], requires_grad=True)
target = torch.tensor([1.0, 2.0])
loss_fn = nn.MSELoss()
loss = loss_fn(x, target)
loss.backward()
print(x.grad)
