// Notifications: what needs the user's attention (a returned audit, a new
// or overdue corrective action, one done and waiting to be verified, work
// due today, audits waiting for review), unread first; opening one marks it
// read. The header shows how many are unread.

import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import type { Api, Notification } from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { PATHS, recordPath } from "../paths";
import { useDirectory } from "./directory";
import { localToday } from "./FollowUps";

/** The unread count, asked again every minute and when `changed` says so. */
export function useUnread(api: Api, signedIn: boolean): [number, () => void] {
  const [unread, setUnread] = useState(0);
  const refresh = useCallback(() => {
    if (!signedIn) return;
    api.notifications(localToday()).then((n) => setUnread(n.unread), () => {});
  }, [api, signedIn]);
  useEffect(() => {
    refresh();
    const id = setInterval(refresh, 60_000);
    return () => clearInterval(id);
  }, [refresh]);
  return [unread, refresh];
}

/** Where a notification leads. */
function target(n: Notification): string {
  if (n.kind === "review_waiting") return PATHS.queue;
  if (n.doc_id) return recordPath(n.doc_id);
  return PATHS.followUps;
}

export function Notifications({ api, onRead }: { api: Api; onRead: () => void }) {
  const { t, dateTime, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [list, setList] = useState<Notification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () => api.notifications(localToday()).then((n) => (setList(n.notifications), setError(null)), (e) => setError(errorText(e))),
    [api, errorText],
  );
  useEffect(() => {
    load();
  }, [load]);
  const read = async (ids: string[]) => {
    if (ids.length === 0) return;
    try {
      await api.markRead(ids);
      onRead();
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const unread = list?.filter((n) => !n.read) ?? [];
  const text = (n: Notification) =>
    t(`notify.${n.kind}` as MessageKey, {
      store: n.store_id ? dir.unitName(n.store_id) : "",
      what: n.kind === "assignment_due" && n.text ? dir.templateName(n.text) : (n.text ?? ""),
      n: n.count ?? 0,
    });

  return (
    <section className="notifications">
      <h1>{t("notify.title")}</h1>
      {error && <p role="alert">{error}</p>}
      {unread.length > 0 && (
        <button type="button" onClick={() => read(unread.map((n) => n.id))}>
          {t("notify.allRead")}
        </button>
      )}
      {list && list.length === 0 && <p>{t("notify.none")}</p>}
      <ul className="plain">
        {list?.map((n) => (
          <li key={n.id} className={n.read ? "hint" : "unread"} data-kind={n.kind}>
            {!n.read && <span className="badge danger">{t("notify.new")}</span>}{" "}
            <Link to={target(n)} onClick={() => !n.read && read([n.id])}>
              {text(n)}
            </Link>
            {n.at > 0 && <small> · {dateTime(n.at)}</small>}
          </li>
        ))}
      </ul>
    </section>
  );
}
