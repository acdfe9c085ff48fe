// A player's game as the page sees it: the view the server sent, then every event
// folded in. The server's `status` is exact at the moment of the view; after that the
// same transitions as the rules (docs/rules.md) keep it current, and the clock runs
// locally between events so it can tick every second without asking anyone.

export function fromView(view) {
  const s = view.status;
  const game = {
    view,
    id: view.game,
    role: view.role,
    other: view.partner.role,
    protocol: view.scenario.protocol,
    issues: view.scenario.issues,
    events: [],
    lastSeq: 0,
    standing: null,
    turn: s.turn,
    paused: s.paused,
    onBreak: s.on_break,
    pendingBreak: s.pending_break,
    pendingExtension: s.pending_extension,
    breaksLeft: s.breaks_left,
    extensionsLeft: s.extensions_left,
    claimed: [...s.claimed],
    seats: { ...s.seats },
    over: s.over,
    result: view.result || null,
    cards: view.cards || null,
    clock: { left: s.seconds_left, at: performance.now() },
    breakClock: { left: 0, at: performance.now() },
  };
  if (s.on_break && s.deadline) {
    // The break's end is a server time; phones keep close enough time for a countdown.
    game.breakClock.left = Math.max(0, Math.min(game.protocol.break_seconds, s.deadline - Date.now() / 1000));
  }
  for (const event of view.events) {
    game.events.push(event);
    game.lastSeq = event.seq;
    if (event.type === "offer" && event.seq === s.standing_offer) game.standing = event;
  }
  return game;
}

export function clockRunning(game) {
  // `held`: the server cannot save the game, and its clock stands still (player.js).
  return !game.over && !game.paused && !game.onBreak && !game.held;
}

export function secondsLeft(game, now = performance.now()) {
  const c = game.clock;
  return Math.max(0, c.left - (clockRunning(game) ? (now - c.at) / 1000 : 0));
}

export function breakSecondsLeft(game, now = performance.now()) {
  const c = game.breakClock;
  return Math.max(0, c.left - (game.onBreak && !game.paused ? (now - c.at) / 1000 : 0));
}

function freeze(game, now) {
  game.clock = { left: secondsLeft(game, now), at: now };
  game.breakClock = { left: breakSecondsLeft(game, now), at: now };
}

// Fold one live event in; `event` carries its seq.
export function applyEvent(game, event, now = performance.now()) {
  freeze(game, now);
  game.events.push(event);
  game.lastSeq = event.seq;
  switch (event.type) {
    case "offer":
      game.standing = event;
      if (game.protocol.turns === "alternating") game.turn = event.by === game.role ? game.other : game.role;
      break;
    case "reject":
      game.standing = null;
      break;
    case "break_request":
      game.pendingBreak = event.by;
      break;
    case "break_decline":
      game.pendingBreak = null;
      break;
    case "break_accept":
      game.pendingBreak = null;
      game.onBreak = true;
      game.breaksLeft -= 1;
      game.breakClock = { left: game.protocol.break_seconds, at: now };
      break;
    case "break_end":
      game.onBreak = false;
      break;
    case "timeout":
      if (event.what === "break") game.onBreak = false;
      else game.clock.left = 0;
      break;
    case "extension_request":
      game.pendingExtension = event.by;
      break;
    case "extension_decline":
      game.pendingExtension = null;
      break;
    case "extension_accept":
      game.pendingExtension = null;
      game.extensionsLeft -= 1;
      game.clock.left += game.protocol.extension_seconds;
      break;
    case "extend":
      game.clock.left += event.seconds;
      break;
    case "pause":
      game.paused = true;
      break;
    case "resume":
      game.paused = false;
      break;
    case "claim":
      if (!game.claimed.includes(event.by)) game.claimed.push(event.by);
      break;
    case "seat":
      game.seats[event.role] = event.occupant;
      break;
    case "end":
      game.over = true;
      game.turn = null;
      game.standing = null;
      game.pendingBreak = game.pendingExtension = null;
      break;
  }
}

export function theirStanding(game) {
  return game.standing && game.standing.by !== game.role ? game.standing : null;
}
