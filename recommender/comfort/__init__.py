"""Tourism-climate comfort: published rating tables (tables.py), thermal physics (physics.py),
the index registry (indices.py) and the index-agnostic scoring engine (score.py)."""

from .indices import INDICES, ComfortIndex, Component, index_for, register, styles, unregister
from .score import score_atlas
from .tables import LABEL_ORDER, UTCI_CLASSES, label, utci_class

__all__ = ["INDICES", "ComfortIndex", "Component", "index_for", "register", "styles", "unregister",
           "score_atlas", "LABEL_ORDER", "UTCI_CLASSES", "label", "utci_class"]
