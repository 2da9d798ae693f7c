"""Grad mode: whether new operations are recorded in the graph.

Thread-local, like PyTorch's: ``no_grad`` in one thread leaves other threads
recording. Each context manager also works as a decorator.
"""

import functools
import threading

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def _set_enabled(mode):
    _state.enabled = bool(mode)


def is_inference_mode_enabled():
    return getattr(_state, "inference", False)


class _DecoratorContextManager:
    """Base: ``with cm():`` or ``@cm()`` (and, for parameterless ones, ``@cm``)."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecorator(_DecoratorContextManager):
    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):  # noqa: N801 - torch's names
    """Operations inside are not recorded: results have requires_grad=False."""

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_enabled(False)

    def __exit__(self, *exc):
        _set_enabled(self.prev)


class enable_grad(_NoParamDecorator):  # noqa: N801
    """Re-enable recording inside a ``no_grad`` block."""

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_enabled(True)

    def __exit__(self, *exc):
        _set_enabled(self.prev)


class set_grad_enabled(_DecoratorContextManager):  # noqa: N801
    """Like torch: the mode changes as soon as the object is created, so it
    also works as a plain function call ``set_grad_enabled(False)``."""

    def __init__(self, mode):
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _set_enabled(self.mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set_enabled(self.prev)

    def __call__(self, func):
        _set_enabled(self.prev)  # used as a decorator: the mode applies inside func only
        return super().__call__(func)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):  # noqa: N801
    """Like ``no_grad`` here (numpy has no inference tensors to optimise)."""

    def __new__(cls, mode=True):
        if callable(mode):  # used as @inference_mode without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self.prev = (is_grad_enabled(), is_inference_mode_enabled())
        if self.mode:
            _set_enabled(False)
        _state.inference = bool(self.mode)

    def __exit__(self, *exc):
        _set_enabled(self.prev[0])
        _state.inference = self.prev[1]

    def clone(self):
        return self.__class__(self.mode)
