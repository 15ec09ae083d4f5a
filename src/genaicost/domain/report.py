"""The Report: computed once by the engine, rendered by every format.

Money fields are float64 US dollars for the report's window unless the name says otherwise
(`hourly_usd`, `monthly_usd`); renderers round half-even to cents. Bump REPORT_SCHEMA_VERSION on any
incompatible change.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from genaicost.domain.recommendation import RecommendationSet

REPORT_SCHEMA_VERSION = "1.0"

# Names of the synthetic lines, as OpenCost spells them.
IDLE = "__idle__"
UNMOUNTED = "__unmounted__"
UNALLOCATED = "__unallocated__"
OVERHEAD = "__overhead__"
SHARED = "__shared__"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowOut(_Model):
    start: datetime
    end: datetime
    hours: float


class CostBreakdown(_Model):
    """Costs for the window, by resource."""

    cpu_usd: float = 0.0
    ram_usd: float = 0.0
    gpu_usd: float = 0.0
    storage_usd: float = 0.0
    network_usd: float = 0.0     # load balancers
    overhead_usd: float = 0.0    # control plane (only non-zero on the overhead line or when spread)
    shared_usd: float = 0.0      # cost received from shared namespaces / spread overhead / shared idle
    idle_usd: float = 0.0        # idle received when idle is shared
    total_usd: float = 0.0


class Totals(CostBreakdown):
    hourly_usd: float = 0.0
    daily_usd: float = 0.0
    monthly_usd: float = 0.0
    allocated_usd: float = 0.0   # Σ allocation lines before idle and overhead


class NodeCost(_Model):
    name: str
    instance_type: str | None
    region: str | None
    zone: str | None
    capacity_type: str
    nodepool: str | None
    vcpu: float
    ram_gib: float
    gpu_count: float
    gpu_model: str | None
    gpu_sharing: str
    hours: float
    hourly_usd: float | None           # whole node; null when unpriced
    usd_per_vcpu_hour: float | None
    usd_per_gib_hour: float | None
    usd_per_gpu_hour: float | None
    price_source: str                  # e.g. "bundled-ondemand", "aws-spot-api", "bundled-spot-estimate", ...
    total_usd: float                   # for the window
    cpu_usd: float
    ram_usd: float
    gpu_usd: float
    idle_cpu_usd: float
    idle_ram_usd: float
    idle_gpu_usd: float
    idle_usd: float
    gpu_utilization: float | None = None   # hours-weighted mean busy fraction of its GPUs (DCGM); null unknown


class VolumeCost(_Model):
    """A persistent volume at its own price (the report's storage cost comes from these)."""

    name: str
    storage_class: str | None
    volume_type: str | None
    capacity_gib: float
    claim: str | None                  # namespace/name of its PVC; null when unbound
    hours: float
    hourly_usd: float | None           # capacity + provisioned IOPS / throughput; null when unpriced
    usd_per_gib_hour: float | None     # hourly_usd ÷ capacity (OpenCost's pv_hourly_cost)
    total_usd: float                   # for the window (0 when unpriced)
    price_source: str


class Allocation(CostBreakdown):
    name: str                          # the aggregate's value(s), joined with "/" for combinations
    properties: dict[str, str] = Field(default_factory=dict)   # aggregate key -> value
    cpu_core_hours: float = 0.0
    ram_gib_hours: float = 0.0
    gpu_hours: float = 0.0
    storage_gib_hours: float = 0.0
    cpu_request_core_hours: float = 0.0
    cpu_usage_core_hours: float | None = None
    ram_request_gib_hours: float = 0.0
    ram_usage_gib_hours: float | None = None
    pods: int = 0
    containers: int = 0
    unpriced: bool = False             # some of its cost is unknown (on an unpriced node / volume)
    hourly_usd: float = 0.0
    monthly_usd: float = 0.0
    # Efficiency (null when the source has no usage): usage ÷ request, GPU busy fraction (DCGM), and the
    # cost-weighted mean of the three (OpenCost's totalEfficiency, with the GPU included).
    cpu_efficiency: float | None = None
    ram_efficiency: float | None = None
    gpu_utilization: float | None = None
    gpu_unused_hours: float | None = None     # gpu_hours × (1 − utilization)
    gpu_unused_usd: float | None = None       # gpu_usd × (1 − utilization)
    total_efficiency: float | None = None


class Unpriced(_Model):
    kind: str                          # "node" | "volume" | "service" | "overhead"
    name: str
    reason: str


class InferenceLine(_Model):
    """Unit economics of one model (in one namespace) over the window."""

    model: str
    namespace: str
    engine: str                        # vllm | sglang | tgi | nim
    pods: int
    cost_usd: float                    # cost of its pods over the window (+ their share of idle when asked)
    idle_share_usd: float = 0.0
    input_tokens: float
    output_tokens: float
    cached_input_tokens: float | None = None
    requests: float
    successful_requests: float | None = None
    usd_per_1m_tokens: float | None    # blended: cost ÷ (input + output) × 10⁶; null without tokens
    usd_per_1m_input_tokens: float | None
    usd_per_1m_output_tokens: float | None
    io_split: str                      # "prefill-decode-time" or "ratio:<k>" (output token costs k × an input token)
    usd_per_request: float | None
    usd_per_successful_request: float | None
    gpu_hours: float
    gpu_utilization: float | None
    gpu_unused_hours: float | None = None   # Σ gpu_hours × (1 − utilization) over its pods with utilization
    gpu_unused_usd: float | None = None     # Σ gpu_usd × (1 − utilization): the model's idle GPU cost
    unpriced: bool = False                  # some of its pods are on unpriced nodes (cost understated)
    tokens_per_gpu_hour: float | None
    output_tokens_per_gpu_hour: float | None
    ttft_p50_seconds: float | None = None
    ttft_p95_seconds: float | None = None
    e2e_p50_seconds: float | None = None
    e2e_p95_seconds: float | None = None


class PricingInfo(_Model):
    catalog_as_of: date
    split: str                         # node price split method
    sources: dict[str, str]


class Report(_Model):
    schema_version: str = REPORT_SCHEMA_VERSION
    generated_at: datetime
    cluster: str
    source: str
    window: WindowOut
    prices_as_of: date
    aggregate: list[str]
    options: dict[str, str | bool | float | list[str] | None]
    totals: Totals
    nodes: list[NodeCost]
    allocations: list[Allocation]
    idle: CostBreakdown
    overhead: CostBreakdown
    unpriced: list[Unpriced]
    warnings: list[str]
    notes: list[str]
    pricing: PricingInfo
    partial: bool = False              # some source data was missing (see warnings)
    inference: list[InferenceLine] = Field(default_factory=list)
    recommendations: RecommendationSet | None = None   # `genaicost report --recommendations`
    volumes: list[VolumeCost] = Field(default_factory=list)
