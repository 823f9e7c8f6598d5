"""eBay's sites as Hemi names them (``EbayAccount.site_code``), with eBay's numeric site ids.

The ids are eBay's Trading API ``SiteID`` values (eBay's "SiteCodeType" table).
"""

from __future__ import annotations

EBAY_SITE_IDS: dict[str, int] = {
    "US": 0,
    "CA": 2,
    "UK": 3,
    "AU": 15,
    "AT": 16,
    "BEFR": 23,
    "FR": 71,
    "DE": 77,
    "MOTORS": 100,
    "IT": 101,
    "BENL": 123,
    "NL": 146,
    "ES": 186,
    "CH": 193,
    "HK": 201,
    "IN": 203,
    "IE": 205,
    "MY": 207,
    "CAFR": 210,
    "PH": 211,
    "PL": 212,
    "SG": 216,
}
