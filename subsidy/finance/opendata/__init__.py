"""Open data: the scheme's awarded grants in the 360Giving Data Standard."""
