// genaicost dashboard: reads the API with a bearer token and draws plotly.js charts. No build step.
"use strict";

const TOKEN_KEY = "genaicost-token";
const $ = (id) => document.getElementById(id);

// ---- token: URL fragment (#token=...) or the form, kept in sessionStorage -------------------------------
function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname + location.search);  // keep it out of the address bar
  }
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const resp = await fetch(path, { headers });
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (!resp.ok) {
    const message = body && body.message ? body.message : resp.statusText;
    throw new ApiError(resp.status, message);
  }
  return body;
}

// ---- formatting ----------------------------------------------------------------------------------------
function money(x) {
  if (x === null || x === undefined) return "n/a";
  const digits = Math.abs(x) > 0 && Math.abs(x) < 0.01 ? 4 : 2;
  return "$" + x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function count(x) { return x === null || x === undefined ? "n/a" : x.toLocaleString("en-US"); }

function cell(text, raw) {
  const td = document.createElement("td");
  td.textContent = text;
  if (raw !== undefined && raw !== null) td.dataset.value = String(raw);
  return td;
}
function fillTable(id, rows) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    tr.append(...cells);
    return tr;
  }));
}

const LAYOUT = { margin: { t: 10, r: 10, b: 80, l: 70 }, height: 360, font: { size: 12 },
  yaxis: { tickprefix: "$", automargin: true }, xaxis: { automargin: true }, legend: { orientation: "h" } };
const CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };
function plot(id, traces, layout) {
  return Plotly.react($(id), traces, Object.assign({}, LAYOUT, layout || {}), CONFIG);
}

// ---- sections --------------------------------------------------------------------------------------------
function showReport(report) {
  $("cluster").textContent = report.cluster;
  $("prices-as-of").textContent = report.prices_as_of;
  $("last-collection").textContent = report.generated_at;
  $("source").textContent = "source: " + report.source + (report.partial ? " (PARTIAL: see warnings)" : "");
  const hourly = report.totals.hourly_usd;
  $("kpi-hourly").textContent = money(hourly);
  $("kpi-hourly").dataset.value = hourly;
  $("kpi-monthly").textContent = money(report.totals.monthly_usd);
  $("kpi-monthly").dataset.value = report.totals.monthly_usd;
  const gpuNodes = report.nodes.filter((n) => n.gpu_count > 0 && n.hours > 0);
  const idle = gpuNodes.map((n) => ({ node: n, hourly: n.idle_gpu_usd / n.hours }));
  const idleTotal = idle.reduce((s, x) => s + x.hourly, 0);
  $("kpi-idle-gpu").textContent = money(idleTotal);
  $("kpi-idle-gpu").dataset.value = idleTotal;
  $("kpi-unpriced").textContent = count(report.unpriced.length);
  showWarnings(report);
  plot("chart-idle-gpu", [{ type: "bar", x: idle.map((x) => x.node.name), y: idle.map((x) => x.hourly),
    marker: { color: "#d62728" }, name: "idle GPU $/h" }]);
  fillTable("table-idle-gpu", idle.map((x) => [cell(x.node.name), cell(x.node.instance_type || "?"),
    cell(count(x.node.gpu_count)), cell(money(x.node.usd_per_gpu_hour), x.node.usd_per_gpu_hour),
    cell(money(x.hourly), x.hourly)]));
}

function showWarnings(report) {
  const unpriced = report.unpriced.map((u) => {
    const li = document.createElement("li");
    li.className = "unpriced";
    li.textContent = "Unpriced " + u.kind + " " + u.name + ": " + u.reason;
    return li;
  });
  const warnings = report.warnings.map((w) => {
    const li = document.createElement("li");
    li.textContent = w;
    return li;
  });
  $("unpriced").replaceChildren(...unpriced);
  $("warnings").replaceChildren(...warnings);
  $("warnings-panel").hidden = unpriced.length + warnings.length === 0;
}

// OpenCost /allocation: {"code": 200, "data": [{"<name>": {name, window: {start, end}, totalCost, ...}}, ...]}
function stepStart(set) {
  const first = Object.values(set)[0];
  const start = first ? (first.window ? first.window.start : first.start) : null;
  return start ? start.replace(/Z$/, "").replace("T", " ") : null;   // UTC, as plotly's date axis reads it
}

async function showTime() {
  const [window, step] = $("time-range").value.split("|");
  const body = await api(`/allocation?window=${window}&step=${step}&accumulate=false&aggregate=namespace&includeIdle=true`);
  const sets = body.data.filter((set) => set && Object.keys(set).length > 0);
  const names = [...new Set(sets.flatMap((set) => Object.keys(set)))].sort();
  const x = sets.map(stepStart);
  const traces = names.map((name) => ({ type: "bar", name, x,
    y: sets.map((set) => (set[name] ? set[name].totalCost : 0)) }));
  plot("chart-time", traces, { barmode: "stack", xaxis: { type: "date" } });
}

async function showBreakdown() {
  let key = $("breakdown-key").value;
  $("breakdown-label").hidden = key !== "label";
  if (key === "label") {
    const label = $("breakdown-label").value.trim();
    if (!label) return;
    key = "label:" + label;
  }
  $("breakdown-title").textContent = key;
  const body = await api(`/allocation?window=7d&aggregate=${encodeURIComponent(key)}&accumulate=true&includeIdle=true`);
  const set = body.data[0] || {};
  const lines = Object.entries(set).map(([name, a]) => Object.assign({ key: name }, a))
    .sort((a, b) => b.totalCost - a.totalCost);
  plot("chart-breakdown", [{ type: "bar", orientation: "h", y: lines.map((a) => a.key),
    x: lines.map((a) => a.totalCost), marker: { color: "#1f77b4" } }],
  { margin: { t: 10, r: 10, b: 40, l: 200 }, xaxis: { tickprefix: "$" }, yaxis: { autorange: "reversed",
    automargin: true } });
  fillTable("table-breakdown", lines.map((a) => [cell(a.key), cell(money(a.totalCost), a.totalCost),
    cell(money(a.cpuCost), a.cpuCost), cell(money(a.gpuCost), a.gpuCost), cell(money(a.ramCost), a.ramCost),
    cell(money(a.pvCost), a.pvCost)]));
}

// Per-model lines: /inference over 7 days when the history has token counts, else the latest report's.
async function showTokens(report) {
  let lines = [];
  let source = "";
  try {
    const body = await api("/inference?window=7d");
    lines = (body.data || []).filter((l) => l.usd_per_1m_tokens !== null && l.usd_per_1m_tokens !== undefined);
    source = "last 7 days";
  } catch (err) {
    if (err.status === 401) throw err;
  }
  if (lines.length === 0) {
    lines = report.inference.filter((l) => l.usd_per_1m_tokens !== null);
    source = "latest collection (" + report.window.hours + " h)";
  }
  $("tokens-source").textContent = lines.length ? source : "";
  $("tokens-empty").hidden = lines.length > 0;
  $("chart-tokens").hidden = $("table-tokens").hidden = lines.length === 0;
  const x = lines.map((l) => l.model + (lines.some((o) => o.model === l.model && o !== l) ? " (" + l.namespace + ")" : ""));
  const kinds = [["blended", "usd_per_1m_tokens"], ["input", "usd_per_1m_input_tokens"], ["output", "usd_per_1m_output_tokens"]];
  plot("chart-tokens", kinds.map(([name, field]) => ({ type: "bar", name, x, y: lines.map((l) => l[field]) })),
    { barmode: "group" });
  fillTable("table-tokens", lines.map((l) => [cell(l.model), cell(l.namespace),
    cell(money(l.usd_per_1m_tokens), l.usd_per_1m_tokens), cell(money(l.usd_per_1m_input_tokens), l.usd_per_1m_input_tokens),
    cell(money(l.usd_per_1m_output_tokens), l.usd_per_1m_output_tokens), cell(money(l.cost_usd), l.cost_usd),
    cell(count(l.input_tokens + l.output_tokens))]));
}

// ---- errors and the main flow ----------------------------------------------------------------------------
function showError(err) {
  const box = $("error");
  if (err.status === 401) {
    box.textContent = "401 Unauthorized: the API did not accept the token (" + err.message + "). " +
      "Enter the server's API token below, or open this page as /#token=YOUR_TOKEN.";
    $("token-form").hidden = false;
  } else if (err.status === 503) {
    box.textContent = "No data yet (503): " + err.message + " The page reloads the data in 30 s.";
    setTimeout(load, 30000);
  } else {
    box.textContent = "Could not load the data" + (err.status ? " (" + err.status + ")" : "") + ": " + err.message;
  }
  box.hidden = false;
  document.body.dataset.state = "error";
}

async function load() {
  document.body.dataset.state = "loading";
  $("error").hidden = true;
  $("forget-token").hidden = !sessionStorage.getItem(TOKEN_KEY);
  try {
    const report = await api("/report");
    $("token-form").hidden = true;
    showReport(report);
    showRecommendations(report);
    await Promise.all([showTime(), showBreakdown(), showTokens(report), showBudgets(), showForecast()]);
    document.body.dataset.state = "ready";
  } catch (err) {
    showError(err);
  }
}

function guarded(fn) {
  return () => fn().catch(showError);
}

document.addEventListener("DOMContentLoaded", () => {
  tokenFromFragment();
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
    $("token-input").value = "";
    load();
  });
  $("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  $("time-range").addEventListener("change", guarded(showTime));
  $("breakdown-key").addEventListener("change", guarded(showBreakdown));
  $("breakdown-label").addEventListener("change", guarded(showBreakdown));
  load();
});
