// The printable report of one audit, as the server renders it (the store's
// clock, answers in words, photos embedded), shown inside the console with
// Print / PDF: the browser's print dialog saves it as a PDF.

import { useEffect, useRef, useState } from "react";
import type { Api } from "../api";
import { useI18n } from "../i18n";

export function Report({ api, doc, back }: { api: Api; doc: string; back: () => void }) {
  const { t, locale, error: errorText } = useI18n();
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    let live = true;
    setHtml(null);
    api.report(doc, locale).then(
      (h) => live && setHtml(h),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, doc, locale, errorText]);
  return (
    <section className="report">
      <div className="row">
        <button type="button" onClick={back}>
          {t("detail.backToAudit")}
        </button>
        <button type="button" className="primary" disabled={!html} onClick={() => frame.current?.contentWindow?.print()}>
          {t("report.print")}
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {!html && !error && <p aria-busy="true" />}
      {/* No scripts run in the report; it shares the console's origin so that it prints. */}
      {html && <iframe ref={frame} title={t("detail.report")} sandbox="allow-same-origin allow-modals" srcDoc={html} />}
    </section>
  );
}
