from __future__ import annotations

from decimal import Decimal

import pytest

from genaicost.render.money import cents, cents_text, format_quantity, format_rate, format_small_usd, format_usd


@pytest.mark.parametrize(
    ("usd", "expected"),
    [
        (0.125, "0.12"),  # half to even: down
        (0.135, "0.14"),  # half to even: up
        (2.675, "2.68"),  # repr is "2.675", so the printed half rounds to even
        (0.005, "0.00"),
        (0.015, "0.02"),
        (-0.001, "0.00"),  # never "-0.00"
        (-1.005, "-1.00"),
        (1234567.891, "1234567.89"),
        (1e-12, "0.00"),
    ],
)
def test_cents_half_even(usd: float, expected: str) -> None:
    assert cents(usd) == Decimal(expected)
    assert str(cents(usd)) == expected


@pytest.mark.parametrize(
    ("usd", "expected"),
    [
        (1234.565, "$1,234.56"),
        (-0.051, "-$0.05"),
        (0.0, "$0.00"),
        (None, "n/a"),
    ],
)
def test_format_usd(usd: float | None, expected: str) -> None:
    assert format_usd(usd) == expected


def test_other_formats() -> None:
    assert cents_text(None) == ""
    assert cents_text(3.5) == "3.50"
    assert format_rate(0.01875) == "$0.0188"  # 0.01875 → half-even at 4 places
    assert format_rate(None) == "n/a"
    assert format_quantity(2.61115, places=4) == "2.6112"
    assert format_quantity(None) == ""
    assert format_quantity(-0.00001) == "0.00"


@pytest.mark.parametrize(
    ("usd", "expected"),
    [
        (0.000356789, "$0.000357"),   # 3 significant figures below a cent
        (0.0000441, "$0.0000441"),
        (0.0123, "$0.0123"),          # a cent or more: the 4-decimal rate format
        (1.23456, "$1.2346"),
        (0.0, "$0.0000"),
        (None, "-"),
    ],
)
def test_format_small_usd(usd: float | None, expected: str) -> None:
    assert format_small_usd(usd, unknown="-") == expected
