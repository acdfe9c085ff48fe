// The facilitator's page: the key, a session from the scenario library, the join code
// large with its QR code for projection, the live roster and board from the session
// feed, round controls, and the debrief. The key is kept in localStorage (and taken
// out of the address bar at once, since this page is often on a projector).

import { $, h, replace, show, announce, keepFocus, clock } from "./dom.js";
import { FacilitatorKey, download } from "./api.js";
import { LiveSocket } from "./socket.js";
import { renderRoster, renderBoard, tickBoard, tickRoster, counts, rosterCounts } from "./board.js";
import { renderDebrief, roundChoices } from "./debrief.js";

// Seconds in which a walkout may be taken back if the other side agrees (docs/rules.md).
const WALKOUT_WINDOW = 30;
// How often the board asks for a fresh snapshot between changes, so a quiet pair's
// flag shows up though nothing happened in its game.
const BOARD_REFRESH_MS = 20_000;
const EXPECTED = "zopa.expected.";
let code = null;
let socket = null;
let snapshot = null;
let snapshotAt = 0;
let space = null;
let roleLabels = null; // role id -> label over the whole library
let debriefSignature = "";
const drawn = { players: "", board: "" };

function readHash() {
  code = facilitator.takeFromHash().get("session");
  history.replaceState(null, "", location.pathname + location.search + (code ? `#session=${code}` : ""));
}

function screen(name) {
  for (const id of ["key", "setup", "session"]) show($(`#${id}-screen`), id === name);
  show($("#new-session"), name === "session");
  show($("#debrief-link"), name === "session");
  if (name !== "session") show($("#schedule-link"), false);
}

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

function askKey(message) {
  facilitator.forget();
  screen("key");
  error(message || "");
  return null;
}

const facilitator = new FacilitatorKey({ error, refused: askKey });
const api = (method, path, body) => facilitator.call(method, path, body);

function confirmAction(text, label) {
  const dialog = $("#confirm-dialog");
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = label;
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

// ---- setup ----

async function setup() {
  screen("setup");
  const answer = await api("GET", "/api/scenarios");
  if (!answer) return;
  const select = $("#scenario");
  replace(select, answer.scenarios.map((s) =>
    h("option", { value: s.id }, `${s.title} — ${s.roles.map((r) => r.label || r.id || r).join(" vs ")}, ${s.issues} issue${s.issues > 1 ? "s" : ""}`)));
  const describe = () => {
    const chosen = answer.scenarios.find((s) => s.id === select.value);
    $("#scenario-about").textContent = chosen ? chosen.description.trim() : "";
  };
  select.onchange = describe;
  describe();
}

$("#key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  facilitator.set($("#key-input").value.trim());
  start();
});

$("#create-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = { scenario: $("#scenario").value, variation: $("#variation").checked, estimates: $("#estimates").checked,
    walkout_window: $("#walkout-window").checked ? WALKOUT_WINDOW : 0 };
  const minutes = $("#minutes").value;
  if (minutes) body.time_limit = Math.round(Number(minutes) * 60);
  const reading = $("#reading-minutes").value;
  if (reading !== "") body.reading = Math.round(Number(reading) * 60);
  const answer = await api("POST", "/api/sessions", body);
  if (answer) openSession(answer.code);
});

$("#open-form").addEventListener("submit", (e) => {
  e.preventDefault();
  openSession($("#open-code").value.trim().toUpperCase());
});

$("#new-session").addEventListener("click", () => {
  if (socket) socket.close();
  socket = null;
  snapshot = null;
  code = null;
  // Nothing of the session before stays on the page to be mistaken for the new one.
  $("#join-code").textContent = "";
  history.replaceState(null, "", location.pathname);
  setup();
});

// ---- the session ----

async function openSession(newCode) {
  code = newCode;
  space = null;
  debriefSignature = drawn.players = drawn.board = "";
  history.replaceState(null, "", `${location.pathname}#session=${code}`);
  const joinUrl = `${location.origin}/?code=${encodeURIComponent(code)}`;
  $("#join-code").textContent = code;
  $("#join-address").textContent = location.host;
  $("#session-label").textContent = `Session ${code}`;
  $("#schedule-link").href = `standings.html?code=${encodeURIComponent(code)}&view=schedule`;
  $("#class-debrief-link").href = `debrief.html?session=${encodeURIComponent(code)}&view=facilitator`;
  $("#class-projector-link").href = `debrief.html?session=${encodeURIComponent(code)}&view=class`;
  // Shown once the snapshot says the session is a tournament.
  $("#schedule-link").hidden = true;
  $("#session-about").textContent = "";
  $("#expected-names").value = expectedNames().join("\n");
  show($("#localhost-warning"), ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname));
  screen("session");
  if (socket) socket.close();
  socket = new LiveSocket(() => ({ type: "hello", key: facilitator.value, session: code }), { onMessage, onStatus, session: () => code });
  socket.open();
  showQr(joinUrl);
}

async function showQr(joinUrl) {
  const answer = await fetch(`/api/qr?text=${encodeURIComponent(joinUrl)}`, { headers: { Authorization: `Bearer ${facilitator.value}` } });
  if (!answer.ok) return;
  const img = $("#qr");
  img.src = URL.createObjectURL(await answer.blob());
  img.alt = `QR code that opens ${joinUrl}`;
  show(img, true);
}

function onStatus(status, closeCode) {
  const banner = $("#connection");
  if (status === "refused") {
    show(banner, false);
    if (closeCode === 4401) askKey("That key was not accepted.");
    else {
      setup();
      error(`There is no session ${code} on this server.`);
    }
    return;
  }
  banner.textContent = "Connection to the server lost. Reconnecting…";
  show(banner, status === "lost");
}

async function onMessage(message) {
  // A closing socket of the session before may still deliver one last snapshot.
  if (message.type !== "session" || message.code !== code) return;
  snapshot = message;
  snapshotAt = performance.now();
  if (!space) space = await api("GET", `/api/sessions/${encodeURIComponent(code)}/analysis`);
  if (!roleLabels) {
    // Every built-in scenario's role labels: a tournament's rounds may be on several.
    const library = await api("GET", "/api/scenarios");
    roleLabels = Object.fromEntries((library ? library.scenarios : []).flatMap((s) => s.roles.map((r) => [r.id, r.label])));
  }
  render();
}

// Storage failing stops every game that tries to move: say so above everything else.
function storageNotice(storage) {
  const failing = Boolean(storage && !storage.ok);
  if (failing) {
    const since = new Date(storage.failing_since * 1000).toLocaleTimeString();
    $("#storage").textContent = `Storage is failing since ${since} (${storage.reason}): games take no moves ` +
      "and their clocks are stopped until it works again; they then go on by themselves. See docs/deploy.md.";
  }
  show($("#storage"), failing);
}

function render() {
  storageNotice(snapshot.storage);
  const joined = snapshot.players.filter((p) => !p.removed);
  $("#join-count").textContent = `${joined.length} joined, ${joined.filter((p) => p.connected).length} connected`;
  $("#cards-mode").textContent = snapshot.variation === false
    ? "Cards: every game plays the scenario's own two cards (variation off)."
    : "Cards: every game deals its own (variation on): BATNAs and points differ from game to game."
    + (snapshot.estimates ? " Players write down a sealed estimate of the other side." : "")
    + (snapshot.walkout_window ? ` A walkout may be taken back within ${snapshot.walkout_window} s if the other side agrees.` : "");
  const scenario = snapshot.scenario;
  const limit = scenario.time_limit ? `, ${clock(scenario.time_limit)} per game` : "";
  // The session's reading time over the scenario's (docs/rules.md, "Reading time").
  const reading = snapshot.reading ?? scenario.reading ?? 0;
  const read = reading > 0 ? `, after ${clock(reading)} of reading time` : "";
  $("#session-about").textContent = `${scenario.title}${limit}${read}.`;
  $("#schedule-link").hidden = !snapshot.schedule;
  // Once the room is playing the join card shrinks: latecomers still see the code.
  $("#join-card").classList.toggle("compact", snapshot.rounds.length > 0);
  const next = snapshot.rounds.length + 1;
  const planned = snapshot.schedule ? snapshot.schedule.rounds.length : null;
  const done = planned !== null && next > planned;
  $("#start-round").textContent = done ? "Every scheduled round has started" : `Start round ${next}`;
  const live = snapshot.rounds.some((r) => r.games.some((g) => !g.result));
  const playing = new Set(snapshot.rounds.flatMap((r) => r.games.filter((g) => !g.result).map((g) => g.game)));
  // A round pairs only the players who are free; with nobody free there is nothing to
  // start, and a tournament has no round after its last.
  $("#start-round").disabled = done || !joined.some((p) => !playing.has(p.game));
  $("#pause-all").disabled = !live || snapshot.paused;
  $("#resume-all").disabled = !live || !snapshot.paused;
  $("#extend-all").disabled = $("#end-round").disabled = !live;
  // Snapshots come up to four times a second; parts are redrawn only when what they
  // show changed (the clocks tick on their own), and keep the keyboard focus.
  // The roster's signature holds what its rows show: who is playing changes when a
  // game ends, though the player's own entry does not.
  const players = JSON.stringify([snapshot.players.map(({ away_seconds, ...p }) => [p, away_seconds === null]),
    [...playing], expectedNames()]);
  if (players !== drawn.players) {
    drawn.players = players;
    keepFocus($("#roster"), () => renderRoster($("#roster"), snapshot, removePlayer, expectedNames()));
  }
  $("#roster-counts").textContent = rosterCounts(snapshot, expectedNames());
  $("#board-counts").textContent = counts(snapshot);
  const last = snapshot.rounds[snapshot.rounds.length - 1];
  const board = JSON.stringify([Boolean(space), last && last.games.map(({ seconds_left, events, since_offer, ...rest }) => rest)]);
  if (board !== drawn.board) {
    drawn.board = board;
    keepFocus($("#board"), () => renderBoard($("#board"), snapshot, 0, { extend: extendGame, ...stepIn }, { ...roleLabels, ...(space ? space.labels : {}) }));
  }
  renderDebriefIfChanged();
}

function renderDebriefIfChanged() {
  if (!space) return;
  const select = $("#debrief-round");
  const choices = roundChoices(snapshot);
  const chosen = select.value || "all";
  if (select.options.length !== choices.length) {
    replace(select, choices.map(([value, text]) => h("option", { value }, text)));
    select.value = chosen;
  }
  // Results change rarely; redrawing the chart on every snapshot would steal focus.
  const signature = JSON.stringify([select.value, snapshot.rounds.map((r) => r.games.map((g) => [g.game, g.result && g.result.joint]))]);
  if (signature === debriefSignature) return;
  debriefSignature = signature;
  renderDebrief($("#debrief"), snapshot, space, select.value, roleLabels || {});
}

$("#debrief-round").addEventListener("change", () => renderDebriefIfChanged());
// A button rather than a #fragment link: the address keeps the session for a reload.
$("#debrief-link").addEventListener("click", () => {
  $("#debrief-title").scrollIntoView();
  $("#debrief-title").focus({ preventScroll: true });
});

async function removePlayer(player) {
  if (!(await confirmAction(`Remove ${player.name} from the session? A bot finishes their game.`, "Remove"))) return;
  await api("DELETE", `/api/sessions/${encodeURIComponent(code)}/players/${encodeURIComponent(player.id)}`);
}

// Stepping in on one game: pause or resume it, a message or hint to its pair, a seat
// as its mediator (mediator.html, in a tab of its own).
const stepIn = {
  pause: (game) => api("POST", `/api/sessions/${encodeURIComponent(code)}/pause`, { game: game.game }),
  resume: (game) => api("POST", `/api/sessions/${encodeURIComponent(code)}/resume`, { game: game.game }),
  message: (game, pair) => {
    const dialog = $("#message-dialog");
    $("#message-title").textContent = `Message to ${pair}`;
    $("#message-text").value = "";
    $("#message-hint").checked = false;
    dialog.dataset.game = game.game;
    dialog.showModal();
  },
  mediateHref: (game) => `mediator.html#session=${encodeURIComponent(code)}&game=${encodeURIComponent(game.game)}`,
};

$("#message-dialog").addEventListener("close", async () => {
  const dialog = $("#message-dialog");
  const text = $("#message-text").value.trim();
  if (dialog.returnValue !== "send" || !text) return;
  const sent = await api("POST", `/api/sessions/${encodeURIComponent(code)}/message`,
    { game: dialog.dataset.game, text, hint: $("#message-hint").checked });
  if (sent) announce("Message sent to both players of the game.");
});

setInterval(async () => {
  if (!snapshot || !code || !snapshot.rounds.some((r) => r.games.some((g) => g.live))) return;
  const fresh = await api("GET", `/api/sessions/${encodeURIComponent(code)}`);
  if (fresh) onMessage({ ...fresh, type: "session" });
}, BOARD_REFRESH_MS);

async function extendGame(game) {
  await api("POST", `/api/sessions/${encodeURIComponent(code)}/extend`, { seconds: 120, game: game.game });
}

$("#start-round").addEventListener("click", async () => {
  const answer = await api("POST", `/api/sessions/${encodeURIComponent(code)}/rounds`);
  if (answer) announce(`Round ${answer.round} started: ${answer.games.length} game${answer.games.length > 1 ? "s" : ""}.`);
});
$("#pause-all").addEventListener("click", () => api("POST", `/api/sessions/${encodeURIComponent(code)}/pause`));
$("#resume-all").addEventListener("click", () => api("POST", `/api/sessions/${encodeURIComponent(code)}/resume`));
$("#extend-all").addEventListener("click", () => api("POST", `/api/sessions/${encodeURIComponent(code)}/extend`, { seconds: 120 }));
$("#end-round").addEventListener("click", async () => {
  if (await confirmAction("End every live game now? They end as impasses.", "End the round")) {
    api("POST", `/api/sessions/${encodeURIComponent(code)}/end-round`);
  }
});
$("#export-csv").addEventListener("click", () =>
  download(`/api/sessions/${encodeURIComponent(code)}/results.csv`, facilitator.value, `zopa-${code}.csv`).catch((err) => error(err.message)));
$("#project").addEventListener("click", () => {
  const on = document.body.classList.toggle("projecting");
  $("#project").setAttribute("aria-pressed", String(on));
  $("#project").textContent = on ? "Back to the controls" : "Projector view";
  // The projected page starts at its heading, whatever was scrolled before.
  if (on) window.scrollTo(0, 0);
});

setInterval(() => {
  if (!snapshot) return;
  const elapsed = (performance.now() - snapshotAt) / 1000;
  tickBoard($("#board"), snapshot, elapsed);
  tickRoster($("#roster"), snapshot, elapsed);
}, 500);

// ---- expected participants: a list kept in this browser, per session ----

function expectedNames() {
  if (!code) return [];
  try {
    return JSON.parse(localStorage.getItem(EXPECTED + code)) || [];
  } catch {
    return [];
  }
}

$("#expected-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const names = [...new Set($("#expected-names").value.split("\n").map((n) => n.trim()).filter(Boolean))];
  localStorage.setItem(EXPECTED + code, JSON.stringify(names));
  announce(`${names.length} expected participant${names.length === 1 ? "" : "s"} saved.`);
  if (snapshot) render();
});

function start() {
  if (!facilitator.value) return askKey();
  if (code) openSession(code);
  else setup();
}

readHash();
start();
