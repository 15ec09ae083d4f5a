"""The overrides YAML file: parsing, validation messages (file, line, entry, field), precedence helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from genaicost.domain.errors import InputError
from genaicost.domain.prices import Discount, PriceOverride
from genaicost.pricing.overrides import find_discount, find_override, instance_family, load_overrides

VALID = """\
prices:            # exact $/h
  - {instance_type: p4d.24xlarge, region: us-east-1, capacity_type: on-demand, usd_per_hour: 21.5, note: EDP}
  - instance_type: g5.xlarge
    capacity_type: spot
    usd_per_hour: 0.3
discounts:
  - {instance_family: g5, kind: savings-plan, percent: 28, region: "*"}
  - {instance_family: p4d, kind: reserved, percent: 12.5, region: eu-west-1}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    return path


def test_valid_file(tmp_path: Path) -> None:
    overrides, discounts = load_overrides(_write(tmp_path, VALID))
    assert overrides == (PriceOverride("us-east-1", "p4d.24xlarge", "on-demand", 21.5, "EDP"),
                         PriceOverride("*", "g5.xlarge", "spot", 0.3, ""))
    assert discounts == (Discount("g5", 0.28, "savings-plan", "*"),
                         Discount("p4d", 0.125, "reserved", "eu-west-1"))


def _error(tmp_path: Path, text: str) -> InputError:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_overrides(path)
    assert str(path) in str(info.value)
    return info.value


def test_percent_out_of_range_names_line_entry_and_field(tmp_path: Path) -> None:
    err = _error(tmp_path, "discounts:\n  - instance_family: g5\n    kind: savings-plan\n    percent: 280\n")
    assert err.obj == "discounts[0]" and err.field == "percent"
    assert "line 4" in str(err) and "280" in str(err) and "from 0 to 100" in str(err)


def test_capacity_type_must_be_on_demand_or_spot(tmp_path: Path) -> None:
    err = _error(tmp_path, "prices:\n  - {instance_type: g5.xlarge, capacity_type: reserved, "
                           "usd_per_hour: 1}\n")
    assert err.obj == "prices[0]" and err.field == "capacity_type"
    assert "one of on-demand, spot" in str(err) and "'reserved'" in str(err)


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    err = _error(tmp_path, VALID + "  - {instance_family: m5, kind: negotiated, percent: 5, colour: red}\n")
    assert err.obj == "discounts[2]" and err.field == "colour"
    assert "line 9" in str(err) and "unknown key 'colour'" in str(err)
    assert "allowed keys are instance_family, kind, percent, region" in str(err)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    err = _error(tmp_path, "price:\n  - {instance_type: g5.xlarge}\n")
    assert err.field == "price" and "allowed keys are prices, discounts" in str(err)


def test_missing_price(tmp_path: Path) -> None:
    err = _error(tmp_path, "prices:\n  - {instance_type: g5.xlarge, capacity_type: spot}\n")
    assert err.obj == "prices[0]" and err.field == "usd_per_hour" and "required field is missing" in str(err)


def test_price_must_be_positive(tmp_path: Path) -> None:
    err = _error(tmp_path, "prices:\n  - {instance_type: g5.xlarge, capacity_type: spot, usd_per_hour: -1}\n")
    assert err.field == "usd_per_hour" and "greater than 0" in str(err)


def test_family_is_not_an_instance_type(tmp_path: Path) -> None:
    err = _error(tmp_path, "discounts:\n  - {instance_family: g5.xlarge, kind: reserved, percent: 5}\n")
    assert err.field == "instance_family" and "such as g5 or p4d" in str(err)


def test_entry_must_be_a_mapping(tmp_path: Path) -> None:
    err = _error(tmp_path, "discounts:\n  - 5\n")
    assert err.obj == "discounts[0]" and "line 2" in str(err) and "must be a mapping" in str(err)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    err = _error(tmp_path, "prices:\n  - {instance_type: g5.xlarge\n")
    assert "not valid YAML" in str(err) and "line 3" in str(err)


def test_empty_file(tmp_path: Path) -> None:
    assert "expected a mapping with the keys prices and/or discounts" in str(_error(tmp_path, ""))


def test_duplicate_entries(tmp_path: Path) -> None:
    err = _error(tmp_path, "discounts:\n  - {instance_family: g5, kind: reserved, percent: 5}\n"
                           "  - {instance_family: g5, kind: savings-plan, percent: 9, region: '*'}\n")
    assert err.obj == "discounts[1]" and "same */g5 as discounts[0]" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as info:
        load_overrides(tmp_path / "nope.yaml")
    assert info.value.source == str(tmp_path / "nope.yaml")


def test_precedence_region_beats_star() -> None:
    overrides = (PriceOverride("*", "g5.xlarge", "on-demand", 0.9),
                 PriceOverride("us-east-1", "g5.xlarge", "on-demand", 0.8),
                 PriceOverride("us-east-1", "g5.xlarge", "spot", 0.3))
    assert find_override(overrides, "us-east-1", "g5.xlarge", "on-demand") == overrides[1]
    assert find_override(overrides, "eu-west-1", "g5.xlarge", "on-demand") == overrides[0]
    assert find_override(overrides, "eu-west-1", "g5.xlarge", "spot") is None
    discounts = (Discount("g5", 0.28, "savings-plan"), Discount("g5", 0.3, "negotiated", "us-east-1"))
    assert find_discount(discounts, "us-east-1", "g5.12xlarge") == discounts[1]
    assert find_discount(discounts, "eu-west-1", "g5.12xlarge") == discounts[0]
    assert find_discount(discounts, "eu-west-1", "g5g.xlarge") is None   # g5g is its own family
    assert instance_family("p6-b200.48xlarge") == "p6-b200"
