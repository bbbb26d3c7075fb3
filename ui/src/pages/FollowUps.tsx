// The corrective-action follow-up list: every action in the manager's scope,
// soonest due first, overdue ones highlighted; mark done, verify, reopen, or
// open the audit it came from.

import { useCallback, useEffect, useState } from "react";
import type { ActionStatus, Api, FollowUp } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";

/** The user's own date, YYYY-MM-DD, against which due dates are read. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

type Show = "open" | "overdue" | "all";
type Step = "complete" | "verify" | "reopen";

// What can be done to an action in each status (as the record allows); none
// to one in a status this console does not know.
const STEPS: Record<ActionStatus, Step[]> = { open: ["complete"], done: ["verify", "reopen"], verified: [] };
const steps = (status: string): Step[] => (Object.hasOwn(STEPS, status) ? STEPS[status as ActionStatus] : []);

export function FollowUps({ api, open }: { api: Api; open: (doc: string) => void }) {
  const { t, pick } = useI18n();
  const [show, setShow] = useState<Show>("open");
  const [store, setStore] = useState("");
  const [rows, setRows] = useState<FollowUp[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(
    () =>
      api
        .followUps({
          today: localToday(),
          status: show === "all" ? ["open", "done", "verified"] : ["open", "done"],
          overdue: show === "overdue",
          store: store.trim() || undefined,
        })
        .then((r) => (setRows(r), setError(null)), (e) => setError((e as Error).message)),
    [api, show, store],
  );
  useEffect(() => {
    load();
  }, [load]);

  const step = async (a: FollowUp, s: Step) => {
    setBusy(a.action_id);
    try {
      await api.actionStep(a.doc_id, a.action_id, s);
      // The list is derived from the documents: once the server has caught
      // up, it says the new status and whether the action is overdue.
      await api.caughtUp();
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const late = rows?.filter((r) => r.overdue).length ?? 0;
  return (
    <section>
      <h1>{t("follow.title")}</h1>
      <div className="filters">
        <label>
          {t("follow.show")}
          <select name="show" value={show} onChange={(e) => setShow(e.target.value as Show)}>
            {(["open", "overdue", "all"] as const).map((s) => (
              <option key={s} value={s}>
                {t(`follow.show.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("queue.store")}
          <input name="store" value={store} placeholder="sc/cd" onChange={(e) => setStore(e.target.value)} />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {rows && (
        <p>
          {t("follow.count", { n: rows.length })}
          {late > 0 && <span className="badge danger">{t("follow.overdueCount", { n: late })}</span>}
        </p>
      )}
      {rows && rows.length === 0 && <p>{t("follow.empty")}</p>}
      {rows && rows.length > 0 && (
        <table className="followups">
          <thead>
            <tr>
              <th>{t("follow.due")}</th>
              <th>{t("queue.store")}</th>
              <th>{t("follow.item")}</th>
              <th>{t("detail.actionWhat")}</th>
              <th>{t("detail.actionWho")}</th>
              <th>{t("queue.status")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={`${a.doc_id}/${a.action_id}`} className={a.overdue ? "overdue" : ""} data-action={a.action_id}>
                <td className="nowrap">
                  {a.due}
                  {a.overdue && <span className="badge danger">{t("follow.overdue")}</span>}
                </td>
                <td>{a.store_id}</td>
                <td>{pick(a.label_zh, a.label_en) ?? a.item_id}</td>
                <td>{a.description}</td>
                <td>{a.assignee}</td>
                <td className="nowrap">{t(`action.${a.status}` as MessageKey)}</td>
                <td className="row">
                  <button type="button" onClick={() => open(a.doc_id)}>
                    {t("follow.openAudit")}
                  </button>
                  {steps(a.status).map((s) => (
                    <button key={s} type="button" disabled={busy === a.action_id} onClick={() => step(a, s)}>
                      {t(`follow.${s}`)}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
