"""Sphinx configuration for minigrad's documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API pages under ``docs/api/`` are generated at build time by
``docs/_ext/minigrad_api.py``; notebooks under ``docs/tutorials/`` are rendered as
stored (they are executed separately in CI with ``pytest --nbmake docs/tutorials``).
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # import minigrad from this checkout
sys.path.insert(0, str(DOCS / "_ext"))

import minigrad  # noqa: E402

project = "minigrad"
author = "minigrad contributors"
copyright = "minigrad contributors, MIT licence"
release = minigrad.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_nb",  # Markdown (MyST) pages and Jupyter notebooks
    "minigrad_api",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]

# Docstrings are Google style ("Args:", "Returns:").
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"member-order": "bysource"}
autosummary_generate = False  # the pages are written by minigrad_api

# Notebooks are shown as stored, without outputs; CI runs them with nbmake.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"minigrad {release}"
