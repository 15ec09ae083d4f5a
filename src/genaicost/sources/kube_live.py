"""Live cluster → Snapshot through the official `kubernetes` client (kubeconfig or in-cluster).

Lists are paginated (`limit` / `continue`) and read as raw JSON (`_preload_content=False`), which is much
faster than the client's model objects; the items go through the same `snapshot_from_objects`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from genaicost.domain.errors import InputError
from genaicost.domain.snapshot import Snapshot
from genaicost.sources.kubectl_json import snapshot_from_objects

PAGE_SIZE = 500
REQUEST_TIMEOUT_SECONDS = 60


def _lists(api_client: Any) -> list[tuple[str, str, Callable[..., Any]]]:
    """(kind, resource name for messages, list function) for every object family the report reads."""
    core, apps, batch = (
        client.CoreV1Api(api_client),
        client.AppsV1Api(api_client),
        client.BatchV1Api(api_client),
    )
    storage = client.StorageV1Api(api_client)
    return [
        ("Node", "nodes", core.list_node),
        ("Pod", "pods", core.list_pod_for_all_namespaces),
        ("PersistentVolume", "persistentvolumes", core.list_persistent_volume),
        (
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            core.list_persistent_volume_claim_for_all_namespaces,
        ),
        ("StorageClass", "storageclasses.storage.k8s.io", storage.list_storage_class),
        ("Service", "services", core.list_service_for_all_namespaces),
        ("ReplicaSet", "replicasets.apps", apps.list_replica_set_for_all_namespaces),
        ("Job", "jobs.batch", batch.list_job_for_all_namespaces),
    ]


def make_api_client(kubeconfig: str | None, context: str | None) -> Any:
    """kubeconfig (file / context), else the in-cluster service account when running in a pod."""
    try:
        if kubeconfig is None and context is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            configuration = client.Configuration()
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            return client.ApiClient(configuration)
        return config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig, context=context, persist_config=False
        )
    except (config.ConfigException, OSError) as err:
        raise InputError(
            f"cannot load Kubernetes credentials ({err}); pass --kubeconfig / --context or run "
            "inside the cluster with a service account",
            source=kubeconfig or "kubeconfig",
            field="context" if context else None,
        ) from None


def _pages(list_fn: Callable[..., Any], resource: str, server: str, **extra: Any) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "limit": PAGE_SIZE,
            "_preload_content": False,
            "_request_timeout": REQUEST_TIMEOUT_SECONDS,
            **extra,
        }
        if token:
            kwargs["_continue"] = token
        try:
            response = list_fn(**kwargs)
        except ApiException as err:
            raise _api_error(err, resource, server) from None
        except OSError as err:  # urllib3 connection errors derive from OSError
            raise InputError(f"cannot reach the Kubernetes API ({err})", source=server) from None
        page = json.loads(response.data)
        yield page
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return


def _api_error(err: ApiException, resource: str, server: str) -> InputError:
    reason = _status_message(err)
    if err.status in (401, 403):
        return InputError(
            f"the API refused to list {resource} ({err.status} {err.reason}: {reason}); grant this "
            f"identity `get`/`list` on {resource} (see the ClusterRole in docs/inventory.md)",
            source=server,
            obj=resource,
        )
    return InputError(
        f"listing {resource} failed ({err.status} {err.reason}: {reason})", source=server, obj=resource
    )


def _status_message(err: ApiException) -> str:
    try:
        return str(json.loads(err.body or "{}").get("message") or err.body)
    except (ValueError, AttributeError):
        return str(err.body)


def list_objects(api_client: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Every object the report reads (kinds filled in) plus notes about optional APIs that did not answer."""
    server = str(api_client.configuration.host)
    items: list[dict[str, Any]] = []
    for kind, resource, list_fn in _lists(api_client):
        for page in _pages(list_fn, resource, server):
            items.extend({**item, "kind": kind} for item in page.get("items") or [])
    metrics, notes = _pod_metrics(api_client, server)
    return items + metrics, notes


def _pod_metrics(api_client: Any, server: str) -> tuple[list[dict[str, Any]], list[str]]:
    custom = client.CustomObjectsApi(api_client)

    def list_fn(**kwargs: Any) -> Any:
        return custom.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "pods", **kwargs)

    try:
        pages = list(_pages(list_fn, "pods.metrics.k8s.io", server))
    except InputError as err:
        return [], [f"no instant usage: the metrics API (metrics.k8s.io/v1beta1 pods) did not answer ({err})"]
    return [{**item, "kind": "PodMetrics"} for page in pages for item in page.get("items") or []], []


def load_live(
    *,
    kubeconfig: str | None = None,
    context: str | None = None,
    now: datetime,
    window_hours: float = 1.0,
    api_client: Any = None,
) -> Snapshot:
    api = api_client if api_client is not None else make_api_client(kubeconfig, context)
    items, notes = list_objects(api)
    snap = snapshot_from_objects(items, source="kubernetes-api", now=now, window_hours=window_hours)
    return snap if not notes else _with_notes(snap, notes)


def _with_notes(snap: Snapshot, notes: list[str]) -> Snapshot:
    from dataclasses import replace

    return replace(snap, notes=(*snap.notes, *notes))
