// Branch scorecards (服务工作评价): every city or district of the user's
// scope scored for a period by a scheme the operator uses, indicator by
// indicator, with deductions; units with an indicator still open (no
// figure, or one withheld for a small sample) are not ranked and show how
// many points they could still reach. Managers import the figures measured
// elsewhere and the register of service cases.

import { useEffect, useState } from "react";
import { ApiError, type Api, type RegisterImported, type SchemePublished, type ScorecardReply, type ScorecardRow } from "../api";
import { useI18n } from "../i18n";
import { Problems } from "./Admin";
import type { MessageKey } from "../i18n/messages";
import { PeriodFilters, chosenPeriod, granularityOf, periodOf, useParams, type Granularity } from "./periods";

const SCORE_GRANULARITIES: Granularity[] = ["year", "quarter", "month"];
const SPANS: Record<string, number> = { year: 3, quarter: 8, month: 12 };

/** The last `SPANS[g]` periods up to today's, oldest first. */
export function recentPeriods(g: Granularity, today = new Date()): string[] {
  const out: string[] = [];
  for (let i = SPANS[g] ?? 12; i >= 0; i--) {
    const d = new Date(today);
    if (g === "year") d.setFullYear(d.getFullYear() - i, 0, 1);
    else if (g === "quarter") d.setMonth(d.getMonth() - 3 * i, 1);
    else d.setMonth(d.getMonth() - i, 1);
    const p = periodOf(d, g);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** A file checked first (dry run), then sent; what it did, or every problem. */
function Upload<T>({
  title,
  help,
  accept = ".csv,.xlsx",
  fileLabel,
  sendLabel,
  send,
  said,
}: {
  title: string;
  help: string;
  accept?: string;
  /** The file field's label, and the button that sends for real; "File (CSV or XLSX)" and "Import" if not given. */
  fileLabel?: string;
  sendLabel?: string;
  send: (file: File, dryRun: boolean) => Promise<T>;
  said: (done: T, dryRun: boolean) => string;
}) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const go = (dryRun: boolean) => {
    if (!file) return;
    setError(null);
    setDone(null);
    send(file, dryRun).then((d) => setDone(said(d, dryRun)), setError);
  };
  return (
    <form className="card" aria-label={title} onSubmit={(e) => (e.preventDefault(), go(false))}>
      <h2>{title}</h2>
      <p className="muted">{help}</p>
      <label>
        {fileLabel ?? t("score.file")}
        <input type="file" accept={accept} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <div className="actions">
        <button type="button" disabled={!file} onClick={() => go(true)}>
          {t("hotline.check")}
        </button>
        <button type="submit" disabled={!file}>
          {sendLabel ?? t("hotline.importNow")}
        </button>
      </div>
      {done && <p role="status">{done}</p>}
      <Problems error={error} />
    </form>
  );
}

export function Scorecards({ api, role }: { api: Api; role: string | null }) {
  const { t, pick, number, server, error: errorText } = useI18n();
  const [params, setParam] = useParams();
  const [cards, setCards] = useState<{ id: string; title: { "zh-CN": string; en: string } }[]>([]);
  const [data, setData] = useState<ScorecardReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [schemes, setSchemes] = useState(0);
  const imported = (d: RegisterImported) => t(d.dry_run ? "score.checked" : "score.imported", { n: d.imported });
  const g = granularityOf(params, SCORE_GRANULARITIES, "year");
  const periods = recentPeriods(g);
  const period = chosenPeriod(params, periods, g);
  const card = params.get("scorecard") ?? cards[0]?.id ?? "";
  const level = params.get("level") ?? "city";

  useEffect(() => {
    api.scorecards().then(setCards, (e) => setError(errorText(e)));
  }, [api, errorText, schemes]);
  useEffect(() => {
    if (!card || !period) return;
    let live = true;
    api.scorecard(card, { period, level }).then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && (setData(null), setError(e instanceof ApiError ? errorText(e) : String(e))),
    );
    return () => {
      live = false;
    };
  }, [api, card, period, level, errorText, version]);

  const indicators = data?.scorecard.indicators ?? [];
  const open = (data?.rows ?? []).filter((r) => !r.complete).length;
  const cell = (r: ScorecardRow, i: number) => {
    const ind = r.indicators[i];
    if (ind.earned == null)
      return (
        <td key={ind.id} className="muted" title={ind.missing ? server(ind.missing) : undefined}>
          {t(ind.standing === "suppressed" ? "score.suppressed" : "score.open")}
        </td>
      );
    const range = ind.earned_interval ? ` (${number(ind.earned_interval.lo)}–${number(ind.earned_interval.hi)})` : "";
    return (
      <td key={ind.id} title={ind.value != null ? t("score.value", { value: number(ind.value, 2) }) + range : undefined}>
        {number(ind.earned)}
      </td>
    );
  };

  return (
    <section className="scorecards">
      <h1>{t("score.title")}</h1>
      {error && <p role="alert">{error}</p>}
      <PeriodFilters g={g} periods={periods} period={period} setParam={setParam} granularities={SCORE_GRANULARITIES} fallback="year">
        <label>
          {t("score.scheme")}
          <select name="scorecard" value={card} onChange={(e) => setParam({ scorecard: e.target.value })}>
            {cards.map((c) => (
              <option key={c.id} value={c.id}>
                {pick(c.title["zh-CN"], c.title.en)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("score.level")}
          <select name="level" value={level} onChange={(e) => setParam({ level: e.target.value === "city" ? "" : e.target.value })}>
            {["province", "city", "district"].map((l) => (
              <option key={l} value={l}>
                {t(`level.${l}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </PeriodFilters>
      {data && data.rows.length === 0 && <p className="muted">{t("score.none")}</p>}
      {data && data.rows.length > 0 && (
        <div className="scroll">
          <table className="league">
            <caption>{t("score.league", { title: pick(data.scorecard.title["zh-CN"], data.scorecard.title.en), period: data.period })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("score.place")}</th>
                <th scope="col">{t("score.unit")}</th>
                {indicators.map((i) => (
                  <th key={i.id} scope="col">
                    {pick(i.title["zh-CN"], i.title.en)} <small>/{i.points}</small>
                  </th>
                ))}
                <th scope="col">{t("score.deducted")}</th>
                <th scope="col">{t("score.score")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.unit}>
                  <td>{r.place ?? "–"}</td>
                  <th scope="row" title={r.unit}>
                    {pick(r.name_zh, r.name_en)}
                  </th>
                  {indicators.map((_, i) => cell(r, i))}
                  <td title={r.deductions.filter((d) => d.cases > 0).map((d) => `${pick(d.title["zh-CN"], d.title.en)} ×${d.cases}`).join("; ") || undefined}>
                    {r.deducted > 0 ? `−${number(r.deducted)}` : "0"}
                  </td>
                  <td>
                    <strong>{number(r.score)}</strong>
                    {!r.complete && <small> {t("score.upTo", { best: number(r.best_case) })}</small>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open > 0 && <p className="notice">{t("score.openNote", { n: open })}</p>}
      {(role === "admin" || role === "manager") && (
        <div className="grid2">
          <Upload
            title={t("score.entries")}
            help={t("score.entriesHelp")}
            send={(f, dry) => api.importScorecardEntries(f, dry).finally(() => !dry && setVersion((v) => v + 1))}
            said={imported}
          />
          <Upload
            title={t("score.cases")}
            help={t("score.casesHelp")}
            send={(f, dry) => api.importServiceCases(f, dry).finally(() => !dry && setVersion((v) => v + 1))}
            said={imported}
          />
        </div>
      )}
      {role === "admin" && (
        <Upload
          title={t("score.scheme.publish")}
          help={t("score.scheme.help")}
          accept=".toml"
          fileLabel={t("score.scheme.file")}
          sendLabel={t("admin.publish")}
          send={(f, dry) => api.publishScorecard(f, dry).finally(() => !dry && (setSchemes((v) => v + 1), setVersion((v) => v + 1)))}
          said={(d: SchemePublished, dry) =>
            t(dry ? "score.scheme.checked" : d.new ? "score.scheme.published" : "score.scheme.unchanged", {
              id: d.scorecard_id,
              version: d.version,
              n: d.indicators,
              points: number(d.points),
            })
          }
        />
      )}
    </section>
  );
}
