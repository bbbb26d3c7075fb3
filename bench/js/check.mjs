// Checks a running server.mjs end to end:
// `node check.mjs ws://127.0.0.1:PORT/sync [DOCS [KEYS]]` (default 50 and 20).
//
// 1. A writer repo creates DOCS documents of KEYS keys each and waits until
//    the server's heads, as its sync states report them, are its own for
//    every document (what samod's `they_have_our_changes` waits for).
// 2. A reader repo with no storage of its own finds every document by URL
//    and compares its contents: the server must have stored the documents,
//    since it announces nothing and only answers requests by id.
// 3. The writer edits one document and the reader, which has it open, must
//    see the edit relayed by the server.
// Prints one summary line and exits 0, or prints the failure and exits 1.

import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const [url, docs = "50", keys = "20"] = process.argv.slice(2)
if (!url) {
  console.error("usage: node check.mjs ws://127.0.0.1:PORT/sync [DOCS [KEYS]]")
  process.exit(2)
}
const DOCS = Number(docs)
const KEYS = Number(keys)

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

// A repo that dials the server, keeps nothing on disk, and resolves once the
// server has answered its join.
async function client(what) {
  const repo = new Repo({ network: [new WebSocketClientAdapter(url)] })
  const joined = new Promise((r) => repo.networkSubsystem.once("peer", r))
  await within(`the ${what} connects`, 10_000, joined)
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
  for (let d = 0; d < DOCS; d++) handles.push(writer.create(contents(d)))
  const created = since(t0)
  const stored = Promise.all(handles.map((h) => theyHave(h, storageId)))
  await within("the server has every document", 300_000, stored)
  const synced = since(t0)

  // 2. Read everything back through a fresh repo. (Its finds must come after
  // the handshake: a find with no peer to ask gives up.)
  const t1 = performance.now()
  const reader = await client("reader")
  const found = await Promise.all(handles.map((h) => reader.find(h.url)))
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
      `(created in ${created}, all on the server after ${synced}); ` +
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
