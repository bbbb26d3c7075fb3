// The review queue: records in the manager's scope, filtered by status,
// store (by name in either language), inspector, template, mode, dates and
// score, sorted and paged; every filter lives in the address, so a filtered
// list can be reloaded, bookmarked and shared.

import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { isReviewer, type Api, type Queue as QueueData, type QueueSort, type Status } from "../api";
import { recordPath } from "../paths";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { ChecklistOptions, Named, UnitPicker, useDirectory } from "./directory";

const STATUSES: Status[] = ["submitted", "resubmitted", "returned", "approved", "partial", "discarded"];
const MODES = ["overt", "mystery", "test_call"] as const;
const PAGE = 50;

/** Local midnight of a `YYYY-MM-DD` date in ms, or of the day after it (`end`). */
function dayMs(date: string, end = false): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d + (end ? 1 : 0)).getTime();
}

/** A column heading that sorts the list by it, saying which way it is sorted. */
function SortHeading({ by, label, sort, setSort }: { by: string; label: string; sort: string; setSort: (s: string) => void }) {
  const [field, dir] = sort.split(":");
  const active = field === by;
  const next = active && dir === "desc" ? `${by}:asc` : `${by}:desc`;
  return (
    <th aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort" onClick={() => setSort(next)}>
        {label} {active ? (dir === "asc" ? "▲" : "▼") : ""}
      </button>
    </th>
  );
}

export function Queue({ api, open }: { api: Api; open: (doc: string) => void }) {
  const { t, number, dateTime, error: errorText } = useI18n();
  const dir = useDirectory(api);
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? "";
  const set = (changes: Record<string, string>) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        // A new filter starts at the first page.
        if (!("page" in changes)) next.delete("page");
        return next;
      },
      { replace: true },
    );
  const [data, setData] = useState<QueueData | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Audits picked for approving together, and how far that has got.
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [approving, setApproving] = useState<{ done: number; total: number } | null>(null);
  const [reload, setReload] = useState(0);
  const reviewer = isReviewer(api.role());

  const status = get("status") as Status | "";
  const page = Math.max(0, Number(get("page")) || 0);
  // No sort asked for: the server's, newest submitted first.
  const sort = get("sort");
  const query = params.toString();
  useEffect(() => {
    let live = true;
    const p = new URLSearchParams(query);
    const v = (k: string) => p.get(k) || undefined;
    const score = (k: string) => (p.get(k) ? Number(p.get(k)) : undefined);
    api
      .queue({
        status: v("status") ? [v("status") as Status] : ["submitted", "resubmitted"],
        store: v("store"),
        inspector: v("inspector"),
        template: v("template"),
        mode: v("mode"),
        from: dayMs(p.get("from") ?? ""),
        to: dayMs(p.get("to") ?? "", true),
        minScore: score("min"),
        maxScore: score("max"),
        sort: v("sort") as QueueSort | undefined,
        offset: (Number(p.get("page")) || 0) * PAGE,
        limit: PAGE,
      })
      .then((q) => live && (setData(q), setError(null), setPicked(new Set())))
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [api, errorText, query, reload]);

  const approvable = (status: string) => status === "submitted" || status === "resubmitted";
  const approveAll = async () => {
    const ids = [...picked];
    setApproving({ done: 0, total: ids.length });
    const failed: string[] = [];
    for (const [i, id] of ids.entries()) {
      try {
        await api.approve(id);
      } catch (e) {
        failed.push(`${id}: ${errorText(e)}`);
      }
      setApproving({ done: i + 1, total: ids.length });
    }
    setApproving(null);
    setError(failed.length ? t("queue.approveFailed", { n: failed.length, first: failed[0] }) : null);
    await api.caughtUp();
    setReload((n) => n + 1);
  };

  const inspectors = dir.users.filter((u) => u.role === "inspector");
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  return (
    <section>
      <h1>{t("queue.title")}</h1>
      <div className="filters">
        <label>
          {t("queue.status")}
          <select name="status" value={status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">{t("queue.toReview")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <UnitPicker dir={dir} label={t("queue.store")} value={get("store")} onChange={(id) => set({ store: id })} />
        <label>
          {t("queue.inspector")}
          {inspectors.length > 0 ? (
            <select name="inspector" value={get("inspector")} onChange={(e) => set({ inspector: e.target.value })}>
              <option value="">{t("filter.any")}</option>
              {inspectors.map((u) => (
                <option key={u.user_id} value={u.user_id}>
                  {u.name || u.user_id}
                </option>
              ))}
            </select>
          ) : (
            <input name="inspector" value={get("inspector")} onChange={(e) => set({ inspector: e.target.value })} />
          )}
        </label>
        <label>
          {t("queue.template")}
          <select name="template" value={get("template")} onChange={(e) => set({ template: e.target.value })}>
            <option value="">{t("filter.any")}</option>
            <ChecklistOptions dir={dir} />
          </select>
        </label>
        <label>
          {t("filter.mode")}
          <select name="mode" value={get("mode")} onChange={(e) => set({ mode: e.target.value })}>
            <option value="">{t("filter.any")}</option>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("filter.from")}
          <input name="from" type="date" value={get("from")} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          {t("filter.to")}
          <input name="to" type="date" value={get("to")} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <label>
          {t("filter.minScore")}
          <input name="min" type="number" min={0} max={100} value={get("min")} onChange={(e) => set({ min: e.target.value })} />
        </label>
        <label>
          {t("filter.maxScore")}
          <input name="max" type="number" min={0} max={100} value={get("max")} onChange={(e) => set({ max: e.target.value })} />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {data && (
        <p>
          {t("queue.total", { n: data.total })}
          {data.total > PAGE && <> · {t("page.of", { page: page + 1, pages })}</>}
        </p>
      )}
      {reviewer && picked.size > 0 && (
        <div className="row bulk">
          <button type="button" className="primary" disabled={approving !== null} onClick={approveAll}>
            {t("queue.approvePicked", { n: picked.size })}
          </button>
          {approving && <span role="status">{t("queue.approving", { done: approving.done, total: approving.total })}</span>}
        </div>
      )}
      {data && data.records.length === 0 ? (
        <p>{t("queue.empty")}</p>
      ) : (
        data && (
          <div className="scroll">
            <table className="queue">
              <thead>
                <tr>
                  {reviewer && (
                    <th>
                      <input
                        type="checkbox"
                        aria-label={t("queue.pickAll")}
                        checked={data.records.some((r) => approvable(r.status)) && data.records.filter((r) => approvable(r.status)).every((r) => picked.has(r.doc_id))}
                        onChange={(e) => setPicked(new Set(e.target.checked ? data.records.filter((r) => approvable(r.status)).map((r) => r.doc_id) : []))}
                      />
                    </th>
                  )}
                  <SortHeading by="store" label={t("queue.store")} sort={sort} setSort={(s) => set({ sort: s })} />
                  <th>{t("queue.template")}</th>
                  <th>{t("queue.inspector")}</th>
                  <SortHeading by="started" label={t("queue.started")} sort={sort} setSort={(s) => set({ sort: s })} />
                  <SortHeading by="score" label={t("queue.score")} sort={sort} setSort={(s) => set({ sort: s })} />
                  <th>{t("queue.status")}</th>
                </tr>
              </thead>
              <tbody>
                {data.records.map((r) => (
                  <tr key={r.doc_id} className="clickable" onClick={() => open(r.doc_id)} data-doc={r.doc_id} data-author={r.author}>
                    {reviewer && (
                      <td onClick={(e) => e.stopPropagation()}>
                        {approvable(r.status) && (
                          <input
                            type="checkbox"
                            aria-label={t("queue.pick", { store: dir.unitName(r.store_id) })}
                            checked={picked.has(r.doc_id)}
                            onChange={(e) => {
                              const next = new Set(picked);
                              if (e.target.checked) next.add(r.doc_id);
                              else next.delete(r.doc_id);
                              setPicked(next);
                            }}
                          />
                        )}
                      </td>
                    )}
                    <td>
                      {/* The row's link: reached with Tab, opened with Enter, or in a new tab. */}
                      <Link to={recordPath(r.doc_id)} title={r.store_id} onClick={(e) => e.stopPropagation()}>
                        {dir.unitName(r.store_id)}
                      </Link>
                    </td>
                    <td>
                      <Named id={r.template_id} name={dir.templateName(r.template_id)} />
                      {r.mode === "mystery" && <span className="badge covert">{t("mode.mystery")}</span>}
                    </td>
                    <td>
                      <Named id={r.author} name={dir.personName(r.author)} />
                    </td>
                    <td className="nowrap">{dateTime(r.started_at, dir.timeZone(r.store_id))}</td>
                    <td>{r.score == null ? "—" : number(r.score)}</td>
                    <td>{t(`status.${r.status}` as MessageKey)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      {data && data.total > PAGE && (
        <nav className="row pager" aria-label={t("page.label")}>
          <button type="button" disabled={page === 0} onClick={() => set({ page: String(page - 1) })}>
            {t("page.previous")}
          </button>
          <span>{t("page.of", { page: page + 1, pages })}</span>
          <button type="button" disabled={page + 1 >= pages} onClick={() => set({ page: String(page + 1) })}>
            {t("page.next")}
          </button>
        </nav>
      )}
    </section>
  );
}
