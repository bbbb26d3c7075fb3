// What the field app (inspectors and surveyors, offline) needs of the
// device: implemented by Tauri commands over the device store and the sync
// client. The types are generated from Rust (types.ts).

import { invoke } from "@tauri-apps/api/core";
import { ApiError } from "./index";
import type { AppError, Defaults, FormView, GeoPoint, Home, Session, StoreView, SyncView } from "./types";

export interface FieldApi {
  defaults(): Promise<Defaults>;
  session(): Promise<Session | null>;
  login(server: string, username: string, password: string): Promise<Session>;
  /** Enrols with an enrolment link, or a code with the server's address. */
  enrol(input: string, server: string | null): Promise<Session>;
  logout(): Promise<void>;
  home(): Promise<Home>;
  stores(query: string): Promise<StoreView[]>;
  startRecord(template: string, store: string): Promise<FormView>;
  form(doc: string): Promise<FormView>;
  /** `value` in the item's JSON form; `null` clears the answer. */
  answer(doc: string, item: string, value: unknown, note: string | null): Promise<FormView>;
  /** Removes an entry of a repeated section, with its answers. */
  removeEntry(doc: string, section: string, entry: string): Promise<FormView>;
  attach(doc: string, item: string, file: Blob): Promise<FormView>;
  /** Stamps where the visit takes place on the record. */
  stampLocation(doc: string, at: GeoPoint): Promise<FormView>;
  mediaUrl(hash: string): Promise<string | null>;
  submit(doc: string): Promise<FormView>;
  /** Ends a draft part-way: partial or discarded, as `FormView.quit_keeps` says. */
  quit(doc: string): Promise<FormView>;
  syncStatus(): Promise<SyncView>;
  syncNow(): Promise<void>;
}

/** A refused command, with the per-item problems of a refused submit. */
export class FieldError extends ApiError {
  constructor(readonly detail: AppError) {
    super(detail.code, detail.message);
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (e && typeof e === "object" && "code" in e) throw new FieldError(e as AppError);
    throw new ApiError("app", String(e));
  }
}

async function base64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export class TauriFieldApi implements FieldApi {
  defaults = () => call<Defaults>("defaults");
  session = () => call<Session | null>("session");
  login = (server: string, username: string, password: string) => call<Session>("login", { server, username, password });
  enrol = (input: string, server: string | null) => call<Session>("enrol", { input, server });
  logout = () => call<void>("logout");
  home = () => call<Home>("home");
  stores = (query: string) => call<StoreView[]>("stores", { query });
  startRecord = (template: string, store: string) => call<FormView>("start_record", { template, store });
  form = (doc: string) => call<FormView>("form", { doc });
  answer = (doc: string, item: string, value: unknown, note: string | null) =>
    call<FormView>("answer", { doc, item, value, note });
  removeEntry = (doc: string, section: string, entry: string) =>
    call<FormView>("remove_entry", { doc, section, entry });
  attach = async (doc: string, item: string, file: Blob) =>
    call<FormView>("attach", { doc, item, base64: await base64(file), mime: file.type || "application/octet-stream" });
  stampLocation = (doc: string, at: GeoPoint) => call<FormView>("stamp_location", { doc, at });
  mediaUrl = (hash: string) => call<string | null>("media_url", { hash });
  submit = (doc: string) => call<FormView>("submit", { doc });
  quit = (doc: string) => call<FormView>("quit", { doc });
  syncStatus = () => call<SyncView>("sync_status");
  syncNow = () => call<void>("sync_now");
}
