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
