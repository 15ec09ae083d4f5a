"""The catalog genaicost prices with: the bundled snapshot (or a refreshed directory) plus user overrides."""

from __future__ import annotations

import functools
from dataclasses import replace
from importlib import resources
from pathlib import Path

from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.catalog_files import read_catalog_dir
from genaicost.pricing.overrides import load_overrides


def load_catalog(catalog_dir: Path | None = None, overrides_file: Path | None = None) -> PriceCatalog:
    """The bundled catalog (or the refreshed one in `catalog_dir`), with the overrides file applied.

    A `catalog_dir` that is given must exist and be a valid catalog: there is no silent fallback to the
    bundled prices, which could be older than the user thinks.
    """
    if catalog_dir is None:
        catalog = _fresh_copy(_bundled_catalog())
    else:
        if not Path(catalog_dir).is_dir():
            raise InputError("catalog directory does not exist; run "
                             "`genaicost pricing refresh --region R --catalog-dir DIR` "
                             "or leave --catalog-dir / GENAICOST_CATALOG_DIR unset to use the bundled prices",
                             source=str(catalog_dir))
        catalog = read_catalog_dir(Path(catalog_dir))
    if overrides_file is None:
        return catalog
    overrides, discounts = load_overrides(Path(overrides_file))
    return replace(catalog, overrides=catalog.overrides + overrides, discounts=catalog.discounts + discounts)


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> PriceCatalog:
    with resources.as_file(resources.files("genaicost.pricing").joinpath("data")) as path:
        return read_catalog_dir(Path(path))


def _fresh_copy(catalog: PriceCatalog) -> PriceCatalog:
    """Shares the (immutable) frames of the cached catalog but not its dicts, so callers cannot alter it."""
    return replace(catalog, sources=dict(catalog.sources), services=dict(catalog.services))
