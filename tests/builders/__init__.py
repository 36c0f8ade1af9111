"""Data made the way users make it: through the same services the pages and the API call
(a draft filled section by section, a review declared and submitted, a tranche claimed,
verified and paid). Plain rows come from ``tests.factories``."""
