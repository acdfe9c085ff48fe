// The negotiation screen: header and clock, the partner's standing offer, the offer
// builder, requests (breaks, more time), statements, walking out, the timeline and the
// player's own card. It renders a game from game_state.js and sends moves through
// `send`; it never decides a rule itself: the server refuses what is not allowed.

import { $, h, replace, points, signed, clock, timeOfDay, show, announce } from "./dom.js";
import { describeEvent, pointsOf } from "./describe.js";
import { cardTable } from "./cards.js";
import { clockRunning, secondsLeft, breakSecondsLeft, standingOffer, theirStanding, myTurn, atTable } from "./game_state.js";

export class GameView {
  constructor(send) {
    this.send = send;
    this.game = null;
    this.presence = null;
    this.signatures = {};
    this.lastAnnounced = null;
    this.shownSeq = 0;
    $("#g-builder-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.send({ type: "offer", terms: this.picked(), final: $("#g-final").checked });
      $("#g-final").checked = false;
    });
    $("#g-suggest").addEventListener("click", () => this.send({ type: "suggest", terms: this.picked(true) }));
    $("#g-claim").addEventListener("click", () => this.send({ type: "claim", terms: this.picked() }));
    $("#g-copy").addEventListener("click", () => this.copyStanding());
    $("#g-chat-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const text = $("#g-chat").value.trim();
      if (text && this.send({ type: "chat", text })) $("#g-chat").value = "";
    });
    $("#g-reveal-about").addEventListener("change", () => this.revealFields());
    $("#g-reveal-form").addEventListener("submit", (e) => {
      e.preventDefault();
      if ($("#g-reveal-about").value === "batna") {
        this.send({ type: "reveal", about: "batna", value: Number($("#g-reveal-value").value) });
      } else {
        this.send({ type: "reveal", about: "priority", issue: $("#g-reveal-issue").value, rank: Number($("#g-reveal-rank").value) });
      }
    });
    $("#g-estimate-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const raw = $("#g-estimate-batna").value.trim();
      const issue = $("#g-estimate-issue").value || null;
      const batna = raw === "" ? null : Number(raw);
      if (batna === null && issue === null) return;
      this.send({ type: "estimate", batna, issue });
    });
    $("#g-walkout").addEventListener("click", () => $("#walkout-dialog").showModal());
    $("#walkout-dialog").addEventListener("close", () => {
      if ($("#walkout-dialog").returnValue === "walkout") this.send({ type: "walkout" });
    });
  }

  who(role) {
    if (role === this.game.role) return "You";
    return this.game.view.partner.name || this.roleLabel(role);
  }

  roleLabel(role) {
    const found = this.game.view.scenario.roles.find((r) => r.id === role);
    return found ? found.label : role;
  }

  // A new game, or the same one again after a reconnection: then the half-built offer
  // stays, and the timeline only gains what is new (a screen reader hears only that).
  load(game) {
    const same = this.game && this.game.id === game.id;
    const picks = same ? this.picked(true) : {};
    this.game = game;
    this.signatures = {};
    const view = game.view;
    $("#g-title").textContent = view.scenario.title;
    $("#g-role").textContent = this.roleLabel(game.role);
    const partner = view.partner;
    $("#g-partner").textContent = `${partner.name || "a bot"} (${this.roleLabel(partner.role)})${partner.bot ? ", a bot" : ""}`;
    $("#g-batna").textContent = points(view.card.batna);
    replace($("#g-card"), cardTable(game.issues, view.card, "Your points for every option"));
    $("#g-brief").textContent = view.brief;
    $("#g-description").textContent = view.scenario.description;
    this.buildPicks(picks);
    replace($("#g-reveal-issue"), game.issues.map((i) => h("option", { value: i.id }, i.label)));
    replace($("#g-estimate-issue"), h("option", { value: "" }, "— no guess —"),
      game.issues.map((i) => h("option", { value: i.id }, i.label)));
    $("#g-reveal-rank").max = game.issues.length;
    this.revealFields();
    const claims = game.protocol.closing === "claims";
    show($("#g-claim"), claims);
    if (!same) {
      replace($("#g-timeline"));
      this.shownSeq = 0;
    }
    this.addEvents(game.events);
    this.update();
  }

  buildPicks(picks = {}) {
    const { issues, view } = this.game;
    replace($("#g-picks"), issues.map((issue) => {
      const id = `pick-${issue.id}`;
      const select = h("select", { id, "data-issue": issue.id, onchange: () => this.updateTotal() },
        h("option", { value: "" }, "— choose —"),
        issue.options.map((option, i) =>
          h("option", { value: i }, `${option} (${points(view.card.points[issue.id][i])} pts)`)));
      if (picks[issue.id] !== undefined) select.value = String(picks[issue.id]);
      return h("div", { class: "issue-pick" }, h("label", { for: id }, issue.label), select);
    }));
    this.updateTotal();
  }

  picked(partial = false) {
    const terms = {};
    for (const select of document.querySelectorAll("#g-picks select")) {
      if (select.value !== "") terms[select.dataset.issue] = Number(select.value);
      else if (!partial) return null;
    }
    return terms;
  }

  copyStanding() {
    const standing = theirStanding(this.game);
    if (!standing) return;
    for (const select of document.querySelectorAll("#g-picks select")) {
      select.value = String(standing.terms[select.dataset.issue]);
    }
    this.updateTotal();
  }

  updateTotal() {
    const card = this.game.view.card;
    const terms = this.picked(true);
    const total = pointsOf(card, terms);
    const complete = Object.keys(terms).length === this.game.issues.length;
    $("#g-total").textContent = points(total);
    const gap = total - card.batna;
    $("#g-vs-batna").textContent = complete
      ? `${signed(gap)} against your BATNA`
      : `${Object.keys(terms).length} of ${this.game.issues.length} issue${this.game.issues.length > 1 ? "s" : ""} chosen`;
    $("#g-vs-batna").className = complete ? (gap >= 0 ? "good-text" : "bad-text") : "muted";
    this.updateButtons();
  }

  updateButtons() {
    const game = this.game;
    const s = game.status;
    const full = this.picked() !== null;
    const some = Object.keys(this.picked(true)).length > 0;
    const mine = myTurn(game);
    const offersLeft = s.offers_left === null || s.offers_left > 0;
    $("#g-send").disabled = !(full && mine && offersLeft && atTable(game));
    $("#g-suggest").disabled = !(some && atTable(game));
    $("#g-claim").disabled = !(full && atTable(game) && !s.claimed.includes(game.role));
    $("#g-copy").disabled = !theirStanding(game);
    const help = [];
    if (!s.over) {
      if (!offersLeft) help.push("No offers are left in this game: the one on the table is accepted or rejected.");
      else if (!mine) help.push(`It is ${this.who(s.turn)}'s turn to offer. Meanwhile you can prepare your offer, chat, suggest or make statements.`);
      else if (!full) help.push("Choose an option for every issue to make an offer; a suggestion may name only some.");
      if (s.offers_left > 0) help.push(`${s.offers_left} offer${s.offers_left > 1 ? "s" : ""} left in this game.`);
    }
    $("#g-builder-help").textContent = help.join(" ");
  }

  setPresence(presence) {
    this.presence = presence;
    this.update();
  }

  // Everything that depends on the state; parts re-render only when what they show
  // changed, so a button under the player's finger is not replaced while they tap it.
  update() {
    const game = this.game;
    if (!game) return;
    const s = game.status;
    const turn = $("#g-turn");
    if (s.over) turn.textContent = "The game is over";
    else if (s.turn === null) turn.textContent = "Either side may offer at any time";
    else turn.textContent = s.turn === game.role ? "Your turn to offer" : `${this.who(s.turn)}'s turn to offer`;
    turn.classList.toggle("mine", !s.over && s.turn === game.role);
    this.updateButtons();
    this.part("standing", [s.standing, s.over, s.paused, s.on_break], () => this.renderStanding());
    this.part("requests", [s.paused, s.on_break, s.pending_break, s.pending_extension,
      s.breaks_left, s.extensions_left, s.over, this.presence && this.presence.connected], () => this.renderRequests());
    this.part("presence", [this.presence && this.presence.connected, s.seats[game.other], s.over], () => this.renderPresence());
    const mine = game.events.find((e) => e.type === "estimate" && e.by === game.role);
    this.part("estimate", [Boolean(game.view.estimates), s.over, mine && mine.seq], () => this.renderEstimate(mine));
    this.tick();
  }

  // The sealed estimate a session may ask for: the form until it is sent, then what was
  // written down, for the player's own eyes only.
  renderEstimate(mine) {
    const game = this.game;
    show($("#g-estimate"), Boolean(game.view.estimates) && !game.over);
    show($("#g-estimate-form"), !mine);
    const sealed = $("#g-estimate-sealed");
    show(sealed, Boolean(mine));
    if (mine) sealed.textContent = `Your sealed estimate: ${describeEvent(mine, game.issues, () => "You").replace(/^You estimated \(sealed until the end\): /, "")}.`;
  }

  part(name, key, render) {
    const signature = JSON.stringify(key);
    if (this.signatures[name] === signature) return;
    this.signatures[name] = signature;
    render();
  }

  renderStanding() {
    const game = this.game;
    const body = $("#g-standing-body");
    const standing = theirStanding(game);
    $("#g-standing").classList.toggle("none", !standing);
    if (!standing) {
      const own = standingOffer(game);
      replace(body, h("p", { class: "muted" }, own
        ? `Your ${own.final ? "FINAL offer" : "offer"} #${own.seq} is on the table, waiting for their answer.`
        : "No offer from them on the table."));
      return;
    }
    const worth = pointsOf(game.view.card, standing.terms);
    const gap = worth - game.view.card.batna;
    const canAccept = game.protocol.closing === "accept";
    replace(body,
      h("p", {}, h("strong", {}, `${standing.final ? "FINAL offer" : "Offer"} #${standing.seq} from ${this.who(standing.by)}`)),
      h("ul", { class: "terms" }, game.issues.map((issue) => h("li", {},
        h("span", {}, `${issue.label}: `, h("strong", {}, issue.options[standing.terms[issue.id]])),
        h("span", { class: "pts" }, `${points(game.view.card.points[issue.id][standing.terms[issue.id]])} pts`)))),
      h("p", { class: "big" }, `Worth ${points(worth)} to you `,
        h("span", { class: gap >= 0 ? "good-text" : "bad-text" }, `(${signed(gap)} against your BATNA)`)),
      canAccept ? h("div", { class: "buttons" },
        h("button", { type: "button", class: "good", id: "g-accept", disabled: !atTable(game),
          onclick: () => this.send({ type: "accept", offer: standing.seq }) }, `Accept offer #${standing.seq}`),
        h("button", { type: "button", class: "secondary", disabled: !atTable(game),
          onclick: () => this.send({ type: "reject", offer: standing.seq }) }, "Reject it")) : null);
  }

  renderRequests() {
    const game = this.game;
    const s = game.status;
    const p = game.protocol;
    const box = $("#g-requests");
    const items = [];
    const button = (text, message, cls = "secondary", attrs = {}) =>
      h("button", { type: "button", class: cls, onclick: () => this.send(message), ...attrs }, text);
    if (s.over) return replace(box);
    if (s.paused) items.push(h("p", { class: "notice warn" }, "The facilitator has paused the game: the clock is stopped."));
    if (s.on_break) {
      items.push(h("p", {}, "You are on a break: the negotiation clock is stopped."),
        h("div", { class: "buttons" }, button("Back to the table now", { type: "break_end" }, "")));
    } else if (s.pending_break === game.other) {
      items.push(h("p", { class: "notice warn" }, `${this.who(game.other)} asks for a break of ${clock(p.break_seconds)} (the clock stops).`),
        h("div", { class: "buttons" }, button("Accept the break", { type: "break_accept" }, "good"),
          button("Decline", { type: "break_decline" })));
    } else if (s.pending_break === game.role) {
      items.push(h("p", { class: "muted" }, `You asked for a break; waiting for ${this.who(game.other)}.`));
    }
    if (s.pending_extension === game.other) {
      items.push(h("p", { class: "notice warn" }, `${this.who(game.other)} asks for ${clock(p.extension_seconds)} more.`),
        h("div", { class: "buttons" }, button("Accept more time", { type: "extension_accept" }, "good"),
          button("Decline", { type: "extension_decline" })));
    } else if (s.pending_extension === game.role) {
      items.push(h("p", { class: "muted" }, `You asked for more time; waiting for ${this.who(game.other)}.`));
    }
    const offers = [];
    if (p.breaks > 0 && !s.on_break && !s.pending_break) {
      offers.push(button(`Ask for a break (${s.breaks_left} left)`, { type: "break_request" }, "secondary", { disabled: s.breaks_left <= 0 || s.paused }));
    }
    if (p.extensions > 0 && !s.pending_extension) {
      offers.push(button(`Ask for ${clock(p.extension_seconds)} more (${s.extensions_left} left)`, { type: "extension_request" }, "secondary",
        { disabled: s.extensions_left <= 0 || s.paused || s.on_break }));
    }
    if (offers.length) items.push(h("div", { class: "buttons" }, offers));
    replace(box, items);
  }

  renderPresence() {
    const box = $("#g-presence");
    const game = this.game;
    const away = this.presence && !this.presence.connected;
    const seat = game.status.seats[game.other];
    const bot = seat && seat.startsWith("bot:") && !game.view.partner.bot;
    if (game.status.over || (!away && !bot)) return show(box, false);
    show(box, true);
    if (bot) return replace(box, "A bot is holding your partner's seat until they come back.");
    const wait = this.presence.grace_ends ? this.presence.grace_ends * 1000 - Date.now() : 0;
    if (wait > 0) {
      // The button appears when the grace period is over: before that it would be refused.
      clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(() => {
        this.signatures.presence = null;
        this.update();
      }, wait + 100);
      return replace(box, `${this.who(game.other)} has lost the connection. If they are not back by ${timeOfDay(this.presence.grace_ends)}, a bot can take their seat.`);
    }
    replace(box, `${this.who(game.other)} has lost the connection. `,
      h("button", { type: "button", class: "secondary", onclick: () => this.send({ type: "seat_bot" }) }, "Let a bot take their seat"));
  }

  addEvents(events) {
    const list = $("#g-timeline");
    for (const event of events) {
      if (event.seq <= this.shownSeq) continue;
      list.append(this.timelineItem(event));
      this.shownSeq = event.seq;
    }
    list.scrollTop = list.scrollHeight;
  }

  timelineItem(event) {
    const game = this.game;
    const text = describeEvent(event, game.issues, (role) => this.who(role));
    let worth = null;
    if (["offer", "suggest"].includes(event.type) || (event.type === "claim" && event.terms)) {
      const mine = pointsOf(game.view.card, event.terms);
      worth = h("span", { class: "worth" }, event.type === "suggest"
        ? `the issues named are worth ${points(mine)} to you`
        : `worth ${points(mine)} to you (${signed(mine - game.view.card.batna)} against your BATNA)`);
    }
    const cls = event.by === game.role ? "mine" : event.by === null ? "system" : "";
    return h("li", { class: cls, "data-seq": event.seq, "data-type": event.type },
      h("span", { class: "when" }, timeOfDay(event.at)), text, worth);
  }

  // Once a second: the clock, and a spoken warning at a few moments, not every tick.
  tick() {
    const game = this.game;
    if (!game) return;
    const s = game.status;
    const left = secondsLeft(game);
    $("#g-clock-value").textContent = clock(left);
    $("#g-clock").classList.toggle("stopped", !clockRunning(game));
    let note = "";
    if (s.over) note = "The clock has stopped: the game is over.";
    else if (s.paused) note = "Clock stopped: the facilitator paused the game.";
    else if (s.on_break) note = "Clock stopped for a break.";
    // Rewritten only when the words change, so a screen reader hears each change once;
    // the break's countdown sits outside the live region for the same reason.
    const noteEl = $("#g-clock-note");
    if (noteEl.textContent !== note) noteEl.textContent = note;
    const breakEl = $("#g-break-clock");
    show(breakEl, s.on_break && !s.over);
    if (s.on_break) breakEl.textContent = `Back at the table in ${clock(breakSecondsLeft(game))}.`;
    const whole = Math.ceil(left);
    const moment = [300, 120, 60, 30, 10].find((m) => whole === m);
    if (clockRunning(game) && moment && this.lastAnnounced !== moment) {
      this.lastAnnounced = moment;
      announce(`${clock(moment)} left`);
    }
  }

  revealFields() {
    const batna = $("#g-reveal-about").value === "batna";
    show($("#g-reveal-value-wrap"), batna);
    show($("#g-reveal-issue-wrap"), !batna);
    show($("#g-reveal-rank-wrap"), !batna);
  }
}
