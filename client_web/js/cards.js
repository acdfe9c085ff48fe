// An interest card as a table: every issue, every option, the points it is worth.

import { h, points } from "./dom.js";

export function cardTable(issues, card, caption) {
  return h("table", { class: "card-table" },
    caption ? h("caption", { class: "sr-only" }, caption) : null,
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col" }, "Options and points"))),
    h("tbody", {}, issues.map((issue) => {
      const values = card.points[issue.id];
      const best = Math.max(...values);
      return h("tr", {},
        h("th", { scope: "row" }, issue.label),
        h("td", {}, issue.options.map((option, i) =>
          h("div", { class: values[i] === best ? "best" : null }, `${option}: ${points(values[i])}`))));
    })));
}

// Both cards side by side, for the end of a game and the replay viewer.
export function bothCards(issues, roles, cards) {
  return h("table", { class: "card-table" },
    h("caption", { class: "sr-only" }, "Both sides' points for every option"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Issue / option"),
      roles.map((role, i) => h("th", { scope: "col", class: `num side-${i}-text` }, role.label)))),
    h("tbody", {},
      issues.flatMap((issue) => [
        h("tr", {}, h("th", { scope: "rowgroup", colspan: roles.length + 1 }, issue.label)),
        ...issue.options.map((option, i) => h("tr", {},
          h("td", {}, option),
          roles.map((role) => h("td", { class: "num" }, points(cards[role.id].points[issue.id][i]))))),
      ]),
      h("tr", {}, h("th", { scope: "row" }, "BATNA"),
        roles.map((role) => h("td", { class: "num" }, h("strong", {}, points(cards[role.id].batna)))))));
}
