// The end of a game for a player: the outcome, their points against their BATNA, both
// cards (the other side's is sent only now), and a chart of what was possible.

import { $, h, replace, points, pts, signed } from "./dom.js";
import { REASONS, termsText } from "./describe.js";
import { bothCards } from "./cards.js";
import { call, gameApi } from "./api.js";
import { pointsChart, legend } from "./charts.js";
import { planShownBack } from "./reading.js";

// ``session``: the game's session code, for the proxy to route the chart's call by.
export function renderEnd(game, token, session) {
  const result = game.result;
  const me = game.role;
  const agreed = result.outcome === "agreement";
  $("#end-outcome").textContent = agreed ? "Deal!" : `No deal: ${noDeal(game)}`;
  $("#end-outcome").className = `outcome ${agreed ? "good-text" : "bad-text"}`;
  const mine = result.points[me], batna = result.batna[me];
  replace($("#end-points"), `You got ${pts(mine)}: `,
    h("span", { class: mine >= batna ? "good-text" : "bad-text" }, `${signed(mine - batna)} against your BATNA of ${points(batna)}`),
    ".");
  $("#end-terms").textContent = agreed ? `The terms: ${termsText(game.issues, result.terms)}.` : "";
  const roles = game.view.scenario.roles;
  replace($("#end-cards"), bothCards(game.issues, roles, game.cards));
  replace($("#end-plan"), planShownBack(game));
  replace($("#end-estimates"), estimateLines(game, result.estimates || {}));
  drawChart(game, token, session);
}

const VERDICTS = { high: "too high", low: "too low", close: "close" };

// Each estimate of the game against the truth: the player's own of the other side, and
// the other side's of the player.
function estimateLines(game, estimates) {
  const label = (id) => (game.issues.find((i) => i.id === id) || { label: id }).label;
  const lines = [];
  for (const [by, e] of Object.entries(estimates)) {
    const mine = by === game.role;
    const parts = [];
    if (e.batna !== null && e.batna !== undefined) {
      parts.push(mine
        ? `You put their BATNA at ${points(e.batna)}; it was ${points(e.actual_batna)}: ${VERDICTS[e.verdict]} (${signed(e.error)}).`
        : `They put your BATNA at ${points(e.batna)}; it was ${points(e.actual_batna)}: ${VERDICTS[e.verdict]} (${signed(e.error)}).`);
    }
    if (e.issue) {
      const top = e.top_issues.map(label).join(" or ");
      parts.push(mine
        ? `You guessed ${label(e.issue)} mattered most to them: ${e.issue_right ? "right" : `wrong, it was ${top}`}.`
        : `They guessed ${label(e.issue)} mattered most to you: ${e.issue_right ? "right" : `wrong, it was ${top}`}.`);
    }
    lines.push(h("p", { class: mine ? "estimate mine" : "estimate" }, parts.join(" ")));
  }
  return lines;
}

// Why there was no deal, naming who walked out.
function noDeal(game) {
  const reason = game.result.reason;
  if (reason !== "walkout") return REASONS[reason] || reason;
  const walkout = [...game.events].reverse().find((e) => e.type === "walkout");
  if (!walkout) return "a walkout";
  const why = walkout.reason ? `: “${walkout.reason}”` : "";
  if (walkout.by === game.role) return `you walked out${why}`;
  return `${game.view.partner.name || "your partner"} walked out${why}`;
}

async function drawChart(game, token, session) {
  const box = $("#end-chart");
  let space;
  try {
    space = await call("GET", gameApi(game.id, "analysis", session), { key: token });
  } catch (error) {
    replace(box, h("p", { class: "muted" }, `The chart is not available: ${error.message}`));
    return;
  }
  const [first, second] = space.roles;
  const labels = [space.labels[first], space.labels[second]];
  const result = game.result;
  const agreed = result.outcome === "agreement";
  const x = result.points[first], y = result.points[second];
  const mark = { kind: agreed ? "deal" : "impasse", x, y, current: true,
    label: `${agreed ? "Your deal" : "Your impasse (both BATNAs)"}: ${labels[0]} ${points(x)}, ${labels[1]} ${points(y)}` };
  const chart = pointsChart({
    labels, frontier: space.frontier, batna: [space.batna[first], space.batna[second]], marks: [mark],
    title: "What was possible, and where your game ended", width: box.clientWidth,
  });
  const left = result.value_left;
  replace(box, chart,
    legend([["frontier", "best possible deals"], ["batna", "BATNAs"], ["zone", "deals better than both BATNAs"],
      [agreed ? "deal" : "impasse", agreed ? "your deal" : "your impasse"]]),
    agreed ? h("p", {}, left > 0
      ? `A deal better for both of you existed: together you left ${pts(left)} on the table.`
      : "No deal was better for both of you: yours is on the frontier.") : null,
    result.missed_deal ? h("p", { class: "bad-text" }, "A deal better than both BATNAs was possible: this was a missed deal.") : null);
}
