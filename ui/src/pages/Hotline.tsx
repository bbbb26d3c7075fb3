// Hotline figures: the call centre's switch statistics (service level by the
// chosen formula, connection rates, the busy hour, agents, satisfaction,
// first-call resolution) per hotline and period against their targets,
// beside the test calls made to the same hotline, with a note where the two
// disagree; and the import of a statistics export.

import { useEffect, useState, type FormEvent } from "react";
import type { Api, CallsImported, HotlineKpi, HotlineKpis, HotlineRow } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { Problems } from "./Admin";
import { PeriodFilters, chosenPeriod, granularityOf, useParams } from "./periods";

/** The KPIs of the league table, in the order the operator reports them. */
const COLUMNS = ["service_level", "system_connection", "manual_connection", "busy_hour_connection", "agent_utilisation", "satisfaction", "first_call_resolution"];
const SECONDS = new Set(["avg_talk_s", "avg_wrap_s"]);

/** A KPI's value as people read it: a percentage, or seconds. */
export function kpiText(k: Pick<HotlineKpi, "id" | "value">, number: (x: number, d?: number) => string): string {
  if (k.value == null) return "–";
  return SECONDS.has(k.id) ? `${number(k.value, 0)} s` : `${number(100 * k.value)}%`;
}

function Kpi({ k }: { k: HotlineKpi | undefined }) {
  const { t, number, server } = useI18n();
  if (!k) return <td>–</td>;
  if (k.value == null)
    return (
      <td className="muted" title={k.missing ? server(k.missing) : undefined}>
        –
      </td>
    );
  const interval = k.interval ? `${number(100 * k.interval.lo)}–${number(100 * k.interval.hi)}%` : null;
  const verdict = k.meets == null ? null : k.meets ? t("hotline.meets") : k.clearly_misses ? t("hotline.clearlyMisses") : t("hotline.misses");
  return (
    <td className={k.meets === false ? "bad" : undefined} title={[interval && t("hotline.interval", { interval }), k.at && t("hotline.at", { at: k.at })].filter(Boolean).join(" · ") || undefined}>
      {kpiText(k, number)} {verdict && <small className={k.meets ? "ok" : "danger"}>{verdict}</small>}
    </td>
  );
}

function Import({ api, done }: { api: Api; done: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [threshold, setThreshold] = useState("20");
  const [short, setShort] = useState("5");
  const [map, setMap] = useState("");
  const [result, setResult] = useState<CallsImported | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const send = (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    api
      .importCalls(file, dryRun, { threshold_s: threshold, short_s: short, map })
      .then(
        (r) => {
          setResult(r);
          if (!dryRun) done();
        },
        setError,
      )
      .finally(() => setBusy(false));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send(false);
  };
  return (
    <form className="card" onSubmit={submit} aria-label={t("hotline.import")}>
      <h2>{t("hotline.import")}</h2>
      <p className="muted">{t("hotline.importHelp")}</p>
      <label>
        {t("hotline.file")}
        <input name="statistics" type="file" accept=".csv,.xlsx" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <label>
        {t("hotline.threshold")}
        <input name="threshold_s" type="number" min={1} max={600} value={threshold} onChange={(e) => setThreshold(e.target.value)} />
      </label>
      <label>
        {t("hotline.short")}
        <input name="short_s" type="number" min={1} max={600} value={short} onChange={(e) => setShort(e.target.value)} />
      </label>
      <label>
        {t("hotline.mapping")}
        <input name="map" value={map} placeholder="Within 20s=answered_within" onChange={(e) => setMap(e.target.value)} />
      </label>
      <div className="actions">
        <button type="button" disabled={!file || busy} onClick={() => send(true)}>
          {t("hotline.check")}
        </button>
        <button type="submit" disabled={!file || busy} aria-busy={busy}>
          {t("hotline.importNow")}
        </button>
      </div>
      {result && (
        <p role="status">
          {t(result.dry_run ? "hotline.checked" : "hotline.imported", {
            n: result.intervals,
            hotlines: result.hotlines,
            first: result.first ?? "",
            last: result.last ?? "",
          })}
        </p>
      )}
      <Problems error={error} />
    </form>
  );
}

/** One hotline's test calls beside its switch figures. */
function Tests({ row }: { row: HotlineRow }) {
  const { t, number } = useI18n();
  const c = row.test_calls;
  if (!c.test_calls.calls) return <td className="muted">{t("hotline.noTestCalls")}</td>;
  return (
    <td>
      {t("hotline.testCalls", { n: c.test_calls.calls })}
      {c.within_share != null && (
        <>
          {" · "}
          {t("hotline.inTime", { share: `${number(100 * c.within_share)}%` })}
        </>
      )}
      {c.test_calls.mean_score != null && (
        <>
          {" · "}
          {t("hotline.meanScore", { score: number(c.test_calls.mean_score) })}
        </>
      )}
    </td>
  );
}

export function Hotline({ api, role }: { api: Api; role: string | null }) {
  const { t, pick, error: errorText, server } = useI18n();
  const [params, setParam] = useParams();
  const g = granularityOf(params);
  const formula = params.get("formula") ?? "";
  const [data, setData] = useState<HotlineKpis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    api.hotlineKpis({ granularity: g, ...(formula ? { formula } : {}) }).then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, g, formula, errorText, version]);

  const periods = [...new Set((data?.rows ?? []).map((r) => r.period))].sort();
  const period = chosenPeriod(params, periods, g);
  const rows = (data?.rows ?? []).filter((r) => r.period === period);
  const chosen = params.get("hotline");
  const history = (data?.rows ?? []).filter((r) => r.hotline === chosen);
  const name = (r: HotlineRow) => pick(r.name_zh, r.name_en) || r.hotline;
  const kpi = (r: HotlineRow, id: string) => r.kpis.find((k) => k.id === id);

  return (
    <section className="hotline">
      <h1>{t("hotline.title")}</h1>
      {error && <p role="alert">{error}</p>}
      <PeriodFilters g={g} periods={periods} period={period} setParam={setParam}>
        <label>
          {t("hotline.formula")}
          <select name="formula" value={data?.formula ?? formula} onChange={(e) => setParam({ formula: e.target.value })}>
            {(data?.formulas ?? []).map((f) => (
              <option key={f} value={f}>
                {t(`formula.${f}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </PeriodFilters>
      {data && rows.length === 0 && <p className="muted">{t("hotline.none")}</p>}
      {rows.length > 0 && (
        <div className="scroll">
          <table className="league">
            <caption>{t("hotline.league", { period: period ?? "" })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("hotline.hotline")}</th>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" title={data?.targets[c] ? targetText(c, data.targets[c], t) : undefined}>
                    {t(`kpi.${c}` as MessageKey)}
                  </th>
                ))}
                <th scope="col">{t("hotline.tests")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.hotline}>
                  <th scope="row">
                    <button type="button" className="link" title={r.hotline} onClick={() => setParam({ hotline: r.hotline })}>
                      {name(r)}
                    </button>
                  </th>
                  {COLUMNS.map((c) => (
                    <Kpi key={c} k={kpi(r, c)} />
                  ))}
                  <Tests row={r} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows
        .filter((r) => r.test_calls.disagreement)
        .map((r) => (
          <p key={r.hotline} className="notice" role="note">
            <strong>{name(r)}</strong>: {server(r.test_calls.disagreement!)}
          </p>
        ))}
      {chosen && history.length > 0 && (
        <div className="card">
          <h2 title={history[0].hotline}>{name(history[0])}</h2>
          <div className="scroll">
            <table>
              <caption>
                {name(history[0])} · {t("hotline.allKpis")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("hotline.kpi")}</th>
                  <th scope="col">{t("hotline.target")}</th>
                  {history.map((h) => (
                    <th key={h.period} scope="col">
                      {h.period}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {history[0].kpis.map((k) => (
                  <tr key={k.id}>
                    <th scope="row">{t(`kpi.${k.id}` as MessageKey)}</th>
                    <td>{k.target ? targetText(k.id, k.target, t) : "–"}</td>
                    {history.map((h) => (
                      <Kpi key={h.period} k={kpi(h, k.id)} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {(role === "admin" || role === "manager") && <Import api={api} done={() => setVersion((v) => v + 1)} />}
    </section>
  );
}

type T = ReturnType<typeof useI18n>["t"];

/** "≥ 85%" or "≤ 240 s". */
function targetText(kpi: string, target: Record<string, number>, t: T): string {
  const [dir, v] = Object.entries(target)[0] ?? ["", 0];
  const value = SECONDS.has(kpi) ? `${v} s` : `${Math.round(1000 * v) / 10}%`;
  return t(dir === "at_most" ? "hotline.atMost" : "hotline.atLeast", { value });
}
