"""PodDisruptionBudgets and HorizontalPodAutoscalers from the live API (for `genaicost recommend`).

Read as raw JSON pages like sources.kube_live; an API that refuses or is missing is a note, not an error:
the strategies that need the objects then say they were skipped and why.
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

PAGE_SIZE = 500
TIMEOUT_SECONDS = 60


def _list(list_fn: Any, kind: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "_preload_content": False, "_request_timeout": TIMEOUT_SECONDS}
        if token:
            kwargs["_continue"] = token
        page = json.loads(list_fn(**kwargs).data)
        items += [{**item, "kind": kind} for item in page.get("items") or []]
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return items


def list_policies(api_client: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """(PDB and HPA objects, notes about the lists that could not be read)."""
    lists = (
        ("PodDisruptionBudget", "poddisruptionbudgets.policy",
         client.PolicyV1Api(api_client).list_pod_disruption_budget_for_all_namespaces),
        ("HorizontalPodAutoscaler", "horizontalpodautoscalers.autoscaling",
         client.AutoscalingV2Api(api_client).list_horizontal_pod_autoscaler_for_all_namespaces),
    )
    items: list[dict[str, Any]] = []
    notes: list[str] = []
    for kind, resource, list_fn in lists:
        try:
            items += _list(list_fn, kind)
        except ApiException as err:
            notes.append(f"recommend: cannot list {resource} ({err.status} {err.reason}); grant get/list on it")
        except OSError as err:
            notes.append(f"recommend: cannot list {resource} ({err})")
    return items, notes
