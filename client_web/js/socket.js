// A websocket that says hello, and reconnects by itself with growing pauses when the
// network drops or a phone sleeps. Close codes that mean "do not come back" (a wrong
// token, a removed player, an unknown session) stop it for good; so does 4409, a newer
// socket of the same player (another tab) having taken this one's place. 4503 (the
// session is served by another worker, which is taking it over) is retried like a drop.

import { wsUrl } from "./api.js";

const FINAL = new Set([4400, 4401, 4403, 4404]);
const REPLACED = 4409;

export class LiveSocket {
  constructor(hello, { onMessage, onStatus, session }) {
    this.hello = hello;
    // The session's code, or nothing: sent in the URL for the proxy (api.js wsUrl).
    this.session = session || (() => null);
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.delay = 500;
    this.stopped = false;
    this.socket = null;
    this.pingTimer = null;
    // A phone coming back from sleep should not wait out the backoff.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.socket && !this.stopped) this.open();
    });
  }

  open() {
    clearTimeout(this.retryTimer);
    if (this.stopped || this.socket) return;
    this.onStatus("connecting");
    const socket = new WebSocket(wsUrl(this.session()));
    this.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify(this.hello()));
      this.delay = 500;
      this.onStatus("open");
      // Some proxies and phones drop quiet sockets; a ping every 25 s keeps it alive.
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), 25_000);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type !== "pong") this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      clearInterval(this.pingTimer);
      this.socket = null;
      if (event.code === REPLACED) {
        this.stopped = true;
        this.onStatus("replaced", event.code, event.reason);
        return;
      }
      if (FINAL.has(event.code)) {
        this.stopped = true;
        this.onStatus("refused", event.code, event.reason);
        return;
      }
      if (this.stopped) return;
      this.onStatus("lost");
      this.retryTimer = setTimeout(() => this.open(), this.delay);
      this.delay = Math.min(this.delay * 1.6, 5000);
    });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // Drop this socket and open a new one, which brings a fresh view.
  reconnect() {
    if (this.socket) this.socket.close(4000, "resync");
  }

  close() {
    this.stopped = true;
    if (this.socket) this.socket.close(1000);
  }
}
