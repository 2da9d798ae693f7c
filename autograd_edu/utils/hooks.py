"""RemovableHandle: what ``register_hook`` returns, as in ``torch.utils.hooks``."""

import itertools
import weakref


class RemovableHandle:
    """Removes one hook from the dict it was stored in; usable as a context manager."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle._ids)

    def remove(self):
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class HookDict(dict):
    """A plain dict of hooks that can be weakly referenced by its handles."""

    __slots__ = ("__weakref__",)

    def add(self, hook):
        handle = RemovableHandle(self)
        self[handle.id] = hook
        return handle
