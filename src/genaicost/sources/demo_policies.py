"""PodDisruptionBudgets and HorizontalPodAutoscalers of the demo cluster (for `genaicost recommend`).

Kept apart from `demo.demo_objects` so the demo report (which ignores these kinds) does not change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from genaicost.sources.demo_objects import Obj, metadata

AGE = timedelta(days=30)


def _pdb(namespace: str, name: str, match: dict[str, str], now: datetime, **spec: int | str) -> Obj:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(name, now, AGE, namespace=namespace),
        "spec": {**spec, "selector": {"matchLabels": match}},
    }


def _hpa(namespace: str, name: str, target: str, now: datetime, low: int, high: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(name, now, AGE, namespace=namespace),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def demo_policy_objects(now: datetime) -> list[Obj]:
    return [
        _pdb("kube-system", "coredns", {"k8s-app": "kube-dns"}, now, maxUnavailable=1),
        _pdb("llm-gateway", "llm-gateway", {"app.kubernetes.io/name": "llm-gateway"}, now, minAvailable=1),
        _pdb("apps", "chat-api", {"app.kubernetes.io/name": "chat-api"}, now, minAvailable="50%"),
        _pdb("llm-serving", "vllm-llama-3-1-8b", {"app.kubernetes.io/name": "vllm",
                                                  "model": "llama-3.1-8b-instruct"}, now, maxUnavailable=1),
        _hpa("apps", "chat-api", "chat-api", now, 2, 10),
        _hpa("llm-gateway", "llm-gateway", "llm-gateway", now, 3, 12),
    ]
