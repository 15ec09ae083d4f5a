"""The Helm chart deploy/helm/genaicost, rendered by Helm's engine: schema-valid objects and the settings they carry."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import helm_python
import pytest
from chart_objects import (
    KUBE_VERSIONS,
    NAMESPACE,
    by_kind,
    container,
    env,
    mount,
    notes,
    one,
    pod_spec,
    render,
    validate,
    volume,
)
from tools.render_manifests import CHART_DIR

PG_URL = "postgresql+psycopg://genaicost:pw@db.example.internal:5432/genaicost"
ROLE_ARN = "arn:aws:iam::111122223333:role/genaicost-pricing"
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "postgresql-url": {"store": {"postgresql": {"enabled": True, "url": PG_URL}}},
    "postgresql-existing-secret": {"store": {"postgresql": {"enabled": True, "existingSecret": "rds-url",
                                                            "existingSecretKey": "dsn"}}},
    "service-monitor": {"serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}}},
    "existing-token-secret": {"auth": {"existingSecret": "my-token", "existingSecretKey": "api-token"},
                              "serviceMonitor": {"enabled": True}},
    "irsa": {"serviceAccount": {"irsaRoleArn": ROLE_ARN, "annotations": {"team": "finops"}}},
    "no-auth-emptydir": {"auth": {"enabled": False}, "store": {"sqlite": {"persistence": {"enabled": False}}}},
    "budgets": {"collector": {"budgets": "budgets:\n  - name: b\n    scope: {kind: cluster}\n    period: monthly\n"
                                          "    amount_usd: 100\n    thresholds: [{percent: 80}]\n"}},
    "everything": {
        "collector": {"prometheus": {"url": "http://prometheus-server.monitoring:9090"}, "interval": "15m",
                      "retentionDays": 30, "extraArgs": ["--split", "aws-scad"]},
        "store": {"sqlite": {"persistence": {"storageClassName": "gp3", "size": "20Gi"}}},
        "rbac": {"podMetrics": True},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "ops", "effect": "NoSchedule"}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "karpenter.sh/capacity-type", "operator": "In",
                                   "values": ["on-demand"]}]}]}}},
        "podAnnotations": {"example.com/owner": "finops"}, "imagePullSecrets": [{"name": "regcred"}],
        "extraEnv": [{"name": "AWS_REGION", "value": "us-east-1"}],
        "extraVolumes": [{"name": "prom-token", "secret": {"secretName": "amp-token"}}],
        "extraVolumeMounts": [{"name": "prom-token", "mountPath": "/var/run/prometheus", "readOnly": True}],
        "serviceMonitor": {"enabled": True}, "image": {"tag": "0.1.0-rc1"}},
}
EXPECTED_RULES = {
    ("", "nodes"), ("", "pods"), ("", "persistentvolumes"), ("", "persistentvolumeclaims"), ("", "services"),
    ("", "namespaces"), ("storage.k8s.io", "storageclasses"), ("apps", "replicasets"), ("apps", "deployments"),
    ("apps", "statefulsets"), ("apps", "daemonsets"), ("batch", "jobs"), ("policy", "poddisruptionbudgets"),
    ("autoscaling", "horizontalpodautoscalers"),
}


def args_of(objects: list[dict[str, Any]]) -> list[str]:
    args: list[str] = container(objects)["args"]
    return args


def option(objects: list[dict[str, Any]], name: str) -> str | None:
    args = args_of(objects)
    return args[args.index(name) + 1] if name in args else None


def decoded(secret: dict[str, Any], key: str) -> str:
    return base64.b64decode(secret["data"][key]).decode()


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_rendered_object_is_valid_against_the_kubernetes_schemas(variant: str, kube_version: str) -> None:
    objects = render(VARIANTS[variant])
    assert len(objects) >= 5   # ServiceAccount, ClusterRole, ClusterRoleBinding, Service, Deployment at least
    for obj in objects:
        validate(obj, kube_version)


def test_the_schema_check_rejects_a_wrong_object() -> None:
    deployment = one(render(), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["pathh"] = "/healthz"
    with pytest.raises(kubernetes_validate_error()):
        validate(deployment, KUBE_VERSIONS[-1])
    monitor = one(render(VARIANTS["service-monitor"]), "ServiceMonitor")
    monitor["spec"]["endpoints"][0]["bearerTokenFile"] = "/etc/token"   # not rendered by us: unknown here
    with pytest.raises(kubernetes_validate_error()):
        validate(monitor, KUBE_VERSIONS[-1])


def kubernetes_validate_error() -> type[Exception]:
    import jsonschema
    return jsonschema.ValidationError


def test_helm_lint_strict_reports_no_warning_or_error() -> None:
    result = helm_python.lint(str(CHART_DIR), strict=True)
    assert result["errors"] == []
    assert [m for m in result["messages"] if m["severity"] >= 2] == []


def test_default_objects_and_names() -> None:
    objects = render()
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == ["ClusterRole", "ClusterRoleBinding", "Deployment", "PersistentVolumeClaim", "Secret",
                     "Service", "ServiceAccount"]
    for obj in objects:
        if obj["kind"] not in ("ClusterRole", "ClusterRoleBinding"):
            assert obj["metadata"]["namespace"] == NAMESPACE, obj["kind"]
    assert one(objects, "Deployment")["spec"]["replicas"] == 1
    assert container(objects)["image"] == "ghcr.io/genaicost/genaicost:0.1.0"   # Chart.yaml appVersion


def test_pod_runs_non_root_read_only_without_capabilities() -> None:
    for variant in VARIANTS.values():
        objects = render(variant)
        pod = pod_spec(objects)["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 10001 and pod["runAsUser"] != 0
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        ctx = container(objects)["securityContext"]
        assert ctx["runAsNonRoot"] is True
        assert ctx["readOnlyRootFilesystem"] is True
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        assert "privileged" not in ctx
        # the only writable places: the store directory and /tmp
        writable = {m["mountPath"] for m in container(objects)["volumeMounts"] if not m.get("readOnly")}
        assert writable == {"/data", "/tmp"}
        assert volume(objects, "tmp")["emptyDir"] == {"sizeLimit": "256Mi"}


def test_requests_limits_probes_and_port() -> None:
    objects = render()
    c = container(objects)
    assert c["resources"] == {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert option(objects, "--host") == "0.0.0.0" and option(objects, "--port") == "8080"
    service = one(objects, "Service")
    assert service["spec"]["ports"] == [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}]
    assert service["spec"]["selector"] == one(objects, "Deployment")["spec"]["selector"]["matchLabels"]
    template_labels = one(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= template_labels.items()


def test_cluster_role_is_read_only_on_exactly_the_listed_resources() -> None:
    objects = render()
    role = one(objects, "ClusterRole")
    pairs = [(group, res) for rule in role["rules"] for group in rule["apiGroups"] for res in rule["resources"]]
    assert sorted(pairs) == sorted(EXPECTED_RULES)                       # exactly, and none twice
    for rule in role["rules"]:
        assert rule["verbs"] == ["get", "list", "watch"]
        assert set(rule) == {"apiGroups", "resources", "verbs"}          # no resourceNames / nonResourceURLs
    binding = one(objects, "ClusterRoleBinding")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                  "name": role["metadata"]["name"]}
    sa = one(objects, "ServiceAccount")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa["metadata"]["name"], "namespace": NAMESPACE}]
    assert pod_spec(objects)["serviceAccountName"] == sa["metadata"]["name"]


def test_pod_metrics_is_an_opt_in_read_of_metrics_k8s_io_pods() -> None:
    role = one(render({"rbac": {"podMetrics": True}}), "ClusterRole")
    pairs = {(g, r) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert pairs - EXPECTED_RULES == {("metrics.k8s.io", "pods")}
    assert all(rule["verbs"] == ["get", "list", "watch"] for rule in role["rules"])
    assert by_kind(render({"rbac": {"create": False}}), "ClusterRole") == []


def test_default_store_is_sqlite_on_a_kept_pvc() -> None:
    objects = render()
    assert option(objects, "--store") == "sqlite:////data/genaicost.db"
    assert mount(objects, "data")["mountPath"] == "/data"
    pvc = one(objects, "PersistentVolumeClaim")
    assert volume(objects, "data")["persistentVolumeClaim"] == {"claimName": pvc["metadata"]["name"]}
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}
    assert pvc["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    assert one(objects, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}   # one writer on an RWO volume
    assert env(objects)["GENAICOST_DATA_DIR"] == "/data"
    assert "GENAICOST_STORE_URL" not in env(objects)


def test_sqlite_on_emptydir_and_existing_claim() -> None:
    objects = render({"store": {"sqlite": {"persistence": {"enabled": False}}}})
    assert by_kind(objects, "PersistentVolumeClaim") == []
    assert volume(objects, "data") == {"name": "data", "emptyDir": {}}
    assert option(objects, "--store") == "sqlite:////data/genaicost.db"
    objects = render({"store": {"sqlite": {"persistence": {"existingClaim": "costs-history"}}}})
    assert by_kind(objects, "PersistentVolumeClaim") == []
    assert volume(objects, "data")["persistentVolumeClaim"] == {"claimName": "costs-history"}


def test_postgresql_url_goes_to_a_secret_and_env() -> None:
    objects = render(VARIANTS["postgresql-url"])
    assert "--store" not in args_of(objects)
    [secret] = [s for s in by_kind(objects, "Secret") if s["metadata"]["name"] == "genaicost-store"]
    assert decoded(secret, "url") == PG_URL
    assert env(objects)["GENAICOST_STORE_URL"] == {"secretKeyRef": {"name": "genaicost-store", "key": "url"}}
    assert by_kind(objects, "PersistentVolumeClaim") == []
    assert volume(objects, "data") == {"name": "data", "emptyDir": {}}
    assert one(objects, "Deployment")["spec"]["strategy"] == {"type": "RollingUpdate"}
    assert PG_URL not in str(one(objects, "Deployment"))                  # the password stays in the Secret


def test_postgresql_existing_secret() -> None:
    objects = render(VARIANTS["postgresql-existing-secret"])
    assert [s["metadata"]["name"] for s in by_kind(objects, "Secret")] == ["genaicost-token"]
    assert env(objects)["GENAICOST_STORE_URL"] == {"secretKeyRef": {"name": "rds-url", "key": "dsn"}}
    assert "--store" not in args_of(objects)


@pytest.mark.parametrize(("values", "message"), [
    ({"store": {"postgresql": {"enabled": True}}}, "store.postgresql.enabled needs store.postgresql.url"),
    ({"store": {"postgresql": {"enabled": True, "url": "mysql://x@y/z"}}}, "must be a PostgreSQL URL"),
])
def test_impossible_store_settings_fail_the_render_with_the_fix(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmError, match=re.escape(message)):
        render(values)


def test_generated_token_secret_is_mounted_as_the_token_file() -> None:
    objects = render()
    [secret] = by_kind(objects, "Secret")
    token = decoded(secret, "token")
    assert re.fullmatch(r"[A-Za-z0-9]{40}", token)
    assert decoded(one(render(), "Secret"), "token") != token             # random per install
    assert option(objects, "--token-file") == "/var/run/genaicost/token"
    assert "--no-auth" not in args_of(objects)
    assert mount(objects, "api-token") == {"name": "api-token", "mountPath": "/var/run/genaicost", "readOnly": True}
    assert volume(objects, "api-token")["secret"] == {
        "secretName": secret["metadata"]["name"], "defaultMode": 0o440, "items": [{"key": "token", "path": "token"}]}
    assert decoded(one(render({"auth": {"token": "given-token"}}), "Secret"), "token") == "given-token"


def test_existing_token_secret_is_used_by_the_pod_and_the_service_monitor() -> None:
    objects = render(VARIANTS["existing-token-secret"])
    assert by_kind(objects, "Secret") == []
    assert volume(objects, "api-token")["secret"]["secretName"] == "my-token"
    assert volume(objects, "api-token")["secret"]["items"] == [{"key": "api-token", "path": "token"}]
    [endpoint] = one(objects, "ServiceMonitor")["spec"]["endpoints"]
    assert endpoint["authorization"] == {"type": "Bearer", "credentials": {"name": "my-token", "key": "api-token"}}


def test_no_auth_is_explicit() -> None:
    objects = render({"auth": {"enabled": False}})
    assert "--no-auth" in args_of(objects) and "--token-file" not in args_of(objects)
    assert by_kind(objects, "Secret") == []
    assert "api-token" not in {v["name"] for v in pod_spec(objects)["volumes"]}
    assert "Auth is OFF" in notes({"auth": {"enabled": False}})


def test_service_monitor_scrapes_metrics_with_the_bearer_token() -> None:
    assert by_kind(render(), "ServiceMonitor") == []
    objects = render(VARIANTS["service-monitor"])
    monitor = one(objects, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["selector"]["matchLabels"] == one(objects, "Service")["spec"]["selector"]
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    [endpoint] = monitor["spec"]["endpoints"]
    secret = one(objects, "Secret")["metadata"]["name"]
    assert endpoint == {"port": "http", "path": "/metrics", "scheme": "http", "interval": "1m", "scrapeTimeout": "30s",
                        "authorization": {"type": "Bearer", "credentials": {"name": secret, "key": "token"}}}
    no_auth = one(render({"serviceMonitor": {"enabled": True}, "auth": {"enabled": False}}), "ServiceMonitor")
    assert "authorization" not in no_auth["spec"]["endpoints"][0]


def test_irsa_annotation_on_the_service_account() -> None:
    assert "annotations" not in one(render(), "ServiceAccount")["metadata"]
    sa = one(render(VARIANTS["irsa"]), "ServiceAccount")
    assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN, "team": "finops"}
    assert sa["automountServiceAccountToken"] is True


def test_collector_scheduling_and_extra_values_reach_the_pod() -> None:
    values = VARIANTS["everything"]
    objects = render(values)
    args = args_of(objects)
    assert args[:5] == ["serve", "--host", "0.0.0.0", "--port", "8080"]
    assert option(objects, "--prometheus") == "http://prometheus-server.monitoring:9090"
    assert option(objects, "--interval") == "15m"
    assert option(objects, "--retention-days") == "30"
    assert args[-2:] == ["--split", "aws-scad"]
    assert "--demo" not in args and "--demo" in args_of(render({"collector": {"demo": True}}))
    pod = pod_spec(objects)
    for key in ("nodeSelector", "tolerations", "affinity", "imagePullSecrets"):
        assert pod[key] == values[key]
    assert one(objects, "Deployment")["spec"]["template"]["metadata"]["annotations"] == values["podAnnotations"]
    assert env(objects)["AWS_REGION"] == "us-east-1"
    assert mount(objects, "prom-token") == {"name": "prom-token", "mountPath": "/var/run/prometheus", "readOnly": True}
    assert volume(objects, "prom-token")["secret"] == {"secretName": "amp-token"}
    assert container(objects)["image"] == "ghcr.io/genaicost/genaicost:0.1.0-rc1"
    pvc = one(objects, "PersistentVolumeClaim")["spec"]
    assert pvc["storageClassName"] == "gp3" and pvc["resources"]["requests"]["storage"] == "20Gi"


def test_notes_tell_how_to_reach_the_api_and_read_the_token() -> None:
    text = notes()
    assert f"kubectl -n {NAMESPACE} port-forward svc/genaicost 8080:8080" in text
    assert f"kubectl -n {NAMESPACE} get secret genaicost-token -o jsonpath='{{.data.token}}' | base64 -d" in text
    assert "No collector.prometheus.url" in text
    assert "SQLite on PVC genaicost-data" in text


BUDGETS_YAML = """budgets:
  - name: cluster-monthly
    scope: {kind: cluster}
    period: monthly
    amount_usd: 20000
    thresholds: [{percent: 80}]
"""


def test_budgets_file_is_a_configmap_mounted_read_only_and_passed_to_serve(tmp_path: Path) -> None:
    objects = render({"collector": {"budgets": BUDGETS_YAML}})
    config = one(objects, "ConfigMap")
    assert config["metadata"]["name"] == "genaicost-budgets" and config["data"]["budgets.yaml"] == BUDGETS_YAML
    args = container(objects)["args"]
    assert args[args.index("--budgets") + 1] == "/etc/genaicost/budgets.yaml"
    mount = next(m for m in container(objects)["volumeMounts"] if m["name"] == "budgets")
    assert mount == {"name": "budgets", "mountPath": "/etc/genaicost", "readOnly": True}
    assert volume(objects, "budgets")["configMap"]["name"] == "genaicost-budgets"
    # the chart's document is a valid budgets file for the real validator
    (tmp_path / "budgets.yaml").write_text(config["data"]["budgets.yaml"])
    from genaicost.budgets.loader import load_budgets
    assert [b.name for b in load_budgets(tmp_path / "budgets.yaml").config.budgets] == ["cluster-monthly"]
    existing = render({"collector": {"budgetsExistingConfigMap": "team-budgets"}})
    assert not [o for o in existing if o["kind"] == "ConfigMap"]
    assert volume(existing, "budgets")["configMap"]["name"] == "team-budgets"
    assert "--budgets" not in container(render({}))["args"]
