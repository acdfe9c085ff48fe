// The tournament page, in four views chosen by the address:
//   ?code=CODE                 the standings for a projector: anyone with the join code;
//   ?code=CODE&view=schedule   the facilitator's schedule, round controls and export;
//   ?view=new                  the facilitator opens a tournament;
//   ?view=me                   a player's own games (their identity from the player page).
// Standings change only when games end, so the page asks every few seconds rather than
// holding a socket open.

import { $, h, replace, show, announce, points, efficiencyText, who as nameOf } from "./dom.js";
import { FacilitatorKey, call, download } from "./api.js";

const PLAYER = "zopa.player"; // shared with the player page
const REFRESH_MS = 5000;
const params = new URLSearchParams(location.search);
const view = params.get("view");
let code = (params.get("code") || "").toUpperCase();
let timer = null;
let drawn = "";
// Scenario titles and role labels by id, so no table shows "guitar" or "buyer".
const titles = new Map();
const roleLabels = new Map();

async function loadTitles() {
  try {
    const library = await call("GET", "/api/scenarios");
    for (const s of library.scenarios) {
      titles.set(s.id, s.title);
      for (const role of s.roles) roleLabels.set(`${s.id}/${role.id}`, role.label);
    }
  } catch {
    // Without the library the ids still say which scenario and role.
  }
}

const titleOf = (id) => (id ? titles.get(id) || id : "–");
const roleOf = (scenario, role) => (role ? roleLabels.get(`${scenario}/${role}`) || role : "–");

function backLink(href, text) {
  const link = $("#back-link");
  link.href = href;
  link.textContent = text;
  link.hidden = false;
}

function screen(...names) {
  for (const id of ["choose", "key", "new", "schedule", "standings", "me"]) {
    show($(`#${id}-screen`), names.includes(id));
  }
}

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

function needKey(message) {
  screen("key");
  error(message || "");
}

const facilitator = new FacilitatorKey({ error, refused: needKey });
const facilitatorCall = (method, path, body) => facilitator.call(method, path, body);

function number(value, digits) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

// ---- standings (projection and facilitator) ------------------------------------------

function drawStandings(data) {
  const signature = JSON.stringify(data);
  if (signature === drawn) return;
  drawn = signature;
  $("#standings-about").textContent =
    data.rounds === 0 ? "No round played yet." : `After ${data.rounds} round${data.rounds === 1 ? "" : "s"}.`;
  replace(
    $("#standings-rows"),
    data.standings.map((row) =>
      h(
        "tr",
        { class: row.withdrawn ? "withdrawn" : "" },
        h("td", { class: "rank" }, row.rank),
        h("th", { scope: "row" }, nameOf(row.name), row.withdrawn ? " (withdrawn)" : ""),
        h("td", { class: "num" }, number(row.score, 3)),
        h("td", { class: "num" }, number(row.percentile, 0)),
        h("td", { class: "num" }, row.games),
        h("td", { class: "num" }, row.byes),
      ),
    ),
  );
  replace(
    $("#pairs-rows"),
    data.pairs.slice(0, 15).map((pair) =>
      h(
        "tr",
        {},
        h("td", { class: "rank" }, pair.rank),
        h("td", { class: "num" }, pair.round),
        h("td", {}, titleOf(pair.scenario)),
        h("td", {}, Object.values(pair.players).flatMap((p, i) => [i ? " & " : null, nameOf(pairName(p))])),
        h("td", {}, pair.outcome),
        h("td", { class: "num" }, efficiencyText(pair.joint_score, pair.verdict)),
      ),
    ),
  );
  announce(`Standings updated: ${data.standings.length} players.`);
}

function pairName(player) {
  return player === null ? "bot" : String(player);
}

// The room's screen: the join code, its QR code (when this browser holds the
// facilitator key) and the way back to the schedule.
async function showJoin() {
  const joinUrl = `${location.origin}/?code=${encodeURIComponent(code)}`;
  $("#standings-address").textContent = location.host;
  $("#standings-code").textContent = code;
  show($("#standings-join"), true);
  if (!facilitator.value) return;
  backLink(`?code=${encodeURIComponent(code)}&view=schedule`, "Back to the schedule");
  try {
    const answer = await fetch(`/api/qr?text=${encodeURIComponent(joinUrl)}`, { headers: { Authorization: `Bearer ${facilitator.value}` } });
    if (!answer.ok) return;
    const img = $("#standings-qr");
    img.src = URL.createObjectURL(await answer.blob());
    img.alt = `QR code that opens ${joinUrl}`;
    show(img, true);
  } catch {
    // The code and the address are enough to join.
  }
}

async function projection() {
  document.body.classList.add("projecting");
  $("#session-label").textContent = code;
  screen("standings");
  showJoin();
  const tick = async () => {
    try {
      drawStandings(await call("GET", `/api/sessions/${encodeURIComponent(code)}/standings/public`));
      error("");
    } catch (err) {
      error(err.message);
    }
  };
  await tick();
  timer = setInterval(tick, REFRESH_MS);
}

// ---- the facilitator's schedule ------------------------------------------------------

function drawSchedule(plan, names) {
  $("#schedule-about").textContent =
    `${plan.pairing === "swiss" ? "Swiss" : "Round robin"} pairing; with an odd number of players ` +
    `${plan.odd === "bye" ? "one has a bye" : "one plays the bot"}.`;
  replace(
    $("#schedule-rows"),
    plan.rounds.map((r) =>
      h(
        "tr",
        {},
        h("td", { class: "num" }, r.round),
        h("td", {}, r.scenario.title),
        h("td", { class: "num" }, points(r.time_limit / 60)),
        h("td", {}, r.starts_at ? new Date(r.starts_at * 1000).toLocaleString() : "when you start it"),
        h("td", {}, r.status),
        h("td", { class: "num" }, r.games.length),
        h("td", {}, r.byes.map((id) => names[id] || id).join(", ")),
      ),
    ),
  );
  const next = plan.rounds.find((r) => r.status === "planned");
  const button = $("#start-next");
  button.disabled = !next;
  button.textContent = next ? `Start round ${next.round}: ${next.scenario.title}` : "Every round has started";
}

async function schedule() {
  $("#session-label").textContent = code;
  screen("schedule", "standings");
  backLink(`facilitator.html#session=${encodeURIComponent(code)}`, "Back to the dashboard");
  $("#project-link").href = `?code=${encodeURIComponent(code)}`;
  const base = `/api/sessions/${encodeURIComponent(code)}`;
  // A plain session has no schedule: say so, and offer nothing to start.
  const session = await facilitatorCall("GET", base);
  if (!session) return;
  if (!session.schedule) {
    $("#schedule-title").textContent = "Not a tournament";
    replace($("#schedule-about"), `Session ${code} is a plain session: its rounds are started from `,
      h("a", { href: `facilitator.html#session=${encodeURIComponent(code)}` }, "the facilitator's dashboard"), ".");
    for (const part of [$("#schedule-rows").closest(".table-scroll"), $("#start-next"), $("#export"), $("#project-link"), $("#standings-screen")]) {
      show(part, false);
    }
    return;
  }
  const refresh = async () => {
    const plan = await facilitatorCall("GET", `${base}/schedule`);
    const table = await facilitatorCall("GET", `${base}/standings`);
    if (!plan || !table) return;
    const names = Object.fromEntries(table.standings.map((row) => [row.player, row.name]));
    drawSchedule(plan, names);
    drawStandings({
      ...table,
      pairs: table.pairs.map((pair) => ({
        ...pair,
        players: Object.fromEntries(
          Object.entries(pair.players).map(([role, id]) => [role, id === null ? null : names[id] || id]),
        ),
      })),
    });
  };
  $("#start-next").addEventListener("click", async () => {
    const started = await facilitatorCall("POST", `${base}/rounds`);
    if (started) announce(`Round ${started.round} started: ${started.games.length} games.`);
    await refresh();
  });
  $("#export").addEventListener("click", () =>
    download(`${base}/export.csv`, facilitator.value, `zopa-${code}.csv`).catch((err) => error(err.message)),
  );
  await refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

// ---- a new tournament ----------------------------------------------------------------

async function newTournament() {
  screen("new");
  const library = await call("GET", "/api/scenarios");
  const body = $("#new-rounds");
  const addRound = () => {
    const n = body.children.length + 1;
    const select = h(
      "select",
      { "aria-label": `Round ${n} scenario` },
      library.scenarios.map((s) => h("option", { value: s.id }, s.title)),
    );
    const row = h(
      "tr",
      {},
      h("td", { class: "num" }, n),
      h("td", {}, select),
      h("td", {}, h("input", { type: "number", min: 1, max: 1440, step: 1, "aria-label": `Round ${n} minutes` })),
      h("td", {}, h("input", { type: "datetime-local", "aria-label": `Round ${n} start time` })),
      h(
        "td",
        {},
        h("button", { type: "button", class: "secondary", onclick: () => removeRound(row) }, "Remove"),
      ),
    );
    body.append(row);
    renumber();
  };
  // Labels follow the rows, so "Round 2" is always the second row a screen reader meets.
  const renumber = () => {
    [...body.children].forEach((row, i) => {
      const n = i + 1;
      row.cells[0].textContent = n;
      row.querySelector("select").setAttribute("aria-label", `Round ${n} scenario`);
      const [minutes, start] = row.querySelectorAll("input");
      minutes.setAttribute("aria-label", `Round ${n} minutes`);
      start.setAttribute("aria-label", `Round ${n} start time`);
      row.querySelector("button").setAttribute("aria-label", `Remove round ${n}`);
      row.querySelector("button").disabled = body.children.length === 1;
    });
  };
  const removeRound = (row) => {
    row.remove();
    renumber();
  };
  for (let i = 0; i < 3; i += 1) addRound();
  $("#new-add").addEventListener("click", addRound);
  $("#new-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const rounds = [...body.children].map((row) => {
      const [select, minutes, start] = row.querySelectorAll("select, input");
      const round = { scenario: select.value };
      if (minutes.value) round.time_limit = Number(minutes.value) * 60;
      // datetime-local is the browser's local time; the server wants an instant.
      if (start.value) round.starts_at = new Date(start.value).getTime() / 1000;
      return round;
    });
    const schedule = { rounds, pairing: $("#new-pairing").value, odd: $("#new-odd").value };
    const made = await facilitatorCall("POST", "/api/sessions", {
      schedule, variation: $("#new-variation").checked, estimates: $("#new-estimates").checked,
    });
    if (made) location.search = `?code=${made.code}&view=schedule`;
  });
}

// ---- a player's own games ------------------------------------------------------------

function identity() {
  try {
    return JSON.parse(sessionStorage.getItem(PLAYER) || localStorage.getItem(PLAYER));
  } catch {
    return null;
  }
}

async function myGames() {
  screen("me");
  const me = identity();
  if (!me || !me.token) {
    error("Join a session on the player page first; your games appear here after that.");
    return;
  }
  const refresh = async () => {
    let data;
    try {
      data = await call("GET", "/api/me/history", { key: me.token });
    } catch (err) {
      error(err.message);
      return;
    }
    error("");
    $("#session-label").textContent = `${data.name} · ${data.session}`;
    $("#me-about").textContent =
      `${data.name}: rank ${data.rank} of ${data.of}, mean score ${number(data.score, 3)}, ` +
      `mean percentile ${number(data.percentile, 0)}.`;
    replace(
      $("#me-rows"),
      data.games.map((g) =>
        h(
          "tr",
          {},
          h("td", { class: "num", "data-label": "Round" }, g.round),
          h("td", { "data-label": "Scenario" }, titleOf(g.scenario)),
          h("td", { "data-label": "Role" }, roleOf(g.scenario, g.role)),
          h("td", { "data-label": "Partner" }, g.partner ? nameOf(g.partner) : "–"),
          h("td", { "data-label": "Outcome" }, g.outcome === "bye" ? "bye" : g.reason ? `${g.outcome} (${g.reason})` : g.outcome),
          h("td", { class: "num", "data-label": "Points" }, points(g.points)),
          h("td", { class: "num", "data-label": "BATNA" }, points(g.batna)),
          h("td", { class: "num", "data-label": "Score" }, number(g.score, 3)),
          h("td", { class: "num", "data-label": "Percentile" }, number(g.percentile, 0)),
        ),
      ),
    );
  };
  await refresh();
  timer = setInterval(refresh, REFRESH_MS * 2);
}

// ---- start ---------------------------------------------------------------------------

async function start() {
  facilitator.takeFromHash();
  await loadTitles();
  $("#key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    facilitator.set($("#key-input").value.trim());
    location.reload();
  });
  $("#choose-form").addEventListener("submit", (event) => {
    event.preventDefault();
    location.search = `?code=${encodeURIComponent($("#choose-code").value.trim().toUpperCase())}`;
  });
  if (view === "me") return myGames();
  if (view === "new" || (view === "schedule" && code)) {
    if (!facilitator.value) return needKey("");
    return view === "new" ? newTournament() : schedule();
  }
  if (code) return projection();
  screen("choose");
  return null;
}

window.addEventListener("pagehide", () => clearInterval(timer));
start();
