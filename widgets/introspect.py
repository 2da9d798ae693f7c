"""Read one node or one tensor of *either* engine: autograd_edu or real PyTorch.

The drawing and the stepper never look inside a node except through here, so
everything they know comes from the attribute names the two engines share:
``name()``, ``next_functions``, ``variable``, ``_saved_<name>``,
``_sequence_nr`` (an int in autograd_edu, a method in PyTorch), ``shape``,
``dtype``, ``grad``, ``_version``. Where autograd_edu offers more without
raising (``saved_tensors_info()`` gives the version each tensor was saved at,
hook dictionaries on nodes), we use it; for PyTorch the same facts are
recovered from the errors it raises (freed buffers, versions in the in-place
message).

Nothing here mutates anything: reading a drawing must not change the graph.
"""

import re
import warnings
from dataclasses import dataclass

import numpy as np

# PyTorch's error texts, used to classify a saved value that cannot be read.
_FREED = "backward through the graph a second time"
_MODIFIED = re.compile(r"is at version (\d+); expected version (\d+)")


# -- nodes -----------------------------------------------------------------------
def node_name(node):
    """``MulBackward0``; PyTorch's ``torch::autograd::AccumulateGrad`` loses its namespace."""
    return str(node.name()).rsplit("::", 1)[-1]


def is_accumulate(node):
    """AccumulateGrad (in both engines) is the only node with a ``variable``."""
    return hasattr(node, "variable")


def sequence_nr(node):
    """Creation number: an attribute in autograd_edu, a method in PyTorch."""
    seq = node._sequence_nr
    return int(seq() if callable(seq) else seq)


def next_edges(node):
    """``next_functions`` as a tuple of (node or None, output_nr)."""
    return tuple((n, int(nr)) for n, nr in node.next_functions)


@dataclass
class SavedInfo:
    """What a node keeps for its derivative, as a drawing shows it.

    ``kind``: "tensor", "value" (a number, tuple, ...) or "none" (not saved
    because no gradient needs it). ``state``: "ok", "stale" (version moved
    since saving: backward would raise) or "freed" (released by backward).
    ``tensor`` is the saved input tensor when the engine lets us see it
    (for naming it in the drawing); never unpacked.
    """

    name: str
    kind: str
    state: str = "ok"
    shape: tuple | None = None
    dtype: str | None = None
    saved_version: int | None = None
    current_version: int | None = None
    value: str | None = None
    is_output: bool = False
    tensor: object = None


def saved_values(node):
    """The node's saved values, in the engine's order, without raising."""
    info = getattr(node, "saved_tensors_info", None)
    if callable(info):
        return [_edu_saved(name, value) for name, value in info()]
    return [_torch_saved(node, attr) for attr in sorted(dir(node))
            if attr.startswith("_saved_")]


def _edu_saved(name, value):
    if value is None:
        return SavedInfo(name, "none")
    if type(value) is tuple and any(hasattr(v, "saved_version") for v in value):
        return _edu_saved_list(name, [v for v in value if v is not None], value)
    if not hasattr(value, "saved_version"):  # a plain value (alpha, dim, ...)
        return SavedInfo(name, "value", value=format_value(value))
    current = value.version_counter.version
    info = SavedInfo(name, "tensor", saved_version=value.saved_version, current_version=current,
                     is_output=value.tensor is None)
    if value.released:
        info.state = "freed"
        return info
    if value.tensor is not None:
        info.tensor = value.tensor
        info.shape, info.dtype = tuple(value.tensor.shape), dtype_name(value.tensor.dtype)
    else:
        info.shape, info.dtype = tuple(value.data.shape), dtype_name(value.dtype)
    if current != value.saved_version:
        info.state = "stale"
    return info


def _edu_saved_list(name, saved, value):
    """A list of saved tensors (index tensors): shown as PyTorch's attribute shows it, a
    tuple of tensors, unless one of them was freed or changed (then unpacking raises)."""
    if any(v.released for v in saved):
        return SavedInfo(name, "tensor", state="freed")
    stale = [v for v in saved if v.version_counter.version != v.saved_version]
    if stale:
        return SavedInfo(name, "tensor", state="stale", saved_version=stale[0].saved_version,
                         current_version=stale[0].version_counter.version)
    tensors = tuple(None if v is None else v.tensor for v in value)
    return SavedInfo(name, "value", value=format_value(tensors))


def _torch_saved(node, attr):
    name = attr[len("_saved_"):]
    try:
        value = getattr(node, attr)
    except RuntimeError as error:
        text = str(error)
        if _FREED in text:
            return SavedInfo(name, "tensor", state="freed")
        moved = _MODIFIED.search(text)
        info = SavedInfo(name, "tensor", state="stale")
        if moved:
            info.current_version, info.saved_version = int(moved.group(1)), int(moved.group(2))
        raw = getattr(node, "_raw" + attr, None)
        try:  # the raw SavedTensor still shows the (modified) data
            info.shape = tuple(raw.data.shape)
        except Exception:  # noqa: BLE001 - best effort: the shape is decoration
            pass
        return info
    if value is None:
        return SavedInfo(name, "none")
    if is_tensor(value):
        return SavedInfo(name, "tensor", shape=tuple(value.shape), dtype=dtype_name(value.dtype),
                         saved_version=value._version, current_version=value._version,
                         tensor=value, is_output=value.grad_fn is node)
    return SavedInfo(name, "value", value=format_value(value))


def node_hooks(node):
    """Hooks attached to the node itself, as short deterministic descriptions.

    autograd_edu keeps them in dictionaries on the node; PyTorch does not
    expose its node hooks to Python (its tensor hooks are found through the
    tensors, see ``tensor_hooks``)."""
    found = []
    for attr, kind in (("_pre_hooks", "pre-hook"), ("_post_hooks", "hook")):
        for hook in (getattr(node, attr, None) or {}).values():
            found.append(f"{kind} {callable_name(hook)}")
    for nr, hooks in sorted((getattr(node, "_tensor_pre_hooks", None) or {}).items()):
        for hook in hooks.values():
            found.append(f"tensor hook {callable_name(hook)} (output {nr})")
    for nr in sorted(getattr(node, "_retains_grad_hooks", None) or {}):
        found.append(f"retains_grad (output {nr})")
    return found


def exposes_node_hooks(node):
    """True for autograd_edu nodes, whose hook dictionaries we can read."""
    return hasattr(node, "_tensor_pre_hooks")


def callable_name(fn):
    """A hook's name without a memory address (``<lambda>``, ``scale``...)."""
    return getattr(fn, "__qualname__", None) or type(fn).__name__


# -- tensors ---------------------------------------------------------------------
def is_tensor(obj):
    """Duck-typed: anything with grad_fn, requires_grad and shape (both engines)."""
    try:
        return (hasattr(obj, "grad_fn") and hasattr(obj, "requires_grad")
                and hasattr(obj, "shape") and not isinstance(obj, type))
    except Exception:  # noqa: BLE001 - a foreign object whose attributes raise
        return False


def dtype_name(dtype):
    """``torch.float32`` -> ``float32`` (the dtype's short name in both engines)."""
    return str(dtype).replace("torch.", "")


def read_grad(tensor):
    """``tensor.grad`` without the non-leaf warning (drawing is not an access)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tensor.grad


def tensor_hooks(tensor):
    """Descriptions of hooks registered on this tensor (``register_hook``)."""
    hooks = getattr(tensor, "_backward_hooks", None) or {}
    return [f"tensor hook {callable_name(h)}" for h in hooks.values()]


def to_numpy(tensor):
    """The values as a numpy array (a copy), or None if they cannot be read."""
    try:
        value = tensor.detach()
        if hasattr(value, "cpu"):
            value = value.cpu()
        return np.array(value.numpy(), copy=True)
    except Exception:  # noqa: BLE001 - e.g. a dtype numpy lacks; values are optional
        return None


def format_array(array, max_values=6):
    """A short, deterministic rendering of small arrays; None when too large."""
    if array is None or array.size > max_values:
        return None
    with np.printoptions(precision=4, suppress=True, floatmode="maxprec", threshold=max_values):
        return np.array2string(array, separator=", ")


def format_tensor(tensor, max_values=6):
    """Values of a small tensor, else None."""
    if tensor is None:
        return None
    return format_array(to_numpy(tensor), max_values)


def describe_tensor(tensor, max_values=6):
    """Values if small, else ``shape dtype``: always something to print."""
    if tensor is None:
        return "None"
    text = format_tensor(tensor, max_values)
    if text is not None:
        return text
    return f"<{shape_text(tuple(tensor.shape))} {dtype_name(tensor.dtype)}>"


def shape_text(shape):
    """(2, 3) as ``(2, 3)``; a 0-d shape as ``()``; a 1-d as ``(4,)``."""
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def format_value(value):
    """A saved non-tensor value (``alpha=1``, ``dim=(0,)``) as text."""
    if is_tensor(value):
        return describe_tensor(value)
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)
