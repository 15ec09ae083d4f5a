"""Every PromQL the history source runs (docs/prometheus-queries.md, "History queries").

Each template holds `{range}`, replaced per chunk by the subquery range (e.g. `86400s:300s`), and is
evaluated once per chunk at the chunk's end; `{rate}` (the rate() window) is filled in once per run.
Every query aggregates in PromQL (`sum by` / `max by` / `count_over_time`), so the number of queries is
len(HISTORY_TEMPLATES) × chunks (+ one SCRAPE_CHECK per run) whatever the number of pods and nodes.
When the scrape interval is the resolution, RAW_TEMPLATES replace six of them with raw range functions over
the chunk's samples (`{chunk}`), which give the same numbers for a fraction of the cost.

Hours are counted in steps: a subquery `x[{range}]` samples `x` once per step, so
`count_over_time(x[{range}])` × step = the time `x` existed, and `sum_over_time(x[{range}])` ÷ that count
= the mean of `x` over those steps.

CPU and memory are billed max(request, usage) per container and billing bucket (one hour, or the step when it is
longer; docs/cost-model.md): BILLED_TEMPLATES run over the window cut at bucket boundaries (`chunks.bucket_pieces`),
with `{bucket}` the range of one bucket and `{buckets}` the subquery `<piece>:<bucket>` over the piece's buckets.
"""

from __future__ import annotations

from typing import Final

from genaicost.sources.prometheus.chunks import promql_duration

# --- fragments ----------------------------------------------------------------------------------------


def at_step(selector: str) -> str:
    """The sample of the step that ends at the evaluation time t: the one in [t − 1.5 step, t − 0.5 step].

    A sample at t_k stands for [t_k, t_k + step) (a scrape reports the state from then on) and the subquery
    instant t stands for the step (t − step, t] that ends there, so the step is read from the sample one step
    earlier. The half-step margins make this independent of the range-boundary rules of Prometheus 2 / 3, and
    of the 5-minute lookback that would keep a vanished (not staleness-marked, e.g. backfilled) series alive.
    """
    return f"last_over_time({selector}[{{step}}] offset {{half}})"


PHASE_RUNNING: Final = 'kube_pod_status_phase{phase="Running"}'
CADVISOR_FILTER: Final = 'container!="", container!="POD"'
WORKING_SET: Final = "container_memory_working_set_bytes{" + CADVISOR_FILTER + "}"
CPU_SECONDS: Final = "container_cpu_usage_seconds_total{" + CADVISOR_FILTER + "}"
CPU_REQUESTS: Final = 'kube_pod_container_resource_requests{resource="cpu"}'
RAM_REQUESTS: Final = 'kube_pod_container_resource_requests{resource="memory"}'
LOAD_BALANCERS: Final = 'kube_service_spec_type{type="LoadBalancer"}'
# a pod (by uid) is Running at this step
RUNNING_UID: Final = f"max by (namespace, pod, uid) ({at_step(PHASE_RUNNING)} == 1)"
# a pod name is Running at this step (cAdvisor series carry the pod name, not its uid)
RUNNING_NAME: Final = f"max by (namespace, pod) ({at_step(PHASE_RUNNING)} == 1)"
# CPU used in the step: the slope of the last scrape interval (irate over 2.5 steps: the last two samples),
# exact when the resolution is the scrape interval; no rate() extrapolation at series starts and restarts
CPU_USE_ANY: Final = f"sum by (namespace, pod, container) (irate({CPU_SECONDS}[{{irate}}]))"
RAM_USE_ANY: Final = f"sum by (namespace, pod, container) ({at_step(WORKING_SET)})"
CPU_REQ_ANY: Final = f"sum by (namespace, pod, container) ({at_step(CPU_REQUESTS)})"
RAM_REQ_ANY: Final = f"sum by (namespace, pod, container) ({at_step(RAM_REQUESTS)})"


def running(expr: str) -> str:
    """`expr` (by namespace, pod, container) only at the steps its pod is Running."""
    return f"({expr} and on (namespace, pod) {RUNNING_NAME})"


def sides(first: str, first_side: str, second: str, second_side: str) -> str:
    """Both vectors, told apart by a `side` label so that `or` keeps the two (same labels otherwise)."""
    return (f'label_replace({first}, "side", "{first_side}", "", "")'
            f' or label_replace({second}, "side", "{second_side}", "", "")')


def per_bucket(expr: str, *, bucketed: bool) -> str:
    """Σ of `expr` over the piece's buckets (evaluated at each bucket's end), or `expr` itself when the piece is
    one partial bucket at an edge of the window."""
    return f"sum_over_time(({expr})[{{buckets}}])" if bucketed else expr


def billed(req: str, use: str, *, bucketed: bool) -> str:
    """Σ over buckets of max(Σ Running steps' request, Σ Running steps' usage), each side evaluated once: a
    missing side counts as absent, so a container without a request is billed its usage and one without usage
    its request."""
    def steps_sum(expr: str) -> str:
        return f"sum_over_time({running(expr)}[{{bucket}}:{{step}}])"
    both = sides(steps_sum(req), "request", steps_sum(use), "usage")
    return per_bucket(f"max by (namespace, pod, container) ({both})", bucketed=bucketed)


# --- nodes --------------------------------------------------------------------------------------------

NODE_STEPS: Final = f"count_over_time((max by (node) ({at_step('kube_node_info')}))[{{range}}])"
NODE_INFO: Final = ("max by (node, provider_id, kubelet_version, cluster) "
                    "(last_over_time(kube_node_info[{chunk}]))")
NODE_CAPACITY: Final = "max by (node, resource) (max_over_time(kube_node_status_capacity[{chunk}]))"
NODE_LABELS: Final = "last_over_time(kube_node_labels[{chunk}])"  # every allow-listed label_* column

# --- pods and containers ------------------------------------------------------------------------------

POD_RUNNING_STEPS: Final = f"count_over_time(({RUNNING_UID})[{{range}}])"
POD_INFO: Final = ("max by (namespace, pod, uid, node, pod_ip) "
                   "(last_over_time(kube_pod_info{node!=\"\"}[{chunk}]))")
POD_OWNER: Final = ("max by (namespace, pod, uid, owner_kind, owner_name, owner_is_controller) "
                    "(last_over_time(kube_pod_owner[{chunk}]))")
REPLICASET_OWNER: Final = ("max by (namespace, replicaset, owner_kind, owner_name) "
                           "(last_over_time(kube_replicaset_owner[{chunk}]))")
JOB_OWNER: Final = "max by (namespace, job_name, owner_kind, owner_name) (last_over_time(kube_job_owner[{chunk}]))"
POD_LABELS: Final = "last_over_time(kube_pod_labels[{chunk}])"            # label_* columns
POD_ANNOTATIONS: Final = "last_over_time(kube_pod_annotations[{chunk}])"  # annotation_* columns
# Σ over Running steps of each resource request (cpu, memory, nvidia_com_gpu, nvidia_com_mig_*, aws_amazon_com_*)
REQUESTS_SUM: Final = ("sum_over_time((sum by (namespace, pod, uid, container, resource) "
                       f"({at_step('kube_pod_container_resource_requests')})"
                       f" and on (namespace, pod, uid) {RUNNING_UID})"
                       "[{range}])")
CPU_USAGE_SUM: Final = f"sum_over_time({running(CPU_USE_ANY)}[{{range}}])"
RAM_USAGE_SUM: Final = f"sum_over_time({running(RAM_USE_ANY)}[{{range}}])"

# --- volumes ------------------------------------------------------------------------------------------

PV_STEPS: Final = f"count_over_time((max by (persistentvolume) ({at_step('kube_persistentvolume_info')}))[{{range}}])"
PV_INFO: Final = ("max by (persistentvolume, storageclass, csi_driver) "
                  "(last_over_time(kube_persistentvolume_info[{chunk}]))")
PV_CAPACITY: Final = ("max by (persistentvolume) "
                      "(max_over_time(kube_persistentvolume_capacity_bytes[{chunk}]))")
PV_CLAIM: Final = ("max by (persistentvolume, claim_namespace, name) "
                   "(last_over_time(kube_persistentvolume_claim_ref[{chunk}]))")
STORAGE_CLASSES: Final = "max by (storageclass, provisioner) (last_over_time(kube_storageclass_info[{chunk}]))"
POD_CLAIMS: Final = ("max by (namespace, pod, uid, persistentvolumeclaim) "
                     "(last_over_time(kube_pod_spec_volumes_persistentvolumeclaims_info[{chunk}]))")

# --- load balancers -----------------------------------------------------------------------------------

LB_TYPE_LABEL: Final = "annotation_service_beta_kubernetes_io_aws_load_balancer_type"
LB_STEPS: Final = ("count_over_time((max by (namespace, service) "
                   f"({at_step(LOAD_BALANCERS)}))[{{range}}])")
LB_ANNOTATIONS: Final = (f"max by (namespace, service, {LB_TYPE_LABEL}) "
                         "(last_over_time(kube_service_annotations[{chunk}]))")
ENDPOINT_ADDRESSES: Final = "max by (namespace, endpoint, ip) (last_over_time(kube_endpoint_address[{chunk}]))"

# Labels and values of the kube-state-metrics objects: raw ranges (`[{chunk}]`, each sample read once, no per-step
# subquery) over the whole window in one query (history.INFO_CHUNK_HOURS).
INFO_TEMPLATES: Final = frozenset({
    "node_info", "node_capacity", "node_labels", "pod_info", "pod_owner", "replicaset_owner", "job_owner",
    "pod_labels", "pod_annotations", "pv_info", "pv_capacity", "pv_claim", "storage_classes", "pod_claims",
    "lb_annotations", "endpoint_addresses"})

# name → template; the order is the order they run in
HISTORY_TEMPLATES: Final[dict[str, str]] = {
    "node_steps": NODE_STEPS,
    "node_info": NODE_INFO,
    "node_capacity": NODE_CAPACITY,
    "node_labels": NODE_LABELS,
    "pod_running_steps": POD_RUNNING_STEPS,
    "pod_info": POD_INFO,
    "pod_owner": POD_OWNER,
    "replicaset_owner": REPLICASET_OWNER,
    "job_owner": JOB_OWNER,
    "pod_labels": POD_LABELS,
    "pod_annotations": POD_ANNOTATIONS,
    "requests_sum": REQUESTS_SUM,
    "cpu_usage_sum": CPU_USAGE_SUM,
    "ram_usage_sum": RAM_USAGE_SUM,
    "pv_steps": PV_STEPS,
    "pv_info": PV_INFO,
    "pv_capacity": PV_CAPACITY,
    "pv_claim": PV_CLAIM,
    "storage_classes": STORAGE_CLASSES,
    "pod_claims": POD_CLAIMS,
    "lb_steps": LB_STEPS,
    "lb_annotations": LB_ANNOTATIONS,
    "endpoint_addresses": ENDPOINT_ADDRESSES,
}

# --- raw range forms (docs/prometheus-queries.md, "Raw samples") ------------------------------------
# When every scrape interval equals the resolution, the subquery step ending at t reads exactly the sample at
# t − step, so the chunk's steps are its samples in [chunk start, chunk end): `x[{chunk}] offset {half}` selects
# exactly those (the half-step margins again make the Prometheus 2 / 3 boundary rules irrelevant). Raw range
# functions over them are ~10× cheaper than subqueries that aggregate at every step. `fetch_history` uses these
# forms only when `SCRAPE_CHECK` says the condition holds, and the subquery templates above otherwise.


def over_chunk(function: str, selector: str) -> str:
    """`function` over the raw samples of the chunk's steps."""
    return f"{function}({selector}[{{chunk}}] offset {{half}})"


# Running samples per pod (the phase series is 1 while Running, 0 otherwise). `sum by`, not `max by`: a
# kube-state-metrics restart splits a pod's phase into two series (new `instance`) whose samples add up;
# duplicated exporters (two series at once) are ruled out by SCRAPE_CHECK's `ksm_copies`.
RUNNING_STEPS_RAW: Final = f"(sum by (namespace, pod, uid) ({over_chunk('sum_over_time', PHASE_RUNNING)}) > 0)"


def request_mean(selector: str, by: str) -> str:
    """The mean of a request over the chunk (constant unless resized in place), one per `by` label set."""
    return f"max by ({by}) ({over_chunk('avg_over_time', selector)})"


def request_steps(selector: str) -> str:
    """Σ over Running steps of the request, per (namespace, pod, uid, container, resource): mean × Running steps."""
    return (f"{request_mean(selector, 'namespace, pod, uid, container, resource')}"
            f" * on (namespace, pod, uid) group_left () {RUNNING_STEPS_RAW}")


def excess_raw(req: str, use: tuple[str, str], *, bucketed: bool) -> str:
    """Σ over buckets of max(0, Σ usage − request × usage steps), series by series: the container's chunk-mean
    request (`@ end()`: evaluated once per query, not per bucket) against each usage series' bucket sum and sample
    count. Billed = request × Running steps (requests_sum) + this excess, or the usage of a container without a
    request: history.billed_from_excess adds them up client-side, so no query computes requests or usage twice."""
    by = "namespace, pod, container"
    mean = f"max by ({by}) (avg_over_time({req}[{{chunk}}] @ end() offset {{half}}))"
    use_sum, use_count = use
    excess = per_bucket(f"clamp_min({use_sum} - {use_count} * on ({by}) group_left () {mean}, 0)", bucketed=bucketed)
    return f"sum by ({by}) ({excess})"   # once per query, outside the buckets: a small answer


CPU_USE_SERIES: Final = f"irate({CPU_SECONDS}[{{irate}}])"
CPU_USAGE_SUM_RAW: Final = f"sum by (namespace, pod, container) (sum_over_time({CPU_USE_SERIES}[{{range}}]))"
RAM_USAGE_SUM_RAW: Final = f"sum by (namespace, pod, container) ({over_chunk('sum_over_time', WORKING_SET)})"


def in_bucket(function: str, series: str, *, subquery: bool) -> str:
    """`function` per series over one bucket: of a per-step subquery (CPU: irate at each step) or of the raw
    samples (`offset {half}`, like `over_chunk`)."""
    rng = f"{series}[{{bucket}}:{{step}}]" if subquery else f"{series}[{{bucket}}] offset {{half}}"
    return f"{function}({rng})"


# name → raw form, replacing the template of that name when SCRAPE_CHECK passes
RAW_TEMPLATES: Final[dict[str, str]] = {
    "pod_running_steps": RUNNING_STEPS_RAW,
    "requests_sum": request_steps("kube_pod_container_resource_requests"),
    "cpu_usage_sum": CPU_USAGE_SUM_RAW,
    "ram_usage_sum": RAM_USAGE_SUM_RAW,
}


def billed_templates(*, raw: bool, bucketed: bool) -> dict[str, str]:
    """name → template for a piece of whole buckets (`bucketed`) or one partial bucket: Σ billed max(request,
    usage) per container for CPU and memory (subquery forms), or, with the raw range forms, the excess above the
    request that history.billed_from_excess adds to the requests (EXCESS_OF names the result each one completes)."""
    if not raw:
        return {"cpu_billed_sum": billed(CPU_REQ_ANY, CPU_USE_ANY, bucketed=bucketed),
                "ram_billed_sum": billed(RAM_REQ_ANY, RAM_USE_ANY, bucketed=bucketed)}

    def usage(series: str, subquery: bool) -> tuple[str, str]:
        return (in_bucket("sum_over_time", series, subquery=subquery),
                in_bucket("count_over_time", series, subquery=subquery))
    return {"cpu_billed_sum": excess_raw(CPU_REQUESTS, usage(CPU_USE_SERIES, True), bucketed=bucketed),
            "ram_billed_sum": excess_raw(RAM_REQUESTS, usage(WORKING_SET, False), bucketed=bucketed)}


# billed template → (the request resource, the usage sum) its raw excess is added to
EXCESS_OF: Final[dict[str, tuple[str, str]]] = {"cpu_billed_sum": ("cpu", "cpu_usage_sum"),
                                                "ram_billed_sum": ("memory", "ram_usage_sum")}

# raw forms without a subquery: like INFO_TEMPLATES, one query over the whole window (up to 31 days)
RAW_WHOLE_WINDOW: Final = frozenset({"pod_running_steps", "requests_sum", "ram_usage_sum"})

# Run once, over the last chunk: the most samples any kube-state-metrics / cAdvisor series has in it (= the
# chunk's steps when the scrape interval is the resolution and some series lives through the chunk), and the
# most phase series one pod has at one step (1 unless kube-state-metrics is scraped twice).
SCRAPE_CHECK: Final = (
    f'label_replace(max({over_chunk("count_over_time", "kube_node_info")}), "check", "ksm_samples", "", "")'
    f' or label_replace(max({over_chunk("count_over_time", WORKING_SET)}), "check", "cadvisor_samples", "", "")'
    f' or label_replace(max(count by (namespace, pod, uid) ({at_step(PHASE_RUNNING)})), "check", "ksm_copies", "",'
    ' "")')


def history_templates(raw: bool) -> dict[str, str]:
    """HISTORY_TEMPLATES, with the raw range forms in place of the subqueries when `raw`."""
    return {name: RAW_TEMPLATES.get(name, t) if raw else t for name, t in HISTORY_TEMPLATES.items()}


# what each exporter's absence looks like, for the warnings
KSM_METRICS: Final = ("kube_node_info", "kube_node_labels", "kube_node_status_capacity", "kube_pod_status_phase",
                      "kube_pod_info", "kube_pod_owner", "kube_pod_container_resource_requests")
CADVISOR_METRICS: Final = ("container_cpu_usage_seconds_total", "container_memory_working_set_bytes")


def with_step(template: str, step_s: float) -> str:
    """Fill `{step}`, `{half}` and `{irate}` (2.5 steps) for a resolution of `step_s` seconds."""
    return (template.replace("{step}", promql_duration(step_s)).replace("{half}", promql_duration(step_s / 2))
            .replace("{irate}", promql_duration(step_s * 2.5)))
