// The form stamps where the visit takes place once, when the device gives a
// position, and says so; without one the record goes on unstamped. A draft
// is quit or discarded only after saying what will happen to its answers.

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, type Mock, vi } from "vitest";
import type { FieldApi } from "../api/field";
import type { FormView, GeoPoint, ItemView } from "../api/types";
import { I18nProvider } from "../i18n";
import { itemView } from "../test/fakeApi";
import { Form } from "./Form";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const view = (location: GeoPoint | null): FormView => ({
  doc_id: "audit-1",
  template_id: "owned_hall_audit",
  template_version: "v1",
  title: { "zh-CN": "自有营业厅渠道达标检查", en: "Owned hall audit" },
  kind: "checklist",
  mode: "overt",
  store_id: "sc/cd/gx/001",
  status: "draft",
  started_at: 0,
  location,
  editable: true,
  quit_keeps: false,
  sections: [],
  answerable: 0,
  answered: 0,
  score: null,
  passed: null,
  failed_items: [],
  problems: [],
  comments: [],
});

function fieldApi(over: Partial<FieldApi>): FieldApi {
  return over as FieldApi;
}

function withPosition(give: boolean) {
  const getCurrentPosition = vi.fn((ok: PositionCallback, fail: PositionErrorCallback) =>
    give
      ? ok({ coords: { latitude: 30.5728, longitude: 104.0668, accuracy: 12.4 } } as GeolocationPosition)
      : fail({ code: 1, message: "denied" } as GeolocationPositionError),
  );
  vi.stubGlobal("navigator", { ...navigator, geolocation: { getCurrentPosition } });
  return getCurrentPosition;
}

describe("Form location", () => {
  it("stamps the device's position once and shows it", async () => {
    withPosition(true);
    const stampLocation = vi.fn(async (_doc: string, at: GeoPoint) => view(at));
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => view(null), stampLocation })} doc="audit-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByText("Location recorded (±12 m)")).toBeTruthy();
    expect(stampLocation).toHaveBeenCalledTimes(1);
    expect(stampLocation).toHaveBeenCalledWith("audit-1", { lat: 30.5728, lon: 104.0668, accuracy_m: 12.4 });
  });

  it("leaves a stamped record alone and goes on without a position", async () => {
    const asked = withPosition(false);
    const stampLocation = vi.fn();
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => view(null), stampLocation })} doc="audit-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByText("Owned hall audit")).toBeTruthy();
    // The position is asked for once the form is shown, not before.
    await vi.waitFor(() => expect(asked).toHaveBeenCalledTimes(1));
    expect(stampLocation).not.toHaveBeenCalled();
    expect(screen.queryByText(/Location recorded/)).toBeNull();
    cleanup();

    const again = withPosition(true);
    render(
      <I18nProvider initial="zh-CN">
        <Form api={fieldApi({ form: async () => view({ lat: 1, lon: 2, accuracy_m: null }), stampLocation })} doc="audit-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByText("已记录位置")).toBeTruthy();
    await new Promise((r) => setTimeout(r, 50));
    expect(again).not.toHaveBeenCalled();
  });
});

/** Asks to end the draft, confirms, and checks what came of it. */
async function endsAs(o: { ask: string; confirm: string; call: Mock; doc: string; onDone: Mock; status: string }) {
  fireEvent.click(await screen.findByRole("button", { name: o.ask }));
  fireEvent.click(screen.getByRole("button", { name: o.confirm }));
  await vi.waitFor(() => expect(o.onDone).toHaveBeenCalledWith(expect.objectContaining({ status: o.status })));
  expect(o.call).toHaveBeenCalledWith(o.doc);
}

describe("Ending a draft", () => {
  const interview = (status: string): FormView => ({
    ...view({ lat: 1, lon: 2, accuracy_m: null }),
    doc_id: "survey-1",
    kind: "questionnaire",
    mode: "intercept",
    quit_keeps: true,
    answerable: 20,
    answered: 3,
    status,
    editable: status === "draft" || status === "returned",
  });

  it("quits an interview, kept as partial, only once confirmed", async () => {
    const quit = vi.fn(async () => interview("partial"));
    const onDone = vi.fn();
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => interview("draft"), quit })} doc="survey-1" onDone={onDone} />
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Quit interview" }));
    expect(screen.getByRole("alertdialog").textContent).toContain("kept as a partial response");
    fireEvent.click(screen.getByRole("button", { name: "Keep going" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(quit).not.toHaveBeenCalled();

    await endsAs({ ask: "Quit interview", confirm: "End it", call: quit, doc: "survey-1", onDone, status: "partial" });
  });

  it("warns that a template without partial responses discards, and audits discard drafts", async () => {
    render(
      <I18nProvider initial="zh-CN">
        <Form api={fieldApi({ form: async () => ({ ...interview("draft"), quit_keeps: false }) })} doc="survey-1" onDone={() => {}} />
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "中止访问" }));
    expect(screen.getByRole("alertdialog").textContent).toContain("已答内容将被丢弃");
    cleanup();

    const quit = vi.fn(async () => ({ ...view(null), status: "discarded", editable: false }));
    const onDone = vi.fn();
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => view({ lat: 1, lon: 2, accuracy_m: null }), quit })} doc="audit-1" onDone={onDone} />
      </I18nProvider>,
    );
    await endsAs({ ask: "Discard draft", confirm: "Discard", call: quit, doc: "audit-1", onDone, status: "discarded" });
  });

  it("offers no way to throw away a returned record", async () => {
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => interview("returned") })} doc="survey-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByRole("button", { name: "Continue later" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Quit interview" })).toBeNull();
  });
});

describe("Choice filters", () => {
  const choice = (value: string, en: string) => ({ value, label: { "zh-CN": en, en } });
  const item = (id: string, choices: ReturnType<typeof choice>[], value: unknown = null): ItemView =>
    itemView(id, { type: "single_choice", choices }, value);
  const form = (city: string | null): FormView => ({
    ...view({ lat: 1, lon: 2, accuracy_m: null }),
    sections: [
      {
        id: "where",
        title: { "zh-CN": "地点", en: "Where" },
        relevant: true,
        score: null,
        repeat: null,
        items: [
          item("city", [choice("cq", "Chongqing"), choice("sc", "Sichuan")], city),
          item("district", city === "cq" ? [choice("yz", "Yuzhong"), choice("jb", "Jiangbei")] : []),
        ],
      },
    ],
  });

  it("says when the answers so far leave nothing to choose, and shows what the next answer offers", async () => {
    const answer = vi.fn(async () => form("cq"));
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => form(null), answer })} doc="audit-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByText("No choices for the answers so far")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Yuzhong" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Chongqing" }));
    expect(await screen.findByRole("button", { name: "Yuzhong" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Jiangbei" })).toBeTruthy();
    expect(screen.queryByText("No choices for the answers so far")).toBeNull();
    expect(answer).toHaveBeenCalledWith("audit-1", "city", "cq", null);
  });
});

describe("Repeated sections", () => {
  const entry = (name: string, position: number, isNew: boolean) => ({
    entry: name,
    position,
    new: isNew,
    items: [itemView(`staff_name@${name}`, { type: "text" }, isNew ? null : "Li")],
  });
  const form: FormView = {
    ...view({ lat: 1, lon: 2, accuracy_m: null }),
    sections: [
      {
        id: "staff",
        title: { "zh-CN": "在岗员工", en: "Staff on duty" },
        relevant: true,
        score: null,
        items: [],
        repeat: { counted: false, entries: [entry("e1", 1, false), entry("e2", 2, true)] },
      },
    ],
  };

  it("shows each entry, a blank one that an answer adds, and removes an entry", async () => {
    const answer = vi.fn(async () => form);
    const removeEntry = vi.fn(async () => form);
    render(
      <I18nProvider initial="en">
        <Form api={fieldApi({ form: async () => form, answer, removeEntry })} doc="audit-1" onDone={() => {}} />
      </I18nProvider>,
    );
    expect(await screen.findByText("Entry 1")).toBeTruthy();
    expect(screen.getByText("New entry 2: answer to add it")).toBeTruthy();
    // Only an entry that is there can be removed.
    const remove = screen.getAllByRole("button", { name: "Remove this entry" });
    expect(remove).toHaveLength(1);
    fireEvent.click(remove[0]);
    expect(removeEntry).toHaveBeenCalledWith("audit-1", "staff", "e1");
  });
});
