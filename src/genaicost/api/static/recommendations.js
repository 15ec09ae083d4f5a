// genaicost dashboard: recommendations with $/month saved, from the latest report's `recommendations`
// (GET /report; the same object as GET /recommendations). Loaded after dashboard.js (uses its $, money, cell,
// fillTable, plot).
"use strict";

const TOP_RECOMMENDATIONS = 10;

function showRecommendations(report) {
  const set = report.recommendations;
  const recs = set ? set.recommendations : [];
  $("recommendations-note").hidden = recs.length > 0;
  $("recommendations-note").textContent = set ? "No recommendation: nothing to change with enough evidence."
    : "This server collects without recommendations.";
  $("recommendations-total").textContent = set ? money(set.total_monthly_savings_usd) + " per month" : "";
  if (set) $("recommendations-total").dataset.value = set.total_monthly_savings_usd;
  $("recommendations-rule").textContent = set ? set.total_rule : "";
  $("chart-recommendations").hidden = recs.length === 0;
  $("table-recommendations").hidden = recs.length === 0;
  if (recs.length === 0) return;
  const top = recs.slice(0, TOP_RECOMMENDATIONS).reverse();   // largest at the top of a horizontal bar chart
  plot("chart-recommendations", [{
    type: "bar", orientation: "h", x: top.map((r) => r.monthly_savings_usd),
    y: top.map((r) => r.strategy + ": " + r.target),
    marker: { color: top.map((r) => (r.counted_in_total ? "#59a14f" : "#bab0ac")) },
    hovertemplate: "%{y}<br>$%{x:,.2f} per month<extra></extra>",
  }], { xaxis: { tickprefix: "$", automargin: true }, yaxis: { automargin: true }, margin: { t: 10, r: 10, b: 40, l: 10 } });
  fillTable("table-recommendations", recs.map((r) => [
    cell(money(r.monthly_savings_usd) + (r.counted_in_total ? "" : " (alternative)"), r.monthly_savings_usd),
    cell(r.confidence), cell(r.strategy), cell(r.target), cell(r.action)]));
}
