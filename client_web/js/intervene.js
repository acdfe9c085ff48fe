// A walkout's window and the mediator, on the player's screen: what the status says
// (game_state.js holds it), told in words, with the buttons the rules allow. The rules
// decide; these only show what the server's status tells (docs/rules.md).

import { h, timeOfDay } from "./dom.js";

// The walkout dialog's promise, from the game's protocol.
export function walkoutRule(protocol) {
  const window = protocol.walkout_window || 0;
  return window > 0
    ? `The clock stops. For ${Math.round(window)} seconds you may ask to come back, and the game goes on if the other side agrees; after that it ends with no deal: you both get your BATNA.`
    : "The game ends at once with no deal: you both get your BATNA. This cannot be undone.";
}

// The notices and answers for an open walkout window, and who sits as the mediator.
export function interventionAsks(game, who, send) {
  const s = game.status;
  const items = [];
  const button = (text, message, cls = "secondary") =>
    h("button", { type: "button", class: cls, onclick: () => send(message) }, text);
  if (s.mediator) items.push(h("p", { class: "notice" }, `${s.mediator} sits in as the mediator: they see what you both see, never your card.`));
  const w = s.walkout;
  if (!w) return items;
  const until = timeOfDay(w.ends);
  if (w.by === game.role) {
    items.push(h("div", { class: "ask notice warn", id: "g-walkout-window" },
      h("p", {}, w.return_asked
        ? `You asked to come back; waiting for ${who(game.other)}. The walkout stands at ${until} otherwise.`
        : `You walked out. Until ${until} you can ask to come back, if ${who(game.other)} agrees.`),
      w.return_asked ? null : h("div", { class: "buttons" }, button("Ask to come back", { type: "return_request" }, "good"))));
  } else {
    items.push(h("div", { class: "ask notice warn", id: "g-walkout-window" },
      h("p", {}, w.return_asked
        ? `${who(w.by)} walked out and asks to come back.`
        : `${who(w.by)} walked out. The game ends with no deal at ${until} unless they ask to come back and you agree.`),
      h("div", { class: "buttons" },
        w.return_asked ? button("Let them back", { type: "return_accept" }, "good") : null,
        button(w.return_asked ? "No: end the game" : "End it now", { type: "return_decline" }))));
  }
  return items;
}

// The top bar's words for a game in a walkout's window.
export function walkoutTurn(game, who) {
  const w = game.status.walkout;
  if (!w) return null;
  return w.by === game.role ? "You walked out" : `${who(w.by)} walked out`;
}
