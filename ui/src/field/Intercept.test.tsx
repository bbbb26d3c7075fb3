// Intercept mode: a kiosk left idle ends the interview as its template says
// and comes back for the next respondent; a submitted one is counted.

import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FieldApi } from "../api/field";
import type { AssignmentView, FormView, StoreView } from "../api/types";
import { I18nProvider } from "../i18n";
import { Intercept } from "./Intercept";

const store: StoreView = { id: "sc/cd/gx/001", name: { "zh-CN": "高新营业厅", en: "Gaoxin hall" }, address: null };
const assignment = {
  id: "a1",
  template_id: "intercept_survey",
  title: { "zh-CN": "拦截访问", en: "Intercept survey" },
  mode: "intercept",
  unit: store,
  stores: [store],
  daily_quota: 20,
  today: 2,
} as AssignmentView;

const form = (doc: string, status = "draft"): FormView =>
  ({
    doc_id: doc,
    title: assignment.title,
    kind: "questionnaire",
    mode: "intercept",
    status,
    started_at: 0,
    location: null,
    editable: status === "draft",
    quit_keeps: true,
    sections: [],
    answerable: 10,
    answered: 1,
    score: null,
    failed_items: [],
    problems: [],
    comments: [],
  }) as unknown as FormView;

beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function setUp() {
  let n = 0;
  const api = {
    startRecord: vi.fn(async () => form(`survey-${++n}`)),
    form: vi.fn(async (doc: string) => form(doc)),
    quit: vi.fn(async (doc: string) => form(doc, "partial")),
    submit: vi.fn(async (doc: string) => form(doc, "submitted")),
  } as unknown as FieldApi;
  render(
    <I18nProvider initial="en">
      <Intercept api={api} assignment={assignment} store={store} onExit={() => {}} />
    </I18nProvider>,
  );
  return api;
}

describe("Intercept", () => {
  it("ends an interview left idle in kiosk mode and waits for the next respondent", async () => {
    const api = setUp();
    fireEvent.click(screen.getByLabelText(/Kiosk mode/));
    fireEvent.click(screen.getByRole("button", { name: "Next respondent" }));
    expect(await screen.findByRole("button", { name: "Quit interview" })).toBeTruthy();
    // Touches keep it going...
    await act(async () => vi.advanceTimersByTime(50_000));
    fireEvent.pointerDown(window);
    await act(async () => vi.advanceTimersByTime(50_000));
    expect(api.quit).not.toHaveBeenCalled();
    // ...a minute without one ends it.
    await act(async () => vi.advanceTimersByTime(11_000));
    expect(api.quit).toHaveBeenCalledWith("survey-1");
    expect(await screen.findByRole("button", { name: "Next respondent" })).toBeTruthy();
    expect(screen.getByText("2 of 20 today")).toBeTruthy();
  });

  it("counts a submitted interview and says what became of a quit one", async () => {
    const api = setUp();
    fireEvent.click(screen.getByLabelText(/Kiosk mode/));
    fireEvent.click(screen.getByRole("button", { name: "Next respondent" }));
    fireEvent.click(await screen.findByRole("button", { name: "Submit" }));
    expect(await screen.findByText("Thank you! Saved")).toBeTruthy();
    expect(api.submit).toHaveBeenCalledWith("survey-1");

    fireEvent.click(screen.getByRole("button", { name: "Next respondent" }));
    fireEvent.click(await screen.findByRole("button", { name: "Quit interview" }));
    fireEvent.click(screen.getByRole("button", { name: "End it" }));
    expect(await screen.findByRole("status")).toHaveProperty(
      "textContent",
      "Interview ended part-way; the answers were kept as a partial response",
    );
    expect(api.quit).toHaveBeenCalledWith("survey-2");
  });
});
