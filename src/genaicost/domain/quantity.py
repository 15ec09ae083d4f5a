"""Kubernetes resource quantities (resource.Quantity) → float in base units.

Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):

    <quantity>        ::= <signedNumber><suffix>
    <signedNumber>    ::= <number> | <sign><number>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedDigits> | "E" <signedDigits>

The value is computed exactly with `decimal.Decimal` and converted to float once at the end.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext
from functools import lru_cache

from genaicost.domain.errors import QuantityError

ACCEPTED = (
    "a decimal number with an optional sign and fraction, followed by an optional suffix "
    "n u m k M G T P E (decimal), Ki Mi Gi Ti Pi Ei (binary) or a decimal exponent such as e3 / E-2 "
    "(e.g. 500m, 1.5Gi, 129e6, 8)"
)

_QUANTITY_RE = re.compile(
    r"(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:[eE](?P<exponent>[+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?"
)

_DECIMAL_EXPONENT: dict[str, int] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_POWER: dict[str, int] = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}


def parse_quantity(text: str | int | float, *, field: str = "quantity") -> float:
    """Parse a Kubernetes quantity ("100m", "1.5Gi", "1e3") or a JSON number into base units."""
    if isinstance(text, bool):
        raise QuantityError(f"{text!r} is a boolean, not a quantity; expected {ACCEPTED}", field=field)
    if isinstance(text, int | float):
        if isinstance(text, float) and text != text:  # NaN
            raise QuantityError(f"{text!r} is not a number; expected {ACCEPTED}", field=field)
        return float(text)
    if not isinstance(text, str):
        raise QuantityError(
            f"{text!r} ({type(text).__name__}) is not a quantity; expected {ACCEPTED}", field=field
        )
    value = _parse_text(text)
    if value is None:
        raise QuantityError(f"{text!r} is not a Kubernetes quantity; expected {ACCEPTED}", field=field)
    return value


@lru_cache(maxsize=65536)
def _parse_text(text: str) -> float | None:
    match = _QUANTITY_RE.fullmatch(text)
    if match is None:
        return None
    value = _exact_value(match)
    return value if math.isfinite(value) else None


def _exact_value(match: re.Match[str]) -> float:
    with localcontext() as ctx:
        ctx.prec = 80
        number = Decimal(match["number"])
        if match["exponent"] is not None:
            return float(number.scaleb(int(match["exponent"])))
        suffix = match["suffix"]
        if suffix is None:
            return float(number)
        if suffix in _BINARY_POWER:
            return float(number * (1024 ** _BINARY_POWER[suffix]))
        return float(number.scaleb(_DECIMAL_EXPONENT[suffix]))
