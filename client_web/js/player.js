// The player's page: join with a code and a name, wait in the lobby, negotiate, see
// the end. Who you are (token) is kept in sessionStorage, so a reload or a phone that
// slept comes back to the same game even with two players in two tabs of one browser,
// and in localStorage too, so a tab opened anew still finds it. A reconnection names
// the game and the last event this page has, and gets exactly the events it missed; a
// new page, or one whose game is over, takes a full view. Nothing is lost or counted twice.

import { $, show, announce, replace, h } from "./dom.js";
import { call } from "./api.js";
import { LiveSocket } from "./socket.js";
import { fromView, applyEvent, secondsLeft, breakSecondsLeft } from "./game_state.js";
import { GameView } from "./game_view.js";
import { renderEnd } from "./end_view.js";
import { setupPractice } from "./practice.js";

const STORE = "zopa.player";
let identity = load();
let socket = null;
let game = null;
let shown = null;
const view = new GameView((message) => send(message), (text) => error(text));

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || localStorage.getItem(STORE));
  } catch {
    return null;
  }
}

function save(value) {
  for (const store of [sessionStorage, localStorage]) {
    if (value) store.setItem(STORE, JSON.stringify(value));
    else store.removeItem(STORE);
  }
}

// This tab stops being this player (another tab may still be them).
function forget() {
  sessionStorage.removeItem(STORE);
  const shared = localStorage.getItem(STORE);
  if (identity && shared && JSON.parse(shared).token === identity.token) localStorage.removeItem(STORE);
}

function screen(name) {
  for (const id of ["join", "lobby", "game", "end"]) show($(`#${id}-screen`), id === name);
  // A new screen takes the focus to its heading: a keyboard or screen reader user
  // starts there rather than on the page's body.
  if (shown !== name) {
    shown = name;
    error("");
    const heading = $(`#${name}-screen h1`);
    if (heading) heading.focus({ preventScroll: true });
  }
  show($("#leave"), name === "lobby" || name === "end");
  $("#who").textContent = identity ? `${identity.name} · ${identity.code}` : "";
  if (identity) $("#leave").textContent = `Not ${identity.name}? Join as someone else`;
}

// On the game screen a refusal shows in the bar at the top, which stays in view.
function error(text) {
  const here = shown === "game" ? "#g-errors" : "#errors";
  for (const id of ["#errors", "#g-errors"]) {
    replace($(id), text && id === here ? h("p", { class: "notice error" }, text) : null);
  }
}

function send(message) {
  error("");
  if (socket && socket.send(message)) return true;
  error("Not connected: your move was not sent. Reconnecting…");
  return false;
}

function showJoin(message) {
  screen("join");
  const params = new URLSearchParams(location.search);
  if (params.get("code")) $("#join-code").value = params.get("code");
  if (message) error(message);
}

// A player the facilitator removed finds an empty form: joining again is a deliberate
// act, not one tap on what the page still held.
function showRemoved() {
  history.replaceState(null, "", location.pathname);
  for (const field of ["#join-code", "#join-name", "#practice-name"]) $(field).value = "";
  showJoin("The facilitator removed you from the session.");
}

$("#join-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  // As the server reads a code (server/codes.py): the same key for the proxy's hash too.
  const code = $("#join-code").value.toUpperCase().replace(/[\s-]/g, "");
  const name = $("#join-name").value.trim();
  if (!name) {
    error("Please type your name.");
    $("#join-name").focus();
    return;
  }
  try {
    const answer = await call("POST", `/api/sessions/${encodeURIComponent(code)}/players`, { body: { name } });
    // The session may know this player by another name ("Sam 2" when a Sam was there).
    identity = { code, name: answer.name || name, player: answer.player, token: answer.token };
    save(identity);
    connect();
    if (identity.name !== name) {
      $("#lobby-renamed").textContent = `Someone here is already called ${name}, so you are ${identity.name}.`;
    }
  } catch (err) {
    error(err.code === "no_such_session" ? `No session has the code ${code}. Check it on the screen.` : err.message);
  }
});

$("#leave").addEventListener("click", () => {
  forget();
  identity = null;
  game = null;
  if (socket) socket.close();
  socket = null;
  showJoin();
});

function connect() {
  lobby();
  socket = new LiveSocket(hello, { onMessage, onStatus, session: () => identity && identity.code });
  socket.open();
}

function onStatus(status, code) {
  const banner = $("#connection");
  if (status === "open") {
    show(banner, false);
    return;
  }
  if (status === "refused") {
    show(banner, false);
    save(null);
    identity = null;
    game = null;
    if (code === 4403) showRemoved();
    else showJoin("This session no longer knows you: join again.");
    return;
  }
  if (status === "replaced") {
    banner.textContent = "This game is open in another tab or window. Reload to play here.";
    show(banner, true);
    return;
  }
  if (status === "lost") {
    banner.textContent = "Connection lost. Reconnecting…";
    show(banner, true);
  }
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      if (!message.game) lobby();
      else if (!resumed(message.game)) setGame(message.game);
      break;
    case "game":
      setGame(message);
      announce("A new round has started.");
      break;
    case "event":
      onEvent(message);
      break;
    case "ended":
      if (game && message.game === game.id) {
        game.result = message.result;
        game.cards = message.cards;
        showEnd();
      }
      break;
    case "presence":
      if (game && message.game === game.id) view.setPresence(message);
      break;
    case "storage":
      if (game && message.game === game.id) storageBanner(message.available);
      break;
    case "error":
      error(message.message);
      break;
  }
}

function setGame(message) {
  const { type, ...rest } = message;
  game = fromView(rest);
  // The partner's presence is part of the view: a reload keeps "away" and its control.
  view.presence = rest.presence || null;
  if (game.result) showEnd();
  else {
    screen("game");
    view.load(game);
    storageBanner(rest.storage_available !== false);
  }
}

// The hello names the game its `since` counts in (docs/protocol.md): the server then
// sends only what this page missed of it, or, if that game is over and another began,
// the new game whole.
function hello() {
  const message = { type: "hello", token: identity.token };
  if (game) Object.assign(message, { game: game.id, since: game.lastSeq });
  return message;
}

// A welcome that goes on from this page's own copy of the game: the events it missed
// follow, exactly as if the page had stayed connected.
function resumed(welcomed) {
  if (welcomed.since === undefined || !game || welcomed.game !== game.id) return false;
  if (welcomed.presence) view.setPresence(welcomed.presence);
  storageBanner(welcomed.storage_available !== false);
  return true;
}

// While the server cannot save the game it takes no moves and the clock stands still;
// the game goes on by itself when saving works again, with a pause and a resume event
// that set the page's clock as the server's.
function storageBanner(available) {
  const banner = $("#storage");
  banner.textContent = "The server cannot save the game right now: moves wait and the clock is stopped. " +
    "The game goes on by itself as soon as saving works again.";
  show(banner, !available);
  if (game && Boolean(game.held) === available) {
    // Held, the clocks show what they showed; let go, they count on from that moment.
    const now = performance.now();
    const s = game.status;
    const breakLeft = s.break_left === null ? null : breakSecondsLeft(game, now);
    game.status = { ...s, seconds_left: secondsLeft(game, now), break_left: breakLeft };
    game.toldAt = now;
    game.held = !available;
    view.update();
  }
}

function onEvent(message) {
  if (!game || message.game !== game.id || message.seq <= game.lastSeq) return;
  if (message.seq > game.lastSeq + 1) {
    // A gap should never happen; a fresh view is the safe way back.
    socket.reconnect();
    return;
  }
  const event = { seq: message.seq, ...message.event };
  applyEvent(game, event, message.status);
  view.addEvents([event]);
  view.update();
  view.tell(event);
}

function showEnd() {
  screen("end");
  storageBanner(true);
  renderEnd(game, identity.token, identity.code);
  $("#end-next").textContent = identity.practice
    ? "A practice game: use “Join as someone else” to start another."
    : `Waiting for the facilitator to start round ${game.view.round + 1}.`;
}

function lobby() {
  if (shown !== "lobby") $("#lobby-renamed").textContent = "";
  screen("lobby");
  storageBanner(true);
  $("#lobby-name").textContent = identity.name;
  $("#lobby-status").textContent = "Waiting for the facilitator to start the next round.";
}

setInterval(() => {
  if (game && !game.result) view.tick();
}, 250);

setupPractice((started) => {
  identity = started;
  save(identity);
  error("");
  connect();
}, error);

if (identity) connect();
else showJoin();
