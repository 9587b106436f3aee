"""Places: name normalisation and distances (names.py), countries (countries.py), the GeoNames
gazetteer for the build (gazetteer.py) and the matching rules (matching.py)."""
