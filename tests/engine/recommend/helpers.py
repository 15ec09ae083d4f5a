"""Run one strategy on a crafted snapshot with the rec_factory catalog."""

from __future__ import annotations

from typing import Any

from tests.engine.recommend.rec_factory import OPTIONS, rec_catalog
from tests.engine.snapshot_factory import WINDOW_END

from genaicost.domain.prices import PriceCatalog
from genaicost.domain.recommendation import RecommendationSet
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.recommend import parse_settings, recommend


def run_one(strategy: str, snap: Snapshot, catalog: PriceCatalog | None = None, **settings: Any) -> RecommendationSet:
    return recommend(snap, catalog or rec_catalog(), OPTIONS, generated_at=WINDOW_END, strategies=[strategy],
                     settings=parse_settings({strategy: settings}))
