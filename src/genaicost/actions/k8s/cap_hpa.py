"""cap-hpa: lower a HorizontalPodAutoscaler's maxReplicas (autoscaling/v2)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from genaicost.actions.k8s.base import Action, ActionPlan, PlanContext, PolicyRule, field_change
from genaicost.actions.k8s.kube import KubeError, ObjectRef, read_object

FIELDS = {"maxReplicas": ["spec", "maxReplicas"], "minReplicas": ["spec", "minReplicas"]}


class CapHpaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    max_replicas: int = Field(ge=1, description="the HPA's new maxReplicas (an HPA cannot go below 1)")

    def ref(self) -> ObjectRef:
        return ObjectRef(kind="HorizontalPodAutoscaler", namespace=self.namespace, name=self.name)


class CapHpaAction(Action):
    """Only lowers: an HPA already at or under the cap is left alone. minReplicas above the cap is lowered to it
    (the API refuses minReplicas > maxReplicas)."""

    name = "cap-hpa"
    Settings = CapHpaSettings
    permissions = (PolicyRule(api_groups=["autoscaling"], resources=["horizontalpodautoscalers"],
                              verbs=["get", "patch"]),)

    def plan(self, settings: CapHpaSettings, ctx: PlanContext, *, action: str | None = None,
             reason: str | None = None) -> list[ActionPlan]:
        ref = settings.ref()
        why = reason or f"{ctx.budget} at {ctx.percent_used:.1f}% ≥ {ctx.at_percent:g}%"
        try:
            current = read_object(ctx.api_client, ref)
        except KubeError as err:
            return [ctx.plan(action or self.name, ref, error=str(err), reason=why)]
        spec = current.get("spec") or {}
        current_max, current_min = spec.get("maxReplicas"), spec.get("minReplicas", 1)
        target = {"maxReplicas": min(settings.max_replicas, current_max or settings.max_replicas)}
        if current_min > target["maxReplicas"]:
            target["minReplicas"] = target["maxReplicas"]
        return [field_change(ctx, action or self.name, ref, FIELDS, target, why, current)]
