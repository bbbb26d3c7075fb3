// One item of a form: the control its answer type needs, its note and its
// photos. Answers are saved as soon as they are given (offline, on the device).

import { useEffect, useRef, useState } from "react";
import { mediaOf, shownAs } from "../api";
import type { FieldApi } from "../api/field";
import type { Bilingual, ItemView, MediaRef } from "../api/types";
import { useI18n } from "../i18n";
import { SignaturePad } from "./SignaturePad";

export type Save = (item: string, value: unknown, note: string | null) => Promise<void>;
export type Attach = (item: string, file: Blob) => Promise<void>;

/**
 * The five-level faces scale, drawn rather than taken from an emoji font:
 * devices (and this CI's X server) lack some of the faces' glyphs.
 */
function Face({ level, title }: { level: number; title: string }) {
  const bend = (level - 3) * 4; // the mouth, from a frown to a broad smile
  const tint = ["#f4c7c3", "#f9dcc4", "#eef0f2", "#d5eede", "#bfe5cd"][level - 1];
  return (
    <svg className="face" viewBox="0 0 40 40" role="img" aria-label={title}>
      <circle cx="20" cy="20" r="17" fill={tint} stroke="currentColor" strokeWidth="2" />
      <circle cx="14" cy="16" r="2.4" fill="currentColor" />
      <circle cx="26" cy="16" r="2.4" fill="currentColor" />
      <path
        d={`M12 ${27 - bend / 2} Q20 ${27 + bend * 1.5} 28 ${27 - bend / 2}`}
        fill="none"
        stroke="currentColor"
        strokeWidth="2.5"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function useText() {
  const { locale } = useI18n();
  return (b: Bilingual | null | undefined) => (b ? (locale === "zh-CN" ? b["zh-CN"] || b.en : b.en || b["zh-CN"]) : "");
}

function Choices({
  options,
  value,
  onPick,
  big,
}: {
  options: { value: unknown; label: React.ReactNode; title?: string }[];
  value: unknown;
  onPick: (v: unknown) => void;
  big?: boolean;
}) {
  return (
    <div className={big ? "choices big" : "choices"} role="group">
      {options.map((o) => (
        <button
          key={String(o.value)}
          type="button"
          title={o.title}
          aria-pressed={JSON.stringify(o.value) === JSON.stringify(value)}
          onClick={() => onPick(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** A date-and-time answer as the record keeps it: UTC, to the second. */
export function dateTimeValue(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function range(min: number, max: number) {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function Timer({ value, onStop }: { value: unknown; onStop: (seconds: number) => void }) {
  const { t } = useI18n();
  const [start, setStart] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (start === null) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [start]);
  const shown = start === null ? (typeof value === "number" ? value : 0) : Math.round((now - start) / 1000);
  return (
    <div className="timer">
      <output aria-label={t("form.seconds")}>{t("form.secondsValue", { n: shown })}</output>
      {start === null ? (
        <button type="button" onClick={() => { setStart(Date.now()); setNow(Date.now()); }}>
          {t("form.timerStart")}
        </button>
      ) : (
        <button type="button" onClick={() => { onStop(Math.round((Date.now() - start) / 1000)); setStart(null); }}>
          {t("form.timerStop")}
        </button>
      )}
    </div>
  );
}

function Thumb({ api, media }: { api: FieldApi; media: MediaRef }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.mediaUrl(media.hash).then((u) => live && setUrl(u)).catch(() => {});
    return () => {
      live = false;
    };
  }, [api, media.hash]);
  if (!url) return <span className="thumb" />;
  const as = shownAs(media.mime);
  if (as === "audio") return <audio controls src={url} />;
  if (as === "video") return <video className="thumb" controls src={url} />;
  if (as === "download") return <span className="thumb file">{media.mime || media.hash.slice(0, 8)}</span>;
  return <img className="thumb" src={url} alt={media.hash.slice(0, 8)} />;
}

/** What the file button takes for an item: the files it accepts, whether
 * the device's camera or microphone opens at once, and its words. */
const FILE_INPUTS = {
  photo: { accept: "image/*", capture: true, label: "form.addPhoto" },
  audio: { accept: "audio/*", capture: true, label: "form.addAudio" },
  video: { accept: "video/*", capture: true, label: "form.addVideo" },
  file: { accept: undefined, capture: false, label: "form.addFile" },
} as const;

function toLocalInput(v: unknown, kind: "date" | "time" | "date_time") {
  if (typeof v !== "string") return "";
  if (kind !== "date_time") return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "";
  const off = d.getTimezoneOffset() * 60000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

export function Item({
  api,
  item,
  editable,
  save,
  attach,
  problem,
  big,
  evidence: takesEvidence,
}: {
  api: FieldApi;
  item: ItemView;
  editable: boolean;
  save: Save;
  attach: Attach;
  problem?: string;
  big?: boolean;
  /** Whether answers take photos as evidence (audits do, surveys do not). */
  evidence?: boolean;
}) {
  const { t } = useI18n();
  const text = useText();
  const [note, setNote] = useState(item.note ?? "");
  const [draft, setDraft] = useState(item.value === null ? "" : String(item.value));
  const photo = useRef<HTMLInputElement>(null);
  useEffect(() => setNote(item.note ?? ""), [item.note]);
  useEffect(() => setDraft(item.value === null ? "" : String(item.value)), [item.value]);

  const set = (v: unknown) => save(item.id, v, note || null);
  const na = item.allow_na ? [{ value: "na", label: t("form.na") }] : [];
  const input = item.input;
  const pick = (options: { value: unknown; label: React.ReactNode; title?: string }[], large = big) => (
    <Choices value={item.value} onPick={set} big={large} options={[...options, ...na]} />
  );
  const numbers = (min: number, max: number) => range(min, max).map((x) => ({ value: x, label: String(x) }));
  const ends = (low: string, high: string) => (
    <p className="scale-ends">
      <span>{low}</span>
      <span>{high}</span>
    </p>
  );
  let control: React.ReactNode = null;
  switch (input.type) {
    case "pass_fail":
      control = pick([
        { value: "pass", label: t("form.pass") },
        { value: "fail", label: t("form.fail") },
      ]);
      break;
    case "partial":
      control = pick([0, 0.5, 1].map((x) => ({ value: x, label: `${x * 100}%` })));
      break;
    case "scale":
      if (input.max - input.min <= 10)
        control = (
          <>
            {pick(numbers(input.min, input.max))}
            {(input.min_label || input.max_label) && ends(text(input.min_label), text(input.max_label))}
          </>
        );
      break;
    case "touchpoint":
      control = pick(
        [1, 2, 3, 4, 5].map((level) => {
          const title = t(`face.${level}` as "face.1");
          return { value: level, label: <Face level={level} title={title} />, title };
        }),
        true,
      );
      break;
    case "recommend":
      control = (
        <>
          {pick(numbers(0, 10))}
          {ends(t("form.recommendLow"), t("form.recommendHigh"))}
        </>
      );
      break;
    case "single_choice":
      control = pick(input.choices.map((c) => ({ value: c.value, label: text(c.label) })));
      break;
    case "multiple_choice": {
      const chosen = Array.isArray(item.value) ? (item.value as string[]) : [];
      control = (
        <div className="choices" role="group">
          {input.choices.map((c) => (
            <label key={c.value} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(c.value)}
                disabled={!editable}
                onChange={(e) =>
                  set(e.target.checked ? [...chosen, c.value] : chosen.filter((x) => x !== c.value))
                }
              />
              {text(c.label)}
            </label>
          ))}
        </div>
      );
      break;
    }
    case "duration":
      control = <Timer value={item.value} onStop={(s) => set(s)} />;
      break;
    case "location":
      control = (
        <button
          type="button"
          onClick={() =>
            navigator.geolocation?.getCurrentPosition(
              (p) => set({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
              () => alert(t("form.noLocation")),
            )
          }
        >
          {t("form.useLocation")}
        </button>
      );
      break;
    default:
      // Photos and signatures take files below; notes take nothing; the
      // free-form types follow.
      break;
  }  // A choice filter that leaves nothing to choose, given the answers so far.
  if ("choices" in input && input.choices.length === 0) control = <p className="hint">{t("form.noChoices")}</p>;

  // Free-form values: typed, saved when the field is left.
  const freeKind =
    input.type === "number" || (input.type === "scale" && input.max - input.min > 10)
      ? "number"
      : input.type === "date"
        ? "date"
        : input.type === "time"
          ? "time"
          : input.type === "date_time"
            ? "datetime-local"
            : input.type === "text"
              ? "text"
              : null;
  if (freeKind) {
    const commit = () => {
      if (draft === "") return item.value === null ? undefined : set(null);
      if (freeKind === "number") return set(Number(draft));
      if (freeKind === "datetime-local") return set(dateTimeValue(new Date(draft).getTime()));
      return set(draft);
    };
    const shown = freeKind === "datetime-local" ? toLocalInput(item.value, "date_time") : draft;
    control =
      freeKind === "text" ? (
        <textarea value={draft} disabled={!editable} onChange={(e) => setDraft(e.target.value)} onBlur={commit} />
      ) : (
        <input
          type={freeKind}
          inputMode={freeKind === "number" ? "decimal" : undefined}
          value={freeKind === "datetime-local" ? shown : draft}
          disabled={!editable}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => e.key === "Enter" && commit()}
        />
      );
    if (input.type === "number" && input.unit) control = <span className="with-unit">{control} {input.unit}</span>;
  }

  const evidence = mediaOf(item);
  // The item's own files (a photo, a recording), or photos as evidence of
  // an answer.
  const files =
    input.type === "photo" || input.type === "audio" || input.type === "video" || input.type === "file"
      ? FILE_INPUTS[input.type]
      : takesEvidence && input.type !== "note" && input.type !== "signature" && item.value !== null
        ? FILE_INPUTS.photo
        : null;

  return (
    <fieldset
      className={["item", item.failed ? "failed" : "", problem ? "problem" : "", item.critical ? "critical" : ""].join(" ")}
      disabled={!editable}
      data-item={item.id}
      data-type={input.type}
      data-required={item.required}
      data-answered={item.value !== null}
    >
      <legend>
        {text(item.label)}
        {item.required && <abbr title={t("form.required")}> *</abbr>}
        {item.critical && <span className="badge danger">{t("form.critical")}</span>}
      </legend>
      {item.hint && <p className="hint">{text(item.hint)}</p>}
      {control}
      {input.type === "signature" && editable && <SignaturePad onDone={(png) => attach(item.id, png)} />}
      {item.constraint_broken && (
        <p className="warn" role="alert">
          {text(item.constraint_message) || t("form.constraint")}
        </p>
      )}
      {problem && <p className="warn" role="alert">{problem}</p>}
      {evidence.length > 0 && (
        <div className="thumbs">
          {evidence.map((m) => (
            <Thumb key={m.hash} api={api} media={m} />
          ))}
        </div>
      )}
      {editable && files && (
        <label className="photo">
          {t(files.label)}
          <input
            ref={photo}
            type="file"
            accept={files.accept}
            capture={files.capture ? "environment" : undefined}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) await attach(item.id, file);
              if (photo.current) photo.current.value = "";
            }}
          />
        </label>
      )}
      {input.type !== "note" && item.value !== null && (
        <label className="note">
          {t("form.note")}
          <input value={note} onChange={(e) => setNote(e.target.value)} onBlur={() => note !== (item.note ?? "") && set(item.value)} />
        </label>
      )}
    </fieldset>
  );
}
