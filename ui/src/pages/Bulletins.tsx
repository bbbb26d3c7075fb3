// The monthly bulletin (月通报) of a unit: shown as the server renders it
// for print, in the reader's language, with Print, the PDF the server sets,
// the workbook, and a fresh generation when the month's figures have changed.

import { useCallback, useEffect, useRef, useState } from "react";
import type { Api } from "../api";
import { useI18n } from "../i18n";
import { UnitPicker, useDirectory } from "./directory";
import { defaultPeriod, useParams } from "./periods";
import { recentPeriods } from "./Scorecards";
import { save } from "./files";

export function Bulletins({ api }: { api: Api }) {
  const { t, locale, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [params, setParam] = useParams();
  const months = recentPeriods("month");
  const month = params.get("month") && months.includes(params.get("month")!) ? params.get("month")! : defaultPeriod(months, "month") ?? "";
  const unit = params.get("unit") ?? "";
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);

  const load = useCallback(
    (regenerate: boolean) => {
      if (!month) return;
      setBusy(true);
      setError(null);
      api
        .bulletin(month, { ...(unit ? { unit } : {}), lang: locale, ...(regenerate ? { regenerate: "true" } : {}) })
        .then(setHtml, (e) => (setHtml(null), setError(errorText(e))))
        .finally(() => setBusy(false));
    },
    [api, month, unit, locale, errorText],
  );
  useEffect(() => load(false), [load]);
  const download = (format: "pdf" | "xlsx") =>
    api
      .bulletinFile(month, format, { ...(unit ? { unit } : {}), lang: locale })
      .then((b) => save(b, `bulletin-${(unit || "all").replace(/\W/g, "_")}-${month}.${format}`), (e) => setError(errorText(e)));

  return (
    <section className="bulletins">
      <h1>{t("bulletin.title")}</h1>
      <div className="filters">
        <UnitPicker dir={dir} value={unit} onChange={(id) => setParam({ unit: id })} label={t("bulletin.unit")} />
        <label>
          {t("bulletin.month")}
          <select name="month" value={month} onChange={(e) => setParam({ month: e.target.value })}>
            {[...months].reverse().map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="actions">
        <button type="button" disabled={!html} onClick={() => frame.current?.contentWindow?.print()}>
          {t("bulletin.print")}
        </button>
        {(["pdf", "xlsx"] as const).map((format) => (
          <button key={format} type="button" disabled={!month} onClick={() => download(format)}>
            {t(`bulletin.${format}`)}
          </button>
        ))}
        <button type="button" disabled={busy || !month} aria-busy={busy} onClick={() => load(true)}>
          {t("bulletin.regenerate")}
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {busy && !html && <p aria-busy="true">{t("bulletin.making")}</p>}
      {html && <iframe ref={frame} title={t("bulletin.title")} className="bulletin" srcDoc={html} />}
    </section>
  );
}
