// Channel compliance ratings: drill down the hierarchy (province > city >
// district > store) with score, interval, band, coverage and flags; the
// trend of the chosen unit over the periods (ECharts); the weakest items;
// the ratings export with download progress.

import { useEffect, useMemo, useRef, useState } from "react";
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { Api, Rating, Unit, WeakItem } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * The unit's score over the periods: published scores as a solid line, the
 * estimate where the base is too small to publish as a dotted one, and the
 * 95% interval as a shaded band.
 */
function Trend({ points, name }: { points: Rating[]; name: string }) {
  const { t, number } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    const lo = points.map((p) => p.estimate.interval?.lo ?? null);
    const width = points.map((p) => (p.estimate.interval ? p.estimate.interval.hi - p.estimate.interval.lo : null));
    const band = { type: "line", stack: "interval", symbol: "none", lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } };
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: (v: number | null) => (v == null ? "—" : number(v)) },
      legend: { bottom: 0, data: [name, t("dash.estimate")] },
      grid: { left: 40, right: 16, top: 24, bottom: 56 },
      xAxis: { type: "category", data: points.map((p) => p.period) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { ...band, name: "lo", data: lo },
        { ...band, name: "interval", data: width, areaStyle: { color: "#0f766e", opacity: 0.15 } },
        { name, type: "line", data: points.map((p) => p.score), connectNulls: false, symbolSize: 8, itemStyle: { color: "#0f766e" } },
        {
          name: t("dash.estimate"),
          type: "line",
          data: points.map((p) => (p.score == null ? p.estimate.mean : null)),
          connectNulls: false,
          symbol: "emptyCircle",
          symbolSize: 8,
          lineStyle: { type: "dotted" },
          itemStyle: { color: "#8a9aa5" },
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [points, name, t, number]);
  return <div ref={el} className="chart" role="img" aria-label={name} />;
}

function save(blob: Blob, name: string) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function Dashboard({ api }: { api: Api }) {
  const { t, pick, number } = useI18n();
  const [units, setUnits] = useState<Unit[]>([]);
  const [path, setPath] = useState<string[]>([]);
  const [ratings, setRatings] = useState<Rating[]>([]);
  const [weak, setWeak] = useState<WeakItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);

  useEffect(() => {
    api.units().then(setUnits, (e) => setError(e.message));
  }, [api]);
  const byId = useMemo(() => new Map(units.map((u) => [u.id, u])), [units]);
  // Start at the top of what the user sees.
  const roots = units.filter((u) => !u.parent || !byId.has(u.parent));
  const current = path.length ? path[path.length - 1] : roots.length === 1 ? roots[0].id : null;
  const children = units.filter((u) => (current ? u.parent === current : roots.includes(u)));

  useEffect(() => {
    if (!current) return;
    api.ratings({ unit: current }).then(setRatings, (e) => setError(e.message));
    api.weakest({ unit: current }).then((w) => setWeak(w.slice(0, 8)), () => setWeak([]));
  }, [api, current]);

  const name = (id: string) => {
    const u = byId.get(id);
    return u ? pick(u.name_zh, u.name_en) : id;
  };
  const periods = [...new Set(ratings.map((r) => r.period))].sort();
  const latest = periods[periods.length - 1];
  const rowsFor = (id: string) => ratings.filter((r) => r.unit === id).sort((a, b) => a.period.localeCompare(b.period));
  const latestOf = (id: string) => rowsFor(id).find((r) => r.period === latest);
  const league = children.map((c) => ({ unit: c, r: latestOf(c.id) })).sort((a, b) => (b.r?.estimate.mean ?? -1) - (a.r?.estimate.mean ?? -1));

  return (
    <section className="dashboard">
      <h1>{t("dash.title")}</h1>
      {error && <p role="alert">{error}</p>}
      <nav className="crumbs" aria-label={t("dash.path")}>
        {roots.length > 1 && <button type="button" onClick={() => setPath([])}>{t("dash.all")}</button>}
        {(path.length ? path : current ? [current] : []).map((id, i) => (
          <button key={id} type="button" onClick={() => setPath(path.slice(0, i + 1))}>
            {name(id)}
          </button>
        ))}
      </nav>
      {current && (
        <>
          <h2>
            {name(current)} {latest && <small>· {latest}</small>}
          </h2>
          <Trend points={rowsFor(current)} name={name(current)} />
        </>
      )}
      <div className="grid2">
        <section>
          <h2>{t("dash.league")}</h2>
          <table>
            <thead>
              <tr>
                <th>{t("dash.unit")}</th>
                <th>{t("dash.score")}</th>
                <th>{t("dash.interval")}</th>
                <th>{t("dash.band")}</th>
                <th>{t("dash.coverage")}</th>
                <th>{t("dash.rank")}</th>
              </tr>
            </thead>
            <tbody>
              {league.map(({ unit, r }) => (
                <tr key={unit.id} className={unit.level === "store" ? "" : "clickable"} data-unit={unit.id}
                  onClick={() => unit.level !== "store" && setPath([...(path.length ? path : current ? [current] : []), unit.id])}>
                  <td>{name(unit.id)}</td>
                  <td>
                    {r?.score != null ? number(r.score) : r ? <span className="hint">{t("dash.suppressed")}</span> : "—"}
                  </td>
                  <td>
                    {r?.estimate.interval && (
                      <div className="bar" title={`${number(r.estimate.interval.lo)}–${number(r.estimate.interval.hi)}`}>
                        <span style={{ left: `${r.estimate.interval.lo}%`, width: `${r.estimate.interval.hi - r.estimate.interval.lo}%` }} />
                        {r.estimate.mean !== null && <i style={{ left: `${r.estimate.mean}%` }} />}
                      </div>
                    )}
                  </td>
                  <td>{r?.band ? t(`band.${r.band}` as MessageKey) : ""}</td>
                  <td>{r ? `${Math.round(r.coverage_stores * 100)}%` : ""}</td>
                  <td>
                    {r?.rank ?? ""}
                    {r?.flags.small_base && <span className="badge">{t("dash.smallBase")}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>{t("dash.weakest")}</h2>
          <table>
            <tbody>
              {weak.map((w) => (
                <tr key={`${w.template_id}/${w.item_id}`}>
                  <td>{pick(w.label_zh, w.label_en) ?? w.item_id}</td>
                  <td>{t("dash.failRate", { rate: number(w.fail_rate * 100, 0), n: w.answered })}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t("dash.export")}</h2>
          <div className="row">
            {(["ratings.xlsx", "ratings.csv", "records.xlsx", "actions.xlsx"] as const).map((f) => (
              <button
                key={f}
                type="button"
                disabled={progress !== null}
                onClick={async () => {
                  setProgress(0);
                  try {
                    // Ratings take the unit; records and actions the stores under it.
                    const scope = current ? { [f.startsWith("ratings") ? "unit" : "store"]: current } : {};
                    save(await api.download(f, scope, setProgress), f);
                  } catch (e) {
                    setError((e as Error).message);
                  } finally {
                    setProgress(null);
                  }
                }}
              >
                {f}
              </button>
            ))}
          </div>
          {progress !== null && <p role="status">{t("dash.downloading", { kb: Math.round(progress / 1024) })}</p>}
        </section>
      </div>
    </section>
  );
}
