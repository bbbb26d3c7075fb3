// Administration: templates (check a file or an XLSForm, see every problem,
// publish), users, stores and the rest of the hierarchy (import a table),
// and assignments. Administrators see every tab, managers the assignments.

import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import {
  ApiError,
  latestVersions,
  type Api,
  type Assignment,
  type Enrolment,
  type FileProblem,
  type FormSettings,
  type NewUser,
  type Published,
  type User,
  type Work,
} from "../api";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/messages";
import { Schedule } from "./Schedule";

type Tab = "templates" | "users" | "units" | "assignments" | "schedule";
const ROLES = ["inspector", "surveyor", "manager", "store_staff", "admin"];

/** A failure with, for a file, every problem by row and column. */
export function Problems({ error }: { error: unknown }) {
  const { t, server, error: errorText } = useI18n();
  if (!error) return null;
  const problems = error instanceof ApiError ? error.problems : [];
  const said = (p: FileProblem) => server({ key: p.key, params: p.params, text: p.message });
  return (
    <div role="alert" className="problems">
      <p>{problems.length ? t("admin.problems", { n: problems.length }) : errorText(error)}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i}>
              {p.row > 0 && <strong>{t("admin.row", { row: p.row })}</strong>} {p.column && <code>{p.column}</code>} {said(p)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A tab's list, loaded when shown and again after each change. */
function useList<T>(load: () => Promise<T[]>, onError: (e: unknown) => void) {
  const [list, setList] = useState<T[]>([]);
  const reload = useCallback(() => load().then(setList, onError), [load, onError]);
  useEffect(() => {
    reload();
  }, [reload]);
  return [list, reload] as const;
}

/**
 * The row of a list being edited, and a change to one: written, said, the
 * editing closed and the list read again; a failure is shown instead.
 */
function useRowEdit(load: () => Promise<unknown>, setError: (e: unknown) => void) {
  const [editing, setEditing] = useState<string | null>(null);
  const write = async (change: () => Promise<void>, said: () => void) => {
    setError(null);
    try {
      await change();
      said();
      setEditing(null);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return { editing, setEditing, write };
}

/** A submitted form's fields, trimmed. */
function fieldsOf(e: FormEvent<HTMLFormElement>) {
  e.preventDefault();
  const f = new FormData(e.currentTarget);
  return (name: string) => String(f.get(name) ?? "").trim();
}

function Templates({ api }: { api: Api }) {
  const { t, pick, dateTime, server } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<Published | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [list, load] = useList(useCallback(() => api.templates(), [api]), setError);
  // For an XLSForm whose settings sheet lacks them.
  const [given, setGiven] = useState<FormSettings>({});
  const xlsform = file?.name.toLowerCase().endsWith(".xlsx") ?? false;

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.publishTemplate(file, dryRun, xlsform ? given : {});
      setChecked(r);
      if (!dryRun) await load();
    } catch (e) {
      setChecked(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div className="row upload">
        <label>
          {t("admin.templateFile")}
          <input
            type="file"
            name="template"
            accept=".toml,.json,.xlsx"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setChecked(null);
              setError(null);
            }}
          />
        </label>
        {xlsform &&
          (
            [
              ["channel", ["owned_hall", "partner_store", "hotline", "club", "echannel"]],
              ["kind", ["checklist", "questionnaire"]],
              ["mode", ["overt", "mystery", "test_call", "echannel", "intercept"]],
            ] as const
          ).map(([k, values]) => (
            <label key={k}>
              {t(`admin.form.${k}`)}
              <select name={`form_${k}`} value={given[k] ?? ""} onChange={(e) => setGiven({ ...given, [k]: e.target.value || undefined })}>
                <option value="">{t("admin.form.asSettings")}</option>
                {values.map((v) => (
                  <option key={v} value={v}>
                    {t(`${k === "kind" ? "kind" : k}.${v}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          ))}
        <button type="button" disabled={!file || busy} onClick={() => run(true)}>
          {t("admin.check")}
        </button>
      </div>
      <Problems error={error} />
      {checked && (
        <div className="card" role="status">
          <p>
            <strong>{pick(checked.title_zh, checked.title_en)}</strong> · {checked.template_id} ·{" "}
            {t("admin.templateSize", { sections: checked.sections, items: checked.items })}
          </p>
          <p className="hint">
            {t("admin.version")} {checked.version.slice(0, 12)} · {checked.new ? t("admin.newVersion") : t("admin.sameVersion")}
          </p>
          {checked.warnings.length > 0 && (
            <ul>
              {checked.warnings.map((w, i) => (
                <li key={i}>{server(w)}</li>
              ))}
            </ul>
          )}
          {checked.published ? (
            <p>{t("admin.published")}</p>
          ) : (
            <button type="button" className="primary" disabled={busy || !checked.new} onClick={() => run(false)}>
              {t("admin.publish")}
            </button>
          )}
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>{t("admin.template")}</th>
            <th>{t("admin.kind")}</th>
            <th>{t("admin.version")}</th>
            <th>{t("admin.publishedAt")}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((x) => (
            <tr key={`${x.template_id}/${x.version}`} data-template={x.template_id}>
              <td>
                {pick(x.title_zh, x.title_en)} <span className="hint">{x.template_id}</span>
              </td>
              <td>{t(`kind.${x.kind}` as MessageKey)}</td>
              <td>
                <code>{x.version.slice(0, 12)}</code>
              </td>
              <td>{dateTime(x.published_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A new enrolment, shown once: QR code, link and code. */
function EnrolmentCard({ e }: { e: Enrolment }) {
  const { t, locale } = useI18n();
  const until = new Date(e.expires_at).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  return (
    <section className="enrolment" aria-label={t("admin.enrolFor", { user: e.user_id })} role="status">
      <h3>{t("admin.enrolFor", { user: e.user_id })}</h3>
      <p className="hint">{t("admin.enrolScan")}</p>
      <img alt={t("admin.enrolQr")} width={240} height={240} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(e.qr_svg)}`} />
      <dl>
        <dt>{t("admin.enrolCode")}</dt>
        <dd>
          <code className="code">{e.code}</code>
        </dd>
        <dt>{t("admin.enrolServer")}</dt>
        <dd>
          <code>{e.server}</code>
        </dd>
        <dt>{t("admin.enrolLink")}</dt>
        <dd>
          <code className="link">{e.link}</code>
        </dd>
      </dl>
      <p>{t("admin.enrolUntil", { time: until })}</p>
    </section>
  );
}

/** A password for a reset, shown once: 14 letters and digits, none easily confused. */
export function newPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Save and Cancel, in the last cell of a row being edited. */
function SaveCancel({ onSave, onCancel }: { onSave: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <td className="row">
      <button type="button" className="primary" onClick={onSave}>
        {t("admin.save")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("detail.cancel")}
      </button>
    </td>
  );
}

/** A user's row being edited: name, role, scope and e-mail address. */
function UserEditor({ user, onSave, onCancel }: { user: User; onSave: (p: Parameters<Api["updateUser"]>[1]) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState(user.role);
  const [scope, setScope] = useState(user.scope);
  const [email, setEmail] = useState(user.email);
  return (
    <tr data-user={user.user_id} className="editing">
      <td>{user.user_id}</td>
      <td>
        <input aria-label={t("admin.name")} value={name} onChange={(e) => setName(e.target.value)} />
      </td>
      <td>
        <select aria-label={t("admin.role")} value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input aria-label={t("admin.scope")} value={scope} onChange={(e) => setScope(e.target.value)} />
      </td>
      <td>
        <input aria-label={t("admin.email")} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      </td>
      <td />
      <SaveCancel
        onCancel={onCancel}
        onSave={() =>
          onSave({
            ...(name.trim() !== user.name ? { name: name.trim() } : {}),
            ...(role !== user.role ? { role: role as NewUser["role"] } : {}),
            ...(scope.trim() !== user.scope ? { scope: scope.trim() } : {}),
            ...(email.trim() !== user.email ? { email: email.trim() } : {}),
          })
        }
      />
    </tr>
  );
}

function Users({ api }: { api: Api }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [made, setMade] = useState<string | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const enrol = async (user: string) => {
    setError(null);
    setEnrolment(null);
    try {
      setEnrolment(await api.enrol(user));
    } catch (err) {
      setError(err);
    }
  };
  const [list, load] = useList(useCallback(() => api.users(true), [api]), setError);
  const { editing, setEditing, write } = useRowEdit(load, setError);
  const change = (u: User, patch: Parameters<Api["updateUser"]>[1], said: string) => {
    setMade(null);
    return write(() => api.updateUser(u.user_id, patch), () => setMade(said));
  };

  const add = async (e: FormEvent<HTMLFormElement>) => {
    const get = fieldsOf(e);
    const form = e.currentTarget;
    setError(null);
    try {
      const password = await api.createUser({
        user_id: get("user_id"),
        name: get("name") || undefined,
        // The select offers only roles; the server checks it all the same.
        role: get("role") as NewUser["role"],
        scope: get("scope"),
        password: get("password") || undefined,
        email: get("email") || undefined,
      });
      setMade(password ? t("admin.userMadeWithPassword", { user: get("user_id"), password }) : t("admin.userMade", { user: get("user_id") }));
      form.reset();
      await load();
    } catch (err) {
      setMade(null);
      setError(err);
    }
  };

  return (
    <section>
      <form className="filters" onSubmit={add} aria-label={t("admin.addUser")}>
        <label>
          {t("login.username")}
          <input name="user_id" required />
        </label>
        <label>
          {t("admin.name")}
          <input name="name" />
        </label>
        <label>
          {t("admin.role")}
          <select name="role" defaultValue="inspector">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.scope")}
          <input name="scope" required placeholder="sc/cd" />
        </label>
        <label>
          {t("login.password")}
          <input name="password" type="password" placeholder={t("admin.passwordOptional")} />
        </label>
        <label>
          {t("admin.email")}
          <input name="email" type="email" placeholder={t("admin.emailOptional")} />
        </label>
        <button type="submit" className="primary">
          {t("admin.addUser")}
        </button>
      </form>
      {made && <p role="status">{made}</p>}
      <Problems error={error} />
      {enrolment && <EnrolmentCard e={enrolment} />}
      <table>
        <thead>
          <tr>
            <th>{t("login.username")}</th>
            <th>{t("admin.name")}</th>
            <th>{t("admin.role")}</th>
            <th>{t("admin.scope")}</th>
            <th>{t("admin.email")}</th>
            <th>{t("queue.status")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((u) =>
            editing === u.user_id ? (
              <UserEditor key={u.user_id} user={u} onCancel={() => setEditing(null)} onSave={(patch) => change(u, patch, t("admin.userSaved", { user: u.user_id }))} />
            ) : (
              <tr key={u.user_id} data-user={u.user_id} className={u.disabled ? "hint" : ""}>
                <td>{u.user_id}</td>
                <td>{u.name}</td>
                <td>{t(`role.${u.role}` as MessageKey)}</td>
                <td>{u.scope}</td>
                <td>{u.email}</td>
                <td>{u.disabled ? t("admin.disabled") : t("admin.active")}</td>
                <td className="row">
                  <button type="button" onClick={() => setEditing(u.user_id)}>
                    {t("admin.edit")}
                  </button>
                  <button type="button" onClick={() => change(u, { disabled: !u.disabled }, t(u.disabled ? "admin.userEnabled" : "admin.userDisabled", { user: u.user_id }))}>
                    {u.disabled ? t("admin.enable") : t("admin.disable")}
                  </button>
                  {!u.disabled && (
                    <button
                      type="button"
                      onClick={() => {
                        const password = newPassword();
                        change(u, { password }, t("admin.passwordReset", { user: u.user_id, password }));
                      }}
                    >
                      {t("admin.resetPassword")}
                    </button>
                  )}
                  {!u.disabled && (u.role === "inspector" || u.role === "surveyor") && (
                    <button type="button" onClick={() => enrol(u.user_id)}>
                      {t("admin.enrol")}
                    </button>
                  )}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}

function Units({ api }: { api: Api }) {
  const { t, pick } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const [list, load] = useList(useCallback(() => api.units(), [api]), setError);

  return (
    <section>
      <div className="row upload">
        <label>
          {t("admin.unitFile")}
          <input
            type="file"
            name="units"
            accept=".csv,.xlsx"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setError(null);
              setDone(null);
              try {
                setDone(await api.importUnits(file));
                await load();
              } catch (err) {
                setError(err);
              }
            }}
          />
        </label>
      </div>
      <p className="hint">{t("admin.unitColumns")}</p>
      {done !== null && <p role="status">{t("admin.unitsImported", { n: done })}</p>}
      <Problems error={error} />
      <table>
        <thead>
          <tr>
            <th>ID</th>
            <th>{t("admin.unitName")}</th>
            <th>{t("admin.level")}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <tr key={u.id} data-unit={u.id}>
              <td>
                <code>{u.id}</code>
              </td>
              <td>{pick(u.name_zh, u.name_en)}</td>
              <td>{t(`level.${u.level}` as MessageKey)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** An assignment's row being edited: its period, visits and note. */
function AssignmentEditor({ a, onSave, onCancel }: { a: Assignment; onSave: (p: Parameters<Api["updateAssignment"]>[1]) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [startsOn, setStartsOn] = useState(a.starts_on);
  const [endsOn, setEndsOn] = useState(a.ends_on);
  const [visits, setVisits] = useState(String(a.visits ?? 1));
  const [note, setNote] = useState(a.note);
  return (
    <tr data-assignment={a.id} className="editing">
      <td>{a.assignee}</td>
      <td colSpan={3}>
        <input aria-label={t("admin.note")} value={note} onChange={(e) => setNote(e.target.value)} />
      </td>
      <td>
        <input aria-label={t("admin.startsOn")} type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} />
        <input aria-label={t("admin.endsOn")} type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} />
      </td>
      <td>
        <input aria-label={t("admin.visits")} type="number" min={1} value={visits} onChange={(e) => setVisits(e.target.value)} />
      </td>
      <SaveCancel onCancel={onCancel} onSave={() => onSave({ starts_on: startsOn, ends_on: endsOn, visits: Number(visits) || 1, note })} />
    </tr>
  );
}

function Assignments({ api }: { api: Api }) {
  const { t, pick } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [made, setMade] = useState(false);
  const [list, load] = useList(useCallback(() => api.assignments(), [api]), setError);
  const [templates] = useList(useCallback(async () => latestVersions(await api.templates()), [api]), setError);
  const { editing, setEditing, write } = useRowEdit(load, setError);
  const [changed, setChanged] = useState<MessageKey | null>(null);
  const change = (a: Assignment, patch: Parameters<Api["updateAssignment"]>[1], said: MessageKey) => {
    setMade(false);
    return write(() => api.updateAssignment(a.id, patch), () => setChanged(said));
  };

  const add = async (e: FormEvent<HTMLFormElement>) => {
    const get = fieldsOf(e);
    setError(null);
    setMade(false);
    try {
      await api.assign({
        assignee: get("assignee"),
        template_id: get("template_id"),
        mode: get("mode") as Work["mode"],
        unit_id: get("unit_id"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        visits: Number(get("visits") || 1),
        daily_quota: get("daily_quota") ? Number(get("daily_quota")) : null,
        note: get("note"),
      });
      setMade(true);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const title = (id: string) => {
    const x = templates.find((y) => y.template_id === id);
    return x ? pick(x.title_zh, x.title_en) : id;
  };

  return (
    <section>
      <form className="filters" onSubmit={add} aria-label={t("admin.assign")}>
        <label>
          {t("admin.assignee")}
          <input name="assignee" required />
        </label>
        <label>
          {t("admin.template")}
          <select name="template_id">
            {templates.map((x) => (
              <option key={x.template_id} value={x.template_id}>
                {title(x.template_id)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.mode")}
          <select name="mode" defaultValue="overt">
            {["overt", "mystery", "test_call", "echannel", "intercept"].map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.unit")}
          <input name="unit_id" required placeholder="sc/cd/gx" />
        </label>
        <label>
          {t("admin.startsOn")}
          <input name="starts_on" type="date" required />
        </label>
        <label>
          {t("admin.endsOn")}
          <input name="ends_on" type="date" required />
        </label>
        <label>
          {t("admin.visits")}
          <input name="visits" type="number" min={1} defaultValue={1} />
        </label>
        <label>
          {t("admin.quota")}
          <input name="daily_quota" type="number" min={1} />
        </label>
        <label>
          {t("admin.note")}
          <input name="note" />
        </label>
        <button type="submit" className="primary">
          {t("admin.assign")}
        </button>
      </form>
      {made && <p role="status">{t("admin.assigned")}</p>}
      {changed && !made && <p role="status">{t(changed)}</p>}
      <Problems error={error} />
      <table>
        <thead>
          <tr>
            <th>{t("admin.assignee")}</th>
            <th>{t("admin.template")}</th>
            <th>{t("admin.mode")}</th>
            <th>{t("admin.unit")}</th>
            <th>{t("admin.period")}</th>
            <th>{t("admin.visits")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((a) =>
            editing === a.id ? (
              <AssignmentEditor key={a.id} a={a} onCancel={() => setEditing(null)} onSave={(patch) => change(a, patch, "admin.assignmentSaved")} />
            ) : (
              <tr key={a.id} data-assignment={a.id} className={a.cancelled ? "hint" : ""}>
                <td>{a.assignee}</td>
                <td>{title(a.template_id)}</td>
                <td>{t(`mode.${a.mode}` as MessageKey)}</td>
                <td>{a.unit_id}</td>
                <td>
                  {a.starts_on} – {a.ends_on}
                  {a.cancelled && <span className="badge">{t("admin.cancelled")}</span>}
                </td>
                <td>{a.daily_quota ? t("admin.perDay", { n: a.daily_quota }) : (a.visits ?? 1)}</td>
                <td className="row">
                  {!a.cancelled && (
                    <>
                      <button type="button" onClick={() => setEditing(a.id)}>
                        {t("admin.edit")}
                      </button>
                      <button type="button" onClick={() => change(a, { cancelled: true }, "admin.assignmentCancelled")}>
                        {t("admin.cancelAssignment")}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}

export function Admin({ api, role }: { api: Api; role: string | null }) {
  const { t } = useI18n();
  const tabs: Tab[] = role === "admin" ? ["templates", "users", "units", "assignments", "schedule"] : ["assignments", "schedule"];
  // The tab is part of the address, so reload and Back keep it.
  const [params, setParams] = useSearchParams();
  const asked = params.get("tab") as Tab | null;
  const tab = asked && tabs.includes(asked) ? asked : tabs[0];
  const setTab = (x: Tab) => setParams({ tab: x });
  return (
    <section className="admin">
      <h1>{t("nav.admin")}</h1>
      <nav className="row" role="tablist">
        {tabs.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} onClick={() => setTab(x)}>
            {t(`admin.${x}`)}
          </button>
        ))}
      </nav>
      {tab === "templates" && <Templates api={api} />}
      {tab === "users" && <Users api={api} />}
      {tab === "units" && <Units api={api} />}
      {tab === "assignments" && <Assignments api={api} />}
      {tab === "schedule" && <Schedule api={api} />}
    </section>
  );
}
