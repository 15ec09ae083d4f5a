"""The project's own catalog directory format: read it (validated) and write it (atomically).

Layout (docs/internals.md, "Catalog directory format"): `meta.json`, `ec2_prices.csv`,
`instance_specs.csv`, `ebs_prices.csv`, `services.csv`. CSV files are sorted and carry exactly the
columns of the domain schemas; an empty field is a null (an unknown price stays unknown).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.prices import (
    EBS_PRICE_SCHEMA,
    EC2_PRICE_SCHEMA,
    INSTANCE_SPEC_SCHEMA,
    PriceCatalog,
    ServicePrice,
)

CATALOG_FORMAT = 1
META_FILE = "meta.json"
EC2_FILE = "ec2_prices.csv"
SPECS_FILE = "instance_specs.csv"
EBS_FILE = "ebs_prices.csv"
SERVICES_FILE = "services.csv"
SERVICES_SCHEMA: dict[str, Any] = {"key": pl.String, "usd": pl.Float64, "unit": pl.String,
                                   "source": pl.String}

# file -> (schema, sort keys, unique key, price columns that must be >= 0, source-id columns)
_TABLES: dict[str, tuple[dict[str, Any], list[str], list[str], list[str], list[str]]] = {
    EC2_FILE: (EC2_PRICE_SCHEMA, ["region", "instance_type"], ["region", "instance_type"],
               ["ondemand_usd_per_hour", "spot_usd_per_hour"], ["ondemand_source", "spot_source"]),
    SPECS_FILE: (INSTANCE_SPEC_SCHEMA, ["instance_type"], ["instance_type"],
                 ["vcpu", "memory_gib", "gpu_count", "gpu_memory_gib"], ["source"]),
    EBS_FILE: (EBS_PRICE_SCHEMA, ["region", "volume_type"], ["region", "volume_type"],
               ["usd_per_gb_month", "usd_per_iops_month", "usd_per_mibps_month", "free_iops", "free_mibps"],
               ["source"]),
    SERVICES_FILE: (SERVICES_SCHEMA, ["key"], ["key"], ["usd"], ["source"]),
}


def read_catalog_dir(path: Path) -> PriceCatalog:
    """Read and validate a catalog directory; anything missing or malformed -> InputError naming the file."""
    path = Path(path)
    if not path.is_dir():
        raise InputError("catalog directory does not exist (expected a directory written by "
                         "`genaicost pricing refresh` or tools/build_catalog.py)", source=str(path))
    meta = _read_meta(path / META_FILE)
    tables = {name: _read_table(path / name, meta["sources"]) for name in _TABLES}
    return PriceCatalog(
        as_of=meta["as_of"], sources=meta["sources"], ec2=tables[EC2_FILE], specs=tables[SPECS_FILE],
        ebs=tables[EBS_FILE], services=_services_from_frame(tables[SERVICES_FILE], path / SERVICES_FILE),
        spot_as_of=meta["spot_as_of"],
    )


def write_catalog_dir(catalog: PriceCatalog, path: Path) -> None:
    """Write `catalog` to `path`: into a temporary directory next to it, then renamed into place.

    Readers see either the previous catalog or the complete new one, never a half-written one.
    Overrides and discounts are user settings, not catalog data, and are not written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        _write_files(catalog, tmp)
        _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def catalog_frames(catalog: PriceCatalog) -> dict[str, pl.DataFrame]:
    """The four tables as they are written: schema column order, sorted."""
    frames = {EC2_FILE: catalog.ec2, SPECS_FILE: catalog.specs, EBS_FILE: catalog.ebs,
              SERVICES_FILE: _services_to_frame(catalog.services)}
    return {name: frames[name].select(list(_TABLES[name][0])).sort(_TABLES[name][1])
            for name in _TABLES}


def _write_files(catalog: PriceCatalog, directory: Path) -> None:
    meta = {"format": CATALOG_FORMAT, "as_of": catalog.as_of.isoformat(),
            "spot_as_of": catalog.spot_as_of.isoformat() if catalog.spot_as_of else None,
            "sources": dict(sorted(catalog.sources.items()))}
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    for name, frame in catalog_frames(catalog).items():
        frame.write_csv(directory / name)


def _swap_into_place(tmp: Path, path: Path) -> None:
    if not path.exists():
        os.replace(tmp, path)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
    old.rmdir()
    os.replace(path, old)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.replace(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _read_meta(file: Path) -> dict[str, Any]:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("file is missing from the catalog directory", source=str(file)) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", source=str(file)) from exc
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object with format, as_of, spot_as_of and sources",
                         source=str(file))
    if raw.get("format") != CATALOG_FORMAT:
        raise InputError(f"unsupported catalog format {raw.get('format')!r}; this version reads format "
                         f"{CATALOG_FORMAT}", source=str(file), field="format")
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise InputError("must be an object mapping source id to citation text", source=str(file),
                         field="sources")
    return {"as_of": _parse_date(raw.get("as_of"), file, "as_of", optional=False),
            "spot_as_of": _parse_date(raw.get("spot_as_of"), file, "spot_as_of", optional=True),
            "sources": dict(sources)}


def _parse_date(value: object, file: Path, field: str, *, optional: bool) -> date | None:
    if value is None and optional:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    wanted = "a date YYYY-MM-DD" + (" or null" if optional else "")
    raise InputError(f"got {value!r}, expected {wanted}", source=str(file), field=field)


def _read_table(file: Path, sources: dict[str, str]) -> pl.DataFrame:
    schema, _, unique_key, price_cols, source_cols = _TABLES[file.name]
    if not file.is_file():
        raise InputError("file is missing from the catalog directory", source=str(file))
    with file.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    if header != list(schema):
        raise InputError(f"columns are {header}, expected {list(schema)}", source=str(file))
    try:
        frame = pl.read_csv(file, schema=schema)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"cannot be parsed as the catalog's CSV ({exc})".splitlines()[0],
                         source=str(file)) from exc
    _check_unique(frame, unique_key, file)
    _check_non_negative(frame, price_cols, file)
    _check_sources(frame, source_cols, sources, file)
    return frame


def _check_unique(frame: pl.DataFrame, key: list[str], file: Path) -> None:
    dup = frame.filter(frame.select(key).is_duplicated())
    if dup.height:
        row = dup.row(0, named=True)
        raise InputError("duplicate row; each key must appear once", source=str(file),
                         obj="/".join(str(row[k]) for k in key), field=",".join(key))


def _check_non_negative(frame: pl.DataFrame, cols: list[str], file: Path) -> None:
    for col in cols:
        bad = frame.filter(pl.col(col) < 0)
        if bad.height:
            raise InputError(f"negative value {bad[col][0]}; must be >= 0 (or empty when unknown)",
                             source=str(file), obj=str(bad.row(0)[0]), field=col)


def _check_sources(frame: pl.DataFrame, cols: list[str], sources: dict[str, str], file: Path) -> None:
    for col in cols:
        used = frame[col].drop_nulls().unique().to_list()
        unknown = sorted(s for s in used if s not in sources and s != "aws-spot-api")
        if unknown:
            raise InputError(f"source id {unknown[0]!r} is not listed in meta.json sources",
                             source=str(file), field=col)


def _services_from_frame(frame: pl.DataFrame, file: Path) -> dict[str, ServicePrice]:
    services: dict[str, ServicePrice] = {}
    for key, usd, unit, source in frame.iter_rows():
        if len(str(key).split("/")) != 3 or usd is None or not unit or not source:
            raise InputError("each row needs key <service>/<item>/<region|*>, usd, unit and source",
                             source=str(file), obj=str(key))
        services[key] = ServicePrice(usd=usd, unit=unit, source=source)
    return services


def _services_to_frame(services: dict[str, ServicePrice]) -> pl.DataFrame:
    rows = [{"key": k, "usd": v.usd, "unit": v.unit, "source": v.source} for k, v in services.items()]
    return pl.DataFrame(rows, schema=SERVICES_SCHEMA)
