"""Options of a cost report (the same for the CLI and the API)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SplitMethod = Literal["residual", "aws-scad", "opencost"]

AGGREGATE_KEYS = ("cluster", "node", "namespace", "controller", "controllerKind", "pod", "container")


class ReportOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    aggregate: tuple[str, ...] = ("namespace",)   # keys of AGGREGATE_KEYS, "label:KEY", "annotation:KEY"
    split: SplitMethod = "residual"
    include_idle: bool = True        # show the __idle__ line
    share_idle: bool = False         # spread idle over allocations in proportion to their cost
    shared_namespaces: tuple[str, ...] = Field(default=())   # spread these namespaces' cost over the rest
    share_overhead: bool = False     # spread the control-plane fee over allocations
    eks_support: Literal["standard", "extended"] | None = None   # None: take the snapshot's
