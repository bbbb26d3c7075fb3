// A record being filled in: sections, progress, the running score and
// failed items, the reviewer's comments, and submit with every problem shown.

import { useCallback, useEffect, useState } from "react";
import { FieldError, type FieldApi } from "../api/field";
import type { FormView, ItemView } from "../api/types";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { CallTimer } from "./CallTimer";
import { Item, useText } from "./Item";

export function Form({
  api,
  doc,
  onDone,
  big,
  storeName,
}: {
  api: FieldApi;
  doc: string;
  onDone: (submitted: FormView | null) => void;
  big?: boolean;
  storeName?: string;
}) {
  const { t, number, dateTime } = useI18n();
  const text = useText();
  const [form, setForm] = useState<FormView | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  // Asking "are you sure?" before a quit or discard, which cannot be undone.
  const [ending, setEnding] = useState(false);

  useEffect(() => {
    api.form(doc).then(setForm, (e) => setError(e.message));
  }, [api, doc]);

  // Where the visit takes place, once, if the device gives a position; a
  // refusal or no fix leaves the record without one.
  const unstamped = form !== null && form.editable && form.location === null;
  useEffect(() => {
    if (!unstamped || !navigator.geolocation) return;
    let live = true;
    navigator.geolocation.getCurrentPosition(
      (p) => {
        const at = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy ?? null };
        api.stampLocation(doc, at).then((f) => live && setForm(f), () => {});
      },
      () => {},
      { enableHighAccuracy: true, timeout: 30_000, maximumAge: 120_000 },
    );
    return () => {
      live = false;
    };
  }, [api, doc, unstamped]);

  const run = useCallback(
    async (p: Promise<FormView>) => {
      try {
        const f = await p;
        setForm(f);
        setError(null);
        return f;
      } catch (e) {
        if (e instanceof FieldError && e.detail.problems.length) {
          const next: Record<string, string> = {};
          for (const p of e.detail.problems) next[p.item] = t(`problem.${p.code}` as MessageKey);
          setProblems(next);
          setError(t(e.code === "incomplete" ? "form.incomplete" : "form.invalid", { n: e.detail.problems.length }));
        } else setError((e as Error).message);
        return null;
      }
    },
    [t],
  );

  if (!form) return error ? <p role="alert">{error}</p> : <p aria-busy="true" />;
  const save = async (item: string, value: unknown, note: string | null) => {
    setProblems(({ [item]: _, ...rest }) => rest);
    await run(api.answer(doc, item, value, note));
  };
  const attach = async (item: string, file: Blob) => {
    setProblems(({ [item]: _, ...rest }) => rest);
    await run(api.attach(doc, item, file));
  };
  const items = (list: ItemView[]) =>
    list
      .filter((i) => i.relevant)
      .map((i) => (
        <Item
          key={i.id}
          api={api}
          item={i}
          editable={form.editable}
          save={save}
          attach={attach}
          problem={problems[i.id]}
          big={big}
          evidence={form.kind === "checklist"}
        />
      ));
  const percent = form.answerable ? Math.round((100 * form.answered) / form.answerable) : 100;
  const covert = form.mode === "mystery";

  return (
    <article className={big ? "form big" : "form"}>
      <header className="form-head">
        <h1>{text(form.title)}</h1>
        <p>
          {storeName ?? form.store_id} · {dateTime(form.started_at)} ·{" "}
          <span className={`badge ${form.status}`}>{t(`status.${form.status}` as MessageKey)}</span>
          {covert && <span className="badge covert">{t("mode.mystery")}</span>}
          {form.location && (
            <span className="badge" title={`${form.location.lat.toFixed(5)}, ${form.location.lon.toFixed(5)}`}>
              {form.location.accuracy_m != null
                ? t("form.locatedWithin", { m: Math.round(form.location.accuracy_m) })
                : t("form.located")}
            </span>
          )}
        </p>
        <div className="progress" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
          <div style={{ width: `${percent}%` }} />
        </div>
        <p className="running">
          {t("form.progress", { done: form.answered, total: form.answerable })}
          {form.kind === "checklist" && form.score !== null && (
            <>
              {" · "}
              <strong>{t("form.score", { score: number(form.score) })}</strong>
              {form.failed_items.length > 0 && (
                <span className="danger"> · {t("form.failedCount", { n: form.failed_items.length })}</span>
              )}
            </>
          )}
        </p>
      </header>
      {covert && form.editable && <p className="note-covert">{t("form.covertHint")}</p>}
      {form.mode === "test_call" && form.editable && <CallTimer form={form} save={(item, value) => save(item.id, value, item.note)} />}
      {form.comments.length > 0 && (
        <section className="comments" aria-label={t("form.comments")}>
          <h2>{t("form.comments")}</h2>
          {form.comments.map((c, i) => (
            <blockquote key={i}>
              <p>{c.text}</p>
              <footer>
                {c.by} · {dateTime(c.at)}
                {c.item && ` · ${c.item}`}
              </footer>
            </blockquote>
          ))}
        </section>
      )}
      {form.sections
        .filter((s) => s.relevant)
        .map((s) => (
          <section key={s.id} className="section">
            <h2>
              {text(s.title)}
              {s.score !== null && form.kind === "checklist" && <small> {number(s.score)}</small>}
            </h2>
            {items(s.items)}
            {s.repeat?.entries.map((e) => (
              <fieldset key={e.entry} className={e.new ? "entry new" : "entry"}>
                <legend>
                  {t(e.new ? "form.newEntry" : "form.entry", { n: e.position })}
                  {form.editable && !e.new && !s.repeat?.counted && (
                    <button
                      type="button"
                      className="quiet"
                      onClick={() => run(api.removeEntry(doc, s.id, e.entry))}
                    >
                      {t("form.removeEntry")}
                    </button>
                  )}
                </legend>
                {items(e.items)}
              </fieldset>
            ))}
          </section>
        ))}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {ending ? (
        <EndConfirm
          form={form}
          onCancel={() => setEnding(false)}
          onConfirm={async () => {
            const f = await run(api.quit(doc));
            setEnding(false);
            if (f) onDone(f);
          }}
        />
      ) : (
        <footer className="form-actions">
          {form.status === "draft" && (
            <button type="button" className="quiet" onClick={() => setEnding(true)}>
              {form.kind === "questionnaire" ? t("form.quit") : t("form.discard")}
            </button>
          )}
          <button type="button" onClick={() => onDone(null)}>
            {form.editable ? t("form.later") : t("form.back")}
          </button>
          {form.editable && (
            <button
              type="button"
              className="primary"
              onClick={async () => {
                const f = await run(api.submit(doc));
                if (f) onDone(f);
              }}
            >
              {form.status === "returned" ? t("form.resubmit") : t("form.submit")}
            </button>
          )}
        </footer>
      )}
    </article>
  );
}

/** What ending this draft does, said plainly, with a way back. */
function EndConfirm({ form, onCancel, onConfirm }: { form: FormView; onCancel: () => void; onConfirm: () => void }) {
  const { t } = useI18n();
  const interview = form.kind === "questionnaire";
  const message = form.quit_keeps ? "form.quitKeep" : interview ? "form.quitDiscard" : "form.discardConfirm";
  return (
    <div role="alertdialog" aria-labelledby="end-message" className="end-confirm">
      <p id="end-message">{t(message)}</p>
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          {t("form.keepGoing")}
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {interview ? t("form.confirmQuit") : t("form.confirmDiscard")}
        </button>
      </div>
    </div>
  );
}
