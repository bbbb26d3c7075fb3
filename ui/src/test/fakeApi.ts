// A stand-in Api for component tests: every method fails unless a test
// gives it an answer, and every call is recorded.

import { vi } from "vitest";
import type { Api } from "../api";
import type { Input, ItemView } from "../api/types";

export function fakeApi(overrides: Partial<Api> = {}): Api {
  const refuse = (name: string) => vi.fn(() => Promise.reject(new Error(`${name} not expected`)));
  const base: Record<string, unknown> = {};
  for (const name of [
    "login", "logout", "queue", "detail", "returnRecord", "approve", "openAction", "media", "report", "units", "ratings",
    "weakest", "download", "followUps", "actionStep", "mediaRef", "upload", "wave", "markRead", "caughtUp", "satisfaction", "estimateWeights", "weightSets", "publishWeights", "templates", "publishTemplate", "users",
    "createUser", "enrol", "importUnits", "hotlineKpis", "hotlineTargets", "putHotlineTargets", "importCalls", "scorecards", "scorecard", "importScorecardEntries", "importServiceCases", "publishScorecard", "bulletin", "bulletinFile", "monitorDay", "monitorWeeks", "assignments", "assign", "updateUser", "updateAssignment",
  ]) {
    base[name] = refuse(name);
  }
  base.signedIn = () => true;
  base.role = () => "manager";
  base.user = () => "wang";
  base.onSignedOut = () => () => {};
  // No notifications unless a test gives some.
  base.notifications = vi.fn().mockResolvedValue({ unread: 0, notifications: [] });
  return { ...(base as unknown as Api), ...overrides };
}

/** A shown, unanswered-by-default item of the form as the app gives it. */
export function itemView(id: string, input: Input, value: unknown = null): ItemView {
  return {
    id,
    label: { "zh-CN": id, en: id },
    hint: null,
    input,
    required: true,
    allow_na: false,
    critical: false,
    relevant: true,
    value,
    note: null,
    evidence: [],
    failed: false,
    constraint_message: null,
    constraint_broken: false,
    call: null,
  };
}
