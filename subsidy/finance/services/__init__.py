"""Finance services: a grant's tranche schedule, activation and termination
(``schedule``), claims with progress reports (``claims``), payments with maker-checker and
payment batches (``payments``) and the company's bank account (``bank``)."""
