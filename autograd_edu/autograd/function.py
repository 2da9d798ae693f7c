"""Custom operations: subclass ``Function`` with static ``forward(ctx, ...)``
and ``backward(ctx, *grads)``; ``MyFn.apply(x)`` runs forward without
recording and links the outputs to one ``MyFnBackward`` node whose
``apply`` calls your ``backward``. The node *is* the ``ctx``, as in PyTorch."""

from .. import _grad_mode
from .._tensor import IN_CUSTOM_FUNCTION
from .graph import Node, SavedTensor, connect


class FunctionCtx:
    """What ``forward`` can use on ``ctx`` (mixed into the backward node)."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    @property
    def saved_tensors(self):
        return tuple(None if s is None else s.unpack(self) for s in self._saved_list)

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self._materialize = value


class BackwardCFunction(Node, FunctionCtx):
    """The node recorded for a custom Function: its derivative is the user's ``backward``."""

    _forward_cls = None
    _saved_list = ()
    _materialize = True

    def __repr__(self):  # PyTorch names the Python class fully: <...function.MyFnBackward object>
        return object.__repr__(self)

    def apply(self, *grads):
        from .._tensor import Tensor
        result = self._forward_cls.backward(self, *grads)
        result = result if isinstance(result, tuple) else (result,)
        for g in result:
            if g is not None and not isinstance(g, Tensor):
                from .. import _messages as msg
                raise RuntimeError(msg.FUNCTION_NOT_TENSOR.format(type=type(g).__name__))
        n_inputs = len(self._is_tensor_input)
        extra = result[n_inputs:]
        if len(result) < n_inputs or any(g is not None for g in extra):
            from .. import _messages as msg
            raise RuntimeError(msg.WRONG_GRAD_COUNT.format(
                name=self.name(), expected=n_inputs, got=len(result)))
        grads = []
        for i, is_tensor in enumerate(self._is_tensor_input):
            if is_tensor:
                grads.append(result[i])
            elif result[i] is not None:
                raise RuntimeError(f"function {self.name()} returned a gradient different than "
                                   f"None at position {i + 1}, but the corresponding forward "
                                   f"input was not a Variable")
        return tuple(grads)

    def release_variables(self):
        for s in self._saved_list:
            if s is not None:
                s.release()


class Function:
    """Base class for custom autograd operations (``torch.autograd.Function``)."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd "
                      "functions are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        from .. import _messages as msg
        raise RuntimeError(msg.LEGACY_FUNCTION)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": __name__})

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        ctx = cls._backward_cls()
        tensor_inputs = [a if isinstance(a, Tensor) else None for a in args]
        ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with _grad_mode.no_grad():
            if _has_setup_context(cls):
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        recording = _grad_mode.is_grad_enabled() and any(ctx.needs_input_grad)
        if recording:
            non_diff = getattr(ctx, "_non_differentiable", set())
            outs = tuple(_fresh(o, args) if isinstance(o, Tensor) else o for o in outs)
            tensor_outs = [o for o in outs if isinstance(o, Tensor)]
            connect(ctx, [t for t in tensor_inputs if t is not None], tensor_outs)
            for original, o in zip(outputs if not single else (outputs,), outs, strict=True):
                if isinstance(o, Tensor) and id(original) in non_diff:
                    o._grad_fn = None
        for o in outs:  # PyTorch: a view returned by forward may not be modified in place
            if isinstance(o, Tensor) and o._base is not None:
                o._creation_meta = IN_CUSTOM_FUNCTION
        to_save = ctx.__dict__.pop("_to_save", ())  # keeping the list would be a cycle
        out_ids = {id(o): o for o in outs if isinstance(o, Tensor)}
        ctx._saved_list = tuple(
            None if t is None else SavedTensor(t, is_output=id(t) in out_ids and recording)
            for t in to_save)
        return outs[0] if single else outs


def _fresh(t, args):
    """An output that is an input returned as is must become a new tensor to carry history:
    a view of the input, as in PyTorch."""
    if any(t is a for a in args):
        from ..ops.shape import make_view
        return make_view(t, t._data, lambda a: a)
    return t


def _has_setup_context(cls):
    return "setup_context" in {k for c in cls.__mro__ if c is not Function for k in vars(c)}
