"""Run graphviz's ``dot`` on DOT text, or fail with one clear message.

Why a module of its own: the ``graphviz`` Python package is only a wrapper;
the layout program ``dot`` is a separate system install that is easy to
miss (pip cannot install it). Without it every render raises
``graphviz.ExecutableNotFound`` deep inside the package, which a notebook
shows as a long traceback. Here that becomes ``GraphvizNotFoundError``: what
is missing and how to install it, raised without the chained traceback and
shown by IPython as just the message (``_render_traceback_``).
"""

import shutil

import graphviz

INSTALL_HELP = """\
Graphviz's `dot` program was not found on PATH. The Python package `graphviz` is \
installed, but it only calls `dot`, which is a separate system program. Install it with one of:
  - Debian/Ubuntu:  sudo apt-get install graphviz
  - conda:          conda install -c conda-forge graphviz
  - macOS:          brew install graphviz
  - Binder:         add a line `graphviz` to binder/apt.txt
then restart the kernel. (`.source` still gives the DOT text without `dot`.)"""


class GraphvizNotFoundError(RuntimeError):
    """The `dot` executable is missing; the message says how to install it."""

    def __init__(self, message=INSTALL_HELP):
        super().__init__(message)

    def _render_traceback_(self):
        # IPython calls this instead of printing the traceback.
        return f"GraphvizNotFoundError: {self.args[0]}".splitlines()


def dot_available():
    return shutil.which("dot") is not None


def pipe(source, fmt="svg"):
    """Render DOT ``source`` with dot; bytes for binary formats, str for svg."""
    try:
        data = graphviz.pipe("dot", fmt, source.encode("utf-8"))
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError() from None
    return data.decode("utf-8") if fmt in ("svg", "dot", "xdot", "plain") else data


def error_html(error):
    """An error as a small HTML box (for displays that must not raise)."""
    from html import escape as html  # web HTML, not a DOT label
    return ('<pre style="color:#b71c1c;white-space:pre-wrap;border:1px solid #b71c1c;'
            f'padding:6px">{html(str(error))}</pre>')
