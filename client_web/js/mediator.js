// The mediator's seat: the facilitator sits in on one game as a third party. The page
// shows the game as both players see it (the server sends nothing else: no card, the
// claims sealed), says things to both and suggests terms; the server logs them as the
// mediator's (docs/protocol.md). Leaving the page leaves the seat.

import { $, h, replace, show, announce, stamp } from "./dom.js";
import { describeEvent, REASONS } from "./describe.js";
import { LiveSocket } from "./socket.js";

const KEY = "zopa.facilitatorKey";
const params = new URLSearchParams(location.hash.slice(1));
const session = params.get("session");
const gameId = params.get("game");
let socket = null;
let game = null;

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

function who(role) {
  return (game && game.players[role]) || role;
}

function statusText(s) {
  if (s.over) return "The game is over.";
  if (s.walkout) return `${who(s.walkout.by)} walked out; they may still come back.`;
  if (s.paused) return "The game is paused.";
  if (s.on_break) return "The pair is on a break.";
  if (s.turn) return `${who(s.turn)}'s turn to offer.`;
  return "Either side may offer.";
}

function render() {
  $("#m-status").textContent = statusText(game.status);
}

function addEvent(event) {
  const text = describeEvent(event, game.scenario.issues, who);
  $("#m-timeline").append(h("li", { class: event.by === null ? "system" : "", "data-type": event.type, "data-seq": event.seq },
    stamp(event.at), " ", text));
}

function picks() {
  replace($("#m-picks"), game.scenario.issues.map((issue) => h("div", {},
    h("label", { for: `m-pick-${issue.id}` }, issue.label),
    h("select", { id: `m-pick-${issue.id}`, "data-issue": issue.id },
      h("option", { value: "" }, "— leave open —"),
      issue.options.map((option, n) => h("option", { value: String(n) }, option))))));
}

function onMessage(message) {
  if (message.type === "mediator") {
    game = { ...message, events: [] };
    show($("#m-join"), false);
    show($("#m-game"), true);
    $("#m-title").textContent = `${message.scenario.title}: mediating`;
    $("#m-players").textContent = message.scenario.roles.map((r) => `${r.label}: ${who(r.id)}`).join(" · ");
    replace($("#m-timeline"));
    for (const event of message.events) addEvent(event);
    picks();
    render();
    $("#m-title").focus();
  } else if (message.type === "event" && game) {
    Object.assign(game.status, message.status);
    addEvent({ ...message.event, seq: message.seq });
    render();
    if (message.event.by) announce(describeEvent(message.event, game.scenario.issues, who));
  } else if (message.type === "ended" && game) {
    game.status.over = true;
    const r = message.result;
    const result = $("#m-result");
    result.textContent = r.outcome === "agreement"
      ? `Agreement. Points: ${Object.entries(r.points).map(([role, p]) => `${who(role)} ${p}`).join(", ")}.`
      : `No deal (${REASONS[r.reason] || r.reason}).`;
    show(result, true);
    render();
    socket.close();
  } else if (message.type === "error") {
    error(message.message);
  }
}

function onStatus(status, code, reason) {
  const banner = $("#connection");
  if (status === "refused" || status === "replaced") {
    show(banner, false);
    error(reason || "The seat could not be taken.");
    return;
  }
  banner.textContent = "Connection to the server lost. Reconnecting…";
  show(banner, status === "lost");
}

$("#m-join-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = localStorage.getItem(KEY);
  if (!key) return error("Open the facilitator page with its key first.");
  const name = $("#m-name").value.trim() || "Facilitator";
  socket = new LiveSocket(() => ({ type: "hello", key, session, mediate: gameId, name }), { onMessage, onStatus });
  socket.open();
});

$("#m-chat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("#m-chat").value.trim();
  if (text && socket && socket.send({ type: "chat", text })) $("#m-chat").value = "";
});

$("#m-suggest-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const terms = {};
  for (const select of document.querySelectorAll("#m-picks select")) {
    if (select.value !== "") terms[select.dataset.issue] = Number(select.value);
  }
  if (!Object.keys(terms).length) return error("Pick an option for at least one issue.");
  error("");
  if (socket) socket.send({ type: "suggest", terms });
});

$("#m-leave").addEventListener("click", () => {
  if (socket) socket.close();
  location.href = `facilitator.html#session=${encodeURIComponent(session || "")}`;
});

if (!session || !gameId) error("This page needs a session and a game: open it from the facilitator's board.");
