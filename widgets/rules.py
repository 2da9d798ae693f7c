"""The local derivative rule a node applies, in symbols and in words.

Symbols come from the engine itself: every autograd_edu node class states
its rule in its docstring (``out = self * other;  grad_self = grad * other,
...``), the one place the derivative is written down. Looking rules up *by
node name* lets a PyTorch node (which has no such docstring) borrow the text
of its autograd_edu twin. Words are a short plain-language gloss for the
common operations, with a generic chain-rule sentence for the rest.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

ACCUMULATE = ("variable.grad = grad (a copy) the first time;  variable.grad += grad "
              "(in place) afterwards",
              "adds the gradient that reached this leaf to its .grad")

WORDS = {
    "Add": "a sum passes the gradient through unchanged to both inputs (times alpha)",
    "Sub": "a difference passes the gradient to the left input and its negative to the right",
    "Rsub": "number minus tensor: the tensor gets the negated gradient",
    "Mul": "a product sends each input the gradient times the *other* factor",
    "Div": "a quotient: grad/other to the numerator, -grad*self/other² to the denominator",
    "Neg": "negation flips the sign of the gradient",
    "Pow": "a power: grad times exponent times self to the (exponent - 1)",
    "Exp": "exp is its own derivative: the gradient times the saved output",
    "Log": "log: the gradient divided by the saved input",
    "Sin": "sin: the gradient times cos of the input",
    "Cos": "cos: the gradient times -sin of the input",
    "Tanh": "tanh: the gradient times 1 - out²",
    "Sigmoid": "sigmoid: the gradient times out·(1 - out)",
    "Relu": "ReLU lets the gradient through where the output was positive, 0 elsewhere",
    "Sqrt": "sqrt: the gradient divided by 2·out",
    "Sum": "a sum copies the gradient back to every element it added",
    "Mean": "a mean copies the gradient back to every element, divided by their count",
    "Mm": "a matrix product: grad @ other-transposed, and self-transposed @ grad",
    "Addmm": "a linear layer: bias gets grad (summed), weights and inputs get matrix products",
    "Mv": "a matrix-vector product: outer(grad, vec) and selfᵀ @ grad",
    "Dot": "a dot product sends each vector the gradient times the other vector",
    "T": "a transpose transposes the gradient back",
    "View": "a view reshapes the gradient back to the input's shape",
    "Expand": "an expand sums the gradient over the broadcast dimensions",
    "Clone": "a copy passes the gradient through",
}


@dataclass(frozen=True)
class Rule:
    name: str
    forward: str
    backward: str
    words: str

    @property
    def symbols(self):
        """``out = self · other;  grad_self = grad · other, ...`` (empty if unknown)."""
        if not self.backward:
            return self.forward
        return f"{self.forward};  {self.backward}" if self.forward else self.backward


@lru_cache(maxsize=1)
def _docstrings():
    """{node class name: first docstring paragraph} for every autograd_edu node."""
    from autograd_edu.autograd import Node

    table, stack = {}, [Node]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            doc = (sub.__doc__ or "").strip().split("\n\n")[0]
            if doc and sub.__name__ not in table:
                table[sub.__name__] = " ".join(doc.split())
    return table


def _dot_products(text):
    """``grad * other`` -> ``grad · other``: a product sign learners read as maths."""
    return re.sub(r"(?<=\S) \* (?=\S)", " \u00b7 ", text)


def _family(name):
    """``MulBackward0`` -> ``Mul``."""
    return re.sub(r"Backward\d*$", "", name)


@lru_cache(maxsize=512)
def local_rule(name):
    """The ``Rule`` for a node called ``name`` (``MulBackward0``, ``AccumulateGrad``...)."""
    if name == "AccumulateGrad":
        return Rule(name, "", ACCUMULATE[0], ACCUMULATE[1])
    doc = _docstrings().get(name, "")
    forward, _, backward = doc.partition(";")
    if not backward:  # a docstring that is prose, not "out = ...;  grad = ..."
        forward, backward = "", doc
    words = WORDS.get(_family(name)) or (
        "applies the chain rule: each input's gradient is the incoming gradient "
        "times the local derivative of this operation")
    return Rule(name, _dot_products(forward.strip()), _dot_products(backward.strip()), words)
