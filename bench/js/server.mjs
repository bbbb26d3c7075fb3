// The JavaScript automerge-repo sync server, the third peer in `bench sync`
// beside Fieldcheck and samod: `node server.mjs DATA_DIR`.
//
// It mirrors the reference server, automerge-repo-sync-server (src/server.js
// at v0.3.0): the same Repo configuration, that is a WebSocket server adapter,
// filesystem storage, the peer id `storage-server-HOSTNAME` and a share
// policy that announces nothing, so it only syncs documents a peer already
// has or asks for by id. What it leaves out is the reference's Express app
// (a static folder and a "running" page on GET /); here the `ws` server owns
// the port, takes an upgrade on any path, and answers other requests 426.
//
// Like `fieldcheck-server serve` and `fieldcheck-bench samod-server`, it
// listens on 127.0.0.1, port 0, and prints `listening on http://ADDR` as its
// first and only line on stdout: the bench reads that line and then closes the
// pipe, so nothing else may go to stdout. It runs until it is killed.

import fs from "node:fs"
import os from "node:os"
import { Repo } from "@automerge/automerge-repo"
// `NodeWSServerAdapter` in the reference is an alias of this class.
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

// automerge-repo reports some errors with console.log ("error receiving
// message", ...): send them to stderr with the rest, so that stdout carries
// the address line alone and a late write cannot hit the closed pipe.
console.log = console.info = console.debug = console.error

const dir = process.argv[2]
if (!dir) {
  console.error("usage: node server.mjs DATA_DIR")
  process.exit(2)
}
fs.mkdirSync(dir, { recursive: true })

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })

// The listening `wss` keeps the process, and through its listeners the Repo,
// alive.
// One departure from the reference: a keep-alive of 60 s instead of 5 s. The
// adapter cuts a peer whose ping reply has not arrived by the next ping, and
// while the server applies a device's burst of documents its event loop is
// busy for seconds at a time, so at 5 s it cut the bench's devices mid-sync
// (and they had to start again). Nothing else changes with it.
const KEEP_ALIVE_MS = 60_000

// The second departure: under a burst of a thousand documents the Repo's own
// 60-second wait for a document to be ready can run out, and that promise's
// rejection is not handled inside automerge-repo, which would end the
// process. It is reported on stderr instead and the server goes on, as it
// does for a peer's error.
process.on("unhandledRejection", (e) => console.error("unhandled rejection:", e))

new Repo({
  network: [new WebSocketServerAdapter(wss, KEEP_ALIVE_MS)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `storage-server-${os.hostname()}`,
  // As in the reference: a server does not share generously, it only syncs
  // documents that peers already know about and can ask for by id.
  sharePolicy: async () => false,
})

wss.on("listening", () => {
  const { address, port } = wss.address()
  process.stdout.write(`listening on http://${address}:${port}\n`)
})
wss.on("error", (e) => {
  console.error(e)
  process.exit(1)
})
