"""What partners are promised about webhook delivery (docs/partner-api.md, "Retries, the
delivery log and redelivery"), written once: part of the API contract, not settings."""

# A receiver answers within this many seconds, or the attempt counts as failed.
TIMEOUT_SECONDS = 10

# Attempts of one delivery before it is marked failed.
MAX_ATTEMPTS = 8

# Retries wait base, 2 x base, 4 x base, ... seconds, never more than the maximum.
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 6 * 60 * 60
