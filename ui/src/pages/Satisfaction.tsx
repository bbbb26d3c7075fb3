// Customer satisfaction from the intercept surveys, for a unit of the
// hierarchy: the TCSI indices by construct with their bands and intervals,
// NPS, the SERVQUAL gaps (perception minus expectation) and the
// importance-performance chart with its quadrants; for managers, the
// construct weights estimated from these responses (Weights.tsx).

import { useEffect, useRef, useState } from "react";
import * as echarts from "echarts/core";
import { ScatterChart } from "echarts/charts";
import { GridComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { latestVersions, type Api, type TemplateInfo, type UnitSatisfaction } from "../api";
import { useI18n } from "../i18n";
import { zhCN, type MessageKey } from "../i18n/messages";
import { useDirectory } from "./directory";
import { Weights } from "./Weights";

echarts.use([ScatterChart, GridComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const QUADRANT_COLOURS: Record<string, string> = {
  fix_first: "#b42318",
  pay_attention: "#b54708",
  keep_up: "#0f766e",
  watch: "#667085",
  possible_overkill: "#1849a9",
};

// The TCSI model's order: causes, satisfaction, consequences.
const MODEL = ["expectation", "perceived_quality", "perceived_value", "satisfaction", "complaints", "loyalty"];
const modelOrder = (id: string) => (MODEL.includes(id) ? MODEL.indexOf(id) : MODEL.length);

/** A translated vocabulary term (construct, attribute...), or the id itself. */
function useTerm() {
  const { t } = useI18n();
  return (group: string, id: string) => {
    const key = `${group}.${id}`;
    return key in zhCN ? t(key as MessageKey) : id;
  };
}

/**
 * An axis around the values that does not magnify noise: at least a fifth of
 * the scale the values are on (0-1 for correlations, 0-100 for indices)
 * wide, so that points a few tenths apart sit together.
 */
export function span(values: number[]): { min: number; max: number } {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const scale = hi <= 1 && lo >= -1 ? 1 : hi <= 10 ? 10 : 100;
  const least = scale / 5;
  const mid = (lo + hi) / 2;
  const half = Math.max((hi - lo) / 2 * 1.15, least / 2);
  const round = (v: number) => Math.round(v * (100 / scale)) / (100 / scale);
  const floor = scale === 1 ? -1 : 0;
  const min = Math.max(floor, round(mid - half));
  return { min, max: Math.min(scale, round(Math.max(mid + half, min + least))) };
}

function Ipa({ ipa }: { ipa: NonNullable<UnitSatisfaction["ipa"]> }) {
  const { t, number } = useI18n();
  const term = useTerm();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    const [x, y] = ipa.crosshair;
    chart.setOption({
      tooltip: {
        formatter: (p: { data: [number, number, string, string] }) =>
          `${p.data[2]}<br/>${t("sat.importance")} ${number(p.data[0], 2)} · ${t("sat.performance")} ${number(p.data[1])}<br/>${p.data[3]}`,
      },
      grid: { left: 48, right: 24, top: 24, bottom: 40 },
      xAxis: { type: "value", name: t("sat.importance"), nameLocation: "middle", nameGap: 26, ...span(ipa.points.map((p) => p.importance).concat(x)) },
      yAxis: { type: "value", name: t("sat.performance"), axisLine: { onZero: false }, ...span(ipa.points.map((p) => p.performance).concat(y)) },
      series: [
        {
          type: "scatter",
          symbolSize: 14,
          data: ipa.points.map((p) => ({
            value: [p.importance, p.performance, term("attr", p.attribute), term("quadrant", p.quadrant)],
            itemStyle: { color: QUADRANT_COLOURS[p.quadrant] ?? "#667085" },
          })),
          label: { show: true, position: "right", formatter: (p: { data: { value: string[] } }) => p.data.value[2] },
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { type: "dashed", color: "#98a2b3" },
            label: { show: false },
            data: [{ xAxis: x }, { yAxis: y }],
          },
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [ipa, t, number, term]);
  return <div ref={el} className="chart" role="img" aria-label={t("sat.ipa")} />;
}

/** Local midnight of a `YYYY-MM-DD` date (plus `days`), in ms; undefined for no date. */
function dayStart(date: string, days = 0): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? new Date(+m[1], +m[2] - 1, +m[3] + days).getTime() : undefined;
}

export function Satisfaction({ api, role = null }: { api: Api; role?: string | null }) {
  const { t, pick, number, error: errorText } = useI18n();
  const term = useTerm();
  const dir = useDirectory(api);
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [template, setTemplate] = useState("");
  const [data, setData] = useState<UnitSatisfaction[] | null>(null);
  const [unit, setUnit] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.templates().then((all) => {
      const surveys = latestVersions(all.filter((x) => x.kind === "questionnaire"));
      setTemplates(surveys);
      if (surveys.length) setTemplate((cur) => cur || surveys[0].template_id);
    }, (e) => setError(errorText(e)));
  }, [api]);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  useEffect(() => {
    if (!template) return;
    setData(null);
    api.satisfaction(template, undefined, dayStart(from), dayStart(to, 1)).then(
      (d) => {
        setData(d);
        setError(null);
        setUnit((cur) => (d.some((u) => u.unit === cur) ? cur : (d[0]?.unit ?? "")));
      },
      (e) => setError(errorText(e)),
    );
  }, [api, template, from, to]);

  const shown = data?.find((u) => u.unit === unit);
  // The overall gap and SERVPERF are absent without any gap pair answered.
  const figure = (x: number | null) => (x == null ? "—" : number(x, 2));

  return (
    <section className="satisfaction">
      <h1>{t("sat.title")}</h1>
      <div className="filters">
        <label>
          {t("sat.questionnaire")}
          <select name="template" value={template} onChange={(e) => setTemplate(e.target.value)}>
            {templates.map((x) => (
              <option key={x.template_id} value={x.template_id}>
                {pick(x.title_zh, x.title_en)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("dash.unit")}
          <select name="unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
            {data?.map((u) => (
              <option key={u.unit} value={u.unit}>
                {"\u00a0".repeat(2 * Math.max(0, u.unit.split("/").length - 2))}
                {dir.unitName(u.unit)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filter.from")}
          <input name="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t("filter.to")}
          <input name="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {data && data.length === 0 && <p>{t("sat.none")}</p>}
      {shown && (
        <>
          <p>{t("sat.responses", { n: shown.responses })}</p>
          <div className="grid2">
            <section>
              <h2>{t("sat.indices")}</h2>
              <table>
                <thead>
                  <tr>
                    <th>{t("sat.construct")}</th>
                    <th>{t("sat.index")}</th>
                    <th>{t("dash.interval")}</th>
                    <th>{t("dash.band")}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...shown.constructs].sort((a, b) => modelOrder(a.construct_id) - modelOrder(b.construct_id)).map((c) => (
                    <tr key={c.construct_id} data-construct={c.construct_id}>
                      <td>{term("construct", c.construct_id)}</td>
                      <td>{c.value != null ? number(c.value) : <span className="hint">{t("dash.suppressed")}</span>}</td>
                      <td>{c.estimate.interval && `${number(c.estimate.interval.lo)}–${number(c.estimate.interval.hi)}`}</td>
                      <td>{c.band && <span className={`badge band-${c.band}`}>{t(`band.${c.band}` as MessageKey)}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            {shown.nps && (
              <section className="nps">
                <h2>{t("sat.nps")}</h2>
                <p className="big">{number(shown.nps.nps, 0)}</p>
                <p>
                  {t("sat.npsParts", {
                    promoters: number(shown.nps.promoters * 100, 0),
                    detractors: number(shown.nps.detractors * 100, 0),
                    n: shown.nps.n,
                  })}
                </p>
                {shown.nps.interval && (
                  <p className="hint">
                    {t("dash.interval")} {number(shown.nps.interval.lo, 0)}–{number(shown.nps.interval.hi, 0)}
                  </p>
                )}
              </section>
            )}
          </div>
          {shown.ipa && (
            <section>
              <h2>{t("sat.ipa")}</h2>
              <Ipa ipa={shown.ipa} />
              <ul className="quadrants">
                {["fix_first", "pay_attention", "keep_up", "watch", "possible_overkill"].map((q) => {
                  const attrs = shown.ipa!.points.filter((p) => p.quadrant === q);
                  return attrs.length ? (
                    <li key={q} data-quadrant={q}>
                      <strong style={{ color: QUADRANT_COLOURS[q] }}>{term("quadrant", q)}</strong>
                      {pick("：", ": ")}
                      {attrs.map((p) => term("attr", p.attribute)).join(pick("、", ", "))}
                    </li>
                  ) : null;
                })}
              </ul>
            </section>
          )}
          {shown.gaps && (
            <section>
              <h2>{t("sat.gaps")}</h2>
              <p className="hint">
                {t("sat.gapOverall", { gap: figure(shown.gaps.overall), servperf: figure(shown.gaps.servperf) })}
              </p>
              <table className="gaps">
                <thead>
                  <tr>
                    <th>{t("sat.attribute")}</th>
                    <th>{t("sat.dimension")}</th>
                    <th>{t("sat.expectation")}</th>
                    <th>{t("sat.perception")}</th>
                    <th>{t("sat.gap")}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...shown.gaps.attributes]
                    .sort((a, b) => a.gap - b.gap)
                    // Flagged only when the gap shown is below zero: not a "-0.00".
                    .map((g) => ({ ...g, gap: Math.round(g.gap * 100) / 100 || 0, needs_improvement: g.needs_improvement && Math.round(g.gap * 100) < 0 }))
                    .map((g) => (
                      <tr key={g.attribute} className={g.needs_improvement ? "overdue" : ""}>
                        <td>{term("attr", g.attribute)}</td>
                        <td>{term("dim", g.dimension)}</td>
                        <td>{number(g.expectation, 2)}</td>
                        <td>{number(g.perception, 2)}</td>
                        <td>
                          {number(g.gap, 2)}
                          {g.needs_improvement && <span className="badge danger">{t("sat.needsWork")}</span>}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
      {(role === "admin" || role === "manager") && template && (data?.length ?? 0) > 0 && (
        <Weights
          api={api}
          role={role}
          template={template}
          unit={unit || undefined}
          from={dayStart(from)}
          to={dayStart(to, 1)}
          unitName={dir.unitName}
          personName={dir.personName}
        />
      )}
    </section>
  );
}
