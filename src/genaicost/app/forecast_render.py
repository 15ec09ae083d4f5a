"""`genaicost forecast` output: json (the result dict, money rounded half-even to cents), table, csv, markdown."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from genaicost.app.forecast import series_of
from genaicost.render.money import cents, cents_text, format_usd

FORMATS = ("json", "table", "csv", "markdown")
BANDS = ("cost_usd", "lower_80", "upper_80", "lower_95", "upper_95")
MONEY_KEYS = frozenset({*BANDS, "actual_to_date_usd", "projected_usd", "baseline_usd"})
CSV_COLUMNS = ("key", "kind", "date", "model", *BANDS)


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (float(cents(v)) if k in MONEY_KEYS and isinstance(v, float) else
                    round(v, 2) if isinstance(v, float) else _rounded(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def render_forecast(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_rounded(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "markdown":
        return _markdown(result)
    return _table(result)


def _rows(s: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    m = s["month_end"]
    month = {"cost_usd": m["projected_usd"], **{b: m[b] for b in BANDS[1:]}}
    return [*(("day", p["date"], p) for p in s["forecast"]), ("month-end", m["date"], month)]


def _csv(result: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in series_of(result):
        for kind, day, values in _rows(s):
            writer.writerow([s["key"] or "", kind, day, s["model"], *(cents_text(values[b]) for b in BANDS)])
    return out.getvalue()


def _summary(s: dict[str, Any]) -> list[str]:
    m = s["month_end"]
    lines = [f"model {s['model']}; month to {m['date']}: actual {format_usd(m['actual_to_date_usd'])}, projected "
             f"{format_usd(m['projected_usd'])} (80 %: {format_usd(m['lower_80'])}–{format_usd(m['upper_80'])}, "
             f"95 %: {format_usd(m['lower_95'])}–{format_usd(m['upper_95'])})"]
    b = s.get("backtest")
    if b:
        mape = "n/a" if b["mape"] is None else f"{b['mape']:.1f} %"
        lines.append(f"backtest (7 days ahead, {b['origins']} origins): MAPE {mape}, 80 % coverage "
                     f"{b['coverage_80']:.1f} %, 95 % coverage {b['coverage_95']:.1f} %")
    for a in s.get("anomalies", []):
        change = "from $0" if a["change_pct"] is None else f"{a['change_pct']:+.0f} %"
        lines.append(f"anomaly {a['date']}: {format_usd(a['cost_usd'])} vs baseline "
                     f"{format_usd(a['baseline_usd'])} ({change})")
    return lines + [f"note: {n}" for n in s["notes"]]


def _table(result: dict[str, Any]) -> str:
    console = Console(record=True, width=120, file=io.StringIO())
    for s in series_of(result):
        table = Table(title=f"Forecast {s['key']}" if s["key"] is not None else "Forecast")
        for name in ("date", "cost", "80 % low", "80 % high", "95 % low", "95 % high"):
            table.add_column(name, justify="left" if name == "date" else "right")
        for kind, day, values in _rows(s):
            table.add_row(f"{day} (month total)" if kind == "month-end" else str(day),
                          *(format_usd(values[b]) for b in BANDS))
        console.print(table)
        for line in _summary(s):
            console.print(line, highlight=False, markup=False)
    for note in result.get("notes", []) if "series" in result else []:
        console.print(f"note: {note}", highlight=False, markup=False)
    return console.export_text()


def _markdown(result: dict[str, Any]) -> str:
    out = []
    for s in series_of(result):
        out.append(f"## Forecast {s['key']}\n" if s["key"] is not None else "## Forecast\n")
        out.append("| date | cost | 80 % low | 80 % high | 95 % low | 95 % high |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for kind, day, values in _rows(s):
            label = f"{day} (month-end total)" if kind == "month-end" else str(day)
            out.append(f"| {label} | " + " | ".join(format_usd(values[b]) for b in BANDS) + " |")
        out.append("")
        out.extend(f"- {line}" for line in _summary(s))
        out.append("")
    return "\n".join(out)
