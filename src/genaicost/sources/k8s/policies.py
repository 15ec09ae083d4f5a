"""PodDisruptionBudgets and HorizontalPodAutoscalers → the snapshot's `disruption_budgets` / `autoscalers` tables.

Used by `genaicost recommend` (spot candidates need a PDB; right-sizing skips HPA targets). The objects come
from `kubectl get poddisruptionbudgets,horizontalpodautoscalers -A -o json` (or the demo cluster).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from genaicost.domain.snapshot import Snapshot
from genaicost.sources.k8s.common import TableBuilder, name_of, namespace_of

Obj = dict[str, Any]
KINDS = ("PodDisruptionBudget", "HorizontalPodAutoscaler")


def flatten_lists(items: Iterable[Any]) -> list[Obj]:
    """Objects of Lists and *List kinds, recursively; things that are not objects are left out."""
    out: list[Obj] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("kind") or "")
        if kind.endswith("List") and isinstance(item.get("items"), list):
            out += flatten_lists({**c, "kind": c.get("kind") or kind.removesuffix("List")}
                                 for c in item["items"] if isinstance(c, dict))
        else:
            out.append(item)
    return out


def _int_or_percent(value: Any) -> str | None:
    return None if value is None else str(value)


def _pdb(obj: Obj, table: TableBuilder) -> None:
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    match = selector.get("matchLabels") or {}
    note = "matchExpressions ignored" if selector.get("matchExpressions") else None
    table.add(namespace=namespace_of(obj), name=name_of(obj), match_labels=json.dumps(match, sort_keys=True),
              min_available=_int_or_percent(spec.get("minAvailable")),
              max_unavailable=_int_or_percent(spec.get("maxUnavailable")), selector_note=note)


def _hpa(obj: Obj, table: TableBuilder) -> None:
    spec = obj.get("spec") or {}
    target = spec.get("scaleTargetRef") or {}
    min_replicas = spec.get("minReplicas")
    table.add(namespace=namespace_of(obj), name=name_of(obj), target_kind=target.get("kind"),
              target_name=target.get("name"), min_replicas=int(min_replicas) if min_replicas is not None else 1,
              max_replicas=int(spec["maxReplicas"]) if spec.get("maxReplicas") is not None else None)


def with_policies(snapshot: Snapshot, items: Iterable[Any]) -> Snapshot:
    """The snapshot with the PDBs and HPAs found among `items` (other kinds are ignored)."""
    pdbs, hpas = TableBuilder("disruption_budgets"), TableBuilder("autoscalers")
    for obj in flatten_lists(items):
        if obj.get("kind") == "PodDisruptionBudget":
            _pdb(obj, pdbs)
        elif obj.get("kind") == "HorizontalPodAutoscaler":
            _hpa(obj, hpas)
    if not len(pdbs) and not len(hpas):
        return snapshot
    return replace(snapshot, disruption_budgets=pdbs.frame(), autoscalers=hpas.frame())
