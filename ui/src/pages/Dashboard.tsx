// Channel compliance ratings: drill down the hierarchy (province > city >
// district > store) with score, interval, band, coverage and flags, for a
// period the user picks (day to year; the last complete one at first); the
// trend of the chosen unit over the periods (ECharts); the weakest items;
// exports with download progress. The unit, granularity and period live in
// the address.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import * as echarts from "echarts/core";
import { LineChart, ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { Api, Rating, WeakItem } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { storePath } from "../paths";
import { ChecklistOptions, useDirectory } from "./directory";
import { PeriodFilters, chosenPeriod, granularityOf, periodRange, useParams } from "./periods";
import { save } from "./files";

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** Compliance bands as the ratings name them (docs/ratings.md), best first, with their lower bounds and colours. */
export const COMPLIANCE_BANDS: [string, number, string][] = [
  ["excellent", 95, "#067647"],
  ["good", 90, "#0f766e"],
  ["compliant", 80, "#1849a9"],
  ["needs_improvement", 60, "#b54708"],
  ["non_compliant", 0, "#b42318"],
];

export interface MapStore {
  id: string;
  name: string;
  lat: number;
  lon: number;
  score: number | null;
}

/**
 * The stores by their coordinates, coloured by their compliance band (grey
 * where the score is withheld); a click opens the store. Drawn on the
 * longitude and latitude as axes: no map tiles are needed offline.
 */
export function StoreMap({ stores, onOpen }: { stores: MapStore[]; onOpen: (id: string) => void }) {
  const { t, number } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || stores.length === 0) return;
    const chart = echarts.init(el.current);
    const colour = (score: number | null) => (score == null ? "#98a2b3" : (COMPLIANCE_BANDS.find(([, lo]) => score >= lo)?.[2] ?? "#b42318"));
    const lats = stores.map((s) => s.lat);
    const lons = stores.map((s) => s.lon);
    const pad = (xs: number[]) => Math.max(0.01, (Math.max(...xs) - Math.min(...xs)) * 0.1);
    chart.setOption({
      tooltip: {
        formatter: (p: { data: { name: string; score: number | null } }) =>
          `${p.data.name}<br/>${p.data.score == null ? t("dash.suppressed") : number(p.data.score)}`,
      },
      grid: { left: 8, right: 8, top: 8, bottom: 8 },
      xAxis: { type: "value", show: false, min: Math.min(...lons) - pad(lons), max: Math.max(...lons) + pad(lons) },
      yAxis: { type: "value", show: false, min: Math.min(...lats) - pad(lats), max: Math.max(...lats) + pad(lats) },
      series: [
        {
          type: "scatter",
          symbolSize: 14,
          data: stores.map((s) => ({ value: [s.lon, s.lat], name: s.name, id: s.id, score: s.score, itemStyle: { color: colour(s.score) } })),
        },
      ],
    });
    chart.on("click", (p) => onOpen((p.data as { id: string }).id));
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [stores, onOpen, t, number]);
  return (
    <figure className="map">
      <div ref={el} className="chart" role="img" aria-label={t("dash.mapAlt", { n: stores.length })} />
      <figcaption className="legend">
        {COMPLIANCE_BANDS.map(([band, , colour]) => (
          <span key={band}>
            <i style={{ background: colour }} /> {t(`compliance.${band}` as MessageKey)}
          </span>
        ))}
        <span>
          <i style={{ background: "#98a2b3" }} /> {t("dash.suppressed")}
        </span>
      </figcaption>
      {/* The same stores as text, for those who do not see the chart. */}
      <ul className="visually-hidden">
        {stores.map((s) => (
          <li key={s.id}>
            <button type="button" onClick={() => onOpen(s.id)}>
              {s.name}: {s.score == null ? t("dash.suppressed") : number(s.score)}
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/**
 * The unit's score over the periods: published scores as a solid line, the
 * estimate where the base is too small to publish as a dotted one, and the
 * 95% interval as a shaded band.
 */
export function Trend({ points, name }: { points: Rating[]; name: string }) {
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


/**
 * Places in a league table: the best score first; equal scores share a place
 * and the next place counts them (1, 1, 3); units whose score is withheld
 * have none and come last.
 */
export function places(scores: (number | null)[]): (number | null)[] {
  const sorted = scores.filter((x): x is number => x !== null).sort((a, b) => b - a);
  return scores.map((x) => (x === null ? null : sorted.findIndex((y) => y === x) + 1));
}

export function Dashboard({ api }: { api: Api }) {
  const { t, pick, number, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [params, setParam] = useParams();
  const [ratings, setRatings] = useState<Rating[]>([]);
  const [weak, setWeak] = useState<WeakItem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const units = dir.units;
  const byId = useMemo(() => new Map(units.map((u) => [u.id, u])), [units]);
  // Start at the top of what the user sees.
  const roots = units.filter((u) => !u.parent || !byId.has(u.parent));
  const asked = params.get("unit") ?? "";
  const current = asked && byId.has(asked) ? asked : roots.length === 1 ? roots[0].id : null;
  const path: string[] = [];
  for (let u = current ? byId.get(current) : undefined; u; u = u.parent ? byId.get(u.parent) : undefined) path.unshift(u.id);
  const children = units.filter((u) => (current ? u.parent === current : roots.includes(u)));
  const g = granularityOf(params);
  const [template, setTemplate] = useState("");

  useEffect(() => {
    if (!current) return;
    let live = true;
    api.ratings({ unit: current, granularity: g }).then(
      (r) => live && (setRatings(r), setError(null)),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, current, g, errorText]);

  const periods = [...new Set(ratings.map((r) => r.period))].sort();
  const period = chosenPeriod(params, periods, g);
  useEffect(() => {
    if (!current || !period) return;
    let live = true;
    const range = periodRange(period);
    api.weakest({ unit: current, ...(range ? { from: String(range[0]), to: String(range[1]) } : {}) }).then(
      (w) => live && setWeak(w.slice(0, 8)),
      () => live && setWeak([]),
    );
    return () => {
      live = false;
    };
  }, [api, current, period]);

  const rowsFor = (id: string) => ratings.filter((r) => r.unit === id).sort((a, b) => a.period.localeCompare(b.period));
  const inPeriod = (id: string) => rowsFor(id).find((r) => r.period === period);
  const league = children
    .map((c) => ({ unit: c, r: inPeriod(c.id) }))
    .sort((a, b) => (b.r?.score ?? -1) - (a.r?.score ?? -1) || (b.r?.estimate.mean ?? -1) - (a.r?.estimate.mean ?? -1));
  const place = places(league.map(({ r }) => r?.score ?? null));
  const smallBase = league.some(({ r }) => r?.flags.small_base && r.score != null);
  const open = (id: string) => setParam({ unit: id });
  const navigate = useNavigate();
  const openStore = useCallback((id: string) => navigate(storePath(id)), [navigate]);
  // Every store under the unit that has coordinates, with its score for the period.
  const mapped: MapStore[] = useMemo(
    () =>
      units
        .filter((u) => u.level === "store" && u.lat != null && u.lon != null && (!current || u.id.startsWith(`${current}/`)))
        .map((u) => ({
          id: u.id,
          name: dir.unitName(u.id),
          lat: u.lat!,
          lon: u.lon!,
          score: ratings.find((r) => r.unit === u.id && r.period === period)?.score ?? null,
        })),
    [units, current, ratings, period, dir],
  );

  return (
    <section className="dashboard">
      <h1>{t("dash.title")}</h1>
      {error && <p role="alert">{error}</p>}
      <PeriodFilters g={g} periods={periods} period={period} setParam={setParam} />
      <nav className="crumbs" aria-label={t("dash.path")}>
        {roots.length > 1 && (
          <button type="button" onClick={() => setParam({ unit: "" })}>
            {t("dash.all")}
          </button>
        )}
        {path.map((id) => (
          <button key={id} type="button" aria-current={id === current ? "page" : undefined} onClick={() => open(id)}>
            {dir.unitName(id)}
          </button>
        ))}
      </nav>
      {current && (
        <>
          <h2>
            {dir.unitName(current)} {period && <small>· {period}</small>}
          </h2>
          <Trend points={rowsFor(current)} name={dir.unitName(current)} />
          {mapped.length > 0 && (
            <>
              <h2>{t("dash.map")}</h2>
              <StoreMap stores={mapped} onOpen={openStore} />
            </>
          )}
        </>
      )}
      <div className="grid2">
        <section>
          <h2>{t("dash.league")}</h2>
          <div className="scroll">
            <table className="league">
              <thead>
                <tr>
                  <th>{t("dash.rank")}</th>
                  <th>{t("dash.unit")}</th>
                  <th>{t("dash.score")}</th>
                  <th>{t("dash.interval")}</th>
                  <th>{t("dash.band")}</th>
                  <th>{t("dash.coverage")}</th>
                </tr>
              </thead>
              <tbody>
                {league.map(({ unit, r }, i) => (
                  <tr
                    key={unit.id}
                    className={unit.level === "store" ? "" : "clickable"}
                    data-unit={unit.id}
                    onClick={() => unit.level !== "store" && open(unit.id)}
                  >
                    <td title={r?.rank_range ? t("dash.rankRange", { lo: r.rank_range[0], hi: r.rank_range[1] }) : undefined}>
                      {place[i] ?? "—"}
                    </td>
                    <td>
                      {unit.level === "store" ? (
                        <Link to={storePath(unit.id)} title={unit.id} onClick={(e) => e.stopPropagation()}>
                          {dir.unitName(unit.id)}
                        </Link>
                      ) : (
                        <button type="button" className="link" title={unit.id} onClick={(e) => (e.stopPropagation(), open(unit.id))}>
                          {dir.unitName(unit.id)}
                        </button>
                      )}
                    </td>
                    <td>
                      {r?.score != null ? (
                        <>
                          {number(r.score)}
                          {r.flags.small_base && <sup title={t("dash.smallBase")}>*</sup>}
                        </>
                      ) : r ? (
                        <span className="hint">{t("dash.suppressed")}</span>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      {r?.estimate.interval && (
                        <div className="bar" role="img" aria-label={`${number(r.estimate.interval.lo)}–${number(r.estimate.interval.hi)}`} title={`${number(r.estimate.interval.lo)}–${number(r.estimate.interval.hi)}`}>
                          {/* An interval may run past the scale's ends: drawn within them. */}
                          <span style={{ left: `${clamp(r.estimate.interval.lo)}%`, width: `${clamp(r.estimate.interval.hi) - clamp(r.estimate.interval.lo)}%` }} />
                          {r.estimate.mean !== null && <i style={{ left: `${clamp(r.estimate.mean)}%` }} />}
                        </div>
                      )}
                    </td>
                    <td>{r?.band ? t(`compliance.${r.band}` as MessageKey) : ""}</td>
                    <td>{r ? `${Math.round(r.coverage_stores * 100)}%` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {smallBase && <p className="hint">* {t("dash.smallBaseNote")}</p>}
        </section>
        <section>
          <h2>{t("dash.weakest")}</h2>
          <table>
            <tbody>
              {weak.map((w) => (
                <tr key={`${w.template_id}/${w.item_id}`}>
                  <td title={w.item_id}>{pick(w.label_zh, w.label_en) ?? w.item_id}</td>
                  <td>{t("dash.failRate", { rate: number(w.fail_rate * 100, 0), n: w.answered })}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t("dash.export")}</h2>
          <label>
            {t("dash.exportTemplate")}
            <select name="exportTemplate" value={template} onChange={(e) => setTemplate(e.target.value)}>
              <option value="">{t("dash.exportPickTemplate")}</option>
              <ChecklistOptions dir={dir} />
            </select>
          </label>
          <div className="row">
            {(["ratings.xlsx", "ratings.csv", "records.xlsx", "actions.xlsx"] as const).map((f) => (
              <button
                key={f}
                type="button"
                disabled={progress !== null || (f === "records.xlsx" && !template)}
                title={f === "records.xlsx" && !template ? t("dash.exportPickTemplate") : undefined}
                onClick={async () => {
                  setProgress(0);
                  try {
                    // Ratings take the unit and period; records and actions the stores under it.
                    const scope: Record<string, string> = f.startsWith("ratings")
                      ? { granularity: g, ...(current ? { unit: current } : {}), ...(period ? { period } : {}) }
                      : { ...(current ? { store: current } : {}) };
                    if (f === "records.xlsx") scope.template = template;
                    save(await api.download(f, scope, setProgress), f);
                  } catch (e) {
                    setError(errorText(e));
                  } finally {
                    setProgress(null);
                  }
                }}
              >
                {t(`export.${f.replace(".", "_")}` as MessageKey)}
              </button>
            ))}
          </div>
          {progress !== null && <p role="status">{t("dash.downloading", { kb: Math.round(progress / 1024) })}</p>}
        </section>
      </div>
    </section>
  );
}

/** A figure on the 0-100 scale, for drawing. */
const clamp = (x: number) => Math.min(100, Math.max(0, x));
