"""After the award: the offer letter and grant agreement, signed by the company's owner, and
the grant's conditions precedent (docs/agreements.md)."""
