// The editor's draft: a scenario in the shape of its TOML file (see docs/scenarios.md),
// except that each role's points are kept by issue position (``rows``) rather than by
// issue id, so renaming an issue (letter by letter, through names another issue has)
// never moves points; ``toScenario`` gives the file's shape. The form edits the draft:
// every field carries data-path (where its value goes in the draft) and data-key (how
// the server names it in a problem, e.g. roles[0].points.price[2]). The server checks
// everything; the form only keeps what was typed, numbers as numbers.

import { h, replace } from "./dom.js";
import { blankVariation, variationFrom, variationTo, issueAdded, issueRemoved } from "./editor_variation.js";

export const PROTOCOL_DEFAULTS = {
  time_limit: 900, turns: "alternating", first_mover: "random", max_offers: 0, closing: "accept",
  breaks: 1, break_seconds: 120, extensions: 1, extension_seconds: 120,
};

export function blankDraft() {
  const draft = {
    format: "zopa-scenario/1",
    id: "my-case",
    title: "My case",
    description: "",
    protocol: { ...PROTOCOL_DEFAULTS },
    issues: [
      { id: "price", label: "Price", options: ["Low", "Middle", "High"] },
      { id: "delivery", label: "Delivery", options: ["In a week", "In two weeks", "In a month"] },
    ],
    roles: [
      { id: "buyer", label: "Buyer", brief: "", batna: 20, rows: [[40, 20, 0], [30, 15, 0]] },
      { id: "seller", label: "Seller", brief: "", batna: 20, rows: [[0, 20, 40], [0, 5, 10]] },
    ],
  };
  draft.variation = blankVariation(draft.issues);
  return draft;
}

// A draft read from the server (a scenario's to_dict), with every protocol key present.
export function fromScenario(scenario) {
  const draft = structuredClone(scenario);
  draft.protocol = { ...PROTOCOL_DEFAULTS, ...(draft.protocol || {}) };
  for (const role of draft.roles) {
    role.rows = draft.issues.map((issue) => role.points[issue.id] ?? issue.options.map(() => 0));
    delete role.points;
  }
  draft.variation = variationFrom(scenario.variation, draft.issues, draft.roles);
  return draft;
}

// The draft in the shape of the scenario file, as the server reads it.
export function toScenario(draft) {
  const scenario = structuredClone(draft);
  for (const role of scenario.roles) {
    role.points = {};
    scenario.issues.forEach((issue, i) => {
      if (!(issue.id in role.points)) role.points[issue.id] = role.rows[i];
    });
    delete role.rows;
  }
  const variation = variationTo(draft);
  if (variation) scenario.variation = variation;
  else delete scenario.variation;
  return scenario;
}

const NUMERIC = new Set(["batna", "time_limit", "max_offers", "breaks", "break_seconds", "extensions", "extension_seconds"]);

// What was typed, as the draft keeps it: numbers as numbers; anything else as typed, so
// the server can say what is wrong with it.
function parsed(input) {
  if (input.type === "checkbox") return input.checked;
  const numeric = input.type === "number" || NUMERIC.has(input.dataset.path.split(".").pop());
  if (!numeric) return input.value;
  const text = input.value.trim();
  if (text === "") return input.validity && input.validity.badInput ? "?" : "";
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function parts(path) {
  return path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

// Store an input's value in the draft.
export function setFromInput(draft, input) {
  const path = parts(input.dataset.path);
  let target = draft;
  for (const step of path.slice(0, -1)) target = target[step];
  target[path[path.length - 1]] = parsed(input);
}

export function addIssue(draft) {
  let n = draft.issues.length + 1;
  while (draft.issues.some((i) => i.id === `issue${n}`)) n += 1;
  const id = `issue${n}`;
  draft.issues.push({ id, label: `Issue ${n}`, options: ["A", "B", "C"] });
  for (const role of draft.roles) role.rows.push([0, 0, 0]);
  issueAdded(draft);
  return draft.issues.length - 1;
}

export function removeIssue(draft, index) {
  draft.issues.splice(index, 1);
  for (const role of draft.roles) role.rows.splice(index, 1);
  issueRemoved(draft, index);
}

export function addOption(draft, index) {
  const issue = draft.issues[index];
  issue.options.push(`Option ${issue.options.length + 1}`);
  for (const role of draft.roles) role.rows[index].push(0);
}

export function removeOption(draft, index, option) {
  draft.issues[index].options.splice(option, 1);
  for (const role of draft.roles) role.rows[index].splice(option, 1);
}

function field(label, attrs, multiline = false) {
  const id = `f-${attrs["data-path"].replaceAll(".", "-")}`;
  const control = multiline ? h("textarea", { id, rows: 5, ...attrs }) : h("input", { id, type: "text", ...attrs });
  return [h("label", { for: id }, label), control];
}

function roleName(draft, r) {
  return draft.roles[r].label || draft.roles[r].id || `Role ${r + 1}`;
}

export function renderRoles(box, draft) {
  replace(box, draft.roles.map((role, r) => h("fieldset", { class: "role-box" },
    h("legend", {}, `Role ${r + 1}`),
    field("Name shown to players", { "data-path": `roles.${r}.label`, "data-key": `roles[${r}].label`, value: role.label ?? "" }),
    field("Id", { "data-path": `roles.${r}.id`, "data-key": `roles[${r}].id`, value: role.id, autocomplete: "off", spellcheck: "false" }),
    field("BATNA: points if there is no deal", { "data-path": `roles.${r}.batna`, "data-key": `roles[${r}].batna`, value: role.batna, type: "number", step: "any", inputmode: "decimal" }),
    field("Private brief (only this role reads it)", { "data-path": `roles.${r}.brief`, "data-key": `roles[${r}].brief`, value: role.brief ?? "" }, true))));
  for (const [r, role] of draft.roles.entries()) box.querySelector(`#f-roles-${r}-brief`).value = role.brief ?? "";
}

export function renderIssues(box, draft) {
  replace(box, draft.issues.map((issue, i) => {
    const names = [roleName(draft, 0), roleName(draft, 1)];
    const rows = issue.options.map((option, k) => h("tr", {},
      h("td", {}, h("input", {
        type: "text", value: option, "data-path": `issues.${i}.options.${k}`, "data-key": `issues[${i}].options[${k}]`,
        "aria-label": `${issue.label || issue.id}: option ${k + 1}`, "data-focus": `option-${i}-${k}`,
      })),
      [0, 1].map((r) => {
        const value = draft.roles[r].rows[i][k];
        return h("td", { class: "num" }, h("input", {
          type: "number", step: "any", inputmode: "decimal", value: value ?? "",
          "data-path": `roles.${r}.rows.${i}.${k}`, "data-key": `roles[${r}].points.${issue.id}[${k}]`,
          "aria-label": `${names[r]}'s points for ${issue.label || issue.id}: ${option}`,
        }));
      }),
      h("td", {}, h("button", {
        type: "button", class: "secondary small", "data-action": "remove-option", "data-issue": i, "data-option": k,
        "aria-label": `Remove option ${option} of ${issue.label || issue.id}`, disabled: issue.options.length <= 2,
      }, "Remove"))));
    return h("fieldset", { class: "issue-box", "data-key": `issues[${i}]` },
      h("legend", {}, `Issue ${i + 1}`),
      h("div", { class: "row" },
        h("div", {}, ...field("Name", { "data-path": `issues.${i}.label`, "data-key": `issues[${i}].label`, value: issue.label ?? "" })),
        h("div", {}, ...field("Id", { "data-path": `issues.${i}.id`, "data-key": `issues[${i}].id`, value: issue.id, autocomplete: "off", spellcheck: "false" }))),
      h("div", { class: "table-scroll" }, h("table", { class: "points-table" },
        h("caption", { class: "sr-only" }, `Options of ${issue.label || issue.id} and each role's points`),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Option"),
          h("th", { scope: "col", class: "num" }, `${names[0]}'s points`),
          h("th", { scope: "col", class: "num" }, `${names[1]}'s points`),
          h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Remove")))),
        h("tbody", {}, rows))),
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "secondary", "data-action": "add-option", "data-issue": i, "data-focus": `add-option-${i}` }, `Add an option to ${issue.label || issue.id}`),
        h("button", { type: "button", class: "danger", "data-action": "remove-issue", "data-issue": i, disabled: draft.issues.length <= 1 }, `Remove ${issue.label || issue.id}`)));
  }));
}

function select(label, path, value, choices) {
  const id = `f-${path.replaceAll(".", "-")}`;
  return h("div", {}, h("label", { for: id }, label),
    h("select", { id, "data-path": path, "data-key": path },
      choices.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
}

function number(label, path, value, step = "1") {
  const id = `f-${path.replaceAll(".", "-")}`;
  return h("div", {}, h("label", { for: id }, label),
    h("input", { id, type: "number", step, min: "0", inputmode: "numeric", value, "data-path": path, "data-key": path }));
}

export function renderProtocol(box, draft) {
  const p = draft.protocol;
  replace(box,
    number("Time limit in seconds", "protocol.time_limit", p.time_limit),
    select("Turns", "protocol.turns", p.turns, [["alternating", "Alternating offers"], ["free", "Free: either side at any time"]]),
    select("Who moves first", "protocol.first_mover", p.first_mover,
      [["random", "Chosen at random"], ...draft.roles.map((r) => [r.id, r.label || r.id])]),
    select("A deal is closed by", "protocol.closing", p.closing, [["accept", "Accepting an offer"], ["claims", "Matching private claims"]]),
    number("Most offers (0: no limit)", "protocol.max_offers", p.max_offers),
    number("Breaks per game", "protocol.breaks", p.breaks),
    number("Seconds of a break", "protocol.break_seconds", p.break_seconds),
    number("Deadline extensions per game", "protocol.extensions", p.extensions),
    number("Seconds of an extension", "protocol.extension_seconds", p.extension_seconds));
}
