// The editor's [variation] (docs/scenarios.md): how each game deals its own cards. The
// draft keeps it by role and issue position, as it keeps points, so renaming a role or an
// issue never loses a range or a group; variationTo writes the file's shape. As for the
// rest of the form, nothing is checked here: the server says what is wrong, key by key.

import { h, replace, points, scrollBox } from "./dom.js";

const ZONES = [["any", "Either: some games may have no zone of agreement"],
  ["required", "Required: every game has a zone of agreement"],
  ["forbidden", "Forbidden: no game has one (the lesson is to walk away)"]];
const GROUPS = ["A", "B", "C", "D"];

const blankRole = (issues) => ({ batna: { min: "", max: "", step: "" }, noise: "", round: "", groups: issues.map(() => ""), deck: "" });

export function blankVariation(issues) {
  return { on: false, zone: "any", joint: { min: "", max: "" }, surplus: { min: "", max: "" }, roles: [blankRole(issues), blankRole(issues)] };
}

const text = (value) => (value === undefined || value === null ? "" : value);

// The draft's variation from a scenario file's [variation] table (absent: off).
export function variationFrom(raw, issues, roles) {
  const v = blankVariation(issues);
  if (!raw) return v;
  v.on = true;
  v.zone = raw.zone || "any";
  for (const key of ["joint", "surplus"]) v[key] = { min: text(raw[key]?.min), max: text(raw[key]?.max) };
  const ids = issues.map((issue) => issue.id);
  roles.forEach((role, r) => {
    const t = (raw.roles || {})[role.id] || {};
    const mine = v.roles[r];
    if (t.batna) mine.batna = { min: text(t.batna.min), max: text(t.batna.max), step: text(t.batna.step) };
    mine.noise = text(t.noise);
    mine.round = text(t.round);
    (t.shuffle || []).forEach((group, g) => {
      for (const id of group) if (ids.includes(id)) mine.groups[ids.indexOf(id)] = GROUPS[g] || String(g + 1);
    });
    mine.deck = (t.cards || []).map((card) => ids.map((id) => (card[id] || []).join(" ")).join(" | ")).join("\n");
  });
  return v;
}

const given = (value) => value !== "" && value !== undefined && value !== null;

function bounds(pair) {
  const out = {};
  if (given(pair.min)) out.min = pair.min;
  if (given(pair.max)) out.max = pair.max;
  return Object.keys(out).length ? out : null;
}

// A deck's line as the file's points table: issues in order, separated by "|", each
// issue's points by spaces. What is not a number is sent as typed: the server says so.
function card(line, issues) {
  const parts = line.split("|");
  const table = {};
  issues.forEach((issue, i) => {
    const words = (parts[i] || "").trim().split(/\s+/).filter(Boolean);
    table[issue.id] = words.map((w) => (Number.isFinite(Number(w)) ? Number(w) : w));
  });
  return table;
}

// The [variation] table of the file, or undefined when off.
export function variationTo(draft) {
  const v = draft.variation;
  if (!v || !v.on) return undefined;
  const out = {};
  if (v.zone !== "any") out.zone = v.zone;
  for (const key of ["joint", "surplus"]) {
    const b = bounds(v[key]);
    if (b) out[key] = b;
  }
  const roles = {};
  draft.roles.forEach((role, r) => {
    const mine = v.roles[r];
    const t = {};
    const b = mine.batna;
    if (given(b.min) || given(b.max) || given(b.step)) {
      t.batna = {};
      for (const k of ["min", "max", "step"]) if (given(b[k])) t.batna[k] = b[k];
    }
    const lines = mine.deck.split("\n").filter((line) => line.trim());
    if (lines.length) t.cards = lines.map((line) => card(line, draft.issues));
    const groups = new Map();
    draft.issues.forEach((issue, i) => {
      const g = mine.groups[i];
      if (g) groups.set(g, [...(groups.get(g) || []), issue.id]);
    });
    if (groups.size) t.shuffle = [...groups.keys()].sort().map((g) => groups.get(g));
    if (given(mine.noise)) t.noise = mine.noise;
    if (given(mine.round)) t.round = mine.round;
    if (Object.keys(t).length) roles[role.id] = t;
  });
  if (Object.keys(roles).length) out.roles = roles;
  return out;
}

// Issues added or removed: each role's shuffle groups follow them.
export function issueAdded(draft) {
  for (const role of draft.variation.roles) role.groups.push("");
}

export function issueRemoved(draft, index) {
  for (const role of draft.variation.roles) role.groups.splice(index, 1);
}

function input(label, path, key, value, attrs = {}) {
  const id = `f-${path.replaceAll(".", "-")}`;
  return h("div", {}, h("label", { for: id }, label),
    h("input", { id, type: "number", step: "any", inputmode: "decimal", value: text(value), "data-path": path, "data-key": key, ...attrs }));
}

function choice(label, path, key, value, choices) {
  const id = `f-${path.replaceAll(".", "-")}`;
  return h("div", {}, h("label", { for: id }, label),
    h("select", { id, "data-path": path, "data-key": key },
      choices.map(([v, t]) => h("option", { value: v, selected: v === value }, t))));
}

const roleName = (role, r) => role.label || role.id || `Role ${r + 1}`;

function roleBox(draft, r) {
  const role = draft.roles[r];
  const mine = draft.variation.roles[r];
  const base = `variation.roles.${r}`;
  const key = `variation.roles.${role.id}`;
  const name = roleName(role, r);
  const deckId = `f-${base.replaceAll(".", "-")}-deck`;
  return h("fieldset", { class: "role-box" },
    h("legend", {}, `${name}'s cards`),
    h("p", { class: "muted" }, "BATNA drawn from a range (leave empty to keep the role's own):"),
    h("div", { class: "row" },
      input("Lowest BATNA", `${base}.batna.min`, `${key}.batna.min`, mine.batna.min),
      input("Highest BATNA", `${base}.batna.max`, `${key}.batna.max`, mine.batna.max),
      input("In steps of", `${base}.batna.step`, `${key}.batna.step`, mine.batna.step, { min: "0" })),
    h("div", { class: "row" },
      input("Noise: each issue's points times 1 ± up to (0 to 0.99)", `${base}.noise`, `${key}.noise`, mine.noise, { min: "0", max: "0.99", step: "0.01" }),
      input("Noisy points rounded to multiples of", `${base}.round`, `${key}.round`, mine.round, { min: "0" })),
    h("div", { class: "table-scroll" }, h("table", { class: "points-table" },
      h("caption", {}, `Which of ${name}'s issues change places: the points tables of issues in one group are shuffled among them each game (same number of options)`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col" }, "Shuffle group"))),
      h("tbody", {}, draft.issues.map((issue, i) => h("tr", {},
        h("td", {}, issue.label || issue.id),
        h("td", {}, h("select", {
          "data-path": `${base}.groups.${i}`, "data-key": `${key}.shuffle`,
          "aria-label": `${name}: shuffle group of ${issue.label || issue.id}`,
        }, [["", "Not shuffled"], ...GROUPS.map((g) => [g, `Group ${g}`])].map(([v, t]) =>
          h("option", { value: v, selected: v === (mine.groups[i] || "") }, t))))))))),
    h("label", { for: deckId }, `A deck: each game draws one of these points tables for ${name} (one per line; issues in order, separated by |, each issue's points by spaces; empty: the role's own points)`),
    h("textarea", { id: deckId, rows: 3, "data-path": `${base}.deck`, "data-key": `${key}.cards`, spellcheck: "false", placeholder: draft.issues.map((issue, i) => role.rows[i].join(" ")).join(" | ") }));
}

export function renderVariation(box, draft) {
  const v = draft.variation;
  const parts = [
    h("label", { class: "check" },
      h("input", { id: "f-variation-on", type: "checkbox", "data-path": "variation.on", "data-key": "variation", checked: v.on }),
      " Each game deals its own cards (so a card seen in one game says nothing about the next); without this every game plays the roles' own cards"),
  ];
  if (v.on) {
    parts.push(
      h("div", { class: "row" },
        choice("Zone of agreement in every game", "variation.zone", "variation.zone", v.zone, ZONES)),
      h("div", { class: "row" },
        input("Best joint points at least", "variation.joint.min", "variation.joint", v.joint.min),
        input("Best joint points at most", "variation.joint.max", "variation.joint", v.joint.max)),
      h("div", { class: "row" },
        input("Joint surplus (best joint points minus both BATNAs) at least", "variation.surplus.min", "variation.surplus", v.surplus.min),
        input("Joint surplus at most", "variation.surplus.max", "variation.surplus", v.surplus.max)),
      h("div", { class: "roles-grid" }, [0, 1].map((r) => roleBox(draft, r))));
  }
  replace(box, ...parts);
  // A textarea's text is its value, not an attribute h() sets.
  for (const [r, role] of v.roles.entries()) {
    const deck = box.querySelector(`#f-variation-roles-${r}-deck`);
    if (deck) deck.value = role.deck;
  }
}

// What a few seeds deal (the server deals them with the game's own code).
export function renderDeals(box, answer, draft) {
  const deals = answer.deals || [];
  if (!deals.length) return replace(box);
  const roles = answer.analysis.roles;
  const labels = roles.map((r) => answer.analysis.labels[r]);
  const issues = draft.issues;
  const cardText = (c) => `BATNA ${points(c.batna)}; ` + issues.map((issue) =>
    `${issue.label || issue.id} ${(c.points[issue.id] || []).map(points).join(" ")}`).join("; ");
  replace(box,
    h("h3", {}, "What a few games deal"),
    scrollBox("The cards of games 1 to 3", h("table", { id: "deals" },
      h("caption", { class: "sr-only" }, "The cards games 1 to 3 are dealt"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Game"), h("th", { scope: "col", class: "num" }, `BATNAs: ${labels[0]}, ${labels[1]}`),
        h("th", { scope: "col" }, "Zone"), h("th", { scope: "col", class: "num" }, "Surplus"))),
      h("tbody", {}, deals.map((d) => h("tr", {},
        h("th", { scope: "row" }, `Seed ${d.seed}`),
        h("td", { class: "num" }, `${points(d.cards[roles[0]].batna)}, ${points(d.cards[roles[1]].batna)}`),
        h("td", {}, d.zopa ? "yes" : "none"), h("td", { class: "num" }, points(d.surplus))))))),
    h("details", {}, h("summary", {}, "The cards in full"),
      h("ul", {}, deals.flatMap((d) => roles.map((r, n) => h("li", {}, `Seed ${d.seed}, ${labels[n]}: ${cardText(d.cards[r])}`))))));
}
