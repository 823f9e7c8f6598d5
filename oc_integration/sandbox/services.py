"""OC's service list (GetServiceList): regions and their shipping service codes."""

from __future__ import annotations

from typing import Any


def _product(code: str, english: str, german: str = "") -> dict[str, Any]:
    names = [{"language": "en", "shippingServiceName": english}]
    if german:
        names.append({"language": "de", "shippingServiceName": german})
    return {"shippingServiceCode": code, "shippingServiceNameList": names}


SERVICE_LIST: list[dict[str, Any]] = [
    {
        "serviceRegion": "UK",
        "productList": [
            _product("GBDomesticStandard", "UK Domestic Standard"),
            _product("GBDomesticExpress", "UK Domestic Express"),
            _product("GBDomesticEconomy", "UK Domestic Economy"),
            _product("GBDomStd_RMOnly", "UK Domestic Standard (Royal Mail only)"),
        ],
    },
    {
        "serviceRegion": "DE",
        "productList": [
            _product("DEDomesticStandard", "DE Domestic Standard", "DE Inland Standard"),
            _product(
                "DEInternationalStandard", "DE International Standard", "DE International Standard"
            ),
        ],
    },
]

# serviceRegion -> its shipping service codes, for validating outbound orders.
SERVICE_CODES: dict[str, frozenset[str]] = {
    region["serviceRegion"]: frozenset(p["shippingServiceCode"] for p in region["productList"])
    for region in SERVICE_LIST
}

# The service an order gets when the sandbox makes one up (auto-created orders).
DEFAULT_SERVICE: dict[str, str] = {
    region["serviceRegion"]: region["productList"][0]["shippingServiceCode"]
    for region in SERVICE_LIST
}

# The suffix of OC's order numbers (OCO2000011360056GB) by region.
ORDER_SUFFIX = {"UK": "GB", "DE": "DE"}

# The last-mile carrier that ships from each region's warehouse.
CARRIERS: dict[str, dict[str, Any]] = {
    "UK": {
        "LMCarrierCode": "RM",
        "LMCarrierName": "Royal Mail",
        "chargeableWeight": 0.5,
        "feeAmount": 3.2,
        "feeAmountCurrency": "GBP",
    },
    "DE": {
        "LMCarrierCode": "DHL",
        "LMCarrierName": "DHL Paket",
        "chargeableWeight": 0.5,
        "feeAmount": 4.1,
        "feeAmountCurrency": "EUR",
    },
}


def royal_mail_number(serial: int, country: str = "GB") -> str:
    """A UPU S10 tracking number (``RM123456785GB``) with a correct check digit."""
    digits = f"{serial % 100_000_000:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"RM{digits}{check}{country}"


def tracking_number(region: str, serial: int) -> str:
    """A plausible last-mile tracking number for an order shipped in ``region``."""
    if region == "UK":
        return royal_mail_number(serial)
    return f"00340434{serial % 10**12:012d}"
