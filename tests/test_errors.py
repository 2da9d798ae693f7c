"""Errors a learner can hit: autograd_edu must raise the exception type PyTorch 2.13
raises, with the same text (compared through tests/oracle.py), and must leave nothing
half-mutated behind (gradients, values and version counters as torch leaves them, and
an engine that still works for the next graph).
"""

from __future__ import annotations

import oracle
import pytest

# name -> (setup, statement that must raise under torch, code run after the exception)
CASES: dict[str, tuple[str, str, str]] = {}


def case(name: str, setup: str, statement: str, after: str = ""):
    assert name not in CASES, name
    CASES[name] = (setup, statement, after)


X = "import torch\nx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"

# ---------------------------------------------------------------------------
# backward() arguments

case("nonscalar_backward_without_gradient", X + "y = x * 2", "y.backward()")
case("nonscalar_backward_2d", X + "y = (x * 2).view(3, 1)", "y.backward()")
case("gradient_shape_mismatch", X + "y = x * 2", "y.backward(torch.ones(2))")
case("gradient_shape_mismatch_2d", X + "y = x * 2", "y.backward(torch.ones(3, 1))")
case("gradient_for_scalar_with_wrong_shape", X + "y = (x * 2).sum()",
     "y.backward(torch.ones(3))")
case("backward_no_grad_tensor", "import torch\nt = torch.ones(3)", "t.sum().backward()")
case("backward_on_result_under_no_grad", X + "with torch.no_grad():\n    y = (x * 2).sum()",
     "y.backward()")
case("backward_on_detached", X + "y = (x * 2).sum().detach()", "y.backward()")
case("autograd_backward_second_tensor_no_grad", X + "y = (x * 2).sum()",
     "torch.autograd.backward([y, torch.tensor(1.0)])")
case("backward_int_output", "import torch\nt = torch.tensor([1, 2])", "t.sum().backward()")
case("backward_inputs_empty", X + "y = (x * 2).sum()", "y.backward(inputs=[])")
case("backward_inputs_not_requiring_grad", X + "y = (x * 2).sum()",
     "y.backward(inputs=[torch.ones(3)])")

# ---------------------------------------------------------------------------
# requires_grad

case("int_requires_grad_factory", "import torch",
     "torch.tensor([1, 2], requires_grad=True)")
case("int_requires_grad_method", "import torch\nt = torch.tensor([1, 2])",
     "t.requires_grad_()")
case("int_requires_grad_setter", "import torch\nt = torch.tensor([1, 2])",
     "t.requires_grad = True")
case("bool_requires_grad_factory", "import torch",
     "torch.tensor([True, False], requires_grad=True)")
case("int_requires_grad_ones", "import torch",
     "torch.ones(2, dtype=torch.int64, requires_grad=True)")
case("int_requires_grad_arange", "import torch", "torch.arange(3, requires_grad=True)")
case("non_leaf_requires_grad_false_setter", X + "y = x * 2", "y.requires_grad = False")
case("non_leaf_requires_grad_true_setter", X + "y = x * 2", "y.requires_grad = True")
case("non_leaf_requires_grad_method_false", X + "y = x * 2", "y.requires_grad_(False)")

# ---------------------------------------------------------------------------
# autograd.grad

case("autograd_grad_unused_input", X + "u = torch.ones(2, requires_grad=True)\n"
     "y = (x * 2).sum()", "torch.autograd.grad(y, [x, u])")
case("autograd_grad_unused_first_input", X + "u = torch.ones(2, requires_grad=True)\n"
     "y = (x * 2).sum()", "torch.autograd.grad(y, [u, x])")
case("autograd_grad_input_not_requiring_grad", X + "y = (x * 2).sum()",
     "torch.autograd.grad(y, torch.ones(3))")
case("autograd_grad_output_not_requiring_grad", X + "y = (x * 2).sum()",
     "torch.autograd.grad(torch.ones(1).sum(), x)")
case("autograd_grad_nonscalar_output", X + "y = x * 2", "torch.autograd.grad(y, x)")
case("autograd_grad_second_time", X + "y = (x * 2).sum()\ntorch.autograd.grad(y, x)",
     "torch.autograd.grad(y, x)")
case("autograd_grad_grad_outputs_shape", X + "y = x * 2",
     "torch.autograd.grad(y, x, grad_outputs=torch.ones(4))")

# ---------------------------------------------------------------------------
# custom Function

FUNCS = """
import torch
from torch.autograd import Function

class TooMany(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2, g

class TooFew(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, g):
        return g

class BadShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x.sum()

    @staticmethod
    def backward(ctx, g):
        return torch.ones(2)

class NotATensor(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return 5

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
"""
case("function_too_many_gradients", FUNCS, "TooMany.apply(x).sum().backward()",
     "print(x.grad)")
case("function_too_few_gradients", FUNCS, "TooFew.apply(x, x.detach()).sum().backward()",
     "print(x.grad)")
case("function_invalid_gradient_shape", FUNCS, "BadShape.apply(x).backward()",
     "print(x.grad)")
case("function_gradient_not_a_tensor", FUNCS, "NotATensor.apply(x).sum().backward()",
     "print(x.grad)")
case("function_instantiated_and_called", FUNCS, "TooMany()(x)")
case("function_saved_tensors_after_backward", FUNCS + """
class Keep(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2

y = Keep.apply(x)
y.sum().backward()
""", "y.grad_fn.saved_tensors")

# ---------------------------------------------------------------------------
# hooks, retain_grad

case("hook_on_tensor_without_grad", "import torch\nt = torch.ones(2)",
     "t.register_hook(lambda g: g)")
case("retain_grad_without_grad", "import torch\nt = torch.ones(2)", "t.retain_grad()")
case("hook_changes_dtype", X + "y = x * 2\ny.register_hook(lambda g: g.double())",
     "y.sum().backward()")
case("hook_changes_shape", X + "y = x * 2\ny.register_hook(lambda g: g[:2])",
     "y.sum().backward()")
case("leaf_hook_changes_shape", X + "x.register_hook(lambda g: g.sum())",
     "(x * 2).sum().backward()", "print(x.grad)")
case("hook_raises", X + "y = x * 2\n"
     "def bad(g):\n    raise ValueError('from the hook')\n"
     "h = y.register_hook(bad)",
     "y.sum().backward()",
     "print(x.grad)\nh.remove()\n(x * 3).sum().backward()\nprint(x.grad)")
case("prehook_returns_wrong_count", X + "y = x * 2\n"
     "y.grad_fn.register_prehook(lambda go: (go[0], go[0]))", "y.sum().backward()")

# ---------------------------------------------------------------------------
# conversions

case("item_on_many_elements", "import torch\nt = torch.ones(3)", "t.item()")
case("item_on_empty", "import torch\nt = torch.ones(0)", "t.item()")
case("float_on_many_elements", "import torch\nt = torch.ones(3)", "float(t)")
case("int_on_many_elements", "import torch\nt = torch.ones(2, 2)", "int(t)")
case("numpy_requires_grad", X, "x.numpy()")
case("numpy_of_non_leaf", X, "(x * 2).numpy()")
case("len_of_0d", "import torch\nt = torch.tensor(3.0)", "len(t)")
case("iterate_0d", "import torch\nt = torch.tensor(3.0)", "iter(t)")
case("bool_of_many_elements", "import torch\nt = torch.tensor([1.0, 2.0])", "bool(t)")
case("if_on_many_elements", "import torch\nt = torch.tensor([1.0, 2.0])",
     "print('yes' if t > 1 else 'no')")
case("bool_of_empty", "import torch\nt = torch.ones(0)", "bool(t)")
case("index_with_float_tensor", "import torch\nt = torch.ones(3)\ni = torch.tensor(1.0)",
     "t[i]")

# ---------------------------------------------------------------------------
# shapes

case("view_bad_size", "import torch\nt = torch.arange(6.)", "t.view(4, 2)")
case("view_bad_size_inferred", "import torch\nt = torch.arange(6.)", "t.view(-1, 4)")
case("view_two_inferred", "import torch\nt = torch.arange(6.)", "t.view(-1, -1)")
case("reshape_bad_size", "import torch\nt = torch.arange(6.)", "t.reshape(5)")
case("view_non_contiguous", "import torch\nt = torch.arange(6.).view(2, 3).t()",
     "t.view(6)")
case("view_non_contiguous_slice", "import torch\nt = torch.arange(12.).view(3, 4)[:, :2]",
     "t.view(6)")
case("matmul_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(2, 3)", "a @ b")
case("matmul_vector_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(2)",
     "a @ b")
case("matmul_vector_vector", "import torch\na = torch.ones(3)\nb = torch.ones(2)", "a @ b")
case("matmul_batched_mismatch", "import torch\na = torch.ones(2, 2, 3)\nb = torch.ones(2, 2, 3)",
     "torch.matmul(a, b)")
case("matmul_0d", "import torch\na = torch.tensor(2.0)", "a @ a")
case("mm_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(4, 2)",
     "torch.mm(a, b)")
case("mm_not_2d", "import torch\na = torch.ones(3)\nb = torch.ones(3, 2)", "torch.mm(a, b)")
case("mv_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(4)", "torch.mv(a, b)")
case("dot_mismatch", "import torch\na = torch.ones(3)\nb = torch.ones(4)", "torch.dot(a, b)")
case("dot_not_1d", "import torch\na = torch.ones(2, 2)", "torch.dot(a, a)")
case("bmm_mismatch", "import torch\na = torch.ones(2, 3, 4)\nb = torch.ones(2, 5, 6)",
     "torch.bmm(a, b)")
case("bmm_batch_mismatch", "import torch\na = torch.ones(2, 3, 4)\nb = torch.ones(3, 4, 6)",
     "torch.bmm(a, b)")
case("bmm_not_3d", "import torch\na = torch.ones(3, 4)", "torch.bmm(a, a)")
case("linear_layer_mismatch", "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\n"
     "layer = nn.Linear(3, 2)", "layer(torch.ones(4, 5))")
case("broadcast_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(4)", "a + b")
case("broadcast_mismatch_mul", "import torch\na = torch.ones(3, 2)\nb = torch.ones(2, 3)",
     "a * b")
case("broadcast_mismatch_inplace", "import torch\na = torch.ones(3)",
     "a.add_(torch.ones(2, 3))", "print(a, a._version)")
case("mse_loss_shape_mismatch", "import torch\nimport torch.nn as nn",
     "nn.MSELoss()(torch.ones(3), torch.ones(4))")
case("cat_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(2, 4)",
     "torch.cat([a, b])")
case("cat_dim_count_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(3)",
     "torch.cat([a, b])")
case("cat_empty_list", "import torch", "torch.cat([])")
case("stack_mismatch", "import torch\na = torch.ones(2, 3)\nb = torch.ones(2, 4)",
     "torch.stack([a, b])")
case("stack_mismatch_third", "import torch\na = torch.ones(2)",
     "torch.stack([a, a, torch.ones(3)])")
case("index_out_of_range", "import torch\nt = torch.ones(3)", "t[3]")
case("index_out_of_range_negative", "import torch\nt = torch.ones(2, 3)", "t[-3]")
case("index_out_of_range_second_dim", "import torch\nt = torch.ones(2, 3)", "t[0, 5]")
case("too_many_indices", "import torch\nt = torch.ones(2, 3)", "t[0, 1, 2]")
case("index_tensor_out_of_range", "import torch\nt = torch.ones(3)",
     "t[torch.tensor([0, 3])]")
case("dim_out_of_range_sum", "import torch\nt = torch.ones(2, 3)", "t.sum(2)")
case("dim_out_of_range_negative", "import torch\nt = torch.ones(2, 3)", "t.mean(-3)")
case("dim_out_of_range_cat", "import torch\nt = torch.ones(2, 3)", "torch.cat([t, t], 2)")
case("dim_out_of_range_softmax", "import torch\nt = torch.ones(2, 3)", "torch.softmax(t, 2)")
case("dim_out_of_range_transpose", "import torch\nt = torch.ones(2, 3)", "t.transpose(0, 2)")
case("dim_out_of_range_0d", "import torch\nt = torch.tensor(1.0)", "t.sum(1)")
case("size_dim_out_of_range", "import torch\nt = torch.ones(2, 3)", "t.size(2)")
case("expand_mismatch", "import torch\nt = torch.ones(2, 3)", "t.expand(2, 4)")
case("expand_fewer_dims", "import torch\nt = torch.ones(2, 3)", "t.expand(3)")
case("squeeze_dim_out_of_range", "import torch\nt = torch.ones(2, 1)", "t.squeeze(3)")
case("unsqueeze_dim_out_of_range", "import torch\nt = torch.ones(2, 1)", "t.unsqueeze(4)")
case("permute_wrong_count", "import torch\nt = torch.ones(2, 3)", "t.permute(1, 0, 2)")
case("t_of_3d", "import torch\nt = torch.ones(2, 3, 4)", "t.t()")

# ---------------------------------------------------------------------------
# reductions and dtypes

case("mean_of_int", "import torch\nt = torch.tensor([1, 2, 3])", "t.mean()")
case("mean_of_int_dim", "import torch\nt = torch.tensor([[1, 2], [3, 4]])", "t.mean(0)")
case("torch_mean_of_bool", "import torch\nt = torch.tensor([True, False])", "torch.mean(t)")
case("max_of_empty", "import torch\nt = torch.tensor([])", "t.max()")
case("min_of_empty", "import torch\nt = torch.ones(0)", "torch.min(t)")
case("max_dim_of_empty", "import torch\nt = torch.ones(0, 3)", "t.max(0)")
case("argmax_of_empty", "import torch\nt = torch.ones(0)", "t.argmax()")
case("int_tensor_inplace_float", "import torch\nt = torch.tensor([1, 2])", "t.add_(0.5)",
     "print(t, t._version)")
case("int_tensor_inplace_mul_float_tensor", "import torch\nt = torch.tensor([1, 2])",
     "t *= torch.tensor([1.5, 2.0])", "print(t, t._version)")

# ---------------------------------------------------------------------------
# second backward, saved tensors

case("second_backward", X + "y = (x * 2).sum()\ny.backward()", "y.backward()",
     "print(x.grad)")
case("second_backward_exp", X + "y = x.exp().sum()\ny.backward()", "y.backward()",
     "print(x.grad)")
case("second_backward_via_shared_node", X + "h = x ** 2\n(h.sum()).backward()",
     "(h * 3).sum().backward()", "print(x.grad)")
case("saved_tensor_after_free", X + "y = x * x\ny.sum().backward()",
     "y.grad_fn._saved_self")

# ---------------------------------------------------------------------------
# in-place

case("inplace_on_leaf", X, "x.add_(1)", "print(x, x._version)")
case("inplace_on_leaf_operator", X, "x += 1", "print(x, x._version)")
case("inplace_on_leaf_setitem", X, "x[0] = 5", "print(x, x._version)")
case("inplace_on_leaf_zero", X, "x.zero_()", "print(x, x._version)")
case("inplace_on_view_of_leaf", X, "x[:2].mul_(2)", "print(x, x._version)")
case("inplace_on_view_of_leaf_view", X, "x.view(3, 1).zero_()", "print(x, x._version)")
case("inplace_modified_exp", X + "y = x.exp()\ny.add_(1)", "y.sum().backward()",
     "print(x.grad)")
case("inplace_modified_exp_view", X + "y = x.exp()\ny[0] = 0", "y.sum().backward()",
     "print(x.grad)")
case("inplace_modified_saved_input", X + "a = x * 1\ny = a.sin()\na.mul_(2)",
     "y.sum().backward()", "print(x.grad)")
case("inplace_modified_leaf_under_no_grad", X + "y = (x * x).sum()\n"
     "with torch.no_grad():\n    x.mul_(2)", "y.backward()", "print(x.grad)")
case("inplace_modified_sigmoid_twice", X + "y = x.sigmoid()\ny.mul_(2)\ny.mul_(2)",
     "y.sum().backward()")
case("inplace_modified_detached_output", X + "y = x.exp()\ny.detach().zero_()",
     "y.sum().backward()")
case("detach_view_in_place", X + "y = x * 2\nv = y[:2]", "v.detach_()",
     "print(v.grad_fn, v.requires_grad)")
case("grad_assign_wrong_shape", X, "x.grad = torch.ones(2)", "print(x.grad)")
case("grad_assign_wrong_dtype", X, "x.grad = torch.ones(3, dtype=torch.float64)",
     "print(x.grad)")
case("grad_assign_not_tensor", X, "x.grad = [1.0, 2.0, 3.0]", "print(x.grad)")
case("setitem_shape_mismatch", "import torch\nt = torch.zeros(4)", "t[0:2] = torch.ones(3)",
     "print(t, t._version)")
case("copy_shape_mismatch", "import torch\nt = torch.zeros(2)", "t.copy_(torch.ones(3))",
     "print(t, t._version)")
case("inference_tensor_requires_grad",
     "import torch\nwith torch.inference_mode():\n    t = torch.ones(2)",
     "t.requires_grad_()", "print(t.requires_grad)")
case("inference_tensor_saved_for_backward",
     X + "with torch.inference_mode():\n    t = torch.ones(3)", "(x * t).sum().backward()")

# ---------------------------------------------------------------------------
# misc learner slips

case("zero_grad_on_tensor", X + "y = x * 2", "y.zero_grad()")
case("backward_on_list", X, "[x * 2].backward()")
case("tensor_from_ragged_list", "import torch", "torch.tensor([[1.0, 2.0], [3.0]])")
case("tensor_from_string", "import torch", "torch.tensor('abc')")
case("randn_negative_size", "import torch", "torch.randn(-1)")
case("ones_float_size", "import torch", "torch.ones(2.5)")


@pytest.mark.parametrize("name", list(CASES))
def test_same_error(name):
    setup, statement, after = CASES[name]
    oracle.assert_same_error(setup, statement, after=after)


# ---------------------------------------------------------------------------
# nothing half-mutated after an error: programs that print state after failures

STATE_PROGRAMS = {
    "grads_after_shape_mismatch": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward()
        gx, gw = x.grad, w.grad
        y = x * w
        try:
            y.backward(torch.ones(3))
        except RuntimeError as e:
            print(type(e).__name__)
        print(x.grad, w.grad, gx is x.grad, x.grad._version, w.grad._version)
        y.backward(torch.ones(2))
        print(x.grad, w.grad)
        z = (x.exp() + w).sum()
        z.backward()
        print(x.grad, w.grad)
    """,
    "grads_after_version_error_mid_backward": """
        import torch
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        c = torch.tensor([0.5, 0.5], requires_grad=True)
        s = b.sigmoid()
        y = (b * c).sum() + (a.exp() * 2).sum() + (c * 3).sum()
        y2 = y + s.sum()
        s.mul_(1)  # SigmoidBackward0 saved its result: backward fails when it gets there
        try:
            y2.backward()
        except RuntimeError as err:
            print(type(err).__name__, err)
        print(a.grad, b.grad, c.grad)
        (a * b * c).sum().backward()
        print(a.grad, b.grad, c.grad)
    """,
    "grads_after_version_error_on_first_node": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        x.grad = torch.tensor([100.0, 100.0])
        y = (x * w).exp()
        y.add_(1)
        try:
            y.sum().backward()
        except RuntimeError as err:
            print(type(err).__name__)
        print(x.grad, w.grad)
        (x * w).sum().backward()
        print(x.grad, w.grad)
    """,
    "grads_after_custom_function_error": """
        import torch
        from torch.autograd import Function

        class Bad(Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return torch.ones(5)

        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        (x + w).sum().backward()
        y = (Bad.apply(x) * w).sum()
        try:
            y.backward()
        except RuntimeError as err:
            print(type(err).__name__, err)
        print(x.grad, w.grad)
        (x * w).sum().backward()
        print(x.grad, w.grad)
    """,
    "grads_after_hook_error": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        h = x * 2
        def bad(g):
            raise ValueError("hook failed")
        h.register_hook(bad)
        y = (h * w).sum() + w.sum()
        try:
            y.backward()
        except ValueError as err:
            print(type(err).__name__, err)
        print(x.grad, w.grad)
        (x * w).sum().backward()
        print(x.grad, w.grad)
        try:
            y.backward()
        except Exception as err:
            print(type(err).__name__, err)
    """,
    "values_after_failed_inplace": """
        import torch
        t = torch.tensor([1.0, 2.0, 3.0])
        for stmt in ["t.add_(torch.ones(2))", "t.mul_(torch.ones(2, 3))",
                     "t[0:2] = torch.ones(3)", "t.copy_(torch.ones(4))",
                     "t.view(2, 2).zero_()", "t.clamp_(min='a')", "t.sub_(torch.ones(3, 3))"]:
            try:
                exec(stmt)
                print(stmt, "ok")
            except Exception as err:
                print(stmt, type(err).__name__)
            print(t, t._version)
        i = torch.tensor([1, 2])
        for stmt in ["i.add_(0.5)", "i.mul_(torch.tensor([0.5, 0.5]))", "i += 1.5",
                     "i.div_(2)"]:
            try:
                exec(stmt)
                print(stmt, "ok")
            except Exception as err:
                print(stmt, type(err).__name__)
            print(i, i._version)
    """,
    "leaf_after_failed_inplace": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        for stmt in ["x.add_(1)", "x.mul_(2)", "x[0] = 3", "x.zero_()", "x += 1",
                     "x[:1].add_(1)"]:
            try:
                exec(stmt)
            except Exception as err:
                print(stmt, type(err).__name__)
            print(x, x._version, x.is_leaf, x.grad_fn)
        (x * 2).sum().backward()
        print(x.grad)
    """,
    "non_leaf_after_failed_inplace": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        for stmt in ["y.add_(torch.ones(3))", "y[0:2] = torch.ones(3)",
                     "y.mul_(torch.ones(2, 2))"]:
            try:
                exec(stmt)
            except Exception as err:
                print(stmt, type(err).__name__)
            print(y, y._version, y.grad_fn)
        y.sum().backward()
        print(x.grad)
    """,
    "requires_grad_unchanged_after_error": """
        import torch
        t = torch.tensor([1, 2])
        for stmt in ["t.requires_grad_()", "t.requires_grad = True"]:
            try:
                exec(stmt)
            except RuntimeError as err:
                print(type(err).__name__)
            print(t.requires_grad, t)
        x = torch.tensor([1.0], requires_grad=True)
        y = x * 2
        try:
            y.requires_grad = False
        except RuntimeError as err:
            print(type(err).__name__)
        print(y.requires_grad, y.grad_fn, y.is_leaf)
    """,
    "engine_works_after_nonscalar_error": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        try:
            y.backward()
        except RuntimeError as err:
            print(err)
        print(x.grad)
        y.backward(torch.ones(2))
        print(x.grad)
    """,
}


@pytest.mark.parametrize("name", list(STATE_PROGRAMS))
def test_state_after_error(name):
    oracle.assert_same_output(STATE_PROGRAMS[name])
