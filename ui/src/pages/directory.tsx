// Names for ids: stores and other units, templates and people, as the
// console shows them (the id on hover), loaded once per session and shared
// by every page. People's names come from the user list, which managers and
// administrators may read; others see ids.

import { useEffect, useMemo, useState } from "react";
import { latestVersions, type Api, type TemplateInfo, type Unit, type User } from "../api";
import { useI18n } from "../i18n";

interface Lists {
  units: Unit[];
  templates: TemplateInfo[];
  users: User[];
}

const loaded = new WeakMap<Api, Promise<Lists>>();

function lists(api: Api): Promise<Lists> {
  let p = loaded.get(api);
  if (!p) {
    const or = <T,>(q: Promise<T[]>) => q.catch(() => [] as T[]);
    p = Promise.all([or(api.units()), or(api.templates()), or(api.users())]).then(([units, templates, users]) => ({
      units,
      templates: latestVersions(templates),
      users,
    }));
    loaded.set(api, p);
  }
  return p;
}

export interface Directory extends Lists {
  unitName: (id: string) => string;
  templateName: (id: string) => string;
  personName: (id: string) => string;
  /** The time zone of a store (or of the nearest unit above it that has one). */
  timeZone: (id: string) => string | undefined;
  /** Units whose name (either language) or id holds `text`, the highest in the hierarchy first. */
  findUnits: (text: string) => Unit[];
}

const LEVELS = ["province", "city", "district", "store"];

export function useDirectory(api: Api): Directory {
  const { pick } = useI18n();
  const [l, setL] = useState<Lists>({ units: [], templates: [], users: [] });
  useEffect(() => {
    let live = true;
    lists(api).then((x) => live && setL(x));
    return () => {
      live = false;
    };
  }, [api]);
  return useMemo(() => {
    const units = new Map(l.units.map((u) => [u.id, u]));
    const templates = new Map(l.templates.map((t) => [t.template_id, t]));
    const users = new Map(l.users.map((u) => [u.user_id, u]));
    return {
      ...l,
      unitName: (id) => {
        const u = units.get(id);
        return u ? pick(u.name_zh, u.name_en || u.name_zh) : id;
      },
      templateName: (id) => {
        const t = templates.get(id);
        return t ? pick(t.title_zh, t.title_en) : id;
      },
      personName: (id) => users.get(id)?.name || id,
      timeZone: (id) => units.get(id)?.time_zone,
      findUnits: (text) => {
        const q = text.trim().toLowerCase();
        if (!q) return [];
        return l.units
          .filter((u) => u.id.toLowerCase().startsWith(q) || u.name_zh.toLowerCase().includes(q) || u.name_en.toLowerCase().includes(q))
          .sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || a.id.localeCompare(b.id));
      },
    };
  }, [l, pick]);
}

/** The newest version of each checklist, as options of a select, by name. */
export function ChecklistOptions({ dir }: { dir: Directory }) {
  return (
    <>
      {dir.templates
        .filter((x) => x.kind === "checklist")
        .map((x) => (
          <option key={x.template_id} value={x.template_id}>
            {dir.templateName(x.template_id)}
          </option>
        ))}
    </>
  );
}

/** A name with its id on hover. */
export function Named({ id, name }: { id: string; name: string }) {
  return <span title={id}>{name}</span>;
}

/**
 * Picks a unit by typing part of its name in either language or its id:
 * suggestions as a list, the unit chosen shown by name. `value` is a unit id.
 */
export function UnitPicker({ dir, value, onChange, label }: { dir: Directory; value: string; onChange: (id: string) => void; label: string }) {
  const { t } = useI18n();
  const [text, setText] = useState(value ? dir.unitName(value) : "");
  useEffect(() => setText(value ? dir.unitName(value) : ""), [value, dir]);
  const matches = dir.findUnits(text).slice(0, 30);
  const listId = `units-${label.replace(/\W/g, "")}`;
  return (
    <label>
      {label}
      <input
        name="store"
        list={listId}
        value={text}
        placeholder={t("filter.unitHint")}
        onChange={(e) => {
          const v = e.target.value;
          setText(v);
          if (!v.trim()) return onChange("");
          // An exact name or id, else the highest unit that matches.
          const exact = dir.units.find((u) => u.id === v || u.name_zh === v || u.name_en === v);
          const found = exact ?? dir.findUnits(v)[0];
          // Nothing by that name: the text as an id prefix, which the list then shows is empty.
          onChange(found ? found.id : v.trim());
        }}
      />
      <datalist id={listId}>
        {matches.map((u) => (
          <option key={u.id} value={dir.unitName(u.id)}>
            {u.id}
          </option>
        ))}
      </datalist>
      {value && text && dir.unitName(value) !== text && <small className="hint">= {dir.unitName(value)}</small>}
    </label>
  );
}
