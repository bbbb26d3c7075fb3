// The inspector's or surveyor's start page: assignments with their stores
// and progress, a store search, and my records (returned ones first),
// filtered by status and period: the last 30 days and whatever is still
// open at first.

import { useEffect, useState } from "react";
import type { FieldApi } from "../api/field";
import type { AssignmentView, Home as HomeData, StoreView } from "../api/types";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { useText } from "./Item";

export type Open =
  | { page: "form"; doc: string; store: string }
  | { page: "intercept"; assignment: AssignmentView; store: StoreView };

type Shown = "recent" | "open" | "sent" | "all";

/** Whether "My records" shows a record: open work always, the rest by age and status. */
export function showRecord(r: { status: string; started_at: number }, shown: Shown, now = Date.now()): boolean {
  const open = r.status === "draft" || r.status === "returned";
  switch (shown) {
    case "open":
      return open;
    case "sent":
      return !open;
    case "recent":
      return open || now - r.started_at <= 30 * 864e5;
    case "all":
      return true;
  }
}

export function Home({ api, open }: { api: FieldApi; open: (o: Open) => void }) {
  const { t, number, dateTime } = useI18n();
  const [shown, setShown] = useState<Shown>("recent");
  const text = useText();
  const [home, setHome] = useState<HomeData | null>(null);
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () => api.home().then((h) => live && setHome(h), (e) => live && setError(e.message));
    load();
    // New assignments and reviews arrive by sync while the page is open.
    const id = setInterval(load, 3000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [api]);

  if (!home) return error ? <p role="alert">{error}</p> : <p aria-busy="true" />;
  const start = async (a: AssignmentView, s: StoreView) => {
    if (a.mode === "intercept") return open({ page: "intercept", assignment: a, store: s });
    try {
      const f = await api.startRecord(a.template_id, s.id);
      open({ page: "form", doc: f.doc_id, store: text(s.name) });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const q = query.trim().toLowerCase();
  const matches = (s: StoreView) =>
    !q || s.id.toLowerCase().includes(q) || s.name["zh-CN"].includes(query.trim()) || s.name.en.toLowerCase().includes(q);
  const order = { returned: 0, draft: 1, submitted: 2, resubmitted: 2, approved: 3, partial: 3 } as Record<string, number>;
  const records = home.records.filter((r) => showRecord(r, shown)).sort((a, b) => (order[a.status] ?? 9) - (order[b.status] ?? 9) || b.updated_at - a.updated_at);

  // What needs the inspector now, from what the device holds (offline too):
  // audits returned for changes and work whose last day is today.
  const pad = (n: number) => String(n).padStart(2, "0");
  const now = new Date();
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const returned = home.records.filter((r) => r.status === "returned").length;
  const dueToday = home.assignments.filter((a) => a.ends_on === today && a.daily_quota === null && a.done < a.visits * a.stores.length).length;

  return (
    <div className="home">
      {error && <p role="alert">{error}</p>}
      {(returned > 0 || dueToday > 0) && (
        <div className="card notice" role="status" aria-label={t("notify.title")}>
          {returned > 0 && <p>{t("home.notice.returned", { n: returned })}</p>}
          {dueToday > 0 && <p>{t("home.notice.due", { n: dueToday })}</p>}
        </div>
      )}
      <section aria-labelledby="assignments">
        <h1 id="assignments">{t("home.assignments")}</h1>
        <input
          type="search"
          className="search"
          placeholder={t("home.searchStores")}
          aria-label={t("home.searchStores")}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {home.assignments.length === 0 && <p>{t("home.noAssignments")}</p>}
        {home.assignments.map((a) => (
          <div key={a.id} className="card assignment">
            <h2>
              {text(a.title)}{" "}
              <span className={`badge ${a.mode === "mystery" ? "covert" : ""}`}>{t(`mode.${a.mode}` as MessageKey)}</span>
            </h2>
            <p>
              {text(a.unit.name)} · {t("home.period", { from: a.starts_on, to: a.ends_on })}
            </p>
            <p>
              {a.daily_quota !== null
                ? t("home.quota", { n: a.today, quota: a.daily_quota })
                : t("home.visits", { n: a.done, total: a.visits * a.stores.length })}
            </p>
            {a.note && <p className="hint">{a.note}</p>}
            <ul className="stores">
              {a.stores.filter(matches).map((s) => (
                <li key={s.id}>
                  <button type="button" className="store" onClick={() => start(a, s)}>
                    <span>{text(s.name)}</span>
                    <small>{s.address ?? s.id}</small>
                    <span className="go">{a.mode === "intercept" ? t("home.interviews") : t("home.start")}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
      <section aria-labelledby="records">
        <h1 id="records">{t("home.records")}</h1>
        <div className="row" role="group" aria-label={t("home.recordsShown")}>
          {(["recent", "open", "sent", "all"] as const).map((x) => (
            <button key={x} type="button" aria-pressed={shown === x} onClick={() => setShown(x)}>
              {t(`home.shown.${x}`)}
            </button>
          ))}
        </div>
        {records.length === 0 && <p>{t("home.noRecords")}</p>}
        <ul className="records">
          {records.map((r) => (
            <li key={r.doc_id}>
              <button type="button" className="record" onClick={() => open({ page: "form", doc: r.doc_id, store: text(r.store.name) })}>
                <span>
                  {text(r.title)} · {text(r.store.name)}
                </span>
                <small>{dateTime(r.started_at)}</small>
                <span className={`badge ${r.status}`}>{t(`status.${r.status}` as MessageKey)}</span>
                {r.comments > 0 && <span className="badge">{t("home.comments", { n: r.comments })}</span>}
                {r.score !== null && <span>{number(r.score)}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
