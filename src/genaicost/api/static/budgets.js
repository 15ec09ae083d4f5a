// genaicost dashboard: budgets (/budgets), firing alerts (/alerts) and the daily cost forecast (/forecast).
// Loaded after dashboard.js (uses its api, $, money, cell, fillTable, plot). A 404 (serve without --budgets,
// or no forecast route) shows a note; only a 401 is thrown to the page's error handling.
"use strict";

function pct(x) { return x === null || x === undefined ? "n/a" : x.toFixed(1) + "%"; }

async function optional(path) {
  try {
    return await api(path);
  } catch (err) {
    if (err.status === 401) throw err;
    return { failed: err };
  }
}

async function showBudgets() {
  const body = await optional("/budgets");
  const missing = body.failed !== undefined;
  $("budgets-note").hidden = !missing && body.budgets.length > 0;
  $("budgets-note").textContent = missing ? body.failed.message
    : (body.error ? "Budget evaluation failed: " + body.error : (body.notes || []).join(" ") || "No budgets in the file.");
  $("budgets-as-of").textContent = !missing && body.as_of ? "as of " + body.as_of : "";
  const budgets = missing ? [] : body.budgets;
  $("table-budgets").hidden = budgets.length === 0;
  fillTable("table-budgets", budgets.map((b) => {
    const crossed = b.thresholds.filter((t) => t.crossed).map((t) => t.percent + "% " + t.of).join(", ");
    return [cell(b.name), cell(b.scope), cell(b.period_start + " to " + b.period_end),
      cell(money(b.amount_usd), b.amount_usd), cell(money(b.actual_usd), b.actual_usd),
      cell(pct(b.percent_used), b.percent_used), cell(money(b.forecast_usd), b.forecast_usd),
      cell(pct(b.percent_forecast), b.percent_forecast), cell(crossed || "none")];
  }));
  const alerts = missing ? [] : (await optional("/alerts")).alerts || [];
  $("alerts-empty").hidden = missing || alerts.length > 0;
  $("table-alerts").hidden = alerts.length === 0;
  fillTable("table-alerts", alerts.map((a) => {
    const severity = cell(a.severity);
    severity.className = "severity-" + a.severity;
    return [severity, cell(a.key), cell(a.summary), cell(a.starts_at.replace("T", " ").replace(/\..*$/, "") + " UTC")];
  }));
}

async function showForecast() {
  const body = await optional("/forecast");
  if (body.failed !== undefined || !body.forecast || body.forecast.length === 0) {
    $("forecast-note").textContent = body.failed ? "No forecast (" + body.failed.status + "): " + body.failed.message
      : "No forecast: not enough history.";
    $("forecast-note").hidden = false;
    $("chart-forecast").hidden = true;
    return;
  }
  const points = body.forecast;
  const x = points.map((p) => p.date);
  const band = (lo, hi, name, color) => [
    { x, y: points.map((p) => p[hi]), type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false,
      hoverinfo: "skip" },
    { x, y: points.map((p) => p[lo]), type: "scatter", mode: "lines", line: { width: 0 }, fill: "tonexty",
      fillcolor: color, name }];
  const traces = [...band("lower_95", "upper_95", "95 % interval", "rgba(31,119,180,0.15)"),
    ...band("lower_80", "upper_80", "80 % interval", "rgba(31,119,180,0.30)"),
    { x, y: points.map((p) => p.cost_usd), type: "scatter", mode: "lines+markers", name: "forecast",
      line: { color: "#1f77b4" } }];
  $("forecast-note").hidden = true;
  $("chart-forecast").hidden = false;
  plot("chart-forecast", traces, { xaxis: { type: "date" } });
  const m = body.month_end;
  $("forecast-model").textContent = "model " + body.model;
  $("forecast-month-end").textContent = m ? "Month end " + m.date + ": " + money(m.projected_usd) + " (80 %: " +
    money(m.lower_80) + " to " + money(m.upper_80) + "), " + money(m.actual_to_date_usd) + " so far" : "";
  if (m) $("forecast-month-end").dataset.value = m.projected_usd;
}
