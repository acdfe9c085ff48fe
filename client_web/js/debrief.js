// The debrief after a round: every pair's result on a chart, the figures a debrief talks
// about, the class's estimates of the other side against the truth, and each game one
// click from its replay.
//
// Every game is judged against its own frontier: efficiency, value left on the table,
// missed deals and traps come in each game's own result, computed by the server from the
// game's own cards. The chart shows the pairs on one outcome space only when every game
// had the same cards (one scenario, variation off); when games differ, in cards or in
// scenario, it shows a normalised view instead: each side's gain over its BATNA as a
// share of its own game's possible joint surplus. There, (0, 0) is walking away, the
// line x + y = 1 is the best joint gain of every game, and a deal below a side's BATNA
// falls left of (or under) its zero.

import { h, replace, points, percent, efficiencyText, who as nameOf, scrollBox } from "./dom.js";
import { pointsChart, legend } from "./charts.js";
import { names, gameState } from "./board.js";
import { replayHref } from "./api.js";

export function roundChoices(snapshot) {
  return [["all", "All rounds"], ...snapshot.rounds.map((r) => [String(r.round), `Round ${r.round}`])];
}

// A result's roles in their order: the order of its points (the server writes them so).
export function rolesOf(result) {
  return Object.keys(result.points);
}

// Each side's gain over its BATNA as a share of its game's possible joint surplus (its
// best joint points minus both BATNAs). A game where no deal beats both BATNAs in sum is
// scaled by the size of that shortfall, so a deal there lands below x + y = -1.
export function shares(result) {
  const [first, second] = rolesOf(result);
  const room = result.max_joint - result.batna[first] - result.batna[second];
  const scale = Math.abs(room) || Math.abs(result.max_joint) || 1;
  return {
    x: (result.points[first] - result.batna[first]) / scale,
    y: (result.points[second] - result.batna[second]) / scale,
    room,
  };
}

// A game the facilitator ended (impasse "aborted") is counted apart: not an impasse the
// pair chose, so it counts in no rate (as in the class debrief, docs/annotations.md).
export const endedByFacilitator = (r) => r.outcome === "impasse" && r.reason === "aborted";

export function summary(games) {
  const done = games.filter((g) => g.result);
  const results = done.map((g) => g.result);
  const decided = results.filter((r) => !endedByFacilitator(r));
  const impasses = decided.filter((r) => r.outcome === "impasse").length;
  const efficiencies = decided.map((r) => r.efficiency).filter((e) => e !== null && e !== undefined);
  return {
    finished: done.length,
    total: games.length,
    ended: results.length - decided.length,
    impasseRate: decided.length ? impasses / decided.length : null,
    missed: decided.filter((r) => r.missed_deal).length,
    traps: results.filter((r) => Object.values(r.agreement_trap).some(Boolean)).length,
    efficiency: mean(efficiencies),
    walkaways: decided.filter((r) => r.verdict === "walkaway").length,
    left: results.filter((r) => r.outcome === "agreement").reduce((sum, r) => sum + r.value_left, 0),
  };
}

function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

// Whether every game finished so far had the same two cards: one scenario, and the
// session deals the scenario's own cards to everybody.
export function sameCards(snapshot, space, games) {
  if (snapshot.variation !== false) return false;
  const roles = space.roles.join(" ");
  return games.every((g) => !g.result || rolesOf(g.result).join(" ") === roles)
    && games.every((g) => !g.result || rolesOf(g.result).every((r) => g.result.batna[r] === space.batna[r]));
}

// The class's estimates of the other side, from the results that carry them.
export function estimateSummary(games) {
  const rows = [];
  for (const g of games) {
    if (!g.result || !g.result.estimates) continue;
    for (const [by, e] of Object.entries(g.result.estimates)) rows.push({ game: g, by, ...e, outcome: g.result.outcome });
  }
  const guessed = rows.filter((r) => r.batna !== null && r.batna !== undefined);
  const high = guessed.filter((r) => r.verdict === "high");
  const others = guessed.filter((r) => r.verdict !== "high");
  const impasseRate = (list) => (list.length ? list.filter((r) => r.outcome === "impasse").length / list.length : null);
  const issues = rows.filter((r) => r.issue);
  return {
    count: rows.length,
    guessed: guessed.length,
    high: high.length,
    low: guessed.filter((r) => r.verdict === "low").length,
    close: guessed.filter((r) => r.verdict === "close").length,
    highImpasse: impasseRate(high),
    otherImpasse: impasseRate(others),
    issues: issues.length,
    issuesRight: issues.filter((r) => r.issue_right).length,
    rows,
  };
}

export function renderDebrief(box, snapshot, space, choice, labelsById = {}) {
  const rounds = snapshot.rounds.filter((r) => choice === "all" || String(r.round) === choice);
  const games = rounds.flatMap((r) => r.games.map((g) => ({ ...g, round: r.round, session: snapshot.code })));
  if (!games.length) return replace(box, h("p", { class: "muted" }, "Results appear here as games end."));
  const who = names(snapshot);
  const label = (role) => (space.labels && space.labels[role]) || labelsById[role] || role;
  // Each game's own roles: a tournament's rounds may each be on another scenario.
  const rolesOfGame = (g) => (g.result ? rolesOf(g.result) : Object.keys(g.players));
  const pair = (g) => {
    const [a, b] = rolesOfGame(g);
    return `${who[g.players[a]] || "bot"} & ${who[g.players[b]] || "bot"}`;
  };
  // The same pair for the table, each name in <bdi> so a right-to-left name keeps its place.
  const pairCell = (g) => {
    const [a, b] = rolesOfGame(g);
    return [nameOf(who[g.players[a]] || "bot"), " & ", nameOf(who[g.players[b]] || "bot")];
  };
  const same = sameCards(snapshot, space, games);
  const s = summary(games);
  const stat = (text, value, note) =>
    h("div", { class: "stat" }, h("span", { class: "value" }, value), text, note ? h("div", { class: "muted" }, note) : null);
  const title = `Every pair's result, ${choice === "all" ? "all rounds" : `round ${choice}`}`;
  replace(box,
    h("div", { class: "stats" },
      stat("games finished", `${s.finished} / ${s.total}`),
      stat("impasse rate", percent(s.impasseRate), s.ended ? `${s.ended} ended by the facilitator, counted apart` : null),
      stat("missed deals", String(s.missed), "impasses although a deal good for both existed"),
      stat("agreement traps", String(s.traps), "deals below a side's BATNA"),
      stat("mean efficiency", percent(s.efficiency), "joint gain over both BATNAs against the most possible, each game its own (an impasse where a deal existed counts 0; a game the facilitator ended, nothing)"),
      stat("correct walkaways", String(s.walkaways), "impasses where no deal beat both BATNAs"),
      stat("points left on the table", points(s.left), "by deals off their game's frontier")),
    same ? rawChart(games, space, label, pair, title, box.clientWidth) : sharesChart(games, label, pair, title, box.clientWidth),
    estimatesPanel(games, who, label),
    gamesTable(games, rolesOfGame, label, pairCell, !same));
}

function rawChart(games, space, label, pair, title, width) {
  const [first, second] = space.roles;
  const labels = [label(first), label(second)];
  const marks = games.filter((g) => g.result).map((g) => {
    const r = g.result;
    const agreed = r.outcome === "agreement";
    return {
      kind: agreed ? "deal" : "impasse", x: r.points[first], y: r.points[second],
      href: replayHref(g.game, g.session),
      label: `Round ${g.round}, ${pair(g)}: ${agreed ? "deal" : "impasse"}, ${labels[0]} ${points(r.points[first])}, ${labels[1]} ${points(r.points[second])}. Open the replay.`,
    };
  });
  return h("div", {},
    pointsChart({ labels, frontier: space.frontier, batna: [space.batna[first], space.batna[second]], marks, title, width }),
    legend([["frontier", "best possible deals (Pareto frontier)"], ["batna", "BATNAs"],
      ["zone", "better than both BATNAs"], ["deal", "a pair's deal"], ["impasse", "an impasse (both get their BATNA)"]]));
}

function sharesChart(games, label, pair, title, width) {
  const done = games.filter((g) => g.result);
  const positions = [new Set(), new Set()];
  for (const g of done) rolesOf(g.result).forEach((role, i) => positions[i].add(label(role)));
  const axis = (i) => (positions[i].size ? [...positions[i]].join(" / ") : `Role ${i + 1}`);
  const labels = [axis(0), axis(1)];
  const marks = done.map((g) => {
    const r = g.result;
    const [first, second] = rolesOf(r);
    const { x, y } = shares(r);
    const agreed = r.outcome === "agreement";
    // Drawn in percent, so the axes read 0, 20, 40 ... 100.
    return {
      kind: agreed ? "deal" : "impasse", x: x * 100, y: y * 100,
      href: replayHref(g.game, g.session),
      label: `Round ${g.round}, ${pair(g)}: ${agreed ? "deal" : "impasse"}; ${label(first)} ${percent(x)} and ${label(second)} ${percent(y)} of their game's possible surplus. Open the replay.`,
    };
  });
  return h("div", {},
    pointsChart({ labels, frontier: [[0, 100], [100, 0]], batna: [0, 0], marks, title, width,
      units: "share of its game's possible surplus, %",
      description: "Each pair's result as each side's gain over its own BATNA, as a share of its own game's possible joint surplus: games with different cards side by side. Walking away is 0, 0; the diagonal is the best joint gain of every game." }),
    legend([["frontier", "the best joint gain of each game (shares adding up to 100%)"], ["batna", "each side's own BATNA"],
      ["zone", "better than both BATNAs"], ["deal", "a pair's deal"], ["impasse", "an impasse (both get their BATNA)"]]),
    h("p", { class: "muted" }, "Games differ in their cards, so each result is shown against its own game: 100% on the diagonal is the most a pair could gain together over their two BATNAs."));
}

const VERDICTS = { high: "too high", low: "too low", close: "close" };

function estimatesPanel(games, who, label) {
  const e = estimateSummary(games);
  if (!e.count) return null;
  const row = (r) => {
    const player = who[r.game.players[r.by]] || "bot";
    const parts = [];
    if (r.batna !== null && r.batna !== undefined) {
      parts.push(`put ${label(r.about)}'s BATNA at ${points(r.batna)} (it was ${points(r.actual_batna)}: ${VERDICTS[r.verdict]})`);
    }
    if (r.issue) parts.push(`guessed ${r.issue} mattered most (${r.issue_right ? "right" : "wrong"})`);
    return h("li", {}, `Round ${r.game.round}, `, nameOf(player),
      ` (${label(r.by)}) ${parts.join(" and ")}; the game ended in ${r.outcome === "agreement" ? "a deal" : "an impasse"}.`);
  };
  return h("section", { class: "estimates", "aria-labelledby": "debrief-estimates-title" },
    h("h3", { id: "debrief-estimates-title" }, "Estimates of the other side"),
    h("div", { class: "stats" },
      h("div", { class: "stat" }, h("span", { class: "value" }, `${e.high} / ${e.guessed}`), "BATNA guesses too high",
        h("div", { class: "muted" }, `${e.low} too low, ${e.close} close (within 5% of the other side's range)`)),
      h("div", { class: "stat" }, h("span", { class: "value" }, percent(e.highImpasse)), "impasse rate after a guess too high",
        h("div", { class: "muted" }, `against ${percent(e.otherImpasse)} after the other guesses`)),
      h("div", { class: "stat" }, h("span", { class: "value" }, `${e.issuesRight} / ${e.issues}`), "guessed the issue that mattered most to the other side")),
    h("ul", { class: "estimate-list" }, e.rows.map(row)));
}

function gamesTable(games, rolesOfGame, label, pairCell, mixed) {
  return scrollBox("Every game's result", h("table", { id: "debrief-games" },
    h("caption", { class: "sr-only" }, "Every game's result"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"), h("th", { scope: "col" }, "Pair"),
      h("th", { scope: "col" }, "Result"), h("th", { scope: "col", class: "num" }, "First side"),
      h("th", { scope: "col", class: "num" }, "Second side"), h("th", { scope: "col", class: "num" }, "Efficiency"),
      h("th", { scope: "col", class: "num" }, "Share of the gain"),
      h("th", { scope: "col" }, "Notes"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Replay")))),
    h("tbody", {}, games.map((g) => {
      const r = g.result;
      const [first, second] = rolesOfGame(g);
      const side = (role) => (r ? `${label(role)} ${points(r.points[role])}${mixed ? ` (BATNA ${points(r.batna[role])})` : ""}` : "–");
      const share = r && r.gain_share ? `${percent(r.gain_share[first])} / ${percent(r.gain_share[second])}` : "–";
      const notes = !r ? [] : [
        r.verdict === "frontier" ? "on its frontier" : null,
        r.verdict === "walkaway" ? "correct walkaway" : null,
        r.outcome === "agreement" && r.value_left > 0 ? `${points(r.value_left)} left on the table` : null,
        r.missed_deal ? "missed deal" : null,
        Object.entries(r.agreement_trap).filter(([, t]) => t).map(([role]) => `trap for ${label(role)}`),
      ].flat().filter(Boolean);
      return h("tr", {},
        h("td", {}, String(g.round)), h("td", {}, pairCell(g)), h("td", {}, gameState(g)),
        h("td", { class: "num" }, side(first)), h("td", { class: "num" }, side(second)),
        h("td", { class: "num" }, r ? efficiencyText(r.efficiency, r.verdict) : "–"),
        h("td", { class: "num" }, share),
        h("td", {}, notes.join("; ")),
        h("td", {}, h("a", { href: replayHref(g.game, g.session), target: "_blank" }, "Replay")));
    }))));
}
