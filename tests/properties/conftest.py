"""Hypothesis settings of the property tests: enough examples to matter, still quick."""

from hypothesis import settings

# No example database: the suite leaves no `.hypothesis/` folder in the checkout.
settings.register_profile("properties", max_examples=200, deadline=None, database=None)
PROPERTIES = settings.get_profile("properties")
