// Closing a corrective action as the person who fixed it: what was done,
// in a note, and photos of the fix as evidence, which the manager sees when
// verifying it. The photos go up after the action names them (the server
// takes a file only for a record that references it).

import { useState, type FormEvent } from "react";
import type { Api } from "../api";
import { useI18n } from "../i18n";

/** The most photos one completion carries (as the record's rules allow). */
export const MAX_EVIDENCE = 10;

export function CompleteAction({
  api,
  doc,
  action,
  onDone,
  onCancel,
}: {
  api: Api;
  doc: string;
  action: string;
  onDone: () => void;
  onCancel: () => void;
}) {
  const { t, error: errorText } = useI18n();
  const [note, setNote] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setBusy(t("complete.hashing"));
      const evidence = await Promise.all(files.map((f) => api.mediaRef(f)));
      setBusy(t("complete.saving"));
      await api.actionStep(doc, action, "complete", { note: note.trim() || undefined, evidence });
      for (const [i, f] of files.entries()) {
        setBusy(t("complete.uploading", { n: i + 1, total: files.length }));
        await api.upload(f, evidence[i]);
      }
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form className="card complete" onSubmit={submit} aria-label={t("complete.title")}>
      <label>
        {t("complete.note")}
        <textarea name="note" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <label className="photo">
        {t("complete.photos", { n: files.length })}
        <input
          type="file"
          name="evidence"
          accept="image/*"
          multiple
          capture="environment"
          onChange={(e) => setFiles([...files, ...Array.from(e.target.files ?? [])].slice(0, MAX_EVIDENCE))}
        />
      </label>
      {files.length > 0 && (
        <ul className="plain">
          {files.map((f, i) => (
            <li key={i}>
              {f.name}{" "}
              <button type="button" onClick={() => setFiles(files.filter((_, j) => j !== i))}>
                {t("complete.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {busy && <p role="status">{busy}</p>}
      {error && <p role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy !== null || (!note.trim() && files.length === 0)}>
          {t("follow.complete")}
        </button>
        <button type="button" onClick={onCancel} disabled={busy !== null}>
          {t("detail.cancel")}
        </button>
      </div>
    </form>
  );
}
