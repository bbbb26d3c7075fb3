// A client that shares no code with Fieldcheck: the official JS Automerge
// library, frames encoded by hand from docs/protocol.md, the `ws` package,
// against the real server. Records that do not follow docs/records.md and
// changes that are not the signed-in user's are refused with their reasons;
// one that does is taken; an oversized frame gets an error frame and the
// session goes on.
//
// FIELDCHECK_SERVER: the fieldcheck-server binary. Run with `node --test`.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as Automerge from "@automerge/automerge";
import WebSocket from "ws";

const server = process.env.FIELDCHECK_SERVER;
assert.ok(server, "FIELDCHECK_SERVER names the server binary");
const data = mkdtempSync(join(tmpdir(), "fieldcheck-hostile-"));
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(data, { recursive: true, force: true });
});

function cli(...args) {
  execFileSync(server, [...args, "--data-dir", data], { stdio: "ignore" });
}

async function startServer() {
  const child = spawn(server, ["serve", "--listen", "127.0.0.1:0", "--data-dir", data], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  cleanups.push(() => child.kill());
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  return `http://${line.trim().split("http://").pop()}`;
}

async function login(base, username) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: "pw-123456" }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

// ---- Frames: a version byte (1), then postcard ----

function varint(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const utf8 = (s) => [...new TextEncoder().encode(s)];
const withLength = (b) => [...varint(b.length), ...b];
const hello = (cursor, dirty) =>
  Uint8Array.from([1, 0, ...varint(cursor), ...varint(dirty.length), ...dirty.flatMap((d) => withLength(utf8(d)))]);
const syncFrame = (doc, message) => Uint8Array.from([1, 2, ...withLength(utf8(doc)), ...withLength([...message])]);

function decode(buf) {
  let i = 1;
  const vi = () => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = buf[i++];
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) return n;
    }
  };
  const bytes = () => {
    const len = vi();
    const out = buf.subarray(i, i + len);
    i += len;
    return out;
  };
  const str = () => new TextDecoder().decode(bytes());
  switch (vi()) {
    case 1:
      return { type: "welcome" };
    case 2:
      return { type: "sync", doc: str(), message: new Uint8Array(bytes()) };
    case 3:
      return { type: "up_to_date" };
    case 4:
      return { type: "rejected", doc: str(), reason: str() };
    case 5:
      return { type: "error", code: vi(), message: str() };
    default:
      throw new Error("unknown frame");
  }
}

/** A WebSocket whose frames are read one at a time. */
async function connect(base, token) {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/sync`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const queue = [];
  let waiting = null;
  ws.on("message", (data) => {
    queue.push(decode(new Uint8Array(data)));
    waiting?.();
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  cleanups.push(() => ws.terminate());
  return {
    ws,
    send: (bytes) => ws.send(bytes),
    async next(ms = 3000) {
      if (!queue.length) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiting = null;
      }
      return queue.shift() ?? null;
    },
  };
}

/** The next frame that `wanted` accepts, skipping the others. */
async function until(peer, wanted) {
  for (;;) {
    const f = await peer.next();
    if (!f || wanted(f)) return f;
  }
}

/** Offers `doc` under `id` and answers the server until it refuses it
 * (the refusal), says something is wrong (the error) or goes quiet (null). */
async function offer(peer, id, doc) {
  let state = Automerge.initSyncState();
  const send = () => {
    let msg;
    [state, msg] = Automerge.generateSyncMessage(doc, state);
    if (msg) peer.send(syncFrame(id, msg));
  };
  peer.send(hello(0, [id]));
  send();
  for (;;) {
    const f = await peer.next();
    if (!f) return null;
    if ((f.type === "rejected" && f.doc === id) || f.type === "error") return f;
    if (f.type === "sync" && f.doc === id) {
      [doc, state] = Automerge.receiveSyncMessage(doc, state, f.message);
      send();
    }
  }
}

const hex = (s) => Buffer.from(s, "utf8").toString("hex");
const S = (s) => new Automerge.ImmutableString(s);

/** A document holding `value`, made in one change with `opts`. */
function make(value, opts) {
  return Automerge.change(Automerge.init(opts), (d) => {
    Object.assign(d, value);
  });
}

/** A new draft as docs/records.md says, by `author` (a user id). */
function record(id, author, strings = S) {
  const now = Date.now(); // a whole number: stored as an integer
  return {
    schema: new Automerge.Uint(1),
    header: {
      record_id: strings(id),
      template_id: strings("owned_hall_audit"),
      template_version: strings("1"),
      kind: strings("checklist"),
      mode: strings("overt"),
      store_id: strings("cq/yz/001"),
      author: strings(author),
      device: strings("js"),
      started_at: now,
      ended_at: null,
      location: null,
    },
    status: strings("draft"),
    history: [{ status: strings("draft"), by: strings(author), at: now }],
    answers: {},
    comments: {},
    actions: {},
  };
}

test("a client built on the JS Automerge library gets exactly what the rules allow", async () => {
  writeFileSync(
    join(data, "stores.csv"),
    "id,parent,level,name_zh,name_en,channel,traffic\ncq,,province,重庆,Chongqing,,\n" +
      "cq/yz,cq,district,渝中区,Yuzhong,,\ncq/yz/001,cq/yz,store,解放碑营业厅,Jiefangbei,owned_hall,1000\n",
  );
  cli("stores", "import", join(data, "stores.csv"));
  cli("user", "add", "li", "--role", "inspector", "--scope", "cq", "--password", "pw-123456");
  cli("user", "add", "wang", "--role", "manager", "--scope", "cq", "--password", "pw-123456");
  const base = await startServer();
  const li = await login(base, "li");
  const wang = await login(base, "wang");

  // JS strings are Text objects by default; a record's strings are not.
  let peer = await connect(base, li);
  const texts = make(record("js-1", "li", (s) => s), { author: hex("li") });
  let got = await offer(peer, "js-1", texts);
  assert.equal(got?.type, "rejected", JSON.stringify(got));
  assert.match(got.reason, /\/header\/\w+ must be string .* not a text object/);

  // Signed as someone else, or not signed at all.
  peer = await connect(base, li);
  got = await offer(peer, "js-2", make(record("js-2", "wang"), { author: hex("wang") }));
  assert.equal(got?.type, "rejected", JSON.stringify(got));
  assert.match(got.reason, /signed `wang` was sent by `li`/);
  peer = await connect(base, li);
  got = await offer(peer, "js-3", make(record("js-3", "li")));
  assert.equal(got?.type, "rejected", JSON.stringify(got));
  assert.match(got.reason, /unsigned/);

  // One that follows the schema, signed by its author, is taken.
  peer = await connect(base, li);
  got = await offer(peer, "js-4", make(record("js-4", "li"), { author: hex("li") }));
  assert.equal(got, null, JSON.stringify(got));
  const stored = await fetch(`${base}/api/v1/records/js-4/document`, { headers: { Authorization: `Bearer ${wang}` } });
  assert.equal(stored.status, 200);
  const back = Automerge.load(new Uint8Array(await stored.arrayBuffer()));
  assert.equal(back.header.author.toString(), "li");
  for (const id of ["js-1", "js-2", "js-3"]) {
    const missing = await fetch(`${base}/api/v1/records/${id}/document`, { headers: { Authorization: `Bearer ${wang}` } });
    assert.equal(missing.status, 404, `${id} was never stored`);
  }

  // Then li rewrites the header of the stored record: refused.
  const mine = Automerge.clone(back, { author: hex("li") });
  const rewritten = Automerge.change(mine, (d) => {
    d.header.kind = S("questionnaire");
  });
  peer = await connect(base, li);
  got = await offer(peer, "js-4", rewritten);
  assert.equal(got?.type, "rejected", JSON.stringify(got));
  assert.match(got.reason, /\/header\/kind is set when the record is created/);

  // A 5 MiB frame: the error frame the protocol promises, and the session goes on.
  const huge = new Uint8Array(5 * 1024 * 1024);
  huge[0] = 1;
  huge[1] = 2;
  peer.send(huge);
  got = await until(peer, (f) => f.type === "error");
  assert.equal(got?.code, 1, JSON.stringify(got));
  assert.match(got.message, /over the 4194304-byte limit/);
  peer.send(hello(0, []));
  got = await until(peer, (f) => f.type === "welcome");
  assert.equal(got?.type, "welcome", "the session goes on");
});
