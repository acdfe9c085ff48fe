// What the editor shows beside the form: the outcome space the server computed for the
// draft (frontier, BATNAs, zone of agreement, Nash point, splitting the difference) and
// the checks that teach, in plain words. Nothing is computed here but wording.

import { h, replace, points, percent } from "./dom.js";
import { pointsChart, legend } from "./charts.js";

const KINDS = {
  distributive: "distributive: they want opposite options and care equally; one's gain is the other's loss",
  integrative: "integrative: they want opposite options but care unequally; worth trading against another issue",
  compatible: "compatible: both like the same option best; only a misunderstanding can cost them",
};

export function renderSpace(box, answer, width) {
  const space = answer.analysis;
  const [first, second] = space.roles;
  const labels = [space.labels[first], space.labels[second]];
  const split = answer.lessons.split.points;
  const marks = [{ kind: "offer", side: 1, x: split[0], y: split[1], label: `Splitting the difference: ${labels[0]} ${points(split[0])}, ${labels[1]} ${points(split[1])}` }];
  if (space.nash) {
    const [x, y] = space.nash.points;
    marks.push({ kind: "deal", x, y, label: `Nash point: ${labels[0]} ${points(x)}, ${labels[1]} ${points(y)}` });
  }
  replace(box,
    pointsChart({ labels, frontier: space.frontier, batna: [space.batna[first], space.batna[second]], marks, width,
      title: "The outcome space of this draft" }),
    legend([["frontier", "best possible deals (Pareto frontier)"], ["batna", "BATNAs"], ["zone", "zone of agreement"],
      ["deal", "Nash point"], ["side-1", "splitting the difference"]]));
}

export function checkSentences(answer) {
  const space = answer.analysis;
  const lessons = answer.lessons;
  const [first, second] = space.roles;
  const labels = [space.labels[first], space.labels[second]];
  const out = [];
  out.push(space.zopa
    ? ["good", `There is a zone of agreement: some deals beat both BATNAs, the best by ${points(lessons.best_gain)} points together.`]
    : ["bad", "There is no zone of agreement: every deal leaves a side below its BATNA. The lesson is to walk away."]);
  const split = lessons.split;
  if (split.left !== null) {
    const share = split.share_left === null ? "" : ` (${percent(split.share_left)} of the best)`;
    out.push([split.share_left > 0.3 ? "good" : "muted",
      `Splitting the difference on every issue gives ${labels[0]} ${points(split.points[0])} and ${labels[1]} ${points(split.points[1])}, leaving ${points(split.left)} points of joint gain on the table${share}.`]);
  }
  if (split.below_batna.length) {
    const who = split.below_batna.map((r) => space.labels[r]).join(" and ");
    out.push(["muted", `At the split ${who} would do better walking away.`]);
  }
  const counts = { distributive: 0, integrative: 0, compatible: 0 };
  for (const issue of lessons.issues) counts[issue.kind] += 1;
  out.push(["muted", `${counts.integrative} integrative, ${counts.distributive} distributive and ${counts.compatible} compatible issue${lessons.issues.length === 1 ? "" : "s"}.`]);
  if (!counts.integrative && lessons.issues.length > 1) out.push(["muted", "No issue is integrative: there is nothing to trade, only to divide."]);
  return out;
}

export function renderChecks(box, answer) {
  const space = answer.analysis;
  const labels = space.roles.map((r) => space.labels[r]);
  replace(box,
    h("h3", {}, "What it teaches"),
    h("ul", { class: "checks" }, checkSentences(answer).map(([kind, text]) => h("li", { class: `check-${kind}` }, text))),
    h("div", { class: "table-scroll" }, h("table", { id: "issue-kinds" },
      h("caption", { class: "sr-only" }, "How each issue sets the sides against each other"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col" }, "Kind"),
        h("th", { scope: "col", class: "num" }, `At stake for ${labels[0]}`), h("th", { scope: "col", class: "num" }, `At stake for ${labels[1]}`))),
      h("tbody", {}, answer.lessons.issues.map((issue) => h("tr", {},
        h("td", {}, issue.label), h("td", { title: KINDS[issue.kind] }, issue.kind),
        h("td", { class: "num" }, points(issue.stakes[0])), h("td", { class: "num" }, points(issue.stakes[1]))))))),
    h("p", { class: "muted" }, `${space.outcomes.toLocaleString("en-US")} possible deals; ${space.frontier.length} on the frontier.`));
}

// One sentence for a screen reader after a redraw; said only when it changes.
export function summary(answer) {
  if (answer.problems.length) return `${answer.problems.length} problem${answer.problems.length > 1 ? "s" : ""} to fix.`;
  return checkSentences(answer).slice(0, 2).map(([, text]) => text).join(" ");
}

export function renderProblems(box, problems) {
  if (!problems.length) return replace(box);
  replace(box, h("div", { class: "notice error" },
    h("p", {}, problems.length === 1 ? "One thing to fix before the outcome space can be drawn:" : `${problems.length} things to fix before the outcome space can be drawn:`),
    h("ul", { class: "problems" }, problems.map((p) => h("li", {}, p.message)))));
}
