// The debrief after a round: every pair's result on the outcome-space chart (first
// role's points across, second role's up) against the Pareto frontier and both BATNAs,
// the figures a debrief talks about, and each game one click from its replay.

import { h, replace, points, percent, who as nameOf, scrollBox } from "./dom.js";
import { pointsChart, legend } from "./charts.js";
import { names, gameState } from "./board.js";

export function roundChoices(snapshot) {
  return [["all", "All rounds"], ...snapshot.rounds.map((r) => [String(r.round), `Round ${r.round}`])];
}

export function summary(games) {
  const done = games.filter((g) => g.result);
  const results = done.map((g) => g.result);
  const impasses = results.filter((r) => r.outcome === "impasse").length;
  const efficiencies = results.map((r) => r.efficiency).filter((e) => e !== null && e !== undefined);
  return {
    finished: done.length,
    total: games.length,
    impasseRate: done.length ? impasses / done.length : null,
    missed: results.filter((r) => r.missed_deal).length,
    traps: results.filter((r) => Object.values(r.agreement_trap).some(Boolean)).length,
    efficiency: efficiencies.length ? efficiencies.reduce((a, b) => a + b, 0) / efficiencies.length : null,
    left: results.filter((r) => r.outcome === "agreement").reduce((sum, r) => sum + r.value_left, 0),
  };
}

export function renderDebrief(box, snapshot, space, choice) {
  const rounds = snapshot.rounds.filter((r) => choice === "all" || String(r.round) === choice);
  const games = rounds.flatMap((r) => r.games.map((g) => ({ ...g, round: r.round })));
  if (!games.length) return replace(box, h("p", { class: "muted" }, "Results appear here as games end."));
  const who = names(snapshot);
  const [first, second] = space.roles;
  const labels = [space.labels[first], space.labels[second]];
  const pair = (g) => `${who[g.players[first]] || "bot"} & ${who[g.players[second]] || "bot"}`;
  const pairCell = (g) => [nameOf(who[g.players[first]] || "bot"), " & ", nameOf(who[g.players[second]] || "bot")];
  const marks = games.filter((g) => g.result).map((g) => {
    const r = g.result;
    const agreed = r.outcome === "agreement";
    return {
      kind: agreed ? "deal" : "impasse", x: r.points[first], y: r.points[second],
      href: `replay.html#game=${encodeURIComponent(g.game)}`,
      label: `Round ${g.round}, ${pair(g)}: ${agreed ? "deal" : "impasse"}, ${labels[0]} ${points(r.points[first])}, ${labels[1]} ${points(r.points[second])}. Open the replay.`,
    };
  });
  const s = summary(games);
  const stat = (label, value, note) =>
    h("div", { class: "stat" }, h("span", { class: "value" }, value), label, note ? h("div", { class: "muted" }, note) : null);
  replace(box,
    h("div", { class: "stats" },
      stat("games finished", `${s.finished} / ${s.total}`),
      stat("impasse rate", percent(s.impasseRate)),
      stat("missed deals", String(s.missed), "impasses although a deal good for both existed"),
      stat("agreement traps", String(s.traps), "deals below a side's BATNA"),
      stat("mean efficiency", percent(s.efficiency), "joint points against the best possible"),
      stat("points left on the table", points(s.left), "by deals off the frontier")),
    pointsChart({ labels, frontier: space.frontier, batna: [space.batna[first], space.batna[second]], marks,
      title: `Every pair's result, ${choice === "all" ? "all rounds" : `round ${choice}`}`, width: box.clientWidth }),
    legend([["frontier", "best possible deals (Pareto frontier)"], ["batna", "BATNAs"],
      ["zone", "better than both BATNAs"], ["deal", "a pair's deal"], ["impasse", "an impasse (both get their BATNA)"]]),
    scrollBox("Every game's result", h("table", { id: "debrief-games" },
      h("caption", { class: "sr-only" }, "Every game's result"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"), h("th", { scope: "col" }, `${labels[0]} & ${labels[1]}`),
        h("th", { scope: "col" }, "Result"), h("th", { scope: "col", class: "num" }, labels[0]),
        h("th", { scope: "col", class: "num" }, labels[1]), h("th", { scope: "col", class: "num" }, "Efficiency"),
        h("th", { scope: "col" }, "Notes"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Replay")))),
      h("tbody", {}, games.map((g) => {
        const r = g.result;
        const notes = !r ? [] : [
          r.outcome === "agreement" && r.pareto_optimal ? "on the frontier" : null,
          r.outcome === "agreement" && r.value_left > 0 ? `${points(r.value_left)} left on the table` : null,
          r.missed_deal ? "missed deal" : null,
          Object.entries(r.agreement_trap).filter(([, t]) => t).map(([role]) => `trap for ${space.labels[role]}`),
        ].flat().filter(Boolean);
        return h("tr", {},
          h("td", {}, String(g.round)), h("td", {}, pairCell(g)), h("td", {}, gameState(g)),
          h("td", { class: "num" }, r ? points(r.points[first]) : "–"), h("td", { class: "num" }, r ? points(r.points[second]) : "–"),
          h("td", { class: "num" }, r ? percent(r.efficiency) : "–"), h("td", {}, notes.join("; ")),
          h("td", {}, h("a", { href: `replay.html#game=${encodeURIComponent(g.game)}`, target: "_blank" }, "Replay")));
      })))));
}
