// Every game event told as one plain sentence, the same on the player's timeline and
// in the replay viewer. `who(role)` names a side ("You", "Ben", "Seller"); the server's
// own events (role null) are told without a subject.

import { possessive } from "./dom.js";

function planWords(plan, issues) {
  const label = (id) => (issues.find((i) => i.id === id) || { label: id }).label;
  const parts = [];
  if (plan.target !== null && plan.target !== undefined) parts.push(`target ${plan.target}`);
  if (plan.walkaway !== null && plan.walkaway !== undefined) parts.push(`walk-away ${plan.walkaway}`);
  if (plan.priorities && plan.priorities.length) parts.push(`order ${plan.priorities.map(label).join(" > ")}`);
  return parts.join(", ");
}

export function termsText(issues, terms) {
  return issues
    .filter((issue) => terms && terms[issue.id] !== undefined && terms[issue.id] !== null)
    .map((issue) => `${issue.label}: ${issue.options[terms[issue.id]]}`)
    .join(", ");
}

// Offers are told by their number among the game's offers ("offer 2"), not by their
// event's sequence number, which counts chat and everything else too.
export function offerNumbers(events) {
  const numbers = new Map();
  for (const event of events) if (event.type === "offer") numbers.set(event.seq, numbers.size + 1);
  return numbers;
}

// `me`: the reader's own role, told in the second person; `number(seq)`: an offer's
// number (see offerNumbers).
export function describeEvent(event, issues, who, { me = null, number = (seq) => seq } = {}) {
  const by = event.by ? who(event.by) : "";
  switch (event.type) {
    case "offer":
      return `${by} ${event.final ? "made a FINAL offer" : "offered"} (offer ${number(event.seq)}): ${termsText(issues, event.terms)}`;
    case "suggest":
      return `${by} suggested (not binding): ${termsText(issues, event.terms)}`;
    case "accept":
      return `${by} accepted offer ${number(event.offer)}`;
    case "reject":
      return `${by} rejected offer ${number(event.offer)}`;
    case "chat":
      return `${by}: ${event.text}`;
    case "reveal":
      if (event.about === "batna") return `${by} said: my BATNA is ${event.value}`;
      return `${by} said: ${issueLabel(issues, event.issue)} is my priority number ${event.rank}`;
    case "claim":
      if (event.sealed) return `${by} submitted a sealed claim of what was agreed`;
      return `${by} claimed we agreed: ${event.terms ? termsText(issues, event.terms) : "nothing"}`;
    case "estimate": {
      if (event.sealed) return `${by} wrote down a sealed estimate`;
      const guesses = [];
      if (event.batna !== null && event.batna !== undefined) guesses.push(`the other side's BATNA is ${event.batna}`);
      if (event.issue) guesses.push(`${issueLabel(issues, event.issue)} matters most to them`);
      return `${by} estimated (sealed until the end): ${guesses.join("; ")}`;
    }
    case "walkout":
      return event.reason ? `${by} walked out: “${event.reason}”` : `${by} walked out`;
    case "return_request":
      return `${by} asked to come back to the table`;
    case "return_accept":
      return `${by} agreed: the game goes on`;
    case "return_decline":
      return `${by} declined: the walkout stands`;
    case "message":
      return thirdParty(event);
    case "mediator":
      return event.seated ? `${event.name} joined as the mediator` : `${event.name} left the mediator's seat`;
    case "mediator_suggest":
      return `${event.name} (mediator) suggested (not binding): ${termsText(issues, event.terms)}`;
    case "break_request":
      return `${by} asked for a break`;
    case "break_accept":
      return `${by} agreed to a break: the clock is stopped`;
    case "break_decline":
      return `${by} declined the break`;
    case "break_end":
      return `${by} went back to the table`;
    case "extension_request":
      return `${by} asked for more time`;
    case "extension_accept":
      return `${by} agreed to more time`;
    case "extension_decline":
      return `${by} declined more time`;
    case "timeout":
      if (event.what === "reading") return "The reading time is over: the negotiation clock started";
      if (event.what === "walkout") return "The walkout's window closed: the walkout stands";
      return event.what === "break" ? "The break is over" : "Time is up";
    case "ready":
      return `${by} ${by === "You" ? "are" : "is"} ready to negotiate`;
    case "plan":
      // A plan is its author's alone (docs/rules.md): the partner sees only that there is one.
      if (event.sealed) return `${by} wrote down a plan`;
      return `${by} kept a plan: ${planWords(event, issues)}`;
    // Pauses come from the facilitator or from a server restart: the words fit both.
    case "pause":
      return "The game was paused: the clock stopped";
    case "resume":
      return "The game resumed";
    case "extend":
      return `The facilitator added ${Math.round(event.seconds)} seconds`;
    case "abort":
      return "The facilitator ended the round";
    case "seat":
      if (event.role === me) {
        return event.occupant === "player" ? "You are back at the table" : "A bot held your seat while you were away";
      }
      return event.occupant === "player"
        ? `${who(event.role)} is back at the table`
        : `A bot took ${possessive(who(event.role))} seat`;
    case "end":
      if (event.outcome === "agreement") return `Agreement: ${termsText(issues, event.terms)}`;
      return `No deal (${REASONS[event.reason] || event.reason})`;
    default:
      return `${by} ${event.type.replaceAll("_", " ")}`.trim();
  }
}

export const REASONS = {
  accepted: "an offer was accepted",
  claims_matched: "both claimed the same terms",
  walkout: "a walkout",
  deadline: "time ran out",
  max_offers: "no offers were left",
  claims_mismatch: "the claims did not match",
  aborted: "the facilitator ended the round",
};

// Words from outside the pair: the facilitator's message or hint, the mediator's chat.
function thirdParty(event) {
  if (event.from === "mediator") return `${event.name} (mediator): ${event.text}`;
  return `${event.hint ? "Hint" : "Message"} from the facilitator: ${event.text}`;
}

function issueLabel(issues, id) {
  const issue = issues.find((i) => i.id === id);
  return issue ? issue.label : id;
}

// Points of full or partial terms for one card: {issue: [points per option]}.
export function pointsOf(card, terms) {
  let total = 0;
  for (const [issue, option] of Object.entries(terms || {})) {
    if (option !== null && option !== undefined && card.points[issue]) total += card.points[issue][option];
  }
  return total;
}
