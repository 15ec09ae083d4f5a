"""The Kubernetes objects actions read and patch, through the official client (raw JSON, JSON merge patches)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pydantic import BaseModel, ConfigDict, Field, model_validator

MERGE_PATCH = "application/merge-patch+json"
FIELD_MANAGER = "genaicost"
REQUEST_TIMEOUT_SECONDS = 30
Kind = Literal["Deployment", "StatefulSet", "HorizontalPodAutoscaler", "Namespace"]
# kind → (API group, version, plural)
KINDS: dict[str, tuple[str, str, str]] = {
    "Deployment": ("apps", "v1", "deployments"),
    "StatefulSet": ("apps", "v1", "statefulsets"),
    "HorizontalPodAutoscaler": ("autoscaling", "v2", "horizontalpodautoscalers"),
    "Namespace": ("", "v1", "namespaces"),
}


class KubeError(Exception):
    """The API refused or could not be reached; the message names the object, the status and the reason."""


class ObjectRef(BaseModel):
    """One object (or its scale subresource)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    namespace: str | None = Field(default=None, min_length=1, description="required except for kind Namespace")
    name: str = Field(min_length=1)
    subresource: Literal["scale"] | None = None

    @model_validator(mode="after")
    def _check(self) -> ObjectRef:
        if self.kind == "Namespace" and self.namespace is not None:
            raise ValueError("a Namespace is not namespaced: give only name")
        if self.kind != "Namespace" and self.namespace is None:
            raise ValueError(f"a {self.kind} needs namespace")
        if self.subresource == "scale" and self.kind not in ("Deployment", "StatefulSet"):
            raise ValueError("only Deployments and StatefulSets are scaled through the scale subresource")
        return self

    def path(self) -> str:
        group, version, plural = KINDS[self.kind]
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        ns = f"/namespaces/{self.namespace}" if self.namespace else ""
        sub = f"/{self.subresource}" if self.subresource else ""
        return f"{base}{ns}/{plural}/{self.name}{sub}"

    def describe(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}" + (f" ({self.subresource})" if self.subresource else "")

    def without_subresource(self) -> ObjectRef:
        return self.model_copy(update={"subresource": None})


def _functions(api_client: Any, ref: ObjectRef) -> tuple[Callable[..., Any], Callable[..., Any]]:
    apps, hpa, core = client.AppsV1Api(api_client), client.AutoscalingV2Api(api_client), client.CoreV1Api(api_client)
    table: dict[tuple[str, str | None], tuple[Callable[..., Any], Callable[..., Any]]] = {
        ("Deployment", "scale"): (apps.read_namespaced_deployment_scale, apps.patch_namespaced_deployment_scale),
        ("StatefulSet", "scale"): (apps.read_namespaced_stateful_set_scale, apps.patch_namespaced_stateful_set_scale),
        ("Deployment", None): (apps.read_namespaced_deployment, apps.patch_namespaced_deployment),
        ("StatefulSet", None): (apps.read_namespaced_stateful_set, apps.patch_namespaced_stateful_set),
        ("HorizontalPodAutoscaler", None): (hpa.read_namespaced_horizontal_pod_autoscaler,
                                            hpa.patch_namespaced_horizontal_pod_autoscaler),
        ("Namespace", None): (core.read_namespace, core.patch_namespace),
    }
    return table[(ref.kind, ref.subresource)]


def _where(ref: ObjectRef) -> dict[str, str]:
    return {"name": ref.name, **({"namespace": ref.namespace} if ref.namespace else {})}


def read_object(api_client: Any, ref: ObjectRef) -> dict[str, Any]:
    read, _ = _functions(api_client, ref)
    return _call(api_client, ref, "read", lambda: read(**_where(ref), _preload_content=False,
                                                      _request_timeout=REQUEST_TIMEOUT_SECONDS))


def patch_object(api_client: Any, ref: ObjectRef, body: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7386): a null value deletes the key."""
    _, patch = _functions(api_client, ref)
    return _call(api_client, ref, "patch", lambda: patch(
        **_where(ref), body=body, field_manager=FIELD_MANAGER, _content_type=MERGE_PATCH, _preload_content=False,
        _request_timeout=REQUEST_TIMEOUT_SECONDS))


def _call(api_client: Any, ref: ObjectRef, verb: str, fn: Callable[[], Any]) -> dict[str, Any]:
    server = str(api_client.configuration.host)
    try:
        response = fn()
    except ApiException as err:
        raise KubeError(f"{verb} {ref.describe()} at {server}: {err.status} {err.reason}: {_message(err)}"
                        + _hint(err, ref, verb)) from None
    except OSError as err:  # urllib3 connection errors derive from OSError
        raise KubeError(f"{verb} {ref.describe()}: cannot reach the Kubernetes API at {server} ({err})") from None
    data: dict[str, Any] = json.loads(response.data)
    return data


def _message(err: ApiException) -> str:
    try:
        return str(json.loads(err.body or "{}").get("message") or err.body)
    except (ValueError, AttributeError):
        return str(err.body)


def _hint(err: ApiException, ref: ObjectRef, verb: str) -> str:
    if err.status != 403:
        return ""
    group, _, plural = KINDS[ref.kind]
    resource = plural + (f"/{ref.subresource}" if ref.subresource else "")
    return (f" (grant `{'get' if verb == 'read' else 'patch'}` on {resource}"
            f"{'.' + group if group else ''}: the chart's actions ClusterRole, actions.enabled=true)")
