"""Finance reports: the figures of the dashboard (``figures``), the disbursement and
commitments registers (``registers``) and their CSV and XLSX downloads (``exports``).
Every amount is summed in SQL from the records."""
