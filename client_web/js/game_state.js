// A player's game as the page sees it: the view the server sent, then every event
// folded in. The rules live on the server alone: the view carries the game's `status`
// (whose turn, the clocks, breaks, extensions, offers left, the standing offer,
// claims, seats, the end: docs/protocol.md) and every event message what its step
// changed in it, and this module holds the status as it was told. What it adds is
// presentation only: the clocks count down locally between messages, and the standing
// offer's terms are read from its offer event.

export function fromView(view, now = performance.now()) {
  const events = [...view.events];
  const game = {
    view,
    id: view.game,
    role: view.role,
    other: view.partner.role,
    protocol: view.scenario.protocol,
    issues: view.scenario.issues,
    events,
    lastSeq: events.length ? events[events.length - 1].seq : view.since || 0,
    result: view.result || null,
    cards: view.cards || null,
    status: null,
    toldAt: now,
  };
  tell(game, view.status, now);
  return game;
}

// Fold one live event in, with the change to the status the server sent beside it.
export function applyEvent(game, event, change, now = performance.now()) {
  game.events.push(event);
  game.lastSeq = event.seq;
  tell(game, { ...game.status, ...change }, now);
}

function tell(game, status, now) {
  game.status = status;
  // The clock readings in a status are for when it was sent; the local clock takes
  // over from when it arrived.
  game.toldAt = now;
}

export function clockRunning(game) {
  // `held`: the server cannot save the game, and its clock stands still (player.js).
  return !game.held && game.status.clock === "negotiation";
}

export function secondsLeft(game, now = performance.now()) {
  const s = game.status;
  return Math.max(0, s.seconds_left - (clockRunning(game) ? (now - game.toldAt) / 1000 : 0));
}

export function breakSecondsLeft(game, now = performance.now()) {
  const s = game.status;
  if (s.break_left === null) return 0;
  return Math.max(0, s.break_left - (!game.held && s.clock === "break" ? (now - game.toldAt) / 1000 : 0));
}

// The standing offer's event (with its terms), or null.
export function standingOffer(game) {
  const standing = game.status.standing;
  if (!standing) return null;
  return game.events.find((e) => e.seq === standing.seq) || null;
}

export function theirStanding(game) {
  const standing = game.status.standing;
  return standing && standing.by !== game.role ? standingOffer(game) : null;
}

export function myTurn(game) {
  const turn = game.status.turn;
  return !game.status.over && (turn === null || turn === game.role);
}

// At the table: neither reading, paused, on a break nor over.
export function atTable(game) {
  const s = game.status;
  return !s.over && !s.paused && !s.on_break && !s.reading;
}
