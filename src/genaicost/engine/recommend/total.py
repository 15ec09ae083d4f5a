"""The total potential savings without double counting.

Rule: recommendations are taken by monthly savings, largest first (ties by strategy, then target); one counts
when none of its `resources` was claimed by a recommendation already counted, and then claims them all.
The total is the sum of the counted ones. Two recommendations on the same node, volume or workload are
alternatives (remove the node *or* move it to spot), so only the larger counts.
"""

from __future__ import annotations

from genaicost.domain.recommendation import Recommendation

TOTAL_RULE = (
    "largest saving first; a recommendation counts unless it changes a resource (node, volume, workload) that "
    "a larger counted one already changes; total = sum of the counted ones"
)


def order(recommendations: list[Recommendation]) -> list[Recommendation]:
    return sorted(recommendations, key=lambda r: (-r.monthly_savings_usd, r.strategy, r.target))


def count_total(recommendations: list[Recommendation]) -> tuple[list[Recommendation], float]:
    """The recommendations sorted, each marked counted or not, and the total of the counted ones."""
    claimed: set[str] = set()
    out: list[Recommendation] = []
    total = 0.0
    for rec in order(recommendations):
        counted = not claimed.intersection(rec.resources)
        if counted:
            claimed.update(rec.resources)
            total += rec.monthly_savings_usd
        out.append(rec.model_copy(update={"counted_in_total": counted}))
    return out, total
