// A game to replay, from a `zopa-log/1` log (JSON Lines: a header holding the whole
// scenario, then one event per line, and any teacher's notes as
// {"type": "note", "about": seq, ...} lines) or from a `zopa replay --timeline-json`
// object, which may carry automatic tags and notes but no cards. Either becomes one
// model: steps in order, each with both sides' points when known, its tags and notes.

import { pointsOf } from "./describe.js";
import { frontierOf, maxJoint } from "./outcome.js";

export class FormatError extends Error {}

export function parseGameText(text) {
  const trimmed = text.trim();
  if (!trimmed) throw new FormatError("the file is empty");
  if (trimmed.startsWith("{")) {
    let whole = null;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      // Not one JSON document: JSON Lines, read below.
    }
    if (whole && Array.isArray(whole.timeline)) return fromTimeline(whole);
  }
  const records = trimmed.split(/\r?\n/).filter((line) => line.trim()).map((line, i) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new FormatError(`line ${i + 1} is not JSON`);
    }
  });
  return fromLog(records);
}

function fromLog(records) {
  const [header, ...rest] = records;
  if (!header || header.format !== "zopa-log/1") {
    throw new FormatError("this is neither a zopa-log/1 log nor a timeline JSON (the first line must be the log's header)");
  }
  const scenario = header.scenario;
  const cards = Object.fromEntries(scenario.roles.map((r) => [r.id, { batna: r.batna, points: r.points }]));
  const events = rest.filter((r) => r.seq !== undefined);
  const notes = rest.filter((r) => r.type === "note" && r.seq === undefined);
  const [first, second] = scenario.roles;
  const frontier = frontierOf(scenario.issues, cards[first.id], cards[second.id]);
  const steps = events.map((event) => ({
    seq: event.seq, at: event.at, by: event.by, type: event.type, event,
    points: pointsFor(event, cards), tags: [], notes: notes.filter((n) => n.about === event.seq),
  }));
  const model = {
    source: "log", records, game: header.game, title: scenario.title, description: scenario.description,
    issues: scenario.issues, roles: scenario.roles.map((r) => ({ id: r.id, label: r.label })),
    players: header.players, startedAt: header.started_at, cards, frontier,
    batna: [cards[first.id].batna, cards[second.id].batna], steps, notes,
  };
  model.result = resultOf(model);
  return model;
}

function pointsFor(event, cards) {
  if (!["offer", "claim", "end"].includes(event.type) || !event.terms) return null;
  return Object.fromEntries(Object.entries(cards).map(([role, card]) => [role, pointsOf(card, event.terms)]));
}

// The contract's result, worked out from the end event; efficiency against the frontier.
function resultOf(model) {
  const end = model.steps.find((s) => s.type === "end");
  if (!end) return null;
  const [a, b] = model.roles.map((r) => r.id);
  const agreed = end.event.outcome === "agreement";
  const points = agreed ? end.points : { [a]: model.batna[0], [b]: model.batna[1] };
  const joint = points[a] + points[b];
  const best = maxJoint(model.frontier);
  const better = model.frontier.filter(([x, y]) => x >= points[a] && y >= points[b] && (x > points[a] || y > points[b]));
  return {
    outcome: end.event.outcome, reason: end.event.reason, terms: end.event.terms, points,
    batna: { [a]: model.batna[0], [b]: model.batna[1] }, joint,
    ...gainOf([points[a], points[b]], model.batna, best, model.frontier, agreed),
    value_left: better.length ? Math.max(...better.map(([x, y]) => x + y)) - joint : 0,
  };
}

// zopa.rules.scoring.gain for a log opened in the browser (the server's results carry it):
// the joint gain over both BATNAs against the most possible; an impasse 0 where a deal
// good for both existed, a correct walkaway (no figure) where none did.
export function gainOf([p1, p2], [b1, b2], best, frontier, agreed) {
  const room = best - b1 - b2;
  if (!agreed) {
    const zone = frontier.some(([x, y]) => x >= b1 && y >= b2 && x + y > b1 + b2);
    return { efficiency: zone ? 0 : null, verdict: zone ? "missed" : "walkaway" };
  }
  const dominated = frontier.some(([x, y]) => x >= p1 && y >= p2 && (x > p1 || y > p2));
  const verdict = p1 < b1 || p2 < b2 ? "trap" : dominated ? "deal" : "frontier";
  return { efficiency: room > 0 ? (p1 - b1 + p2 - b2) / room : null, verdict };
}

function fromTimeline(doc) {
  const roles = (doc.roles || []).map((id) => ({ id, label: id }));
  const steps = doc.timeline.map((entry) => ({
    seq: entry.seq, at: (doc.started_at || 0) + (entry.seconds || 0), by: entry.by, type: entry.type,
    event: entry.event || { type: entry.type, by: entry.by }, what: entry.what,
    points: entry.points || null, tags: entry.tags || [], notes: entry.notes || [],
  }));
  const result = doc.result || null;
  return {
    source: "timeline", doc, game: doc.game, title: doc.scenario || "Game", description: "",
    issues: [], roles, players: {}, startedAt: doc.started_at, cards: null, frontier: [],
    batna: result ? roles.map((r) => result.batna[r.id]) : null, steps, notes: [], result,
  };
}

// Tags and notes of a timeline JSON onto a log of the same game.
export function mergeTimeline(model, other) {
  if (other.source !== "timeline" || other.game !== model.game) return false;
  const bySeq = new Map(other.steps.map((s) => [s.seq, s]));
  for (const step of model.steps) {
    const extra = bySeq.get(step.seq);
    if (!extra) continue;
    step.tags = extra.tags;
    const seen = new Set(step.notes.map((n) => JSON.stringify(n)));
    for (const note of extra.notes) if (!seen.has(JSON.stringify(note))) step.notes.push(note);
  }
  return true;
}

export function addNote(model, step, note) {
  const record = { type: "note", about: step.seq, ...note };
  step.notes.push(record);
  model.notes.push(record);
}

// The log as JSON Lines again, with every note after the events they point at.
export function logText(model) {
  const kept = model.records.filter((r) => !(r.type === "note" && r.seq === undefined));
  return [...kept, ...model.notes].map((r) => JSON.stringify(r)).join("\n") + "\n";
}
