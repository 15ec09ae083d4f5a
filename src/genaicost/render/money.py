"""Money for people: half-even rounding to cents, done only when rendering.

The engine keeps float64 dollars; every renderer goes through `cents` so that a report shows the same
amount in every format. Rounding is applied to the float's shortest decimal repr (`repr(0.125)` is
"0.125"), so 0.125 → 0.12 and 0.135 → 0.14 exactly as banker's rounding on the printed number.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HOURS_PER_DAY = 24.0
HOURS_PER_MONTH = 730.0


def cents(usd: float) -> Decimal:
    """`usd` rounded half-even to whole cents (never "-0.00")."""
    rounded = Decimal(repr(float(usd))).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return abs(rounded) if rounded == 0 else rounded


def cents_text(usd: float | None) -> str:
    """Plain decimal for machine formats: "1234.56"; empty for unknown amounts."""
    return "" if usd is None else str(cents(usd))


def format_usd(usd: float | None, *, unknown: str = "n/a") -> str:
    """Human money: "$1,234.56", "-$0.05"; `unknown` when the amount is not known."""
    if usd is None:
        return unknown
    amount = cents(usd)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def format_rate(usd_per_unit: float | None, *, unknown: str = "n/a") -> str:
    """Unit rates (per vCPU-hour, per GiB-hour) keep four decimals: "$0.0421"."""
    if usd_per_unit is None:
        return unknown
    return f"${Decimal(repr(float(usd_per_unit))).quantize(Decimal('0.0001'), ROUND_HALF_EVEN):,}"


def format_small_usd(usd: float | None, *, unknown: str = "n/a", digits: int = 3) -> str:
    """Tiny unit costs (per request) keep `digits` significant figures: "$0.000357", "$1.24"."""
    if usd is None:
        return unknown
    if usd == 0 or abs(usd) >= 0.01:
        return format_rate(usd, unknown=unknown)
    return f"${float(f'{usd:.{digits}g}'):.{digits - 1 - math.floor(math.log10(abs(usd)))}f}"


def format_quantity(value: float | None, *, places: int = 2) -> str:
    """Hours, cores, GiB: fixed decimals, half-even, no thousands separator."""
    if value is None:
        return ""
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_EVEN)
    return str(abs(rounded) if rounded == 0 else rounded)
