// Intercept mode for surveyors: the store is picked once, then interview
// after interview with big buttons. Kiosk mode hands the device to the
// respondent and comes back to the start screen after each response or
// after a minute of no touches; an interview left that way stays a draft.

import { useEffect, useState } from "react";
import type { FieldApi } from "../api/field";
import type { AssignmentView, StoreView } from "../api/types";
import { useI18n } from "../i18n";
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
  const [thanks, setThanks] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!doc || !kiosk) return;
    let timer = setTimeout(() => setDoc(null), IDLE_MS);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setDoc(null), IDLE_MS);
    };
    window.addEventListener("pointerdown", touch);
    window.addEventListener("keydown", touch);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("pointerdown", touch);
      window.removeEventListener("keydown", touch);
    };
  }, [doc, kiosk]);

  const next = async () => {
    try {
      setThanks(false);
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
        onDone={(submitted) => {
          setDoc(null);
          if (submitted) {
            setCount((c) => c + 1);
            setThanks(true);
            if (!kiosk) void next();
          }
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
      {thanks && <p className="thanks">{t("intercept.thanks")}</p>}
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
