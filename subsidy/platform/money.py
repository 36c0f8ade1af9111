"""Money: how amounts are stored (HK$, two decimals) and how they are shown."""

from decimal import Decimal

MONEY = {"max_digits": 14, "decimal_places": 2}


def money(amount: Decimal, *, currency: bool = True) -> str:
    """An amount as people read it: ``HK$1,234,567.00``. ``currency=False`` leaves out the
    ``HK$`` for a sentence that already says it (``HK$%(amount)s``)."""
    text = f"{amount:,.2f}"
    return f"HK${text}" if currency else text
