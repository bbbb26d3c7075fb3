// Hotline figures: the call centre's switch statistics (service level by the
// chosen formula, connection rates, the busy hour, agents, satisfaction,
// first-call resolution) per hotline and period against their targets,
// beside the test calls made to the same hotline, with a note where the two
// disagree; the import of a statistics export; and, for administrators,
// the KPI targets.

import { useEffect, useState, type FormEvent } from "react";
import type { Api, CallsImported, HotlineKpi, HotlineKpis, HotlineRow, HotlineTargets, KpiTarget } from "../api";
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

type Direction = "" | "at_least" | "at_most";
interface TargetDraft {
  dir: Direction;
  /** As typed: a percentage for shares, seconds for times. */
  value: string;
}

function draftOf(kpi: string, target: KpiTarget | undefined): TargetDraft {
  if (!target) return { dir: "", value: "" };
  const [dir, v] = Object.entries(target)[0] as [Direction, number];
  return { dir, value: String(SECONDS.has(kpi) ? v : Math.round(1000 * v) / 10) };
}

function targetOf(kpi: string, d: TargetDraft): KpiTarget | null {
  if (!d.dir) return null;
  const v = Number(d.value) / (SECONDS.has(kpi) ? 1 : 100);
  return (d.dir === "at_least" ? { at_least: v } : { at_most: v }) as KpiTarget;
}

/** The KPI targets, set by administrators: each at least or at most a value, or none. */
function Targets({ api, saved }: { api: Api; saved: () => void }) {
  const { t } = useI18n();
  const [all, setAll] = useState<HotlineTargets | null>(null);
  const [drafts, setDrafts] = useState<Record<string, TargetDraft>>({});
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const show = (x: HotlineTargets) => {
    setAll(x);
    const kpis = new Set([...Object.keys(x.defaults), ...Object.keys(x.targets)]);
    setDrafts(Object.fromEntries([...kpis].map((k) => [k, draftOf(k, x.targets[k])])));
  };
  useEffect(() => {
    api.hotlineTargets().then(show, setError);
  }, [api]);
  if (!all) return error ? <Problems error={error} /> : null;
  const set = (kpi: string, d: Partial<TargetDraft>) => {
    setDone(false);
    setDrafts((cur) => ({ ...cur, [kpi]: { ...cur[kpi], ...d } }));
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const changed = Object.fromEntries(
      Object.entries(drafts)
        .filter(([k, d]) => JSON.stringify(targetOf(k, d)) !== JSON.stringify(all.targets[k] ?? null))
        .map(([k, d]) => [k, targetOf(k, d)]),
    );
    api.putHotlineTargets(changed).then(
      (x) => {
        show(x);
        setDone(true);
        saved();
      },
      setError,
    );
  };
  return (
    <form className="card targets" aria-label={t("hotline.targets")} onSubmit={save}>
      <h2>{t("hotline.targets")}</h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("hotline.kpi")}</th>
              <th scope="col">{t("hotline.target")}</th>
              <th scope="col">{t("hotline.targetDefault")}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(drafts).map(([kpi, d]) => (
              <tr key={kpi} data-kpi={kpi}>
                <th scope="row">{t(`kpi.${kpi}` as MessageKey)}</th>
                <td>
                  <select aria-label={t("hotline.targetKind", { kpi: t(`kpi.${kpi}` as MessageKey) })} value={d.dir} onChange={(e) => set(kpi, { dir: e.target.value as Direction })}>
                    <option value="">{t("hotline.noTarget")}</option>
                    <option value="at_least">≥</option>
                    <option value="at_most">≤</option>
                  </select>{" "}
                  <input
                    aria-label={t("hotline.targetValue", { kpi: t(`kpi.${kpi}` as MessageKey) })}
                    type="number"
                    min={0}
                    max={SECONDS.has(kpi) ? undefined : 100}
                    step="any"
                    required={d.dir !== ""}
                    disabled={d.dir === ""}
                    value={d.value}
                    onChange={(e) => set(kpi, { value: e.target.value })}
                  />{" "}
                  {SECONDS.has(kpi) ? "s" : "%"}
                </td>
                <td className="muted">{all.defaults[kpi] ? targetText(kpi, all.defaults[kpi], t) : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          {t("hotline.saveTargets")}
        </button>
      </div>
      {done && <p role="status">{t("hotline.targetsSaved")}</p>}
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
      {role === "admin" && <Targets api={api} saved={() => setVersion((v) => v + 1)} />}
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
