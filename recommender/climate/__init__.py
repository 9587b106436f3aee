"""Climate knowledge declared once: the variables (unit, decimals, range, provenance), the
calendar, astronomy, derivations by stated physics, validation and model imputation."""
