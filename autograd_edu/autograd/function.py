"""Custom operations: subclass ``Function`` with static ``forward(ctx, ...)``
and ``backward(ctx, *grads)``; ``MyFn.apply(x)`` runs forward without
recording and links the outputs to one ``MyFnBackward`` node whose
``apply`` calls your ``backward``. The node *is* the ``ctx``, as in PyTorch."""

from .. import _grad_mode
from .. import _messages as msg
from .._tensor import IN_CUSTOM_FUNCTION, Tensor
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
        ctx = cls._backward_cls()
        ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        if _grad_mode.is_grad_enabled() and any(ctx.needs_input_grad):
            # PyTorch collects the inputs' edges first: a stale view reports its error now
            from ..ops._common import connect_stale_views
            connect_stale_views([a for a in args if isinstance(a, Tensor)])
        with _grad_mode.no_grad():
            if _has_setup_context(cls):
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        recording = _grad_mode.is_grad_enabled() and any(ctx.needs_input_grad)
        dirty = ctx.__dict__.pop("_dirty", ())
        for t in dirty:  # PyTorch bumps a dirty input's version once more
            t._version_counter.version += 1
        outs = _wrap_outputs(ctx, args, outs, dirty, recording)
        to_save = ctx.__dict__.pop("_to_save", ())  # keeping the list would be a cycle
        out_ids = {id(o): o for o in outs if isinstance(o, Tensor)}
        ctx._saved_list = tuple(
            None if t is None else SavedTensor(t, is_output=id(t) in out_ids and recording)
            for t in to_save)
        return outs[0] if single else outs


def _wrap_outputs(ctx, args, outs, dirty, recording):
    """What ``apply`` returns for what ``forward`` returned (PyTorch's _wrap_outputs):

    - an input changed in place and marked dirty is returned itself, its history
      rebased onto ``ctx`` (a view's base gets a CopySlices node); a leaf that requires
      grad may not be changed so;
    - another input returned as is becomes a new view of it (to carry ``ctx``'s
      history, or none), or, if it requires grad while nothing is recorded, a detached
      alias;
    - a dirty input that is not returned is refused."""
    from ..ops.inplace import inplace_error, rebase_history
    from ..ops.shape import make_view
    non_diff = getattr(ctx, "_non_differentiable", set())
    is_dirty = {id(t) for t in dirty}.__contains__
    is_input = {id(a) for a in args if isinstance(a, Tensor)}.__contains__
    wrapped, non_diff_ids = [], set()
    for o in outs:
        if isinstance(o, Tensor):
            differentiable = id(o) not in non_diff and o._dtype.is_floating_point
            if is_dirty(id(o)) and recording:
                if o._grad_fn is None and o.requires_grad:  # C++ is_leaf(): no regeneration
                    raise RuntimeError(msg.INPLACE_LEAF_CUSTOM_FUNCTION)
                if o._base is not None and (error := inplace_error(o, ())) is not None:
                    if differentiable:  # PyTorch forgets .grad before its rebase refuses
                        o._grad = None
                    raise error  # the view rules of in-place ops
            if is_input(id(o)) and not recording and o.requires_grad:
                o = o.detach()
            elif is_input(id(o)) and not is_dirty(id(o)):
                o = make_view(o, o._data, lambda a: a)
            if not differentiable:
                non_diff_ids.add(id(o))
        wrapped.append(o)
    tensor_outs = [o for o in wrapped if isinstance(o, Tensor)]
    if recording:
        modified = [o for o in tensor_outs if is_dirty(id(o))]
        connect(ctx, [a for a in args if isinstance(a, Tensor)], tensor_outs, modified)
        for nr, o in enumerate(tensor_outs):
            if is_dirty(id(o)):
                if id(o) not in non_diff_ids:  # PyTorch forgets the old .grad (not hooks)
                    o._grad = None
                rebase_history(o, ctx, nr)
            elif id(o) in non_diff_ids:
                o._grad_fn = None
    if any(not any(o is t for o in outs) for t in dirty):
        raise RuntimeError(msg.DIRTY_NOT_RETURNED)
    for o in tensor_outs:  # PyTorch: a view returned by forward may not be modified in place
        if o._base is not None and not is_dirty(id(o)):
            o._creation_meta = IN_CUSTOM_FUNCTION
    return tuple(wrapped)


def _has_setup_context(cls):
    return "setup_context" in {k for c in cls.__mro__ if c is not Function for k in vars(c)}
