// The player's page: join with a code and a name, wait in the lobby, negotiate, see
// the end. Who you are (token) is kept in sessionStorage, so a reload or a phone that
// slept comes back to the same game even with two players in two tabs of one browser,
// and in localStorage too, so a tab opened anew still finds it. Every (re)connection
// takes a full view from the server, so nothing is ever lost or counted twice.

import { $, show, announce, replace, h } from "./dom.js";
import { call } from "./api.js";
import { LiveSocket } from "./socket.js";
import { fromView, applyEvent } from "./game_state.js";
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
  const code = $("#join-code").value.trim().toUpperCase();
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
  socket = new LiveSocket(() => ({ type: "hello", token: identity.token }), { onMessage, onStatus });
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
  if (status === "lost") {
    banner.textContent = "Connection lost. Reconnecting…";
    show(banner, true);
  }
}

function onMessage(message) {
  switch (message.type) {
    case "welcome":
      if (message.game) setGame(message.game);
      else lobby();
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
  renderEnd(game, identity.token);
  $("#end-next").textContent = identity.practice
    ? "A practice game: use “Join as someone else” to start another."
    : `Waiting for the facilitator to start round ${game.view.round + 1}.`;
}

function lobby() {
  if (shown !== "lobby") $("#lobby-renamed").textContent = "";
  screen("lobby");
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
