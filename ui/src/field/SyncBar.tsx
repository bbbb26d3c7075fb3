// Always visible: offline / syncing n of m / up to date / error and why,
// what is still to send, and "sync now".

import { useEffect, useState } from "react";
import type { FieldApi } from "../api/field";
import type { SyncView } from "../api/types";
import { useI18n } from "../i18n";

export function SyncBar({ api }: { api: FieldApi }) {
  const { t } = useI18n();
  const [s, setS] = useState<SyncView | null>(null);
  useEffect(() => {
    let live = true;
    const poll = () => api.syncStatus().then((v) => live && setS(v), () => {});
    poll();
    const id = setInterval(poll, 1000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [api]);
  if (!s) return null;
  const label =
    s.state === "syncing"
      ? t("sync.syncing", { done: s.done, total: s.total })
      : s.state === "up_to_date"
        ? t("sync.upToDate")
        : s.state === "connecting"
          ? t("sync.connecting")
          : s.state === "error"
            ? t("sync.error", { reason: s.reason ?? "" })
            : t("sync.offline");
  return (
    <div className={`syncbar ${s.state}`} role="status" aria-label={t("sync.label")} data-state={s.state}>
      <span>{label}</span>
      {s.pending + s.media_pending > 0 && <span> · {t("sync.pending", { n: s.pending, m: s.media_pending })}</span>}
      {s.refused.length > 0 && <span className="danger"> · {t("sync.refused", { n: s.refused.length })}</span>}
      <button type="button" onClick={() => api.syncNow()}>
        {t("sync.now")}
      </button>
    </div>
  );
}
