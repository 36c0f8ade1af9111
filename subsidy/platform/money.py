"""Money: how amounts are stored (HK$, two decimals) and how they are shown."""



MONEY = {"max_digits": 14, "decimal_places": 2}
