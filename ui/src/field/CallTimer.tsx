// The test-call flow: one bar that follows the call as it happens. "Dial"
// stamps the call's time; "Ask for an agent" and "Agent answered" time the
// wait for a person; "Hang up" records how long the talk took. A test-call
// template says where these go with `call = "dialled" | "wait" | "talk"`
// on its items; without a `wait` item there is no bar.

import { useEffect, useState } from "react";
import type { FormView, ItemView } from "../api/types";
import { useI18n } from "../i18n";
import { dateTimeValue } from "./Item";

export interface CallItems {
  dialled?: ItemView;
  answered?: ItemView;
  talk?: ItemView;
}

/** Where a test-call form keeps the call's time, wait and talk. */
export function callItems(form: FormView): CallItems {
  const items = form.sections.flatMap((s) => s.items);
  const at = (moment: string) => items.find((i) => i.call === moment);
  return { dialled: at("dialled"), answered: at("wait"), talk: at("talk") };
}

type Phase = { at: "idle" } | { at: "dialled" | "waiting" | "talking"; since: number };

export function CallTimer({
  form,
  save,
}: {
  form: FormView;
  /** Saves an answer, keeping the item's note. */
  save: (item: ItemView, value: unknown) => Promise<void>;
}) {
  const { t } = useI18n();
  const { dialled, answered, talk } = callItems(form);
  const [phase, setPhase] = useState<Phase>({ at: "idle" });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (phase.at === "idle") return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [phase]);
  if (!answered) return null;

  const seconds = (since: number) => Math.max(0, Math.round((Date.now() - since) / 1000));
  const next = (at: "dialled" | "waiting" | "talking") => {
    const since = Date.now();
    setNow(since);
    setPhase({ at, since });
    return since;
  };
  const dial = async () => {
    const at = next("dialled");
    if (dialled) await save(dialled, dateTimeValue(at));
  };
  // The wait is timed from asking for an agent to a person answering.
  const askForAgent = () => next("waiting");
  const agentAnswered = async () => {
    if (phase.at !== "waiting") return;
    next("talking");
    await save(answered, seconds(phase.since));
  };
  const hangUp = async () => {
    const was = phase;
    setPhase({ at: "idle" });
    // Hung up before a person answered: there is no wait to record; the
    // inspector says so on the "connected" item.
    if (was.at === "talking" && talk) await save(talk, seconds(was.since));
  };

  return (
    <section className="calltimer" aria-label={t("call.title")} data-phase={phase.at}>
      <output aria-live="polite">
        {phase.at === "idle" ? t("call.ready") : t(`call.${phase.at}`, { n: Math.max(0, Math.round((now - phase.since) / 1000)) })}
      </output>
      <div className="row">
        {phase.at === "idle" && (
          <button type="button" className="primary" onClick={dial}>
            {t("call.dial")}
          </button>
        )}
        {phase.at === "dialled" && (
          <button type="button" className="primary" onClick={askForAgent}>
            {t("call.askForAgent")}
          </button>
        )}
        {phase.at === "waiting" && (
          <button type="button" className="primary" onClick={agentAnswered}>
            {t("call.agentAnswered")}
          </button>
        )}
        {phase.at !== "idle" && (
          <button type="button" onClick={hangUp}>
            {t("call.hangUp")}
          </button>
        )}
      </div>
    </section>
  );
}
