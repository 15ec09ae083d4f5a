"""mark-then-act: annotate the target now, act (scale / cap-hpa) after a grace period, and remove the mark when
spend recovers before then (docs/actions.md, "mark-then-act timeline")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from genaicost.actions.k8s.base import Action, ActionPlan, PlanContext
from genaicost.actions.k8s.cap_hpa import CapHpaAction, CapHpaSettings
from genaicost.actions.k8s.kube import KubeError, ObjectRef, read_object
from genaicost.actions.k8s.metadata import METADATA_PERMISSIONS, metadata_plan
from genaicost.actions.k8s.scale import ScaleAction, ScaleSettings

MARKED_AT = "genaicost.io/marked-at"
ACT_AFTER = "genaicost.io/act-after"
PLANNED = "genaicost.io/planned-action"
MARKED_BY = "genaicost.io/marked-by"
MARK_KEYS = (MARKED_AT, ACT_AFTER, PLANNED, MARKED_BY)
INNER: dict[str, tuple[Any, type[BaseModel]]] = {"scale": (ScaleAction(), ScaleSettings),
                                                 "cap-hpa": (CapHpaAction(), CapHpaSettings)}


class ThenSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["scale", "cap-hpa"]
    settings: dict[str, Any]


class MarkThenActSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    then: ThenSettings = Field(description="the action taken once the grace period has passed")
    grace_minutes: float = Field(default=60.0, ge=0, description="time between the mark and the action")

    @model_validator(mode="after")
    def _check(self) -> MarkThenActSettings:
        try:
            INNER[self.then.type][1].model_validate(self.then.settings)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(["then", "settings", *(str(p) for p in first["loc"])])
            raise ValueError(f"{where}: {first['msg']}") from None
        return self

    def inner(self) -> ScaleSettings | CapHpaSettings:
        parsed = INNER[self.then.type][1].model_validate(self.then.settings)
        assert isinstance(parsed, ScaleSettings | CapHpaSettings)
        return parsed

    def marked_ref(self) -> ObjectRef:
        return self.inner().ref().without_subresource()

    def describe(self) -> str:
        inner = self.inner()
        if isinstance(inner, ScaleSettings):
            return f"scale to {inner.replicas} replicas"
        return f"cap-hpa maxReplicas {inner.max_replicas}"


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class MarkThenActAction(Action):
    name = "mark-then-act"
    Settings = MarkThenActSettings
    permissions = (*METADATA_PERMISSIONS[:2], *ScaleAction.permissions)
    acts_on_recovery = True

    def plan(self, settings: MarkThenActSettings, ctx: PlanContext) -> list[ActionPlan]:
        ref = settings.marked_ref()
        try:
            annotations = (read_object(ctx.api_client, ref).get("metadata") or {}).get("annotations") or {}
        except KubeError as err:
            return [ctx.plan(self.name, ref, error=str(err))]
        marked_by = annotations.get(MARKED_BY)
        if MARKED_AT in annotations and marked_by != ctx.budget:
            return [ctx.plan(self.name, ref, reason=f"no change: marked by budget {marked_by}, not {ctx.budget}")]
        if not ctx.triggered:
            if MARKED_AT not in annotations:
                return []
            reason = f"cancel: {ctx.budget} recovered to {ctx.percent_used:.1f}% < {ctx.at_percent:g}%"
            return [metadata_plan(ctx, self.name, ref, "annotations", dict.fromkeys(MARK_KEYS), reason)]
        if MARKED_AT not in annotations:
            act_after = ctx.now + timedelta(minutes=settings.grace_minutes)
            values = {MARKED_AT: _time(ctx.now), ACT_AFTER: _time(act_after), PLANNED: settings.describe(),
                      MARKED_BY: ctx.budget}
            reason = (f"mark: {ctx.budget} at {ctx.percent_used:.1f}% ≥ {ctx.at_percent:g}%; "
                      f"{settings.describe()} after {_time(act_after)}")
            return [metadata_plan(ctx, self.name, ref, "annotations", values, reason)]
        try:
            marked_at = datetime.fromisoformat(annotations[MARKED_AT])
        except ValueError:
            return [ctx.plan(self.name, ref, error=f"annotation {MARKED_AT}={annotations[MARKED_AT]!r} is not an "
                                                   "ISO 8601 time; remove it to start a new grace period")]
        due = marked_at + timedelta(minutes=settings.grace_minutes)
        if ctx.now < due:
            return [ctx.plan(self.name, ref, reason=f"waiting: marked at {_time(marked_at)}, "
                                                    f"{settings.describe()} after {_time(due)}")]
        action, _ = INNER[settings.then.type]
        reason = f"grace period over (marked at {_time(marked_at)}, due {_time(due)}): {settings.describe()}"
        plans: list[ActionPlan] = action.plan(settings.inner(), ctx, action=self.name, reason=reason)
        return plans
