// The board's part in stepping in: each game's flags for a stuck pair, told in words,
// and the buttons to pause or resume that game, send its pair a message, or sit in as
// its mediator. The flags are the server's (game_rules/stuck.py, docs/web.md): this
// only words them.

import { h, points } from "./dom.js";

export function flagText(flag, labels = {}) {
  switch (flag.flag) {
    case "quiet":
      return `No offer for ${flag.minutes} min`;
    case "gap":
      return `Gap of ${points(flag.gap)} points not narrowing over ${flag.offers} offers`;
    case "standoff":
      return "Final-offer standoff";
    case "walkout":
      return `${labels[flag.by] || flag.by} walked out; may come back`;
    default:
      return flag.flag;
  }
}

export function flagList(game, labels = {}) {
  const flags = game.flags || [];
  const gap = game.gap === null || game.gap === undefined || game.result ? null
    : h("div", { class: "muted" }, `gap ${points(game.gap)}`);
  if (!flags.length) return gap || "–";
  return [h("ul", { class: "flags", "aria-label": "Flags" },
    flags.map((f) => h("li", { class: `flag ${f.flag}`, "data-flag": f.flag }, flagText(f, labels)))), gap];
}

export function stepInButtons(game, actions, pair) {
  if (!game.live || !actions.message) return [];
  const paused = Boolean(game.paused);
  return [
    h("button", { type: "button", class: "secondary", onclick: () => (paused ? actions.resume(game) : actions.pause(game)),
      "data-focus": `pause-${game.game}`, "aria-label": `${paused ? "Resume" : "Pause"} the game of ${pair}` }, paused ? "Resume" : "Pause"),
    h("button", { type: "button", class: "secondary", onclick: () => actions.message(game, pair),
      "data-focus": `message-${game.game}`, "aria-label": `Message ${pair}` }, "Message"),
    h("a", { class: "button secondary", href: actions.mediateHref(game), target: "_blank",
      "data-focus": `mediate-${game.game}`, "aria-label": `${game.mediator ? "Mediating" : "Mediate"} the game of ${pair}` },
    game.mediator ? "Mediating" : "Mediate"),
  ];
}
