"""docs/recommend.md documents every strategy (a section) and every setting with its default."""

from __future__ import annotations

from pathlib import Path

from genaicost.engine.recommend import STRATEGIES

DOC = (Path(__file__).resolve().parents[3] / "docs" / "recommend.md").read_text(encoding="utf-8")


def test_every_strategy_and_setting_is_documented() -> None:
    for name, strategy in STRATEGIES.items():
        start = DOC.index(f"### `{name}`")
        section = DOC[start:DOC.find("\n### ", start + 1)]
        for key in strategy.settings.model_fields:
            assert f"`{key}`" in section, f"{name}.{key}"
