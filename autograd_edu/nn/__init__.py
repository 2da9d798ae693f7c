"""``torch.nn``: just enough for the lessons (losses, Linear, Sequential, SGD's parameters)."""

from . import functional, init
from .modules import (
                      CrossEntropyLoss,
                      Flatten,
                      Identity,
                      Linear,
                      Module,
                      MSELoss,
                      NLLLoss,
                      ReLU,
                      Sequential,
                      Sigmoid,
                      Softmax,
                      Tanh,
)
from .parameter import Parameter

__all__ = ["functional", "init", "Module", "Linear", "Sequential", "ReLU", "Sigmoid", "Tanh",
           "Softmax", "Flatten", "Identity", "MSELoss", "CrossEntropyLoss", "NLLLoss",
           "Parameter"]
