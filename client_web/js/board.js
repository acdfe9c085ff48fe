// The facilitator's live roster and board of games, drawn from the session snapshot
// the server pushes (docs/protocol.md). Between snapshots only the clocks move.

import { h, replace, clock, points, who as nameOf } from "./dom.js";
import { REASONS } from "./describe.js";
import { flagList, stepInButtons } from "./intervene_board.js";
import { replayHref } from "./api.js";

export function names(snapshot) {
  return Object.fromEntries(snapshot.players.map((p) => [p.id, p.name]));
}

export function gameState(game) {
  const result = game.result;
  if (result) {
    if (result.outcome === "agreement") return "agreed";
    return result.reason === "walkout" ? "walked out" : `impasse: ${REASONS[result.reason] || result.reason}`;
  }
  if (game.quarantined) return "set aside: damaged";
  if (game.live && game.storage_available === false) return "waiting for storage";
  if (game.flags && game.flags.some((f) => f.flag === "walkout")) return "walkout pending";
  if (game.paused) return "paused";
  if (game.on_break) return "on a break";
  if (game.reading) return "reading";
  return "negotiating";
}

function running(game) {
  return !game.result && game.live && !game.paused && !game.on_break && !game.reading;
}

export function timeLeft(game, elapsed) {
  if (game.result || game.seconds_left === undefined) return "–";
  return clock(game.seconds_left - (running(game) ? elapsed : 0));
}

function away(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `away ${s} s` : `away ${Math.floor(s / 60)} min ${s % 60} s`;
}

function connection(p, elapsed = 0) {
  if (p.connected) return "connected";
  return p.away_seconds === null ? "not connected" : away(p.away_seconds + elapsed);
}

// Expected names (the facilitator's list) that nobody in the session goes by.
function missing(snapshot, expected) {
  const joined = new Set(snapshot.players.filter((p) => !p.removed).map((p) => p.name.toLowerCase()));
  return expected.filter((name) => !joined.has(name.toLowerCase()));
}

export function rosterCounts(snapshot, expected = []) {
  const people = snapshot.players.filter((p) => !p.removed);
  const parts = [`${people.length} joined`, `${people.filter((p) => p.connected).length} connected`];
  if (expected.length) parts.push(`${expected.length - missing(snapshot, expected).length} of ${expected.length} expected`);
  return parts.join(" · ");
}

export function renderRoster(box, snapshot, onRemove, expected = []) {
  const games = new Map(snapshot.rounds.flatMap((r) => r.games.map((g) => [g.game, g])));
  const people = snapshot.players.filter((p) => !p.removed);
  const absent = missing(snapshot, expected);
  if (!people.length && !absent.length) return replace(box, h("p", { class: "muted" }, "Nobody has joined yet."));
  replace(box, h("table", {},
    h("caption", { class: "sr-only" }, "Players in this session"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Connection"),
      h("th", { scope: "col" }, "Now"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
    h("tbody", {}, people.map((p) => {
      const game = p.game ? games.get(p.game) : null;
      const now = !game ? "not yet in a game" : game.result ? "waiting for the next round" : "playing";
      return h("tr", { "data-player": p.id },
        h("td", {}, nameOf(p.name)),
        h("td", {}, h("span", { class: `dot ${p.connected ? "on" : "off"}`, "aria-hidden": "true" }),
          h("span", { "data-away": p.id }, connection(p))),
        h("td", {}, now),
        h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => onRemove(p),
          "aria-label": `Remove ${p.name}`, "data-focus": `remove-${p.id}` }, "Remove")));
    }), absent.map((name) => h("tr", { class: "expected" },
      h("td", {}, nameOf(name)), h("td", {}, "not joined yet"), h("td", {}, "–"), h("td", {}))))));
}

// Between snapshots: the time away counts up.
export function tickRoster(box, snapshot, elapsed) {
  for (const p of snapshot.players) {
    if (p.connected || p.away_seconds === null || p.removed) continue;
    const cell = box.querySelector(`[data-away="${CSS.escape(p.id)}"]`);
    if (cell) cell.textContent = connection(p, elapsed);
  }
}

// "3 negotiating · 1 on a break · 5 agreed · 2 impasse" for the latest round.
export function counts(snapshot) {
  const round = snapshot.rounds[snapshot.rounds.length - 1];
  if (!round) return "";
  const tally = new Map();
  for (const game of round.games) {
    const state = gameState(game);
    const kind = state.startsWith("impasse") || state === "walked out" ? "impasse" : state;
    tally.set(kind, (tally.get(kind) || 0) + 1);
  }
  const order = ["reading", "negotiating", "on a break", "paused", "walkout pending", "agreed", "impasse"];
  return `Round ${round.round}: ` + order.filter((k) => tally.get(k)).map((k) => `${tally.get(k)} ${k}`).join(" · ");
}

export function renderBoard(box, snapshot, elapsed, actions, labels = {}) {
  const round = snapshot.rounds[snapshot.rounds.length - 1];
  if (!round) return replace(box, h("p", { class: "muted" }, "No round yet. Start one when everybody has joined."));
  const who = names(snapshot);
  const [first, second] = snapshot.roles;
  replace(box, h("table", {},
    h("caption", {}, `Round ${round.round}`),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Players"), h("th", { scope: "col" }, "State"),
      h("th", { scope: "col", class: "num" }, "Time left"), h("th", { scope: "col", class: "num" }, "Offers"),
      h("th", { scope: "col" }, "Watch"),
      h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
    h("tbody", {}, round.games.map((game) => {
      const state = gameState(game);
      const seat = (role) => {
        const id = game.players[role];
        const bot = game.seats && game.seats[role] && game.seats[role].startsWith("bot:");
        return `${id ? who[id] : "bot"}${id && bot ? " (bot standing in)" : ""}`;
      };
      const name = (role) => nameOf(seat(role));
      return h("tr", { "data-game": game.game },
        h("td", {}, h("div", {}, h("span", { class: "side-0-text" }, `${labels[first] || first}: `), name(first)),
          h("div", {}, h("span", { class: "side-1-text" }, `${labels[second] || second}: `), name(second))),
        h("td", {}, h("span", { class: `state ${state.split(":")[0].replaceAll(" ", "-")}` }, state),
          game.result ? h("div", { class: "muted" }, `${points(game.result.points[first])} / ${points(game.result.points[second])}`) : null,
          game.quarantined ? h("div", { class: "muted" }, `Its stored log cannot be rebuilt (${game.quarantined}); the rows are kept as they are.`) : null),
        h("td", { class: "num", "data-clock": game.game }, timeLeft(game, elapsed)),
        h("td", { class: "num" }, game.offers ?? "–"),
        h("td", { "data-flags": game.game }, flagList(game, labels)),
        h("td", {}, h("div", { class: "buttons" },
          ...stepInButtons(game, actions, `${seat(first)} and ${seat(second)}`),
          !game.live ? null : h("button", { type: "button", class: "secondary", onclick: () => actions.extend(game),
            "data-focus": `extend-${game.game}`, "aria-label": `+2 min for ${seat(first)} and ${seat(second)}` }, "+2 min"),
          h("a", { class: "button secondary", href: replayHref(game.game, snapshot.code), target: "_blank",
            "data-focus": `replay-${game.game}`, "aria-label": `Replay the game of ${seat(first)} and ${seat(second)}` }, "Replay"))));
    }))));
}

// Between snapshots: only the time-left cells change.
export function tickBoard(box, snapshot, elapsed) {
  const round = snapshot && snapshot.rounds[snapshot.rounds.length - 1];
  if (!round) return;
  for (const game of round.games) {
    const cell = box.querySelector(`[data-clock="${CSS.escape(game.game)}"]`);
    if (cell) cell.textContent = timeLeft(game, elapsed);
  }
}
