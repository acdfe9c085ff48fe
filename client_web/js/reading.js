// The reading time (docs/rules.md, "Reading time"): before the negotiation clock starts,
// the brief comes first with its own countdown, an optional plan (target, walk-away,
// the issues in order, and the sealed guess of the other side's BATNA when the session
// asks for it), and a "ready" button. The status says whether the sides still read and
// for how long (`reading`, `reading_left`, `ready`); this module counts that down
// locally between messages and shows it, and shows the plan back at the end.

import { $, h, replace, points, pts, signed, clock, show, announce } from "./dom.js";
import { cardTable } from "./cards.js";

const ORDINALS = ["1st", "2nd", "3rd"];

export function readingSecondsLeft(game, now = performance.now()) {
  const s = game.status;
  if (s.reading_left === null || s.reading_left === undefined) return 0;
  const running = !game.held && s.clock === "reading";
  return Math.max(0, s.reading_left - (running ? (now - game.toldAt) / 1000 : 0));
}

// The player's own plan as it stood when the reading ended: the last one sent.
export function ownPlan(game) {
  const plans = game.events.filter((e) => e.type === "plan" && e.by === game.role && !e.sealed);
  return plans.length ? plans[plans.length - 1] : null;
}

export class ReadingView {
  constructor(send, error) {
    this.send = send;
    this.error = error;
    this.game = null;
    this.loaded = null;
    this.signature = "";
    $("#g-ready").addEventListener("click", () => this.send({ type: "ready" }));
    $("#g-plan-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.keepPlan();
    });
  }

  // The parts that stay for the whole game, built once per game.
  load(game) {
    this.game = game;
    if (this.loaded === game.id) return;
    this.loaded = game.id;
    this.signature = "";
    const view = game.view;
    $("#g-reading-brief").textContent = view.brief;
    $("#g-reading-batna").textContent = pts(view.card.batna);
    $("#g-reading-description").textContent = view.scenario.description;
    replace($("#g-reading-card"), cardTable(game.issues, view.card, "Your points for every option"));
    const choices = () => [h("option", { value: "" }, "—"), game.issues.map((i) => h("option", { value: i.id }, i.label))];
    replace($("#g-plan-priorities"), h("legend", {}, "The issues in order of importance to you"),
      game.issues.map((issue, n) => {
        const id = `g-plan-rank-${n}`;
        return h("div", { class: "issue-pick" },
          h("label", { for: id }, `${ORDINALS[n] || `${n + 1}th`} most important`),
          h("select", { id, "data-rank": n }, choices()));
      }));
    const plan = ownPlan(game);
    $("#g-plan-target").value = plan && plan.target !== null ? plan.target : "";
    $("#g-plan-walkaway").value = plan && plan.walkaway !== null ? plan.walkaway : "";
    const selects = document.querySelectorAll("#g-plan-priorities select");
    (plan ? plan.priorities : []).forEach((issue, n) => { if (selects[n]) selects[n].value = issue; });
    $("#g-plan-estimate").value = "";
    replace($("#g-plan-estimate-issue"), h("option", { value: "" }, "— no guess —"),
      game.issues.map((i) => h("option", { value: i.id }, i.label)));
  }

  update(game) {
    this.game = game;
    const s = game.status;
    const reading = Boolean(s.reading) && !s.over;
    const grid = document.querySelector("#game-screen .game-grid");
    show($("#g-reading"), reading);
    // Nothing to negotiate with while reading: the table appears when the clock starts.
    show(grid, !reading);
    if (!reading) return;
    const mine = game.events.find((e) => e.type === "estimate" && e.by === game.role);
    const plan = ownPlan(game);
    const key = JSON.stringify([s.ready, s.paused, Boolean(mine), plan && plan.seq]);
    if (key === this.signature) return;
    const partnerWasReady = this.signature !== "" && JSON.parse(this.signature)[0].includes(game.other);
    this.signature = key;
    const ready = s.ready.includes(game.role);
    const theirs = s.ready.includes(game.other);
    $("#g-ready").disabled = ready || s.paused;
    const partner = game.view.partner;
    const name = partner.name || "Your partner";
    let note = "";
    if (s.paused) note = "The facilitator has paused the game: the reading time is stopped.";
    else if (ready) note = `You are ready. The negotiation starts when ${name} is too, or when the reading time is up.`;
    else if (theirs) note = `${name} is ready. The negotiation starts as soon as you are, or when the reading time is up.`;
    if ($("#g-reading-note").textContent !== note) $("#g-reading-note").textContent = note;
    if (theirs && !partnerWasReady && !ready) announce(`${name} is ready to negotiate.`);
    show($("#g-plan-estimate-wrap"), Boolean(game.view.estimates) && !mine);
    $("#g-plan-kept").textContent = plan ? `Plan kept: ${planText(game, plan)}.` : "";
  }

  tick(game) {
    const s = game.status;
    if (!s.reading || s.over) return;
    const left = readingSecondsLeft(game);
    const text = `Reading time left: ${clock(left)}. Then the negotiation clock (${clock(s.seconds_left)}) starts, or as soon as you are both ready.`;
    const node = $("#g-reading-clock");
    if (node.textContent !== text) node.textContent = text;
  }

  keepPlan() {
    const game = this.game;
    const number = (id) => {
      const raw = $(id).value.trim();
      return raw === "" || !Number.isFinite(Number(raw)) ? null : Number(raw);
    };
    const priorities = [...document.querySelectorAll("#g-plan-priorities select")]
      .map((select) => select.value).filter((value) => value !== "");
    if (new Set(priorities).size !== priorities.length) {
      this.error("Name each issue once in your order of importance.");
      return;
    }
    const target = number("#g-plan-target");
    const walkaway = number("#g-plan-walkaway");
    const guess = number("#g-plan-estimate");
    const issue = $("#g-plan-estimate-issue").value || null;
    const estimated = game.events.some((e) => e.type === "estimate" && e.by === game.role);
    if (target === null && walkaway === null && !priorities.length && guess === null && issue === null) {
      this.error("Write down a target, a walk-away or an order of the issues to keep a plan.");
      return;
    }
    if (target !== null || walkaway !== null || priorities.length) {
      this.send({ type: "plan", target, walkaway, priorities });
    }
    if ((guess !== null || issue !== null) && game.view.estimates && !estimated) {
      this.send({ type: "estimate", batna: guess, issue });
    }
  }
}

function planText(game, plan) {
  const label = (id) => (game.issues.find((i) => i.id === id) || { label: id }).label;
  const parts = [];
  if (plan.target !== null) parts.push(`target ${pts(plan.target)}`);
  if (plan.walkaway !== null) parts.push(`walk-away ${pts(plan.walkaway)}`);
  if (plan.priorities.length) parts.push(`order ${plan.priorities.map(label).join(" > ")}`);
  return parts.join(", ");
}

// The plan beside the outcome: the target against what the player got, the walk-away
// against their BATNA (docs/rules.md). Nothing when they made no plan.
export function planShownBack(game) {
  const plan = ownPlan(game);
  if (!plan) return null;
  const got = game.result.points[game.role];
  const batna = game.result.batna[game.role];
  const lines = [h("h2", {}, "Your plan against what happened")];
  if (plan.target !== null) {
    lines.push(h("p", { class: got >= plan.target ? "good-text" : "bad-text" },
      `Your target was ${pts(plan.target)}; you got ${pts(got)}: `
      + (got >= plan.target ? "you reached it." : `${points(plan.target - got)} short.`)));
  }
  if (plan.walkaway !== null) {
    const gap = plan.walkaway - batna;
    const meaning = gap > 0 ? "above it: deals better than walking away could have been turned down"
      : gap < 0 ? "below it: you could have taken a deal worse than walking away"
        : "the same";
    lines.push(h("p", {}, `Your walk-away was ${pts(plan.walkaway)}, against a BATNA of ${pts(batna)} (${signed(gap)}): ${meaning}.`));
  }
  if (plan.priorities.length) {
    const label = (id) => (game.issues.find((i) => i.id === id) || { label: id }).label;
    lines.push(h("p", {}, `Your order of the issues: ${plan.priorities.map(label).join(" > ")}.`));
  }
  return h("section", { class: "plan-back", "aria-label": "Your plan" }, lines);
}
