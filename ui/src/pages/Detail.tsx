// One audit for review: answers in words with photos in a gallery, failed
// items, the score breakdown, conflicts, history in the user's language;
// managers return it with a comment, approve it and open corrective actions
// from failed items, for a person picked from those in scope. Others see it
// without buttons the server would refuse them.

import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { isReviewer, mediaOf, shownAs, type Api, type RecordDetail } from "../api";
import type { ItemView, MediaRef } from "../api/types";
import { useI18n, type I18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { CompleteAction } from "./CompleteAction";
import { Named, useDirectory } from "./directory";

type Shown = { state: "loading" } | { state: "shown"; url: string } | { state: "pending" } | { state: "failed" };

/** A photo, signature, recording or other file: shown (played, or offered
 * to download), still loading, not yet uploaded by the device, or not loadable. */
function Photo({ api, m, onOpen }: { api: Api; m: MediaRef; onOpen?: (url: string) => void }) {
  const { t } = useI18n();
  const [shown, setShown] = useState<Shown>({ state: "loading" });
  useEffect(() => {
    let u: string | null = null;
    let live = true;
    api.media(m.hash).then(
      (b) => live && setShown({ state: "shown", url: (u = URL.createObjectURL(b)) }),
      (e) => live && setShown({ state: (e as { status?: number }).status === 404 ? "pending" : "failed" }),
    );
    return () => {
      live = false;
      if (u) URL.revokeObjectURL(u);
    };
  }, [api, m.hash]);
  if (shown.state === "shown") {
    const as = shownAs(m.mime);
    if (as === "audio") return <audio controls src={shown.url} aria-label={t("detail.recording")} />;
    if (as === "video") return <video className="thumb" controls src={shown.url} aria-label={t("detail.recording")} />;
    if (as === "download")
      return (
        <a className="thumb file" href={shown.url} download={m.hash.slice(0, 12)}>
          {t("detail.file")}
        </a>
      );
    return (
      <button type="button" className="thumb-button" onClick={() => onOpen?.(shown.url)} aria-label={t("detail.photoOpen")}>
        <img className="thumb" src={shown.url} alt={t("detail.photo")} />
      </button>
    );
  }
  if (shown.state === "loading") return <span className="thumb" aria-busy="true" />;
  return (
    <span className="thumb missing" role="img" aria-label={t(shown.state === "pending" ? "detail.photoPending" : "detail.photoFailed")}>
      {t(shown.state === "pending" ? "detail.photoPending" : "detail.photoFailed")}
    </span>
  );
}

/** An answer in words: pass / fail / N/A, choices by their labels, a place, a date. */
export function answerText(item: ItemView, i18n: Pick<I18n, "t" | "number" | "pick">): string {
  const { t, number, pick } = i18n;
  const v = item.value;
  if (v === null || v === undefined) return "—";
  const choice = (c: string) => {
    const input = item.input;
    const found = "choices" in input ? input.choices.find((x) => x.value === c) : undefined;
    return found ? pick(found.label["zh-CN"], found.label.en) : c;
  };
  if (v === "na") return t("form.na");
  switch (item.input.type) {
    case "pass_fail":
      return v === "pass" ? t("form.pass") : v === "fail" ? t("form.fail") : String(v);
    case "partial":
      return typeof v === "number" ? `${number(v * 100, 0)}%` : String(v);
    case "single_choice":
      return choice(String(v));
    case "multiple_choice":
      return Array.isArray(v) ? v.map((c) => choice(String(c))).join("、") : String(v);
    case "duration":
      return typeof v === "number" ? t("form.secondsValue", { n: number(v, 0) }) : String(v);
    case "location": {
      const p = v as { lat?: number; lon?: number };
      return typeof p.lat === "number" && typeof p.lon === "number" ? `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}` : "—";
    }
    case "photo":
    case "signature":
    case "audio":
    case "video":
    case "file":
      return Array.isArray(v) && v.length ? t("detail.photos", { n: v.length }) : "—";
  }
  if (typeof v === "number") return number(v, Number.isInteger(v) ? 0 : 1);
  if (Array.isArray(v)) return v.map(String).join("、");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A history entry in words: the record's change messages (`answer q1`, `submit`...) read in the user's language. */
export function historyText(message: string | null, itemLabel: (id: string) => string, t: I18n["t"]): string {
  if (!message) return t("history.change");
  const onItem = /^(answer|clear|attach) (.+)$/.exec(message);
  if (onItem) return t(`history.${onItem[1]}` as MessageKey, { item: itemLabel(onItem[2]) });
  const onAction = /^(open|complete|verify|reopen) action .+$/.exec(message);
  if (onAction) return t(`history.action.${onAction[1]}` as MessageKey);
  const known = ["create", "submit", "quit", "discard", "return", "approve", "comment"];
  if (known.includes(message)) return t(`history.${message}` as MessageKey);
  if (message === "stamp location") return t("history.location");
  return message;
}

/** A map of the place, on OpenStreetMap, in a new tab. */
const mapLink = (lat: number, lon: number) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;

export function Detail({ api, doc, back }: { api: Api; doc: string; back: () => void }) {
  const i18n = useI18n();
  const { t, pick, number, dateTime, error: errorText } = i18n;
  const dir = useDirectory(api);
  const [d, setD] = useState<RecordDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [action, setAction] = useState<{ item: string; description: string; assignee: string; due: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [large, setLarge] = useState<string | null>(null);
  const [completing, setCompleting] = useState<string | null>(null);
  const load = useCallback(() => api.detail(doc).then(setD, (e) => setError(errorText(e))), [api, doc, errorText]);
  useEffect(() => {
    load();
  }, [load]);
  if (!d) return error ? <p role="alert">{error}</p> : <p aria-busy="true" />;

  const reviewer = isReviewer(api.role());
  const label = (b: { "zh-CN": string; en: string }) => pick(b["zh-CN"], b.en);
  // A repeated section's items are in its entries, `item@entry` each.
  const items: ItemView[] =
    d.form?.sections.flatMap((s) => [...s.items, ...(s.repeat?.entries.flatMap((e) => e.items) ?? [])]) ?? [];
  const itemLabel = (id: string) => {
    const i = items.find((x) => x.id === id);
    return i ? label(i.label) : id;
  };
  const reviewable = reviewer && (d.record.status === "submitted" || d.record.status === "resubmitted");
  // People who can be given a corrective action: those in the store's scope
  // (store staff of the store, managers above it), from the user list.
  const assignees = dir.users.filter(
    (u) => !u.disabled && (u.scope === "*" || d.record.store_id === u.scope || d.record.store_id.startsWith(`${u.scope}/`)) && u.role !== "inspector" && u.role !== "surveyor",
  );
  const act = async (p: Promise<void>, message: MessageKey) => {
    try {
      await p;
      setDone(t(message));
      setError(null);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const media = mediaOf;
  const loc = d.form?.location;

  return (
    <article className="detail">
      <div className="row">
        <button type="button" onClick={back}>
          {t("detail.back")}
        </button>
        <Link className="button" to="report">
          {t("detail.report")}
        </Link>
      </div>
      <h1>{d.form ? label(d.form.title) : dir.templateName(d.record.template_id)}</h1>
      <p>
        <Named id={d.record.store_id} name={dir.unitName(d.record.store_id)} /> · <Named id={d.record.author} name={dir.personName(d.record.author)} /> ·{" "}
        {dateTime(d.record.started_at, dir.timeZone(d.record.store_id))} · <span className={`badge ${d.record.status}`}>{t(`status.${d.record.status}` as MessageKey)}</span>
        {d.record.mode === "mystery" && <span className="badge covert">{t("mode.mystery")}</span>}
        {loc && (
          <a className="badge" href={mapLink(loc.lat, loc.lon)} target="_blank" rel="noreferrer" title={t("detail.onMap")}>
            {t("detail.location", { lat: loc.lat.toFixed(5), lon: loc.lon.toFixed(5) })}
            {loc.accuracy_m != null && ` ±${Math.round(loc.accuracy_m)} m`}
          </a>
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
                  <li key={c.item}>
                    {t("detail.conflict", {
                      item: itemLabel(c.item),
                      winner: dir.personName(c.winner_by),
                      others: c.others_by.map(dir.personName).join("、"),
                    })}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h2>{t("detail.actions")}</h2>
          {d.actions.length === 0 && <p>{t("detail.noActions")}</p>}
          <ul>
            {d.actions.map((a) => (
              <li key={a.action_id} data-action={a.action_id} className={a.status === "open" && a.due < new Date().toISOString().slice(0, 10) ? "overdue" : ""}>
                <strong>{itemLabel(a.item_id)}</strong>: {a.description} → <Named id={a.assignee} name={dir.personName(a.assignee)} />, {a.due} (
                {t(`action.${a.status}` as MessageKey)})
                {a.status !== "open" && a.done_note && <p className="hint">{t("detail.fixNote", { note: a.done_note })}</p>}
                {a.status !== "open" && (a.done_evidence?.length ?? 0) > 0 && (
                  <div className="thumbs">
                    {a.done_evidence!.map((m) => (
                      <Photo key={m.hash} api={api} m={m} onOpen={setLarge} />
                    ))}
                  </div>
                )}
                <div className="row">
                  {reviewer && a.status === "done" && (
                    <>
                      <button type="button" onClick={() => act(api.actionStep(doc, a.action_id, "verify").then(() => {}), "detail.verified")}>
                        {t("follow.verify")}
                      </button>
                      <button type="button" onClick={() => act(api.actionStep(doc, a.action_id, "reopen").then(() => {}), "detail.reopened")}>
                        {t("follow.reopen")}
                      </button>
                    </>
                  )}
                  {!reviewer && a.status === "open" && a.assignee === api.user() && completing !== a.action_id && (
                    <button type="button" onClick={() => setCompleting(a.action_id)}>
                      {t("follow.complete")}
                    </button>
                  )}
                </div>
                {completing === a.action_id && (
                  <CompleteAction
                    api={api}
                    doc={doc}
                    action={a.action_id}
                    onCancel={() => setCompleting(null)}
                    onDone={() => {
                      setCompleting(null);
                      setDone(t("detail.actionDone"));
                      load();
                    }}
                  />
                )}
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
              <p>
                <strong>{itemLabel(action.item)}</strong>
              </p>
              <label>
                {t("detail.actionWhat")}
                <input name="description" required value={action.description} onChange={(e) => setAction({ ...action, description: e.target.value })} />
              </label>
              <label>
                {t("detail.actionWho")}
                {assignees.length > 0 ? (
                  <select name="assignee" required value={action.assignee} onChange={(e) => setAction({ ...action, assignee: e.target.value })}>
                    <option value="">{t("detail.actionPick")}</option>
                    {assignees.map((u) => (
                      <option key={u.user_id} value={u.user_id}>
                        {u.name || u.user_id} · {t(`role.${u.role}` as MessageKey)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input name="assignee" required value={action.assignee} onChange={(e) => setAction({ ...action, assignee: e.target.value })} />
                )}
              </label>
              <label>
                {t("detail.actionDue")}
                <input name="due" type="date" required value={action.due} onChange={(e) => setAction({ ...action, due: e.target.value })} />
              </label>
              <div className="row">
                <button type="submit" className="primary">
                  {t("detail.actionCreate")}
                </button>
                <button type="button" onClick={() => setAction(null)}>
                  {t("detail.cancel")}
                </button>
              </div>
            </form>
          )}
          <h2>{t("detail.history")}</h2>
          <ol className="history">
            {d.history.map((h) => (
              <li key={h.n}>
                {dateTime(h.at, dir.timeZone(d.record.store_id))} · {h.author ? dir.personName(h.author) : "?"} · {historyText(h.message, itemLabel, t)}
              </li>
            ))}
          </ol>
        </section>
        <section>
          <h2>{t("detail.answers")}</h2>
          <div className="scroll">
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
                            <Photo key={m.hash} api={api} m={m} onOpen={setLarge} />
                          ))}
                        </div>
                      </td>
                      <td>{answerText(i, i18n)}</td>
                      <td>
                        {reviewer && i.failed && d.record.status !== "draft" && (
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
          </div>
        </section>
      </div>
      {large && (
        <div className="lightbox" role="dialog" aria-modal="true" aria-label={t("detail.photo")} onClick={() => setLarge(null)}>
          <img src={large} alt={t("detail.photo")} />
          <button type="button" autoFocus onClick={() => setLarge(null)}>
            {t("detail.close")}
          </button>
        </div>
      )}
    </article>
  );
}
