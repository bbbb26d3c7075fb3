// The test-call bar: dial, answered, hang up record the call's time, the
// wait and the talk on the template's items.

import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FormView, Input, ItemView } from "../api/types";
import { I18nProvider } from "../i18n";
import { CallTimer, callItems } from "./CallTimer";

const item = (id: string, input: Input, call: string | null = null): ItemView =>
  ({ id, input, call, label: { "zh-CN": id, en: id }, relevant: true, note: id === "answer_s" ? "IVR long" : null }) as ItemView;

const form = {
  mode: "test_call",
  editable: true,
  sections: [
    { id: "call", items: [item("call_time", { type: "date_time" }, "dialled"), item("hotline", { type: "text" })] },
    {
      id: "access",
      // A duration the bar does not time comes first: the template's tags decide.
      items: [item("ivr_s", { type: "duration" }), item("answer_s", { type: "duration" }, "wait"), item("connected", { type: "pass_fail" })],
    },
    { id: "service", items: [item("talk_s", { type: "duration" }, "talk"), item("after_s", { type: "duration" })] },
  ],
} as unknown as FormView;

beforeEach(() => vi.useFakeTimers({ now: new Date("2026-11-23T02:00:00Z") }));
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("CallTimer", () => {
  it("finds the call's items by the template's call moments", () => {
    const { dialled, answered, talk } = callItems(form);
    expect([dialled?.id, answered?.id, talk?.id]).toEqual(["call_time", "answer_s", "talk_s"]);
  });

  it("stamps the call, the wait to be answered and the talk time", async () => {
    const save = vi.fn().mockResolvedValue(undefined);
    render(
      <I18nProvider initial="en">
        <CallTimer form={form} save={save} />
      </I18nProvider>,
    );
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Dial" })));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ id: "call_time" }), "2026-11-23T02:00:00Z");

    // The IVR takes 30 s; the wait runs from asking for an agent.
    await act(async () => vi.advanceTimersByTime(30_000));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Ask for an agent" })));
    await act(async () => vi.advanceTimersByTime(7_000));
    expect(screen.getByText("Waiting for an agent… 7 s")).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Agent answered" })));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ id: "answer_s", note: "IVR long" }), 7);

    await act(async () => vi.advanceTimersByTime(95_000));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Hang up" })));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ id: "talk_s" }), 95);
    expect(save).toHaveBeenCalledTimes(3);
    expect(screen.getByRole("button", { name: "Dial" })).toBeTruthy();
  });

  it("records no wait when no person ever answers", async () => {
    const save = vi.fn().mockResolvedValue(undefined);
    render(
      <I18nProvider initial="zh-CN">
        <CallTimer form={form} save={save} />
      </I18nProvider>,
    );
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "开始拨打" })));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "转人工" })));
    await act(async () => vi.advanceTimersByTime(60_000));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "挂断" })));
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("shows no bar when the template marks no wait to time", () => {
    const untagged = { ...form, sections: [{ id: "s", items: [item("a_s", { type: "duration" }), item("b_s", { type: "duration" })] }] };
    render(
      <I18nProvider initial="en">
        <CallTimer form={untagged as FormView} save={vi.fn()} />
      </I18nProvider>,
    );
    expect(screen.queryByRole("button", { name: "Dial" })).toBeNull();
  });
});
