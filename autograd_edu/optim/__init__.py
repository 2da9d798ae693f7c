"""``torch.optim.SGD``: enough for a small training loop."""

from .. import _grad_mode


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        params = list(params)
        if params and isinstance(params[0], dict):
            self.param_groups = [{**defaults, **g, "params": list(g["params"])} for g in params]
        else:
            self.param_groups = [{**defaults, "params": params}]
        self.state = {}

    def zero_grad(self, set_to_none=True):
        from ..nn.modules import zero_grads
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)


class SGD(Optimizer):
    """p ← p - lr · (grad + weight_decay · p), with optional (Nesterov) momentum."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    @_grad_mode.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                d_p = p._grad if not group["maximize"] else -p._grad
                if group["weight_decay"]:
                    d_p = d_p.add(p, alpha=group["weight_decay"])
                if group["momentum"]:
                    buf = self.state.get(p)
                    if buf is None:
                        buf = self.state[p] = d_p.clone().detach()
                    else:
                        buf.mul_(group["momentum"]).add_(d_p, alpha=1 - group["dampening"])
                    d_p = d_p.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(d_p, alpha=-group["lr"])
        return loss

    def __repr__(self):
        lines = ["SGD (", "Parameter Group 0"]
        for key in sorted(k for k in self.param_groups[0] if k != "params"):
            lines.append(f"    {key}: {self.param_groups[0][key]}")
        return "\n".join(lines) + "\n)"
