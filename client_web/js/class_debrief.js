// The class debrief of moves (debrief.html?session=CODE&view=class|facilitator): what the
// class did, pair by pair and together, from the server's tags of every ended game
// (GET /api/sessions/{code}/debrief, docs/web.md). Nothing is worked out here but
// counts of what the server sent.
//
// The projector's view (view=class, the default) holds no points, no BATNAs and no terms:
// the server leaves them out, so nothing of any card reaches the room, and a game in play
// is only named until it ends. The facilitator's view adds each pair's points and the
// tags' sentences. The page follows the session feed and asks again when a game ends.

import { $, h, replace, show, announce, percent, who as nameOf, scrollBox } from "./dom.js";
import { FacilitatorKey, replayHref } from "./api.js";
import { LiveSocket } from "./socket.js";
import { rateBars } from "./bar_chart.js";
import { legend } from "./charts.js";

const params = new URLSearchParams(location.search);
const code = (params.get("session") || "").toUpperCase();
const view = params.get("view") === "facilitator" ? "facilitator" : "class";
let socket = null;
let signature = "";
let data = null;

// Each roll-up tag, as the debrief says it (docs/annotations.md).
export const MOVES = [
  ["extreme-opening", "Extreme openings", "a first offer below the other side's BATNA"],
  ["bluff-called", "Bluffs called", "a final offer given up once countered"],
  ["reveal-false", "False statements", "a stated BATNA or priority the card contradicts"],
  ["logroll", "Trades across issues", "an offer that traded issues for more joint points"],
  ["trial-balloon", "Trial balloons", "terms floated without committing"],
  ["lose-lose", "Lose-lose deals", "an issue both sides would rather have settled otherwise"],
  ["agreement-trap", "Agreement traps", "a deal below a side's BATNA"],
];
const STAGES = [
  ["start", "at the start"],
  ["middle", "in the middle"],
  ["end", "at the end"],
];
const CAUSES = {
  "no-exchange": "never bargained",
  "talk-without-offers": "bargained in talk, never both offered",
  "final-offer-standoff": "a final-offer standoff",
  "walkout-after-narrowing": "a walkout after the gap narrowed",
  stalled: "offers stopped moving",
  "ran-out-narrowing": "ran out while the gap narrowed",
  "never-narrowed": "the gap never narrowed",
};

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

// The key the facilitator page keeps (js/api.js): taken from #key=, forgotten on a 401.
const facilitator = new FacilitatorKey({ refused: askKey, error });

function askKey(message) {
  error(message);
  show($("#key-screen"), true);
  show($("#debrief-screen"), false);
}

function start() {
  facilitator.takeFromHash();
  $("#session-label").textContent = code ? `Session ${code}` : "";
  const other = view === "class" ? "facilitator" : "class";
  const link = $("#view-link");
  link.href = `debrief.html?session=${encodeURIComponent(code)}&view=${other}`;
  link.textContent = other === "class" ? "Projector view" : "Facilitator's view (with points)";
  $("#back-link").href = `facilitator.html#session=${encodeURIComponent(code)}`;
  document.body.classList.toggle("class-view", view === "class");
  if (!code) return error("This page needs a session: open it from the facilitator page.");
  if (!facilitator.value) {
    show($("#key-screen"), true);
    return;
  }
  show($("#key-screen"), false);
  show($("#debrief-screen"), true);
  $("#cd-title").textContent = view === "class" ? "What the class did" : "What the class did (facilitator's view)";
  socket = new LiveSocket(() => ({ type: "hello", key: facilitator.value, session: code }), {
    onMessage,
    onStatus,
    session: () => code,
  });
  socket.open();
}

$("#key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  facilitator.set($("#key-input").value.trim());
  start();
});

function onStatus(status, closeCode) {
  if (status === "refused") {
    error(closeCode === 4401 ? "That key was not accepted: open this page from the facilitator page." : `There is no session ${code} on this server.`);
    if (closeCode === 4401) {
      facilitator.forget();
      show($("#key-screen"), true);
      show($("#debrief-screen"), false);
    }
  }
}

function onMessage(message) {
  if (message.type !== "session" || message.code !== code) return;
  const select = $("#cd-round");
  const choices = [["all", "All rounds"], ...message.rounds.map((r) => [String(r.round), `Round ${r.round}`])];
  if (select.options.length !== choices.length) {
    const chosen = select.value || "all";
    replace(select, choices.map(([value, text]) => h("option", { value }, text)));
    select.value = chosen;
  }
  // Ask again only when a game starts or ends: its moves are read once it is over.
  const now = JSON.stringify(message.rounds.map((r) => r.games.map((g) => [g.game, Boolean(g.result)])));
  if (now !== signature) {
    signature = now;
    load();
  }
}

$("#cd-round").addEventListener("change", () => load());

async function load() {
  const round = $("#cd-round").value || "all";
  const answer = await facilitator.call("GET", `/api/sessions/${encodeURIComponent(code)}/debrief?view=${view}&round=${round}`);
  if (answer === null) return;
  data = answer;
  render(data);
}

window.addEventListener("resize", () => {
  if (data) render(data);
});

function pairName(pair) {
  const [a, b] = pair.roles;
  return [nameOf(pair.names[a]), " & ", nameOf(pair.names[b]),
    h("span", { class: "roles muted" }, `${pair.labels[a] || a} / ${pair.labels[b] || b}`)];
}

export function render(found) {
  const s = found.summary;
  const width = $("#cd-body").clientWidth || 600;
  const live = s.live ? `; ${s.live} still negotiating (they show here when they end)` : "";
  $("#cd-status").textContent = `${s.finished + s.ended_by_facilitator} of ${s.games} game${s.games === 1 ? "" : "s"} over${live}.`;
  announce($("#cd-status").textContent);
  if (!s.games) {
    replace($("#cd-body"), h("p", { class: "muted" }, "No game yet: the debrief fills in as games end."));
    return;
  }
  replace($("#cd-body"),
    impasses(s, width),
    firstOffer(s, width),
    moves(found, width),
    timing(s),
    pairsTable(found));
}

function stat(text, value, note) {
  return h("div", { class: "stat" }, h("span", { class: "value" }, value), text, note ? h("div", { class: "muted" }, note) : null);
}

function section(id, title, ...children) {
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

function figuresTable(label, head, rows) {
  return scrollBox(label, h("table", { class: "figures" },
    h("caption", {}, label),
    h("thead", {}, h("tr", {}, head.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => (i ? h("td", { class: "num" }, cell) : h("th", { scope: "row" }, cell))))))));
}

function impasses(s, width) {
  const decided = s.finished;
  const bars = [
    { label: "Impasse rate", segments: STAGES.map(([stage, words]) => ({ value: s.stages[stage].rate, kind: stage, label: `impasse ${words}`, short: stage })) },
    { label: "Missed deals", segments: [{ value: s.missed_share, kind: "missed", label: "impasses where a deal good for both existed" }] },
  ];
  const references = [
    { value: s.impasse_reference, label: `${percent(s.impasse_reference)} typical`, bar: 0 },
    { value: s.missed_reference, label: `${percent(s.missed_reference)} typical`, bar: 1 },
  ];
  return section("cd-impasses", "Impasses",
    h("div", { class: "stats" },
      stat("impasse rate", percent(s.impasse_rate), `${s.impasses} of ${decided} finished games; a typical class: ${percent(s.impasse_reference)}`),
      stat("missed deals", percent(s.missed_share), `${s.missed_deals} of ${s.impasses} impasses had a deal good for both (both wanted a deal); typically ${percent(s.missed_reference)}`),
      stat("ended by the facilitator", String(s.ended_by_facilitator), "counted apart: not impasses the pairs chose")),
    rateBars({ title: "Impasse rate by stage, and missed deals as a share of impasses, against typical figures", bars, references, width }),
    legend([["start", "impasse at the start (never bargained)"], ["middle", "in the middle (stalled)"], ["end", "at the end (standoff, walkout after narrowing)"],
      ["missed", "impasses where a deal good for both existed"], ["reference", "a typical class"]]),
    figuresTable("Impasses in figures", ["", "This class", "Games", "Typical"], [
      ["Impasse rate (of finished games)", percent(s.impasse_rate), `${s.impasses} of ${decided}`, percent(s.impasse_reference)],
      ...STAGES.map(([stage, words]) => [`Impasse ${words}`, percent(s.stages[stage].rate), String(s.stages[stage].count), "–"]),
      ["Missed deals (of impasses)", percent(s.missed_share), `${s.missed_deals} of ${s.impasses}`, percent(s.missed_reference)],
      ["Ended by the facilitator (not counted)", "–", String(s.ended_by_facilitator), "–"],
    ]));
}

function firstOffer(s, width) {
  const f = s.first_offer;
  const bars = [
    { label: "Opened first", segments: [{ value: f.opener_share, kind: "opener", label: "share of the gain, side that opened" }] },
    { label: "Answered", segments: [{ value: f.second_share, kind: "second", label: "share of the gain, side that answered" }] },
    { label: "Extreme openers", segments: [{ value: f.extreme.opener_share, kind: "opener", label: "share of the gain, extreme openers" }] },
    { label: "Moderate openers", segments: [{ value: f.moderate.opener_share, kind: "opener", label: "share of the gain, moderate openers" }] },
  ];
  const verdict = f.opener_share === null ? "No deal with a gain to share yet."
    : f.opener_share > 0.5 ? "Going first paid: the side that opened took more of the gain on average."
    : f.opener_share < 0.5 ? "Going first did not pay: the side that answered took more of the gain on average."
    : "Going first made no difference on average.";
  return section("cd-first", "Did going first pay?",
    h("p", { class: "big" }, verdict),
    h("div", { class: "stats" },
      stat("the opener's share of the gain", percent(f.opener_share), `mean over ${f.deals} deal${f.deals === 1 ? "" : "s"} that gained something`),
      stat("opener took more", `${f.opener_ahead} / ${f.deals}`, `the side that answered took more in ${f.second_ahead}`),
      stat("impasse rate after an extreme opening", percent(f.extreme.impasse_rate), `against ${percent(f.moderate.impasse_rate)} after a moderate one`)),
    rateBars({ title: "Share of the joint gain by who opened, against an even split", bars, references: [{ value: 0.5, label: "even split" }], width }),
    figuresTable("Who opened, in figures", ["", "Share of the gain", "Deals", "Games", "Impasse rate"], [
      ["Side that opened first", percent(f.opener_share), String(f.deals), String(f.games), "–"],
      ["Side that answered", percent(f.second_share), String(f.deals), String(f.games), "–"],
      ["Extreme openers", percent(f.extreme.opener_share), String(f.extreme.deals), String(f.extreme.games), percent(f.extreme.impasse_rate)],
      ["Moderate openers", percent(f.moderate.opener_share), String(f.moderate.deals), String(f.moderate.games), percent(f.moderate.impasse_rate)],
    ]));
}

// Per move: the share of finished pairs with at least one, and how many in all.
export function moveShares(found) {
  const done = found.pairs.filter((p) => p.state !== "live");
  return MOVES.map(([tag, title, meaning]) => {
    const count = (p) => (tag === "lose-lose" ? p.lose_lose : tag === "agreement-trap" ? p.traps.length
      : p.roles.reduce((sum, r) => sum + (p.moves[r][tag] || 0), 0));
    const pairs = done.filter((p) => count(p) > 0).length;
    return { tag, title, meaning, pairs, share: done.length ? pairs / done.length : null, total: found.summary.moves[tag], of: done.length };
  });
}

function moves(found, width) {
  const rows = moveShares(found);
  return section("cd-moves", "Moves across the class",
    rateBars({ title: "Share of pairs that made each move", width,
      bars: rows.map((r) => ({ label: r.title, segments: [{ value: r.share, kind: "move", label: r.meaning }] })) }),
    figuresTable("Moves in figures", ["Move", "Pairs", "Share of pairs", "Times in all"],
      rows.map((r) => [h("span", {}, r.title, h("span", { class: "muted" }, `: ${r.meaning}`)), `${r.pairs} of ${r.of}`, percent(r.share), String(r.total)])));
}

function minutes(value) {
  if (value === null || value === undefined) return "–";
  if (value < 1) return `${Math.round(value * 60)} s`;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: 1 })} min`;
}

function timing(s) {
  const t = s.time;
  return section("cd-time", "Time and process",
    h("div", { class: "stats" },
      stat("median time to agreement", minutes(t.median_minutes_to_agreement), `mean ${minutes(t.mean_minutes_to_agreement)}`),
      stat("offers per game", t.mean_offers === null ? "–" : t.mean_offers.toLocaleString("en-US", { maximumFractionDigits: 1 }), `${t.offers} in all`),
      stat("breaks taken", String(t.breaks), `in ${t.games_with_breaks} game${t.games_with_breaks === 1 ? "" : "s"}`),
      stat("extensions", String(t.extensions), `agreed by both sides; the facilitator added time ${t.facilitator_extensions} time${t.facilitator_extensions === 1 ? "" : "s"}`)));
}

function result(pair) {
  if (pair.state === "live") return "still negotiating";
  if (pair.state === "ended") return "ended by the facilitator";
  if (pair.state === "agreement") {
    const traps = pair.traps.map((r) => pair.names[r]);
    return traps.length ? `deal: a trap for ${traps.join(" and ")}` : "deal";
  }
  const where = STAGES.find(([stage]) => stage === pair.stage);
  return `impasse ${where ? where[1] : ""}: ${CAUSES[pair.cause] || pair.cause}${pair.missed ? "; a deal good for both existed" : ""}`;
}

function sideMoves(pair, tag) {
  const found = pair.roles.filter((r) => pair.moves[r][tag]).map((r) => `${pair.names[r]} ${pair.moves[r][tag]}`);
  return found.length ? found.join(", ") : "–";
}

function pairsTable(found) {
  const facilitator = found.view === "facilitator";
  const head = ["Round", "Pair", "Result", "Opened", ...MOVES.map(([, title]) => title), "Share of the gain", "Minutes", "Offers", "Breaks", "Extensions"];
  if (facilitator) head.push("Points", "What happened", "Replay");
  const rows = found.pairs.map((p) => {
    const cells = [String(p.round ?? "–"), pairName(p), result(p)];
    if (p.state === "live") {
      // A game in play: its names and nothing more, until it ends.
      return h("tr", { class: "live" }, cells.map((c) => h("td", {}, c)),
        h("td", { colspan: String(head.length - cells.length) }, ""));
    }
    cells.push(p.opener ? `${p.names[p.opener]}${p.opening_extreme ? " (extreme)" : ""}` : "–");
    for (const [tag] of MOVES) {
      if (tag === "lose-lose") cells.push(p.lose_lose ? String(p.lose_lose) : "–");
      else if (tag === "agreement-trap") cells.push(p.traps.length ? p.traps.map((r) => p.names[r]).join(", ") : "–");
      else cells.push(sideMoves(p, tag));
    }
    cells.push(p.share ? p.roles.map((r) => `${p.names[r]} ${percent(p.share[r])}`).join(", ") : "–");
    cells.push(minutes(p.minutes), String(p.offers), String(p.breaks), String((p.extensions.players || 0) + (p.extensions.facilitator || 0)));
    const row = h("tr", {}, cells.map((c) => h("td", {}, c)));
    if (facilitator) {
      row.append(
        h("td", {}, p.roles.map((r) => `${p.names[r]} ${p.points[r]} (BATNA ${p.batna[r]})`).join(", ")),
        h("td", {}, p.highlights.length ? h("ul", { class: "highlights" }, p.highlights.map((t) => h("li", {}, t.text))) : "–"),
        h("td", {}, h("a", { href: replayHref(p.game, code) }, "Replay")));
    }
    return row;
  });
  return section("cd-pairs", "Every pair",
    scrollBox("Every pair's moves", h("table", { id: "cd-pairs-table" },
      h("caption", { class: "sr-only" }, "Every pair's moves, one pair a row"),
      h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, rows))));
}

start();
