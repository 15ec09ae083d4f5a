"""annotate / label: set (or, with null, remove) annotations or labels on a Deployment, StatefulSet, HPA or
Namespace."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from genaicost.actions.k8s.base import Action, ActionPlan, PlanContext, PolicyRule, field_change
from genaicost.actions.k8s.kube import Kind, ObjectRef

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
METADATA_PERMISSIONS = (
    PolicyRule(api_groups=["apps"], resources=["deployments", "statefulsets"], verbs=["get", "patch"]),
    PolicyRule(api_groups=["autoscaling"], resources=["horizontalpodautoscalers"], verbs=["get", "patch"]),
    PolicyRule(api_groups=[""], resources=["namespaces"], verbs=["get", "patch"]),
)


def check_key(key: str) -> str:
    """A qualified key: optional DNS-subdomain prefix (≤ 253) + "/" + name (≤ 63), as Kubernetes validates it."""
    prefix, _, name = key.rpartition("/")
    if not (_NAME.match(name) and len(name) <= 63) or (prefix and not (_PREFIX.match(prefix) and len(prefix) <= 253)):
        raise ValueError(f"{key!r} is not a valid key (optional DNS prefix + '/' + a name of ≤ 63 alphanumerics, "
                         "'-', '_', '.', starting and ending alphanumeric), e.g. genaicost.io/over-budget")
    return key


class TargetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    namespace: str | None = Field(default=None, min_length=1, description="required except for kind Namespace")
    name: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> TargetSettings:
        self.ref()  # namespace given exactly when the kind is namespaced
        return self

    def ref(self) -> ObjectRef:
        return ObjectRef(kind=self.kind, namespace=self.namespace, name=self.name)


class AnnotateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: TargetSettings
    annotations: dict[str, str | None] = Field(min_length=1, description="null removes the annotation")

    @field_validator("annotations")
    @classmethod
    def _keys(cls, values: dict[str, str | None]) -> dict[str, str | None]:
        for key in values:
            check_key(key)
        return values


class LabelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: TargetSettings
    labels: dict[str, str | None] = Field(min_length=1, description="null removes the label")

    @field_validator("labels")
    @classmethod
    def _labels(cls, values: dict[str, str | None]) -> dict[str, str | None]:
        for key, value in values.items():
            check_key(key)
            if value is not None and not (len(value) <= 63 and _LABEL_VALUE.match(value)):
                raise ValueError(f"label {key}: {value!r} is not a valid label value (≤ 63 alphanumerics, '-', "
                                 "'_', '.', starting and ending alphanumeric)")
        return values


def metadata_plan(ctx: PlanContext, action: str, ref: ObjectRef, section: str, values: dict[str, Any],
                  reason: str) -> ActionPlan:
    fields = {key: ["metadata", section, key] for key in values}
    return field_change(ctx, action, ref, fields, dict(values), reason)


class AnnotateAction(Action):
    name = "annotate"
    Settings = AnnotateSettings
    permissions = METADATA_PERMISSIONS

    def plan(self, settings: AnnotateSettings, ctx: PlanContext) -> list[ActionPlan]:
        reason = f"{ctx.budget} at {ctx.percent_used:.1f}% ≥ {ctx.at_percent:g}%"
        return [metadata_plan(ctx, self.name, settings.target.ref(), "annotations", settings.annotations, reason)]


class LabelAction(Action):
    name = "label"
    Settings = LabelSettings
    permissions = METADATA_PERMISSIONS

    def plan(self, settings: LabelSettings, ctx: PlanContext) -> list[ActionPlan]:
        reason = f"{ctx.budget} at {ctx.percent_used:.1f}% ≥ {ctx.at_percent:g}%"
        return [metadata_plan(ctx, self.name, settings.target.ref(), "labels", settings.labels, reason)]
