"""Limits on what an applicant may upload, written once (stated in the guidance notes)."""

# One application document (and one piece of claim evidence), in bytes.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# All of one application's documents together, in bytes.
DOCUMENTS_TOTAL_MAX_BYTES = 50 * 1024 * 1024
