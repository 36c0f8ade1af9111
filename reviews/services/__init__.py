"""Assessment services, by topic: reviewer pools and settings (``pool``), assignments and
conflict declarations (``assignments``), reviews and scores (``scoring``)."""
