"""Render the Helm chart (Helm's own engine, tools/render_manifests.py) and validate objects against schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource
from tools.render_manifests import documents, render_chart

NAMESPACE = "costs"
RELEASE = "genaicost"
# The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) and the newest kubernetes-validate ships.
KUBE_VERSIONS = ("1.25", kubernetes_validate.latest_version())
SERVICE_MONITOR_SCHEMA = Path(__file__).with_name("servicemonitor-v1.schema.json")


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The chart's objects for `values`, release `genaicost` in namespace `costs`."""
    return [obj for _, obj, _ in documents(render_chart(values or {}, name=RELEASE, namespace=NAMESPACE))]


def notes(values: dict[str, Any] | None = None) -> str:
    return render_chart(values or {}, name=RELEASE, namespace=NAMESPACE)["genaicost/templates/NOTES.txt"]


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = by_kind(objects, kind)
    assert len(found) == 1, f"{len(found)} {kind} objects"
    return found[0]


def container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    [c] = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    return c


def pod_spec(objects: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = one(objects, "Deployment")["spec"]["template"]["spec"]
    return spec


def volume(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [v] = [v for v in pod_spec(objects)["volumes"] if v["name"] == name]
    return v


def mount(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [m] = [m for m in container(objects)["volumeMounts"] if m["name"] == name]
    return m


def env(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(objects).get("env", [])}


def validate(obj: dict[str, Any], kube_version: str) -> None:
    """Raise when `obj` does not conform: Kubernetes kinds against the strict JSON schemas kubernetes-validate
    ships (no unknown fields), the ServiceMonitor CRD against tests/deploy/servicemonitor-v1.schema.json."""
    # the objects as the API server receives them: YAML → JSON (e.g. the octal 0440 becomes 288)
    obj = json.loads(json.dumps(obj))
    if obj["apiVersion"] == "monitoring.coreos.com/v1":
        _service_monitor_validator(kube_version).validate(obj)
        return
    kubernetes_validate.validate(obj, kube_version, strict=True)


@cache
def _service_monitor_validator(kube_version: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(SERVICE_MONITOR_SCHEMA.read_text())
    version = [v for v in kubernetes_validate.utils.all_versions()
               if kubernetes_validate.utils.major_minor(v) <= kube_version][-1]
    defs = kubernetes_validate.utils.schema_contents(
        f"kubernetes-json-schema/v{version}-local-strict/_definitions.json", kube_version)
    registry: Registry = Resource.from_contents(defs) @ Registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]
