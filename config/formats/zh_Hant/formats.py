"""Traditional Chinese as Hong Kong writes numbers: Django's zh_Hant dates, with thousands
separated by commas in threes (HK$5,140,000.00). Django's own zh_Hant format has no
separator and groups in fours, which printed HK$5140000.00."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403 - the dates and input formats

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
