"""autograd_edu.widgets: notebook drawings of computation graphs and the backward stepper.

Uses the engine only through its public graph API (``grad_fn``,
``next_functions``, ``variable``, saved values, ``autograd.backward_steps``).
"""
