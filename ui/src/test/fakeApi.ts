// A stand-in Api for component tests: every method fails unless a test
// gives it an answer, and every call is recorded.

import { vi } from "vitest";
import type { Api } from "../api";

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
