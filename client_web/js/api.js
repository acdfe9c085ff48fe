// Calls to the HTTP API. Errors come back as {"error": {"code", "message"}}; they are
// thrown as ApiError so a page can show the server's own words.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function call(method, path, { body, key } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let answer;
  try {
    answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "network", "the server cannot be reached; check the connection");
  }
  const type = answer.headers.get("content-type") || "";
  const data = /^application\/json\b(?!l)/.test(type) ? await answer.json() : await answer.text();
  if (!answer.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(answer.status, error.code || "http", error.message || `HTTP ${answer.status}`);
  }
  return data;
}

export async function download(path, key, filename) {
  const answer = await fetch(path, { headers: { Authorization: `Bearer ${key}` } });
  if (!answer.ok) throw new ApiError(answer.status, "http", `HTTP ${answer.status}`);
  saveBlob(await answer.blob(), filename);
}

export function saveBlob(blob, filename) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// The session's code in the URL lets a proxy send the socket to the worker that serves
// the session (docs/deploy.md); one worker alone ignores it.
export function wsUrl(session) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = session ? `?session=${encodeURIComponent(session)}` : "";
  return `${scheme}//${location.host}/ws${query}`;
}

// A game's replay page, and a game's API path (`part`: "log", "review", ...), with its
// session's code when it is known, for the proxy to route by, as wsUrl does.
export function replayHref(game, session) {
  return `replay.html#game=${encodeURIComponent(game)}${session ? `&session=${encodeURIComponent(session)}` : ""}`;
}

export function gameApi(game, part, session) {
  return `/api/games/${encodeURIComponent(game)}/${part}${session ? `?session=${encodeURIComponent(session)}` : ""}`;
}

// The facilitator key of the facilitator, editor and standings pages: kept in
// localStorage (one key for the three pages), taken from an address's #key=...,
// forgotten when the server refuses it.
const FACILITATOR_KEY = "zopa.facilitatorKey";

export const storedFacilitatorKey = () => localStorage.getItem(FACILITATOR_KEY);

export class FacilitatorKey {
  // refused(message): the server said 401 and the key is forgotten; ask for it again.
  // error(message): any other refusal, in the server's words ("" clears the last one).
  constructor({ refused, error }) {
    this.refused = refused;
    this.error = error;
    this.value = storedFacilitatorKey();
  }

  set(value) {
    this.value = value;
    localStorage.setItem(FACILITATOR_KEY, value);
  }

  forget() {
    this.value = null;
    localStorage.removeItem(FACILITATOR_KEY);
  }

  // The address's hash parameters; a key among them is kept, and leaves the address bar
  // at once (the page may be on a projector).
  takeFromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("key")) {
      this.set(params.get("key"));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return params;
  }

  // A call with the key: its answer, or null once the refusal has been shown.
  async call(method, path, body) {
    try {
      this.error("");
      return await call(method, path, { key: this.value, body });
    } catch (err) {
      if (err.status === 401) {
        this.forget();
        this.refused("That key was not accepted.");
      } else {
        this.error(err.message);
      }
      return null;
    }
  }
}
