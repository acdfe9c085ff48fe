// The replay viewer: a game's moves in order with step controls (buttons and arrow
// keys), the offers so far in points space, both cards, the result, and any tags and
// notes. The game comes from the server (`#game=<id>`, with the facilitator's key) or
// from files the viewer is given.

import { $, h, replace, show, points, percent, timeOfDay, efficiencyText } from "./dom.js";
import { call, gameApi, saveBlob, storedFacilitatorKey } from "./api.js";
import { describeEvent, offerNumbers, REASONS } from "./describe.js";
import { bothCards } from "./cards.js";
import { pointsChart, legend } from "./charts.js";
import { parseGameText, mergeTimeline, addNote, logText, FormatError } from "./replay_model.js";

let model = null;
let position = 0; // how many moves are shown; 0 is the start
let numbers = new Map(); // an offer's seq -> its number among the game's offers

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

function label(role) {
  const found = model.roles.find((r) => r.id === role);
  const name = model.players[role] && model.players[role].name;
  const base = found ? found.label : role;
  return name ? `${name} (${base})` : base;
}

function open(loaded) {
  model = loaded;
  position = 0;
  numbers = offerNumbers(model.steps.map((s) => s.event).filter(Boolean));
  show($("#replay"), true);
  const [a, b] = model.roles;
  $("#r-title").textContent = `${model.title}: replay`;
  $("#r-players").textContent = `${label(a.id)} and ${label(b.id)} · game ${model.game}${model.startedAt ? ` · ${new Date(model.startedAt * 1000).toLocaleString()}` : ""}`;
  const r = model.result;
  $("#r-result").textContent = !r ? "The game had not ended." : r.outcome === "agreement"
    ? `Deal: ${a.label} ${points(r.points[a.id])}, ${b.label} ${points(r.points[b.id])} (efficiency ${efficiencyText(r.efficiency, r.verdict)}${r.verdict === "trap" ? ", a side below its BATNA" : ""}${r.value_left > 0 ? `, ${points(r.value_left)} left on the table` : ""})`
    : `No deal (${REASONS[r.reason] || r.reason}): each side gets its BATNA, ${points(r.points[a.id])} and ${points(r.points[b.id])}${r.verdict === "walkaway" ? "; a correct walkaway, no deal beat both BATNAs" : r.verdict === "missed" ? "; a missed deal, efficiency 0%" : ""}`;
  const walkout = r && r.reason === "walkout" && [...model.steps].reverse().find((s) => s.type === "walkout");
  if (walkout && walkout.event && walkout.event.reason) {
    $("#r-result").textContent += `. ${label(walkout.by)} walked out: “${walkout.event.reason}”`;
  }
  if (model.cards) replace($("#r-cards"), bothCards(model.issues, model.roles, model.cards));
  else replace($("#r-cards"), h("p", { class: "muted" }, "This file does not hold the cards; open the game's log to see them."));
  show($("#r-download"), model.source === "log");
  renderMoves();
  go(0);
}

function renderMoves() {
  replace($("#r-moves"), model.steps.map((step, i) =>
    h("li", {}, h("button", { type: "button", "data-seq": step.seq, onclick: () => go(i + 1) },
      h("span", { class: "seq" }, `${step.seq}.`), stepText(step), tagList(step),
      step.notes.length ? h("span", { class: "note-tag" }, step.notes.map((n) => n.mark || "note").join(" ")) : null))));
}

function stepText(step) {
  if (step.what && !model.issues.length) return `${step.by ? `${step.by}: ` : ""}${step.what}`;
  return describeEvent(step.event, model.issues, label, { number: (seq) => numbers.get(seq) ?? seq });
}

function tagList(step) {
  return step.tags.map((t) => h("span", { class: "tag", title: t.text || "" }, t.tag));
}

function noteList(step) {
  return step.notes.map((n) => h("span", { class: "note" },
    [n.mark, n.comment, n.tags && n.tags.length ? `[${n.tags.join(", ")}]` : null, n.author ? `— ${n.author}` : null].filter(Boolean).join(" ")));
}

function go(to) {
  position = Math.max(0, Math.min(model.steps.length, to));
  const buttons = document.querySelectorAll("#r-moves button");
  buttons.forEach((button, i) => {
    if (i === position - 1) button.setAttribute("aria-current", "step");
    else button.removeAttribute("aria-current");
    button.classList.toggle("future", i >= position);
  });
  if (position > 0) buttons[position - 1].scrollIntoView({ block: "nearest" });
  $("#r-first").disabled = $("#r-prev").disabled = position === 0;
  $("#r-next").disabled = $("#r-last").disabled = position === model.steps.length;
  const step = model.steps[position - 1];
  replace($("#r-current"), step
    ? [h("p", {}, h("strong", {}, `Move ${position} of ${model.steps.length}`), ` (${timeOfDay(step.at)}): ${stepText(step)}`),
      step.points ? h("p", {}, model.roles.map((r) => `${r.label} ${points(step.points[r.id])}`).join(" · ")) : null,
      step.tags.length ? h("ul", {}, step.tags.map((t) => h("li", {}, h("span", { class: "tag" }, t.tag), t.text || ""))) : null,
      noteList(step)]
    : h("p", { class: "big" }, `The start: ${model.steps.length} moves follow. Press → or Next.`));
  $("#r-note-form").querySelector("button[type=submit]").disabled = !step;
  drawChart();
}

function drawChart() {
  const [a, b] = model.roles;
  const shown = model.steps.slice(0, position);
  const offers = shown.filter((s) => s.points && (s.type === "offer" || s.type === "claim"));
  const last = offers[offers.length - 1];
  const marks = offers.map((s) => ({
    kind: "offer", x: s.points[a.id], y: s.points[b.id], side: s.by === a.id ? 0 : 1, current: s === last,
    label: `${s.type} ${s.seq} by ${label(s.by)}: ${a.label} ${points(s.points[a.id])}, ${b.label} ${points(s.points[b.id])}`,
  }));
  const end = shown.find((s) => s.type === "end");
  if (end && model.result) {
    const r = model.result;
    marks.push({ kind: r.outcome === "agreement" ? "deal" : "impasse", x: r.points[a.id], y: r.points[b.id], current: true,
      label: `${r.outcome === "agreement" ? "the deal" : "impasse"}: ${a.label} ${points(r.points[a.id])}, ${b.label} ${points(r.points[b.id])}` });
  }
  const paths = [a.id, b.id].map((role) => offers.filter((s) => s.by === role).map((s) => [s.points[a.id], s.points[b.id]]));
  replace($("#r-chart"),
    pointsChart({ labels: [a.label, b.label], frontier: model.frontier, batna: model.batna, marks, paths,
      title: `Offers up to move ${position}`, width: $("#r-chart").clientWidth }),
    legend([["side-0", `offers by ${label(a.id)}`], ["side-1", `offers by ${label(b.id)}`],
      ...(model.frontier.length ? [["frontier", "best possible deals"]] : []), ["batna", "BATNAs"], ["deal", "the deal"], ["impasse", "an impasse"]]));
}

// ---- controls ----

$("#r-first").addEventListener("click", () => go(0));
$("#r-prev").addEventListener("click", () => go(position - 1));
$("#r-next").addEventListener("click", () => go(position + 1));
$("#r-last").addEventListener("click", () => go(model.steps.length));
document.addEventListener("keydown", (e) => {
  if (!model || e.target.closest("input, textarea, select")) return;
  const moves = { ArrowRight: position + 1, ArrowLeft: position - 1, Home: 0, End: model.steps.length };
  if (e.key in moves) {
    e.preventDefault();
    go(moves[e.key]);
  }
});

$("#r-note-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const step = model.steps[position - 1];
  const mark = $("#r-mark").value;
  const comment = $("#r-comment").value.trim();
  if (!step || (!mark && !comment)) return;
  const note = { ...(mark ? { mark } : {}), ...(comment ? { comment } : {}), author: "facilitator" };
  if (serverGame) {
    // A server game keeps its notes with its log, for every later viewer and download.
    try {
      await call("POST", gameApi(serverGame.game, "notes", serverGame.session),
        { key: serverGame.key, body: { about: step.seq, ...note } });
    } catch (err) {
      error(`The note was not saved: ${err.message}`);
      return;
    }
  }
  addNote(model, step, note);
  $("#r-comment").value = "";
  $("#r-mark").value = "";
  renderMoves();
  go(position);
});

$("#r-download").addEventListener("click", () =>
  saveBlob(new Blob([logText(model)], { type: "application/jsonl" }), `${model.game}.jsonl`));

// ---- loading ----

async function loadFiles(files) {
  error("");
  const loaded = [];
  for (const file of files) {
    try {
      loaded.push(parseGameText(await file.text()));
    } catch (err) {
      error(`${file.name}: ${err instanceof FormatError ? err.message : "cannot be read"}`);
      return;
    }
  }
  const base = loaded.find((m) => m.source === "log") || loaded[0];
  for (const other of loaded) if (other !== base) mergeTimeline(base, other);
  if (base) open(base);
}

$("#file").addEventListener("change", (e) => loadFiles([...e.target.files]));
const drop = $("#drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  loadFiles([...e.dataTransfer.files]);
});

let serverGame = null; // {game, key, session} when the game came from the server

// ``session``: its code, when the link gave it, for the proxy to route by.
async function fromServer(game, session) {
  const key = storedFacilitatorKey();
  if (!key) {
    error("Replaying a server game needs the facilitator key: open it from the facilitator page, or open a log file.");
    return;
  }
  try {
    const loaded = parseGameText(await call("GET", gameApi(game, "log", session), { key }));
    // The server's review adds the automatic tags to every move.
    mergeTimeline(loaded, parseGameText(JSON.stringify(await call("GET", gameApi(game, "review", session), { key }))));
    serverGame = { game, key, session };
    open(loaded);
  } catch (err) {
    error(`The game ${game} cannot be loaded: ${err.message}`);
  }
}

const linked = new URLSearchParams(location.hash.slice(1));
if (linked.get("game")) fromServer(linked.get("game"), linked.get("session"));
