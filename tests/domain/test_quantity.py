"""parse_quantity: Kubernetes resource.Quantity grammar, exact decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaicost.domain.errors import InputError, QuantityError
from genaicost.domain.quantity import parse_quantity

GOOD = [
    ("100m", 0.1),
    ("1.5Gi", 1610612736.0),
    ("1e3", 1000.0),
    ("2Ki", 2048.0),
    ("129e6", 129000000.0),
    ("0.5", 0.5),
    ("1E", 1e18),
    ("500u", 0.0005),
    ("250n", 2.5e-7),
    ("8", 8.0),
    ("+8", 8.0),
    ("-2", -2.0),
    (".5", 0.5),
    ("5.", 5.0),
    ("1.5E-2", 0.015),
    ("3E+2", 300.0),
    ("1k", 1000.0),
    ("128974848", 128974848.0),
    ("123Mi", 128974848.0),
    ("784066032Ki", 802883616768.0),
    ("95690m", 95.69),
    ("1Ti", 1099511627776.0),
    ("1Ei", 1152921504606846976.0),
    ("2P", 2e15),
    ("0", 0.0),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_parses_kubernetes_quantities(text: str, expected: float) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(("number", "expected"), [(1, 1.0), (8, 8.0), (0.25, 0.25)])
def test_accepts_json_numbers(number: float, expected: float) -> None:
    assert parse_quantity(number) == expected


@pytest.mark.parametrize(
    "text",
    ["12GB", "1.2.3", "", "Gi", "--1", "1 Gi", " 1", "1e", "1Kb", "1ki", "e3", "1e3.5", "0x10", "1e99999"],
)
def test_rejects_garbage_naming_the_text_and_grammar(text: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text, field="spec.containers[0].resources.requests.cpu")
    message = str(info.value)
    assert repr(text) in message
    assert "Ki Mi Gi" in message
    assert "spec.containers[0].resources.requests.cpu" in message
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize("value", [True, None, [1], float("nan")])
def test_rejects_non_quantities(value: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(value)  # type: ignore[arg-type]


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=6
)


@given(decimals)
def test_formatted_decimal_round_trips(value: Decimal) -> None:
    assert parse_quantity(format(value, "f")) == float(value)
    assert parse_quantity(str(value)) == float(value)


@given(decimals, st.sampled_from([("Ki", 1024), ("Mi", 1024**2), ("Gi", 1024**3), ("k", 1000), ("m", None)]))
def test_suffixes_scale_exactly(value: Decimal, suffix: tuple[str, int | None]) -> None:
    name, factor = suffix
    expected = value / 1000 if factor is None else value * factor
    assert parse_quantity(format(value, "f") + name) == float(expected)
