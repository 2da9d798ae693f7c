"""Named pairs such as ``torch.return_types.max(values=..., indices=...)``."""


def make_return_type(name, fields):
    """A tuple subclass with named fields that prints like PyTorch's structseq."""

    def __new__(cls, *items):
        return tuple.__new__(cls, items)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=True))
        return f"torch.return_types.{name}(\n{body})"

    attrs = {"__new__": __new__, "__repr__": __repr__, "__str__": __repr__,
             "__slots__": (), "_fields": fields, "__module__": "autograd_edu.return_types"}
    for i, field in enumerate(fields):
        attrs[field] = property(lambda self, i=i: self[i])
    cls = type(name, (tuple,), attrs)
    globals()[name] = cls
    return cls
