// The negotiation screen: a bar that stays on screen (whose turn, the clock, the
// partner's requests, refusals), the brief first, then the partner's standing offer,
// the timeline and chat, the offer builder, other moves and the player's own card, in
// that order for the eye and the keyboard alike. It renders a game from game_state.js
// and sends moves through `send`; it never decides a rule itself: the server refuses
// what is not allowed.

import { $, h, replace, points, pts, signed, clock, show, announce, stamp, timeOfDay } from "./dom.js";
import { describeEvent, pointsOf, offerNumbers } from "./describe.js";
import { cardTable } from "./cards.js";
import { interventionAsks, walkoutRule, walkoutTurn } from "./intervene.js";
import { clockRunning, secondsLeft, breakSecondsLeft, standingOffer, theirStanding, myTurn, atTable } from "./game_state.js";
import { ReadingView } from "./reading.js";

// Below this many seconds the clock turns red and says so in words.
const LOW_SECONDS = 60;
const PICKS = "zopa.picks.";
const BRIEF = "zopa.briefRead.";

export class GameView {
  constructor(send, error) {
    this.send = send;
    this.error = error;
    this.game = null;
    this.presence = null;
    this.signatures = {};
    this.lastAnnounced = null;
    this.shownSeq = 0;
    this.numbers = new Map();
    this.reading = new ReadingView(send, error);
    $("#g-builder-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.send({ type: "offer", terms: this.picked(), final: $("#g-final").checked });
      $("#g-final").checked = false;
    });
    $("#g-suggest").addEventListener("click", () => this.send({ type: "suggest", terms: this.picked(true) }));
    $("#g-claim").addEventListener("click", () => this.send({ type: "claim", terms: this.picked() }));
    $("#g-claim-none").addEventListener("click", () => this.send({ type: "claim", terms: null }));
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
        const raw = $("#g-reveal-value").value.trim();
        // An empty box is not a claim of 0: nothing is sent until there is a number.
        if (raw === "" || !Number.isFinite(Number(raw))) {
          this.error("Type the number you want to tell them as your BATNA.");
          $("#g-reveal-value").focus();
          return;
        }
        this.send({ type: "reveal", about: "batna", value: Number(raw) });
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
    $("#g-walkout").addEventListener("click", () => {
      $("#walkout-rule").textContent = walkoutRule(this.game.protocol);
      $("#walkout-dialog").showModal();
    });
    $("#walkout-dialog").addEventListener("close", () => {
      const reason = $("#walkout-reason").value.trim();
      if ($("#walkout-dialog").returnValue === "walkout") this.send({ type: "walkout", ...(reason ? { reason } : {}) });
      $("#walkout-reason").value = "";
    });
    $("#g-brief-box").addEventListener("toggle", () => {
      if (this.game && !$("#g-brief-box").open) remember(BRIEF + this.game.id, true);
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
  // A reload keeps the half-built offer too, from this tab's storage.
  load(game) {
    const same = this.game && this.game.id === game.id;
    const picks = same ? this.picked(true) : recall(PICKS + game.id) || {};
    this.game = game;
    this.signatures = {};
    const view = game.view;
    $("#g-title").textContent = view.scenario.title;
    $("#g-role").textContent = this.roleLabel(game.role);
    const partner = view.partner;
    // Role labels may be people's names ("Ada"): the sentence works for both.
    $("#g-partner").textContent = partner.bot
      ? `${partner.name || "a bot"}, a bot playing ${this.roleLabel(partner.role)}`
      : `${partner.name || "a bot"}, playing ${this.roleLabel(partner.role)}`;
    $("#g-batna").textContent = pts(view.card.batna);
    $("#g-brief-batna").textContent = pts(view.card.batna);
    replace($("#g-card"), cardTable(game.issues, view.card, "Your points for every option"));
    $("#g-brief").textContent = view.brief;
    $("#g-description").textContent = view.scenario.description;
    // The brief comes first and open until the player closes it or has made a move.
    const moved = game.events.some((e) => e.by === game.role);
    $("#g-brief-box").open = !recall(BRIEF + game.id) && !moved;
    this.buildPicks(picks);
    replace($("#g-reveal-issue"), game.issues.map((i) => h("option", { value: i.id }, i.label)));
    replace($("#g-estimate-issue"), h("option", { value: "" }, "— no guess —"),
      game.issues.map((i) => h("option", { value: i.id }, i.label)));
    $("#g-reveal-rank").max = game.issues.length;
    this.revealFields();
    const claims = game.protocol.closing === "claims";
    show($("#g-claim"), claims);
    show($("#g-claim-none"), claims);
    show($("#g-claims-help"), claims);
    if (!same) {
      replace($("#g-timeline"));
      this.shownSeq = 0;
    }
    this.numbers = offerNumbers(game.events);
    this.addEvents(game.events);
    this.reading.load(game);
    this.update();
  }

  buildPicks(picks = {}) {
    const { issues, view } = this.game;
    replace($("#g-picks"), issues.map((issue) => {
      const id = `pick-${issue.id}`;
      const select = h("select", { id, "data-issue": issue.id, onchange: () => this.updateTotal() },
        h("option", { value: "" }, "— choose —"),
        issue.options.map((option, i) =>
          h("option", { value: i }, `${option} (${pts(view.card.points[issue.id][i])})`)));
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
    remember(PICKS + this.game.id, terms);
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
    const claimed = s.claimed.includes(game.role);
    $("#g-send").disabled = !(full && mine && offersLeft && atTable(game));
    $("#g-suggest").disabled = !(some && atTable(game));
    $("#g-claim").disabled = !(full && atTable(game) && !claimed);
    $("#g-claim-none").disabled = !(atTable(game) && !claimed);
    $("#g-copy").disabled = !theirStanding(game);
    const help = [];
    if (!s.over) {
      if (claimed) help.push("Your claim is in; waiting for theirs.");
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
    let text;
    if (s.over) text = "The game is over";
    else if (s.reading) text = "Reading time";
    else if (s.walkout) text = walkoutTurn(game, (role) => this.who(role));
    else if (s.paused) text = "Paused by the facilitator";
    else if (s.on_break) text = "On a break";
    else if (s.turn === null) text = "Either side may offer at any time";
    else text = s.turn === game.role ? "Your turn to offer" : `${this.who(s.turn)}'s turn to offer`;
    if (turn.textContent !== text) turn.textContent = text;
    turn.classList.toggle("mine", atTable(game) && s.turn === game.role);
    this.updateButtons();
    this.part("standing", [s.standing, s.over, s.paused, s.on_break], () => this.renderStanding());
    this.part("asks", [s.paused, s.on_break, s.pending_break, s.pending_extension, s.over, s.walkout, s.mediator], () => this.renderAsks());
    this.part("requests", [s.paused, s.on_break, s.pending_break, s.pending_extension,
      s.breaks_left, s.extensions_left, s.over], () => this.renderRequests());
    this.part("presence", [this.presence && this.presence.connected, s.seats[game.other], s.over], () => this.renderPresence());
    const mine = game.events.find((e) => e.type === "estimate" && e.by === game.role);
    this.part("estimate", [Boolean(game.view.estimates), s.over, s.reading, mine && mine.seq], () => this.renderEstimate(mine));
    this.reading.update(game);
    this.tick();
  }

  // The sealed estimate a session may ask for: the form until it is sent, then what was
  // written down, for the player's own eyes only.
  renderEstimate(mine) {
    const game = this.game;
    // While reading, the planning form asks for it (reading.js).
    show($("#g-estimate"), Boolean(game.view.estimates) && !game.over && !game.status.reading);
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

  offerName(seq) {
    return `offer ${this.numbers.get(seq) ?? seq}`;
  }

  renderStanding() {
    const game = this.game;
    const body = $("#g-standing-body");
    const standing = theirStanding(game);
    $("#g-standing").classList.toggle("none", !standing);
    if (!standing) {
      const own = standingOffer(game);
      replace(body, h("p", { class: "muted" }, own
        ? `Your ${own.final ? "FINAL " : ""}${this.offerName(own.seq)} is on the table, waiting for their answer.`
        : "No offer from them on the table."));
      return;
    }
    const worth = pointsOf(game.view.card, standing.terms);
    const gap = worth - game.view.card.batna;
    const canAccept = game.protocol.closing === "accept";
    const name = this.offerName(standing.seq);
    replace(body,
      h("p", {}, h("strong", {}, `${standing.final ? "FINAL " : ""}${name[0].toUpperCase()}${name.slice(1)} from ${this.who(standing.by)}`)),
      h("ul", { class: "terms" }, game.issues.map((issue) => h("li", {},
        h("span", {}, `${issue.label}: `, h("strong", {}, issue.options[standing.terms[issue.id]])),
        h("span", { class: "pts" }, pts(game.view.card.points[issue.id][standing.terms[issue.id]]))))),
      h("p", { class: "big" }, `Worth ${pts(worth)} to you `,
        h("span", { class: gap >= 0 ? "good-text" : "bad-text" }, `(${signed(gap)} against your BATNA)`)),
      canAccept ? h("div", { class: "buttons" },
        h("button", { type: "button", class: "good", id: "g-accept", disabled: !atTable(game),
          onclick: () => this.send({ type: "accept", offer: standing.seq }) }, `Accept ${name.replace("offer ", "offer #")}`),
        h("button", { type: "button", class: "secondary", disabled: !atTable(game),
          onclick: () => this.send({ type: "reject", offer: standing.seq }) }, "Reject it")) : null);
  }

  // What needs an answer or explains a stopped clock: in the bar, always in view.
  renderAsks() {
    const game = this.game;
    const s = game.status;
    const p = game.protocol;
    const box = $("#g-asks");
    const items = [];
    const button = (text, message, cls = "secondary") =>
      h("button", { type: "button", class: cls, onclick: () => this.send(message) }, text);
    if (s.over) return replace(box);
    if (s.paused) items.push(h("p", { class: "notice warn" }, "The facilitator has paused the game: the clock is stopped."));
    items.push(...interventionAsks(game, (role) => this.who(role), this.send));
    if (s.on_break) {
      items.push(h("div", { class: "ask" }, h("p", {}, "You are on a break: the negotiation clock is stopped."),
        h("div", { class: "buttons" }, button("Back to the table now", { type: "break_end" }, ""))));
    } else if (s.pending_break === game.other) {
      items.push(h("div", { class: "ask notice warn" },
        h("p", {}, `${this.who(game.other)} asks for a break of ${clock(p.break_seconds)} (the clock stops).`),
        h("div", { class: "buttons" }, button("Accept the break", { type: "break_accept" }, "good"),
          button("Decline", { type: "break_decline" }))));
    } else if (s.pending_break === game.role) {
      items.push(h("p", { class: "muted" }, `You asked for a break; waiting for ${this.who(game.other)}.`));
    }
    if (s.pending_extension === game.other) {
      items.push(h("div", { class: "ask notice warn" },
        h("p", {}, `${this.who(game.other)} asks for ${clock(p.extension_seconds)} more.`),
        h("div", { class: "buttons" }, button("Accept more time", { type: "extension_accept" }, "good"),
          button("Decline", { type: "extension_decline" }))));
    } else if (s.pending_extension === game.role) {
      items.push(h("p", { class: "muted" }, `You asked for more time; waiting for ${this.who(game.other)}.`));
    }
    replace(box, items);
  }

  renderRequests() {
    const game = this.game;
    const s = game.status;
    const p = game.protocol;
    const box = $("#g-requests");
    const button = (text, message, attrs = {}) =>
      h("button", { type: "button", class: "secondary", onclick: () => this.send(message), ...attrs }, text);
    if (s.over) return replace(box);
    const offers = [];
    if (p.breaks > 0 && !s.on_break && !s.pending_break) {
      offers.push(button(`Ask for a break (${s.breaks_left} left)`, { type: "break_request" }, { disabled: s.breaks_left <= 0 || s.paused }));
    }
    if (p.extensions > 0 && !s.pending_extension) {
      offers.push(button(`Ask for ${clock(p.extension_seconds)} more (${s.extensions_left} left)`, { type: "extension_request" },
        { disabled: s.extensions_left <= 0 || s.paused || s.on_break }));
    }
    replace(box, offers.length ? h("div", { class: "buttons" }, offers) : null);
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
      if (event.type === "offer" && !this.numbers.has(event.seq)) this.numbers.set(event.seq, this.numbers.size + 1);
      this.shownSeq = event.seq;
      const item = this.timelineItem(event);
      if (item) list.append(item);
    }
    list.scrollTop = list.scrollHeight;
  }

  // A live event from the partner that asks for an answer is said aloud at once.
  tell(event) {
    if (event.by !== this.game.other) return;
    const name = this.who(event.by);
    if (event.type === "break_request") announce(`${name} asks for a break. Accept or decline at the top of the screen.`);
    else if (event.type === "extension_request") announce(`${name} asks for more time. Accept or decline at the top of the screen.`);
  }

  timelineItem(event) {
    const game = this.game;
    // A practice bot sits down at the start: not news to the player.
    if (event.type === "seat" && game.view.partner.bot && event.role === game.other) return null;
    const text = describeEvent(event, game.issues, (role) => this.who(role),
      { me: game.role, number: (seq) => this.numbers.get(seq) ?? seq });
    let worth = null;
    if (["offer", "suggest", "mediator_suggest"].includes(event.type) || (event.type === "claim" && event.terms)) {
      const mine = pointsOf(game.view.card, event.terms);
      worth = h("span", { class: "worth" }, event.type !== "offer" && event.type !== "claim"
        ? `the issues named are worth ${pts(mine)} to you`
        : `worth ${pts(mine)} to you (${signed(mine - game.view.card.batna)} against your BATNA)`);
    }
    const third = ["message", "mediator", "mediator_suggest"].includes(event.type);
    const cls = event.by === game.role ? "mine" : third ? "system third-party" : event.by === null ? "system" : "";
    return h("li", { class: cls, "data-seq": event.seq, "data-type": event.type },
      stamp(event.at), " ", text, worth);
  }

  // Once a second: the clock, and a spoken warning at a few moments, not every tick.
  tick() {
    const game = this.game;
    if (!game) return;
    const s = game.status;
    const left = secondsLeft(game);
    const running = clockRunning(game);
    $("#g-clock-value").textContent = clock(left);
    this.reading.tick(game);
    $("#g-clock").classList.toggle("stopped", !running);
    const low = !s.over && left <= LOW_SECONDS;
    $("#g-clock").classList.toggle("low", low);
    let note = "";
    if (s.over) note = "The clock has stopped: the game is over.";
    else if (s.reading) note = "The clock starts after the reading time.";
    else if (s.paused) note = "Clock stopped: the facilitator paused the game.";
    else if (s.on_break) note = "Clock stopped for a break.";
    else if (low) note = "Less than a minute left.";
    // Rewritten only when the words change, so a screen reader hears each change once;
    // the break's countdown sits outside the live region for the same reason.
    const noteEl = $("#g-clock-note");
    if (noteEl.textContent !== note) noteEl.textContent = note;
    const breakEl = $("#g-break-clock");
    show(breakEl, s.on_break && !s.over);
    if (s.on_break) breakEl.textContent = `Back at the table in ${clock(breakSecondsLeft(game))}.`;
    const whole = Math.ceil(left);
    // The last minute is told by the note above.
    const moment = [300, 120, 30, 10].find((m) => whole === m);
    if (running && moment && this.lastAnnounced !== moment) {
      this.lastAnnounced = moment;
      announce(`${clock(moment)} left`);
    }
  }

  revealFields() {
    const batna = $("#g-reveal-about").value === "batna";
    show($("#g-reveal-value-wrap"), batna);
    $("#g-reveal-value").required = batna;
    show($("#g-reveal-issue-wrap"), !batna);
    show($("#g-reveal-rank-wrap"), !batna);
  }
}

function remember(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // A full or refused storage only costs the half-built offer on a reload.
  }
}

function recall(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
}
