// The corrective-action follow-up list: every action in the user's scope,
// overdue ones first and highlighted, then open ones soonest due, then those
// done; mark done (the assignee or a manager), verify or reopen (managers),
// or open the audit it came from. The filters live in the address.

import { useCallback, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { isReviewer, type ActionStatus, type Api, type FollowUp } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { recordPath } from "../paths";
import { CompleteAction } from "./CompleteAction";
import { Named, UnitPicker, useDirectory } from "./directory";

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

/** The steps this user may take: the assignee marks their action done; managers do everything. */
export function allowedSteps(a: FollowUp, role: string | null, user: string | null): Step[] {
  return steps(a.status).filter((s) => isReviewer(role) || (s === "complete" && a.assignee === user));
}

/** Overdue first, then open by due date, then done, then verified. */
export function followUpOrder(a: FollowUp, b: FollowUp): number {
  const rank = (x: FollowUp) => (x.overdue ? 0 : x.status === "open" ? 1 : x.status === "done" ? 2 : 3);
  return rank(a) - rank(b) || a.due.localeCompare(b.due) || a.store_id.localeCompare(b.store_id);
}

export function FollowUps({ api, open, role }: { api: Api; open: (doc: string) => void; role: string | null }) {
  const { t, pick, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [params, setParams] = useSearchParams();
  const show = (["open", "overdue", "all"].includes(params.get("show") ?? "") ? params.get("show") : "open") as Show;
  const store = params.get("store") ?? "";
  const setParam = (k: string, v: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );
  const [rows, setRows] = useState<FollowUp[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // The action being marked done by the person who fixed it: with a note and photos.
  const [completing, setCompleting] = useState<FollowUp | null>(null);

  const load = useCallback(
    () =>
      api
        .followUps({
          today: localToday(),
          status: show === "all" ? ["open", "done", "verified"] : ["open", "done"],
          overdue: show === "overdue",
          store: store.trim() || undefined,
        })
        .then((r) => (setRows([...r].sort(followUpOrder)), setError(null)), (e) => setError(errorText(e))),
    [api, show, store, errorText],
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
      setError(errorText(e));
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
          <select name="show" value={show} onChange={(e) => setParam("show", e.target.value === "open" ? "" : e.target.value)}>
            {(["open", "overdue", "all"] as const).map((s) => (
              <option key={s} value={s}>
                {t(`follow.show.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <UnitPicker dir={dir} label={t("queue.store")} value={store} onChange={(id) => setParam("store", id)} />
      </div>
      {error && <p role="alert">{error}</p>}
      {rows && (
        <p>
          {t("follow.count", { n: rows.length })}
          {late > 0 && <span className="badge danger">{t("follow.overdueCount", { n: late })}</span>}
        </p>
      )}
      {rows && rows.length === 0 && <p>{t("follow.empty")}</p>}
      {completing && (
        <CompleteAction
          api={api}
          doc={completing.doc_id}
          action={completing.action_id}
          onCancel={() => setCompleting(null)}
          onDone={async () => {
            setCompleting(null);
            await api.caughtUp();
            await load();
          }}
        />
      )}
      {rows && rows.length > 0 && (
        <div className="scroll">
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
                <td>
                  <Named id={a.store_id} name={dir.unitName(a.store_id)} />
                </td>
                <td title={a.item_id}>{pick(a.label_zh, a.label_en) ?? a.item_id}</td>
                <td>{a.description}</td>
                <td>
                  <Named id={a.assignee} name={dir.personName(a.assignee)} />
                </td>
                <td className="nowrap">{t(`action.${a.status}` as MessageKey)}</td>
                <td className="row">
                  <Link className="button" to={recordPath(a.doc_id)} onClick={(e) => (e.preventDefault(), open(a.doc_id))}>
                    {t("follow.openAudit")}
                  </Link>
                  {allowedSteps(a, role, api.user()).map((s) => (
                    <button
                      key={s}
                      type="button"
                      disabled={busy === a.action_id}
                      onClick={() => (s === "complete" && !isReviewer(role) ? setCompleting(a) : step(a, s))}
                    >
                      {t(`follow.${s}`)}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
