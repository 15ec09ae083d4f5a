"""Which workload controls a pod: ownerReferences, followed through ReplicaSets and Jobs when known."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaicost.sources.k8s.common import Obj, labels, meta, name_of, namespace_of

Ref = tuple[str, str]  # (kind, name)


def controller_ref(obj: Obj) -> Mapping[str, Any] | None:
    """The ownerReference marked controller=true (else the first one), or None."""
    refs = meta(obj).get("ownerReferences") or []
    for ref in refs:
        if ref.get("controller"):
            return ref  # type: ignore[no-any-return]
    return refs[0] if refs else None


def _owner_index(objects: Iterable[Obj]) -> dict[tuple[str, str], Ref | None]:
    index: dict[tuple[str, str], Ref | None] = {}
    for obj in objects:
        ref = controller_ref(obj)
        index[(namespace_of(obj), name_of(obj))] = (
            (str(ref.get("kind")), str(ref.get("name"))) if ref else None
        )
    return index


class Owners:
    """Resolves a pod's top-level controller from the ReplicaSet and Job objects present in the input."""

    def __init__(self, replicasets: Iterable[Obj], jobs: Iterable[Obj]) -> None:
        self.replicasets = _owner_index(replicasets)
        self.jobs = _owner_index(jobs)

    def resolve(self, pod: Obj) -> tuple[str | None, str | None]:
        ref = controller_ref(pod)
        if ref is None:
            return None, None
        kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
        key = (namespace_of(pod), name)
        if kind == "ReplicaSet":
            return self._replicaset_owner(pod, key)
        if kind == "Job" and self.jobs.get(key) is not None:
            return self.jobs[key]  # type: ignore[return-value]
        return kind, name

    def _replicaset_owner(self, pod: Obj, key: tuple[str, str]) -> Ref:
        name = key[1]
        if key in self.replicasets:
            return self.replicasets[key] or ("ReplicaSet", name)
        template_hash = labels(pod).get("pod-template-hash")
        if template_hash and name.endswith(f"-{template_hash}"):
            return "Deployment", name[: -len(template_hash) - 1]
        return "ReplicaSet", name
