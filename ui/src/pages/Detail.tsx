// One audit for review: answers with photos, failed items, the score
// breakdown, conflicts, history; return with a comment, approve, and
// corrective actions from failed items.

import { useCallback, useEffect, useState } from "react";
import type { Api, RecordDetail } from "../api";
import type { ItemView } from "../api/types";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

function Photo({ api, hash }: { api: Api; hash: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let u: string | null = null;
    api.media(hash).then((b) => setUrl((u = URL.createObjectURL(b))), () => {});
    return () => {
      if (u) URL.revokeObjectURL(u);
    };
  }, [api, hash]);
  return url ? <img className="thumb" src={url} alt={hash.slice(0, 8)} /> : <span className="thumb" />;
}

function shown(v: unknown, t: (k: MessageKey) => string): string {
  if (v === null || v === undefined) return "—";
  if (v === "pass") return t("form.pass");
  if (v === "fail") return t("form.fail");
  if (v === "na") return t("form.na");
  if (Array.isArray(v)) return v.every((x) => typeof x === "string") ? v.join(", ") : "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function Detail({ api, doc, back }: { api: Api; doc: string; back: () => void }) {
  const { t, locale, number, dateTime } = useI18n();
  const [d, setD] = useState<RecordDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [action, setAction] = useState<{ item: string; description: string; assignee: string; due: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useCallback(() => api.detail(doc).then(setD, (e) => setError(e.message)), [api, doc]);
  useEffect(() => {
    load();
  }, [load]);
  if (!d) return error ? <p role="alert">{error}</p> : <p aria-busy="true" />;

  const label = (b: { "zh-CN": string; en: string }) => (locale === "zh-CN" ? b["zh-CN"] : b.en);
  const items: ItemView[] = d.form?.sections.flatMap((s) => s.items) ?? [];
  const reviewable = d.record.status === "submitted" || d.record.status === "resubmitted";
  const act = async (p: Promise<void>, message: MessageKey) => {
    try {
      await p;
      setDone(t(message));
      setError(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const media = (i: ItemView) =>
    i.input.type === "photo" || i.input.type === "signature"
      ? Array.isArray(i.value)
        ? (i.value as { hash: string }[])
        : []
      : i.evidence;

  return (
    <article className="detail">
      <button type="button" onClick={back}>
        {t("detail.back")}
      </button>
      <h1>{d.form ? label(d.form.title) : d.record.template_id}</h1>
      <p>
        {d.record.store_id} · {d.record.author} · {dateTime(d.record.started_at)} ·{" "}
        <span className={`badge ${d.record.status}`}>{t(`status.${d.record.status}` as MessageKey)}</span>
        {d.record.mode === "mystery" && <span className="badge covert">{t("mode.mystery")}</span>}
        {d.form?.location && (
          <span className="badge" title={t("form.located")}>
            {d.form.location.lat.toFixed(5)}, {d.form.location.lon.toFixed(5)}
            {d.form.location.accuracy_m != null && ` ±${Math.round(d.form.location.accuracy_m)} m`}
          </span>
        )}
      </p>
      <p>
        <strong>{d.record.score === null ? "—" : t("form.score", { score: number(d.record.score) })}</strong>
        {d.record.passed !== null && <> · {d.record.passed ? t("detail.passed") : t("detail.notPassed")}</>}
      </p>
      {done && <p role="status">{done}</p>}
      {error && <p role="alert">{error}</p>}
      {reviewable && (
        <div className="card">
          <label>
            {t("detail.comment")}
            <textarea name="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <div className="row">
            <button type="button" disabled={!comment.trim()} onClick={() => act(api.returnRecord(doc, comment.trim()), "detail.returned")}>
              {t("detail.return")}
            </button>
            <button type="button" className="primary" onClick={() => act(api.approve(doc), "detail.approved")}>
              {t("detail.approve")}
            </button>
          </div>
        </div>
      )}
      <div className="grid2">
        <section>
          <h2>{t("detail.sections")}</h2>
          <table>
            <tbody>
              {d.sections.map((s) => (
                <tr key={s.section_id}>
                  <td>{label(d.form?.sections.find((x) => x.id === s.section_id)?.title ?? { "zh-CN": s.section_id, en: s.section_id })}</td>
                  <td>{s.score === null ? "—" : number(s.score)}</td>
                  <td>{s.zeroed && <span className="badge danger">{t("detail.zeroed")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {d.conflicts.length > 0 && (
            <>
              <h2>{t("detail.conflicts")}</h2>
              <ul>
                {d.conflicts.map((c) => (
                  <li key={c.item}>{t("detail.conflict", { item: c.item, winner: c.winner_by, others: c.others_by.join(", ") })}</li>
                ))}
              </ul>
            </>
          )}
          <h2>{t("detail.actions")}</h2>
          {d.actions.length === 0 && <p>{t("detail.noActions")}</p>}
          <ul>
            {d.actions.map((a) => (
              <li key={a.action_id} className={a.status === "open" && a.due < new Date().toISOString().slice(0, 10) ? "overdue" : ""}>
                {a.item_id}: {a.description} → {a.assignee}, {a.due} ({t(`action.${a.status}` as MessageKey)})
              </li>
            ))}
          </ul>
          {action && (
            <form
              className="card"
              aria-label={t("detail.newAction")}
              onSubmit={(e) => {
                e.preventDefault();
                act(api.openAction(doc, action), "detail.actionOpened").then(() => setAction(null));
              }}
            >
              <p>{action.item}</p>
              <label>
                {t("detail.actionWhat")}
                <input name="description" required value={action.description} onChange={(e) => setAction({ ...action, description: e.target.value })} />
              </label>
              <label>
                {t("detail.actionWho")}
                <input name="assignee" required value={action.assignee} onChange={(e) => setAction({ ...action, assignee: e.target.value })} />
              </label>
              <label>
                {t("detail.actionDue")}
                <input name="due" type="date" required value={action.due} onChange={(e) => setAction({ ...action, due: e.target.value })} />
              </label>
              <button type="submit" className="primary">
                {t("detail.actionCreate")}
              </button>
            </form>
          )}
          <h2>{t("detail.history")}</h2>
          <ol className="history">
            {d.history.map((h) => (
              <li key={h.n}>
                {dateTime(h.at)} · {h.author ?? "?"} · {h.message ?? ""}
              </li>
            ))}
          </ol>
        </section>
        <section>
          <h2>{t("detail.answers")}</h2>
          <table>
            <tbody>
              {items
                .filter((i) => i.relevant && i.input.type !== "note")
                .map((i) => (
                  <tr key={i.id} className={i.failed ? "overdue" : ""} data-item={i.id}>
                    <td>
                      {label(i.label)}
                      {i.note && <p className="hint">{i.note}</p>}
                      <div className="thumbs">
                        {media(i).map((m) => (
                          <Photo key={m.hash} api={api} hash={m.hash} />
                        ))}
                      </div>
                    </td>
                    <td>{shown(i.value, t)}</td>
                    <td>
                      {i.failed && d.record.status !== "draft" && (
                        <button
                          type="button"
                          onClick={() =>
                            setAction({
                              item: i.id,
                              description: "",
                              assignee: "",
                              due: new Date(Date.now() + 14 * 864e5).toISOString().slice(0, 10),
                            })
                          }
                        >
                          {t("detail.newAction")}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      </div>
    </article>
  );
}
