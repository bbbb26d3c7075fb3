// Intercept mode for surveyors: the store is picked once, then interview
// after interview with big buttons. Kiosk mode hands the device to the
// respondent and comes back to the start screen after each response or
// after a minute of no touches. An interview quit part-way (by the
// surveyor, or left idle in kiosk mode) is kept as a partial response or
// discarded, as the template says.

import { useEffect, useState } from "react";
import type { FieldApi } from "../api/field";
import type { AssignmentView, StoreView } from "../api/types";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { Form } from "./Form";
import { useText } from "./Item";

const IDLE_MS = 60_000;

export function Intercept({
  api,
  assignment,
  store,
  onExit,
}: {
  api: FieldApi;
  assignment: AssignmentView;
  store: StoreView;
  onExit: () => void;
}) {
  const { t } = useI18n();
  const text = useText();
  const [doc, setDoc] = useState<string | null>(null);
  const [count, setCount] = useState(assignment.today);
  const [kiosk, setKiosk] = useState(false);
  // What became of the last interview: thanks, kept partial or discarded.
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!doc || !kiosk) return;
    // The respondent walked away: end the interview for the next one.
    const walkedAway = () => {
      setDoc(null);
      setNotice(null);
      api.quit(doc).catch((e) => setError((e as Error).message));
    };
    let timer = setTimeout(walkedAway, IDLE_MS);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(walkedAway, IDLE_MS);
    };
    window.addEventListener("pointerdown", touch);
    window.addEventListener("keydown", touch);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("pointerdown", touch);
      window.removeEventListener("keydown", touch);
    };
  }, [api, doc, kiosk]);

  const next = async () => {
    try {
      setNotice(null);
      setDoc((await api.startRecord(assignment.template_id, store.id)).doc_id);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (doc)
    return (
      <Form
        api={api}
        doc={doc}
        big
        storeName={text(store.name)}
        onDone={(ended) => {
          setDoc(null);
          if (ended?.status === "submitted") {
            setCount((c) => c + 1);
            setNotice("intercept.thanks");
            if (!kiosk) void next();
          } else if (ended) setNotice(ended.status === "partial" ? "intercept.keptPartial" : "intercept.discarded");
        }}
      />
    );
  return (
    <section className="intercept">
      <h1>{text(assignment.title)}</h1>
      <p>{text(store.name)}</p>
      <p className="count" aria-label={t("intercept.today")}>
        {assignment.daily_quota !== null
          ? t("home.quota", { n: count, quota: assignment.daily_quota })
          : t("intercept.count", { n: count })}
      </p>
      {notice && (
        <p className={notice === "intercept.thanks" ? "thanks" : "ended"} role="status">
          {t(notice)}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      <button type="button" className="primary huge" onClick={next}>
        {t("intercept.next")}
      </button>
      <label className="check">
        <input type="checkbox" checked={kiosk} onChange={(e) => setKiosk(e.target.checked)} />
        {t("intercept.kiosk")}
      </label>
      <p className="hint">{t("intercept.noPersonalData")}</p>
      <button type="button" onClick={onExit}>
        {t("intercept.exit")}
      </button>
    </section>
  );
}
