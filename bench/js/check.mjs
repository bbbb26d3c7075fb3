// Checks a running server.mjs end to end:
// `node check.mjs ws://127.0.0.1:PORT/sync [DOCS [KEYS]]` (default 50 and 20).
//
// 1. A writer repo creates DOCS documents of KEYS keys each, BATCH at a
//    time, and after each batch waits until the server's heads, as its sync
//    states report them, are its own for every document of the batch (what
//    samod's `they_have_our_changes` waits for).
// 2. A reader repo with fresh storage of its own finds every document by URL,
//    BATCH at a time, and compares its contents: the server must have stored
//    the documents, since it announces nothing and only answers requests.
// 3. The writer edits one document and the reader, which has it open, must
//    see the edit relayed by the server.
// Prints one summary line and exits 0, or prints the failure and exits 1.
//
// Why batches: the server pings every 5 s and drops a peer whose pong has
// not reached it by the next round. A flood of documents keeps the server
// (and the client) busy for seconds at a time, long enough for that; a
// reader whose only peer is gone gives up on what it was finding, and a
// writer that reconnects does not always finish syncing.

import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const [url, docs = "50", keys = "20"] = process.argv.slice(2)
const [DOCS, KEYS] = [Number(docs), Number(keys)]
if (!url || !(DOCS >= 1 && KEYS >= 1)) {
  console.error("usage: node check.mjs ws://127.0.0.1:PORT/sync [DOCS [KEYS]]")
  process.exit(2)
}

const BATCH = 50
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const since = (t0) => `${Math.round(performance.now() - t0)} ms`

// Waits for `promise`, failing after `limit` ms.
function within(what, limit, promise) {
  const timeout = sleep(limit).then(() => {
    throw new Error(`timed out after ${limit} ms: ${what}`)
  })
  return Promise.race([promise, timeout])
}

// The contents of document `d`: KEYS short strings, like an audit record.
function contents(d) {
  const doc = {}
  for (let k = 0; k < KEYS; k++) doc[`field${k}`] = `document ${d}, answer ${k}`
  return doc
}

// Where the repos keep their documents; removed on exit.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fieldcheck-check-"))
process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true }))

// A repo with empty storage of its own that dials the server, resolved once
// the server has answered its join. Having storage, it presents a storageId
// and isEphemeral: false, as samod repos do, so the server keeps a sync state
// for it per document as it will for the bench's devices.
async function client(what) {
  const repo = new Repo({
    network: [new WebSocketClientAdapter(url)],
    storage: new NodeFSStorageAdapter(path.join(scratch, what)),
  })
  const joined = new Promise((r) => repo.networkSubsystem.once("peer", r))
  await within(`the ${what} connects`, 10_000, joined)
  repo.networkSubsystem.on("peer-disconnected", () =>
    console.error(`warning: the server dropped the ${what}`),
  )
  return repo
}

// Resolves once the peer with `storageId` reports having all of `handle`.
function theyHave(handle, storageId) {
  return new Promise((resolve) => {
    const check = () => {
      const theirs = handle.getSyncInfo(storageId)?.lastHeads
      if (theirs?.join() === handle.heads().join()) {
        handle.off("remote-heads", check)
        resolve()
      }
    }
    handle.on("remote-heads", check)
    check()
  })
}

async function main() {
  // 1. Write, and wait until the server has every document.
  const writer = await client("writer")
  const [server] = writer.peers
  const storageId = writer.peerMetadataByPeerId[server]?.storageId
  if (!storageId) throw new Error(`the server ${server} sent no storageId`)

  const t0 = performance.now()
  const handles = []
  for (let d = 0; d < DOCS; d += BATCH) {
    const batch = []
    for (let i = d; i < Math.min(d + BATCH, DOCS); i++) {
      batch.push(writer.create(contents(i)))
    }
    const stored = Promise.all(batch.map((h) => theyHave(h, storageId)))
    await within(`the server has documents ${d}..`, 60_000, stored)
    handles.push(...batch)
  }
  const synced = since(t0)

  // 2. Read everything back through a fresh repo. (Its finds must come after
  // the handshake: a find with no peer to ask gives up.)
  const t1 = performance.now()
  const reader = await client("reader")
  const found = []
  for (let d = 0; d < DOCS; d += BATCH) {
    const batch = handles.slice(d, d + BATCH).map((h) => reader.find(h.url))
    found.push(...(await Promise.all(batch)))
  }
  found.forEach((h, d) => {
    const [got, want] = [h.doc(), contents(d)]
    const same =
      Object.keys(got).length === KEYS &&
      Object.entries(want).every(([k, v]) => got[k] === v)
    if (!same) throw new Error(`${h.url} differs: ${JSON.stringify(got)}`)
  })
  const read = since(t1)

  // 3. One edit reaches the reader through the server.
  const t2 = performance.now()
  const seen = new Promise((r) => found[0].once("change", r))
  handles[0].change((doc) => {
    doc.comment = "柜台已整改，请复核。"
  })
  await within("the edit reaches the reader", 10_000, seen)
  const edit = since(t2)

  console.log(
    `ok: server ${server} has ${DOCS} docs x ${KEYS} keys ` +
      `(created and on the server in ${synced}); ` +
      `a fresh repo read them back in ${read}; an edit was relayed in ${edit}`,
  )
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`check failed: ${e.stack ?? e}`)
    process.exit(1)
  },
)
