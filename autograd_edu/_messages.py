"""Every error and warning text a learner can meet, worded exactly as PyTorch
2.13 words it (checked against the oracle in tests/test_errors.py)."""

import sys
import warnings
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parent)


def warn_from_caller(text, category=UserWarning):
    """Warn as PyTorch's C++ warnings do: attributed to the first frame outside this
    package, whatever the call path (``x.var()`` or ``torch.var(x)``), so Python's
    once-per-location filter treats both alike."""
    level, frame = 2, sys._getframe(1)  # level 1 is this function
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(text, category, stacklevel=level)


SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
IMPLICIT_GRAD_SCALAR = "grad can be implicitly created only for scalar outputs"
NO_GRAD_FN = "element {index} of tensors does not require grad and does not have a grad_fn"
GRAD_SHAPE_MISMATCH = (
    "Mismatch in shape: grad_output[{index}] has a shape of {grad_shape} and output[{index}] "
    "has a shape of {out_shape}."
)
INT_REQUIRES_GRAD_FACTORY = "Only Tensors of floating point and complex dtype can require gradients"
INT_REQUIRES_GRAD_METHOD = "only Tensors of floating point dtype can require gradients"
INT_REQUIRES_GRAD_SETTER = "only Tensors of floating point and complex dtype can require gradients"
NON_LEAF_REQUIRES_GRAD_TRUE = "you can only change requires_grad flags of leaf variables."
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
UNUSED_INPUT = (
    "The differentiated Tensor at index {index} appears to not have been used in the graph. "
    "Set allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
WRONG_GRAD_COUNT = (
    "function {name} returned an incorrect number of gradients (expected {expected}, got {got})"
)
WRONG_GRAD_SHAPE = (
    "Function {name} returned an invalid gradient at index {index} - got {got} but expected "
    "shape compatible with {expected}"
)
GRAD_ASSIGN_SIZE = (
    "attempting to assign a gradient of size '{got}' to a tensor of size '{expected}'. Please "
    "ensure that the gradient and the tensor are the same size"
)
GRAD_ASSIGN_DTYPE = (
    "attempting to assign a gradient with dtype '{got}' to a tensor with grad_dtype "
    "'{expected}'. The gradient must match the tensor's grad_dtype (defaults to the tensor's "
    "dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to "
    "allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
    "gradient may break downstream systems that assume they match."
)
INFERENCE_REQUIRES_GRAD = (
    "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
)
INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)
INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)
HOOK_CHANGED_TYPE = "hook '{name}' has changed the type of value (was {was} got {got})"
HOOK_CHANGED_SIZE = "hook '{name}' has changed the size of value"
HOOK_WRONG_COUNT = (
    "hook '{name}' has returned an incorrect number of values (got {got}, but expected "
    "{expected})"
)
HOOK_REPLACED_NONE = "can't replace a None gradient with a non-None value"
FUNCTION_NOT_TENSOR = "expected Variable or None (got {type})"
LEGACY_FUNCTION = (
    "Legacy autograd function with non-static forward method is deprecated. Please use "
    "new-style autograd function with static forward method. (Example: "
    "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
)
SCALAR_CONVERSION = "only one element tensors can be converted to Python scalars"
BOOL_EMPTY = "Boolean value of Tensor with no values is ambiguous"
NEGATIVE_DIMENSION = "Trying to create tensor with negative dimension {dim}: {sizes}"
INPLACE_BROADCAST = "output with shape {shape} doesn't match the broadcast shape {broadcast}"
CAT_NDIM = "Tensors must have same number of dimensions: got {a} and {b}"
HOOK_NO_GRAD = "cannot register a hook on a tensor that doesn't require gradient"
RETAIN_NO_GRAD = "can't retain_grad on Tensor that has requires_grad=False"
ITEM_NUMEL = "a Tensor with {numel} elements cannot be converted to Scalar"
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
FLATTEN_DIMS = "flatten() has invalid args: start_dim cannot come after end_dim"
VIEW_SIZE = "shape '{shape}' is invalid for input of size {numel}"
VIEW_STRIDE = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)
MM_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({a0}x{a1} and {b0}x{b1})"
DOT_SIZES = (
    "inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
    "elements, but got {n} and {m} elements respectively"
)
OUTER_1D = "outer: Expected 1-D argument {name}, but got {ndim}-D"
MV_SIZES = "size mismatch, got input ({n}), mat ({r}x{c}), vec ({m})"
BMM_SIZES = (
    "Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
    "[{b2}, {k2}]."
)
MEAN_DTYPE = (
    "mean(): could not infer output dtype. {which} dtype must be either a floating point or "
    "complex dtype. Got: {name}"
)
LEN_0D = "len() of a 0-d tensor"
LEAF_MOVED = "leaf variable has been moved into the graph interior"
ZERO_TENSOR_INPLACE = ("ZeroTensors are immutable. Please use the materialized zero tensor "
                       "obtained using .clone() if you want a mutable tensor.")
ZERO_TENSOR_COPY = ("ZeroTensors are immutable. Please materialize the tensor using `.clone()`, "
                    "if you want a mutable zero tensor.")
INPLACE_LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
INPLACE_LEAF_CUSTOM_FUNCTION = (  # ctx.mark_dirty(leaf) in a custom Function's forward
    "a leaf Variable that requires grad has been used in an in-place operation."
)
DIRTY_NOT_RETURNED = (
    "Some elements marked as dirty during the forward method were not returned as output. "
    "The inputs that are modified inplace must all be outputs of the Function."
)
INPLACE_VIEW_OF_LEAF = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
# A view that may not be modified in place (PyTorch's handle_view_on_rebase): a head naming
# the view, what was modified ("is being" the view itself, or its base / another view of it),
# then one explanation per CreationMeta.
VIEW_MODIFIED = "is being"
VIEW_BASE_MODIFIED = "its base or another view of its base has been"
VIEW_HEAD = "Output {nr} of {name} is a view and {modified} modified inplace."
VIEW_OF_VIEW_PREFIX = "Output {nr} of {name} is a view of a view which was created in"
VIEW_PREFIX = "A view was created in"
VIEW_NO_GRAD_HEAD = "{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
VIEW_INFERENCE_HEAD = "{prefix} inference mode and {modified} modified inplace in normal mode."
VIEW_MULTI_OUTPUT = (
    " This view is the output of a function that returns multiple views. Such functions do "
    "not allow the output views to be modified inplace. You should replace the inplace "
    "operation by an out-of-place one."
)
VIEW_CUSTOM_FUNCTION = (
    " This view was created inside a custom Function (or because an input was returned as-is) "
    "and the autograd logic to handle view+inplace would override the custom backward "
    "associated with the custom Function, leading to incorrect gradients. This behavior is "
    "forbidden. You can fix this by cloning the output of the custom Function."
)
VIEW_MODE = (
    " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the {block} block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked)."
)
MODIFIED_INPLACE = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{type} {sizes}]{producer} is at version {current}; expected version "
    "{saved} instead. Hint: enable anomaly detection to find the operation that failed to "
    "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)"
)
BROADCAST = (
    "The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
    "dimension {dim}"
)
CAT_SIZES = (
    "Sizes of tensors must match except in dimension {dim}. Expected size {expected} but got "
    "size {got} for tensor number {index} in the list."
)
STACK_SIZES = (
    "stack expects each tensor to be equal size, but got {a} at entry 0 and {b} at entry {index}"
)
INDEX_OUT_OF_RANGE = "index {index} is out of bounds for dimension {dim} with size {size}"
INDEX_BROADCAST = ("shape mismatch: indexing tensors could not be broadcast together with "
                   "shapes {shapes}")
DIM_OUT_OF_RANGE = "Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
DIM_REPEATED = "dim {dim} appears multiple times in the list of dims"
NO_DIMS = "Dimension specified as {dim} but tensor has no dimensions"
REDUCE_EMPTY_DIM = "{op}(): Expected reduction dim {dim} to have non-zero size."
FLOAT_ONLY_VAR = "std and var only support floating point and complex dtypes"
FLOAT_ONLY_NORM = (
    "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {name}"
)
EXPAND_SIZE = (
    "The expanded size of the tensor ({new}) must match the existing size ({old}) at "
    "non-singleton dimension {dim}.  Target sizes: {target}.  Tensor sizes: {sizes}"
)
REDUCE_EMPTY = (
    "{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
    "reduction dim with the 'dim' argument."
)
BOOL_AMBIGUOUS = "Boolean value of Tensor with more than one value is ambiguous"
DETACH_VIEW_INPLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution."
)
VAR_NO_FREEDOM = (
    "{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
    "reduction factor (input numel divided by output numel). (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)"
)
INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
PARTIAL_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)
LAYOUT_CONTRACT = (
    "grad and param do not obey the gradient layout contract. This is not an error, but may "
    "impair performance.\ngrad.sizes() = {grad_sizes}, strides() = {grad_strides}\n"
    "param.sizes() = {sizes}, strides() = {strides} (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/functions/accumulate_grad.h:{line}.)"
)
EXPANDED_WRITE_WARNING = (
    "Use of {op} on expanded tensors is deprecated. Please clone() the tensor before performing "
    "this operation. This also applies to advanced indexing e.g. tensor[{index}] = {value} "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "TensorAdvancedIndexing.cpp:{line}.)"
)
INDEX_PUT_SHAPE = (
    "shape mismatch: value tensor of shape {value} cannot be broadcast to indexing result of "
    "shape {result}"
)
INDEX_PUT_DTYPE = (
    "Index put requires the source and destination dtypes match, got {dst} for the destination "
    "and {src} for the source."
)
# matrix products' dtype checks, by op (a, b: the operands' scalar types; *_c: C names)
PRODUCT_DTYPES = {
    "dot": "dot : expected both vectors to have same dtype, but found {a} and {b}",
    "mv": "addmv input tensors must have the same dtype, but got {b}, {a}, and {b}",
    "bmm": "expected scalar type {a} but found {b}",
    "addmm": "mat1 and mat2 must have the same dtype, but got {a} and {b}",
    "mm": "expected m1 and m2 to have the same dtype, but got: {a_c} != {b_c}",
}
SUB_TWO_BOOLS = ("Subtraction, the `-` operator, with two bool tensors is not supported. "
                 "Use the `^` or `logical_xor()` operator instead.")
SUB_BOOL = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
ALPHA_BOOL = "Boolean alpha only supported for Boolean results."
ALPHA_FLOAT_FOR_INTEGERS = ("For integral input tensors, argument alpha must not be a floating "
                            "point number.")
# PyTorch's argument parser, when a number and a tensor (not a 0-d one without history) are
# given as clamp's bounds, which matches neither overload
CLAMP_MIXED = (
    "clamp() received an invalid combination of arguments - got ({0}, {1}), but expected one "
    "of:\n * (Tensor min = None, Tensor max = None)\n      didn't match because some of the "
    "arguments have invalid types: (!{0}!, !{1}!)\n * (Number min = None, Number max = None)\n"
    "      didn't match because some of the arguments have invalid types: (!{0}!, !{1}!)\n")
DERIVATIVE_NOT_IMPLEMENTED = "derivative for {op} is not implemented"
KERNEL_DTYPE = "\"{kernel}\" not implemented for '{dtype}'"
DIV_ROUNDING_MODE = ("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     "found '{mode}'")
MV_DIMS = "vector + matrix @ vector expected, got 1, {mat}, {vec}"
VALUE_OVERFLOW = "value cannot be converted to type {type} without overflow"
FILL_VALUE_DIM = ("fill_ only supports 0-dimension value tensor but got tensor with {ndim} "
                  "dimensions.")
MASKED_FILL_VALUE_DIM = ("masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                         "with {ndim} dimension(s).")
MASKED_FILL_MASK = "masked_fill_ only supports boolean masks, but got mask with dtype {dtype}"
VIEW_NEGATIVE = "invalid shape dimension {size} at index {index} of shape {shape}"
VIEW_AMBIGUOUS = ("cannot reshape tensor of 0 elements into shape {shape} because the "
                  "unspecified dimension size -1 can be any value and is ambiguous")
EXPAND_LEADING = ("The expanded size of the tensor (-1) isn't allowed in a leading, "
                  "non-existing dimension {dim}")
