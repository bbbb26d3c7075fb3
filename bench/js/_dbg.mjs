import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
const [url, DOCS, KEYS] = [process.argv[2], +process.argv[3], +process.argv[4]]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const repo = new Repo({ network: [new WebSocketClientAdapter(url)] })
await new Promise((r) => repo.networkSubsystem.once("peer", r))
const [server] = repo.peers
const sid = repo.peerMetadataByPeerId[server].storageId
let sent = 0, recv = 0, msgs = 0
repo.networkSubsystem.on("message", () => recv++)
const t0 = performance.now()
const hs = []
for (let d = 0; d < DOCS; d++) { const doc = {}; for (let k = 0; k < KEYS; k++) doc[`field${k}`] = `document ${d}, answer ${k}`; hs.push(repo.create(doc)) }
console.log("created", performance.now() - t0)
for (let i = 0; i < 12; i++) {
  await sleep(5000)
  const ok = hs.filter((h) => h.getSyncInfo(sid)?.lastHeads?.join() === h.heads().join()).length
  const some = hs.filter((h) => h.getSyncInfo(sid)).length
  console.log(Math.round(performance.now() - t0), "synced", ok, "with info", some, "msgs received", recv)
}
const bad = hs.find((h) => h.getSyncInfo(sid)?.lastHeads?.join() !== h.heads().join())
if (bad) console.log("stuck", bad.url, bad.getSyncInfo(sid), bad.heads())
process.exit(0)
