"""scale: set a Deployment's or StatefulSet's replicas through its scale subresource (autoscaling/v1 Scale)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from genaicost.actions.k8s.base import Action, ActionPlan, PlanContext, PolicyRule, field_change
from genaicost.actions.k8s.kube import ObjectRef


class ScaleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["Deployment", "StatefulSet"] = "Deployment"
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    replicas: int = Field(ge=0, description="replicas to scale to (0 stops the workload)")

    def ref(self) -> ObjectRef:
        return ObjectRef(kind=self.kind, namespace=self.namespace, name=self.name, subresource="scale")


class ScaleAction(Action):
    name = "scale"
    Settings = ScaleSettings
    permissions = (PolicyRule(api_groups=["apps"], resources=["deployments/scale", "statefulsets/scale"],
                              verbs=["get", "patch"]),)

    def plan(self, settings: ScaleSettings, ctx: PlanContext, *, action: str | None = None,
             reason: str | None = None) -> list[ActionPlan]:
        why = reason or f"{ctx.budget} at {ctx.percent_used:.1f}% ≥ {ctx.at_percent:g}%"
        return [field_change(ctx, action or self.name, settings.ref(), {"replicas": ["spec", "replicas"]},
                             {"replicas": settings.replicas}, why)]
