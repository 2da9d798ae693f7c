"""PyTorch's Python argument parser (torch/csrc/utils/python_arg_parser.cpp), for its
error texts only: ``x.sum('a')`` must fail as PyTorch does, not with numpy's words.

Our ops do not parse their arguments: they run, and only when one raises does its public
wrapper (``ops/__init__.py``) ask ``check`` whether PyTorch's parser would have refused
the call first; if so the parser's TypeError replaces the op's error (no op mutates
anything before its arguments are used, so nothing is left half done). The common path
costs nothing. Where we are unsure whether PyTorch accepts a value we accept it: a
wrongly accepted call keeps the op's own error, a wrongly refused one would hide it.

The signatures are PyTorch's, as its errors print them (``SIGNATURES``, function form
with ``Tensor input`` first; a method drops ``input`` and ``out``)."""

import numpy as np

from ._tensor import Tensor

# PyTorch's API, as torch.fn(...) lists it in its "expected one of" errors. Hidden
# (deprecated) overloads are left out; ``_OUT`` stands for PyTorch's "*, Tensor out = None".
_OUT = "*, Tensor out = None"
_UNARY = [f"Tensor input, {_OUT}"]
_FACTORY = ("*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
            "torch.device device = None, bool pin_memory = False, bool requires_grad = False")
_TENSOR_OR_NUMBER = [f"Tensor input, Tensor other, {_OUT}", f"Tensor input, Number other, {_OUT}"]
_DIM_REDUCTION = ["Tensor input, *, torch.dtype dtype = None",
                  "Tensor input, tuple of ints dim, bool keepdim = False, *, "
                  "torch.dtype dtype = None, Tensor out = None"]
_VAR = ["Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, " + _OUT,
        "Tensor input, tuple of ints dim = None, *, Number correction = None, "
        "bool keepdim = False, Tensor out = None", "Tensor input, bool unbiased = True"]
_MAX = [f"Tensor input, {_OUT}", f"Tensor input, Tensor other, {_OUT}",
        "Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None"]
_ALL = [f"Tensor input, {_OUT}",
        f"Tensor input, tuple of ints dim = None, bool keepdim = False, {_OUT}",
        f"Tensor input, int dim, bool keepdim = False, {_OUT}"]
_CLAMP = [f"Tensor input, {t} min = None, {t} max = None, {_OUT}" for t in ("Tensor", "Number")]
_MASKED_FILL = [f"Tensor input, Tensor mask, {t} value" for t in ("Tensor", "Number")]
_MATRIX = {"mm": "mat2", "bmm": "mat2", "mv": "vec", "dot": "tensor", "outer": "vec2",
           "matmul": "other", "maximum": "other", "minimum": "other"}
SIGNATURES = {
    **{name: _UNARY for name in (
        "neg reciprocal square abs exp log sqrt sin cos tanh sigmoid sgn sign isnan signbit "
        "logical_not log1p expm1 log2 log10 tan atan rsqrt floor ceil trunc").split()},
    **{name: [f"Tensor input, Tensor {other}, {_OUT}"] for name, other in _MATRIX.items()},
    **{name: ["Tensor input"] for name in "relu t zero_ exp_ detach clone".split()},
    **{name: ["Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None"]
       for name in ("add", "sub")},
    "mul": [f"Tensor input, Tensor other, {_OUT}"],
    "div": [f"Tensor input, Tensor other, {_OUT}",
            "Tensor input, Tensor other, *, str rounding_mode, Tensor out = None",
            "Tensor input, Number other, *, str rounding_mode"],
    "pow": [f"Tensor input, Tensor exponent, {_OUT}", f"Number self, Tensor exponent, {_OUT}",
            f"Tensor input, Number exponent, {_OUT}"],
    "rsub": ["Tensor input, Tensor other, *, Number alpha = 1",
             "Tensor input, Number other, Number alpha = 1"],
    **{name: _TENSOR_OR_NUMBER for name in "eq ne lt le gt ge".split()},
    "floor_divide": [f"Tensor input, Tensor other, {_OUT}", "Tensor input, Number other"],
    "fmod": _TENSOR_OR_NUMBER,
    "remainder": [f"Tensor input, Tensor other, {_OUT}", "Number self, Tensor other",
                  f"Tensor input, Number other, {_OUT}"],
    "clamp": _CLAMP, "clamp_": _CLAMP,
    "clamp_min": [f"Tensor input, {t} min, {_OUT}" for t in ("Tensor", "Number")],
    "clamp_max": [f"Tensor input, {t} max, {_OUT}" for t in ("Tensor", "Number")],
    "masked_fill": _MASKED_FILL, "masked_fill_": _MASKED_FILL,
    "fill_": ["Tensor input, Tensor value", "Tensor input, Number value"],
    "equal": ["Tensor input, Tensor other"],
    "allclose": ["Tensor input, Tensor other, float rtol = 1e-05, float atol = 1e-08, "
                 "bool equal_nan = False"],
    "round": [f"Tensor input, {_OUT}", "Tensor input, *, int decimals, Tensor out = None"],
    "sum": _DIM_REDUCTION, "mean": _DIM_REDUCTION,
    "prod": ["Tensor input, *, torch.dtype dtype = None",
             "Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, "
             "Tensor out = None"],
    "max": _MAX, "min": _MAX, "all": _ALL, "any": _ALL, "var": _VAR, "std": _VAR,
    **{name: [f"Tensor input, int dim = None, bool keepdim = False, {_OUT}"]
       for name in ("argmax", "argmin")},
    **{name: [f"Tensor input, tuple of ints dim = [], bool keepdim = False, {_OUT}"]
       for name in ("amax", "amin")},
    "logsumexp": [f"Tensor input, tuple of ints dim, bool keepdim = False, {_OUT}"],
    "cumsum": ["Tensor input, int dim, *, torch.dtype dtype = None, Tensor out = None"],
    "sort": ["Tensor input, *, bool stable, int dim = -1, bool descending = False, "
             "tuple of Tensors out = None",
             "Tensor input, int dim = -1, bool descending = False, *, "
             "tuple of Tensors out = None"],
    "softmax": ["Tensor input, int dim, torch.dtype dtype = None, " + _OUT],
    "log_softmax": ["Tensor input, int dim, torch.dtype dtype = None, " + _OUT],
    "view": ["Tensor input, torch.dtype dtype", "Tensor input, tuple of ints size"],
    "reshape": ["Tensor input, tuple of ints shape"],
    "expand": ["Tensor input, tuple of ints size, *, bool implicit = False"],
    "permute": ["Tensor input, tuple of ints dims"],
    "flip": ["Tensor input, tuple of ints dims"],
    "repeat": ["Tensor input, tuple of ints repeats"],
    "flatten": ["Tensor input, int start_dim = 0, int end_dim = -1"],
    "view_as": ["Tensor input, Tensor other"], "reshape_as": ["Tensor input, Tensor other"],
    "expand_as": ["Tensor input, Tensor other"],
    "transpose": ["Tensor input, int dim0, int dim1"],
    "squeeze": ["Tensor input", "Tensor input, int dim", "Tensor input, tuple of ints dim"],
    "unsqueeze": ["Tensor input, int dim"],
    "unbind": ["Tensor input, int dim = 0"],
    "narrow": ["Tensor input, int dim, Tensor start, int length",
               "Tensor input, int dim, int start, int length"],
    "chunk": ["Tensor input, int chunks, int dim = 0"],
    "select": ["Tensor input, int dim, int index"],
    "index_select": [f"Tensor input, int dim, Tensor index, {_OUT}"],
    "gather": ["Tensor input, int dim, Tensor index, *, bool sparse_grad = False, "
               "Tensor out = None"],
    "cat": ["tuple of Tensors tensors, int dim = 0, " + _OUT],
    "stack": ["tuple of Tensors tensors, int dim = 0, " + _OUT],
    "where": ["Tensor condition", f"Tensor condition, Tensor input, Tensor other, {_OUT}",
              "Tensor condition, Number self, Tensor other",
              "Tensor condition, Tensor input, Number other",
              "Tensor condition, Number self, Number other"],
    "addmm": ["Tensor input, Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1, "
              "Tensor out = None"],
    "zeros": [f"tuple of ints size, {_FACTORY}"], "ones": [f"tuple of ints size, {_FACTORY}"],
    "randn": [f"tuple of ints size, *, torch.Generator generator, {_FACTORY[3:]}",
              f"tuple of ints size, {_FACTORY}"],
    "rand": [f"tuple of ints size, *, torch.Generator generator, {_FACTORY[3:]}",
             f"tuple of ints size, {_FACTORY}"],
    "full": [f"tuple of ints size, Number fill_value, {_FACTORY}"],
    "arange": [f"Number end, {_FACTORY}", f"Number start, Number end, *, {_FACTORY[22:]}",
               f"Number start, Number end, Number step = 1, {_FACTORY}"],
    "linspace": [f"{a} start, {b} end, int steps, {_FACTORY}"
                 for a, b in (("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"),
                              ("Number", "Number"))],
    "eye": [f"int n, {_FACTORY}", f"int n, int m, {_FACTORY}"],
}
# Methods whose overloads are not the functions' (the rest: see ``method_signatures``).
METHOD_SIGNATURES = {"where": ["Tensor condition, Tensor other", "Tensor condition, Number other"],
                     "requires_grad_": ["bool requires_grad = True"]}
# Methods without parameters are plain C methods in PyTorch (Python's own arity errors).
NO_ARGUMENTS = set(name for name, sigs in SIGNATURES.items() if sigs == _UNARY) | {
    "t", "zero_", "exp_", "detach", "relu"}
# Ops with deprecated overloads (not listed): their parser reports as for several overloads.
_HIDDEN_OVERLOADS = {"add", "sub", "addmm"}
# Ops whose Tensor parameters also take numbers (python_arg_parser's
# should_allow_numbers_as_tensors).
_NUMBERS_AS_TENSORS = set("add add_ sub sub_ mul mul_ div div_ rsub eq ne lt le gt ge remainder "
                          "floor_divide".split())


class Param:
    """One parameter: ``"tuple of ints dim = None"`` -> type, name, default."""

    def __init__(self, text, keyword_only):
        decl, _, default = text.partition(" = ")
        self.type, _, self.name = decl.rpartition(" ")
        self.optional = bool(default)
        # a dim list (``int[1]? dim``) takes None though no default is printed
        self.allow_none = default == "None" or (self.type == "tuple of ints" and self.name == "dim")
        self.keyword_only = keyword_only


class Signature:
    def __init__(self, name, text):
        self.name, self.text, self.params, keyword_only = name, f"({text})", [], False
        for part in filter(None, text.split(", ")):
            if part == "*":
                keyword_only = True
            else:
                self.params.append(Param(part, keyword_only))
        self.min_args = sum(not p.optional for p in self.params)
        self.max_pos_args = sum(not p.keyword_only for p in self.params)
        self.numbers_as_tensors = name in _NUMBERS_AS_TENSORS
        # x.view(2, 3) is x.view((2, 3)): a single positional list of ints gathers the
        # positional arguments, unless it takes an int itself (a reduction's dim list is
        # int[1]: x.sum(0, 1) passes 1 as keepdim; squeeze's is int[])
        first = self.params[0] if self.params else None
        self.varargs = (self.max_pos_args == 1 and first.type == "tuple of ints"
                        and (first.name != "dim" or name == "squeeze"))


def tp_name(value):
    """Python's ``Py_TYPE(obj)->tp_name``: numpy's scalar types carry their module."""
    cls = type(value)
    if isinstance(value, Tensor):
        return "Tensor"
    if cls.__name__ == "dtype" and cls.__module__.startswith("autograd_edu"):
        return "torch.dtype"
    return f"numpy.{cls.__name__}" if cls.__module__ == "numpy" else cls.__name__


def _is_int(v):  # THPUtils_checkLong, or a 0-d integer tensor without history
    if isinstance(v, Tensor):
        return v.dim() == 0 and not v._dtype.is_floating_point and v._dtype.name != "bool" \
            and not v.requires_grad
    return (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, np.integer)


def _is_float(v):  # THPUtils_checkDouble, or a 0-d tensor without history
    if isinstance(v, Tensor):
        return v.dim() == 0 and not v.requires_grad
    return isinstance(v, int | float | np.number)


def _int_list(v):
    """(ok, index of the failing element or None): a list or tuple whose first element is
    an int (PyTorch looks at the first only), or a single int for a dim list."""
    if isinstance(v, tuple | list):
        return (True, None) if not v or _is_int(v[0]) else (False, 0)
    return _is_int(v), None


def _tensor_list(v, param_index):
    if not isinstance(v, tuple | list):
        return False
    for i, item in enumerate(v):
        if not isinstance(item, Tensor):  # PyTorch raises at once, whichever the overload
            raise TypeError(f"expected Tensor as element {i} in argument {param_index}, "
                            f"but got {tp_name(item)}")
    return True


def _dtype_like(v):
    from ._dtypes import dtype
    return isinstance(v, dtype) or v in (int, float, bool, complex)


_CHECKS = {
    "int": _is_int, "float": _is_float, "bool": lambda v: isinstance(v, bool),
    "Number": lambda v: _is_float(v) or isinstance(v, complex | np.bool_),
    "torch.dtype": _dtype_like, "str": lambda v: isinstance(v, str),
}


def _check(param, value, signature, index):
    """(matches, failing element index) for one value."""
    kind = param.type
    if kind == "Tensor":
        return isinstance(value, Tensor) or (signature.numbers_as_tensors
                                             and _CHECKS["Number"](value)), None
    if kind == "tuple of ints":
        return _int_list(value)
    if kind == "tuple of Tensors":
        return _tensor_list(value, index), None
    check = _CHECKS.get(kind)
    return (check is None or check(value)), None  # others (device, layout...): accepted


def parse(signature, args, kwargs):
    """None if ``signature`` accepts the call, else the TypeError text PyTorch raises
    for it (FunctionSignature::parse)."""
    name, params, nargs = signature.name, signature.params, len(args)
    varargs = signature.varargs and nargs > 0 and _int_list(args)[0]
    if varargs:
        args, nargs = (tuple(args),), 1
    if nargs > signature.max_pos_args:
        lo, hi = signature.min_args, signature.max_pos_args
        if lo != hi:
            return f"{name}() takes from {lo} to {hi} positional arguments but {nargs} were given"
        return (f"{name}() takes {hi} positional argument{'' if hi == 1 else 's'} but {nargs} "
                f"{'was' if nargs == 1 else 'were'} given")
    used, unpack = 0, None
    for i, param in enumerate(params):
        keyword = i >= nargs
        if not keyword:
            value = args[i]
        elif param.name in kwargs:
            value, used = kwargs[param.name], used + 1
        else:
            if param.optional:
                continue
            missing = [f'"{p.name}"' for p in params[i:] if not p.optional]
            return (f"{name}() missing {len(missing)} required positional argument"
                    f"{'s' if len(missing) == 1 else ''}: {', '.join(missing)}")  # sic
        if value is None and param.allow_none:
            continue
        ok, failed = _check(param, value, signature, i)
        if ok:
            if param.type == "tuple of ints" and isinstance(value, tuple | list):
                unpack = unpack or _unpack_error(name, param, value)
            continue
        head = f"{name}(): argument '{param.name}'"
        if keyword:
            return f"{head} must be {param.type}, not {tp_name(value)}"
        if failed is not None:
            return (f"{head} (position {i + 1}) must be {param.type}, but found element of "
                    f"type {tp_name(value[failed])} at pos {failed}")
        return f"{head} (position {i + 1}) must be {param.type}, not {tp_name(value)}"
    if used < len(kwargs):
        known = {p.name for p in params}
        for key in kwargs:
            if key not in known:
                return f"{name}() got an unexpected keyword argument '{key}'"
            if [p.name for p in params].index(key) < nargs:
                return f"{name}() got multiple values for argument '{key}'"
    if unpack:  # the overload matches; converting its list of ints fails
        raise TypeError(unpack)
    return None


def _unpack_error(name, param, values):
    """PyTorch checks a list of ints' first element only; the others fail when it is
    converted (PythonArgs::intlist)."""
    for pos, value in enumerate(values):
        if not (_is_int(value) or isinstance(value, bool)):
            return (f"{name}(): argument '{param.name}' failed to unpack the object at pos "
                    f"{pos + 1} with error \"type must be tuple of ints,but got "
                    f"{tp_name(value)}\"")
    return None


def _describe(value):
    if isinstance(value, tuple | list):
        inner = ", ".join(map(tp_name, value))
        return (f"tuple of ({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple)
                else f"list of [{inner}]")
    return tp_name(value)


def _arg_list(items, args):
    """PyTorch's "(a, b)" list: each item followed by ", ", the last one cut only when
    there are positional arguments (hence "(dim=float, )")."""
    text = "".join(f"{item}, " for item in items)
    return f"({text[:-2] if args else text})"


def _option_matches(kind, value):
    """invalid_arguments.cpp compares type names as strings ("Number" and "tuple of
    ints" never match; "float" takes ints too)."""
    name = tp_name(value)
    return name in {"float": ("float", "int"), "int": ("int",)}.get(kind, (kind,))


def invalid_combination(name, signatures, args, kwargs, single=False):
    """PyTorch's format_invalid_args when no overload accepts the call. It re-reads each
    printed signature naively: every ", "-separated piece is an argument (``*`` too), a
    piece's last word its name (``= False`` gives the name "False")."""
    head = f"{name}() received an invalid combination of arguments - got "
    got = _arg_list([*map(tp_name, args), *(f"{k}={tp_name(v)}" for k, v in kwargs.items())],
                    args)
    lines = []
    for sig in signatures:
        pieces = [p.rpartition(" ") for p in sig.text[1:-1].split(", ")]  # (type, _, name)
        lines.append(f" * {sig.text}")
        if len(args) + len(kwargs) != len(pieces):
            continue
        names = [n for _, _, n in pieces[len(pieces) - len(kwargs):]]
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            if single:
                return f"{head[:-4]}got unrecognized keyword arguments: {', '.join(unknown)}"
            lines.append("      didn't match because some of the keywords were incorrect: "
                         + ", ".join(unknown))
            continue
        marks = []
        for i, (kind, _, pname) in enumerate(pieces[:len(args) + len(kwargs)]):
            value = args[i] if i < len(args) else kwargs[pname]
            text = (f"{pname}=" if i >= len(args) else "") + _describe(value)
            marks.append(text if _option_matches(kind, value) else f"!{text}!")
        desc = _arg_list(marks, args)
        if single:
            return f"{head}{desc}, but expected {sig.text}"
        lines.append(f"      didn't match because some of the arguments have invalid types: {desc}")
    if single:
        return f"{head}{got}, but expected {signatures[0].text}"
    return f"{head}{got}, but expected one of:\n" + "".join(line + "\n" for line in lines)


_PARSED = {}


def signatures(name, method):
    """``name``'s overloads as ``Signature``s (a method's without ``input`` and ``out``)."""
    key = (name, method)
    if key not in _PARSED:
        texts = SIGNATURES.get(name) or SIGNATURES.get(name.removesuffix("_"), [])
        if method:
            texts = METHOD_SIGNATURES.get(name) or [
                ", ".join(p for p in text.split(", ")[1:] if not p.endswith(" out = None"))
                .removesuffix(", *").removesuffix("*")
                for text in texts if text.startswith("Tensor input")]
        _PARSED[key] = [Signature(name, text) for text in texts]
    return _PARSED[key]


def refusal(name, args, kwargs, method=False):
    """PyTorch's TypeError if its parser refuses ``name(*args, **kwargs)`` (for a method,
    ``args`` are those after ``self``); None if an overload accepts the call or ``name``
    is not described here."""
    if method and name in NO_ARGUMENTS:
        if kwargs:
            return TypeError(f"TensorBase.{name}() takes no keyword arguments")
        return args and TypeError(f"TensorBase.{name}() takes no arguments ({len(args)} given)")
    sigs = signatures(name, method)
    try:
        errors = [parse(sig, args, kwargs) for sig in sigs]
    except TypeError as error:  # a list with an element of the wrong type
        return error
    if not sigs or None in errors:
        return None
    if len(sigs) == 1 and name not in _HIDDEN_OVERLOADS:
        return TypeError(errors[0])
    count = len(args) + len(kwargs)
    plausible = [error for sig, error in zip(sigs, errors, strict=True)
                 if sig.min_args <= count <= len(sig.params)]
    if len(plausible) == 1:
        return TypeError(plausible[0])
    return TypeError(invalid_combination(name, sigs, args, kwargs, single=len(sigs) == 1))
