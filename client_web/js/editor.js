// The scenario editor: a facilitator writes a case in a form and sees its outcome space
// beside it, redrawn as they type. Every change sends the draft to the server's one
// analysis (POST /api/scenarios/draft), one draft in flight at a time. Save puts
// the scenario in the library, Export downloads its TOML, Play opens a session on it.

import { $, h, replace, show, announce } from "./dom.js";
import { FacilitatorKey, saveBlob } from "./api.js";
import {
  blankDraft, fromScenario, toScenario, setFromInput, addIssue, removeIssue, addOption, removeOption,
  renderRoles, renderIssues, renderProtocol,
} from "./editor_form.js";
import { renderSpace, renderChecks, renderProblems, summary } from "./editor_checks.js";
import { renderVariation, renderDeals } from "./editor_variation.js";

let draft = blankDraft();
let answer = null;
let typedAt = null;
let spoken = "";
const timings = [];

function error(text) {
  replace($("#errors"), text ? h("p", { class: "notice error" }, text) : null);
}

const facilitator = new FacilitatorKey({
  error,
  refused(message) {
    show($("#editor-screen"), false);
    show($("#key-screen"), true);
    error(message);
  },
});
const api = (method, path, body) => facilitator.call(method, path, body);

// ---- the form ----

// Draw the form anew, the keyboard user's field focused again with its caret in place.
function redraw(parts) {
  const active = document.activeElement;
  const path = active && active.dataset ? active.dataset.path || active.dataset.focus : null;
  const caret = active && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
  parts();
  markProblems(answer ? answer.problems : []);
  if (!path) return;
  const again = document.querySelector(`[data-path="${CSS.escape(path)}"], [data-focus="${CSS.escape(path)}"]`);
  if (!again || again === active) return;
  again.focus();
  if (caret && typeof again.setSelectionRange === "function") {
    try { again.setSelectionRange(...caret); } catch { /* a number field has no caret */ }
  }
}

function renderForm() {
  redraw(() => {
    for (const input of $("#editor-form").querySelectorAll("#f-title, #f-id, #f-description")) input.value = draft[input.dataset.path] ?? "";
    renderRoles($("#roles"), draft);
    renderIssues($("#issues"), draft);
    renderProtocol($("#protocol"), draft);
    renderVariation($("#variation"), draft);
  });
}

function onInput(event) {
  const input = event.target;
  if (!input.dataset || !input.dataset.path) return;
  typedAt = event.timeStamp;
  setFromInput(draft, input);
  // Switching variation on or off shows or hides its fields.
  if (input.dataset.path === "variation.on") redraw(() => renderVariation($("#variation"), draft));
  analyse();
}

// Names and ids appear in the issues' tables and the first-mover list: those are drawn
// again when the field is left, not under the fingers of the person typing.
function onChange(event) {
  const path = event.target.dataset ? event.target.dataset.path || "" : "";
  if (/^(roles\.\d\.(label|id)|issues\.\d+\.(label|id))$/.test(path)) {
    // After the focus has moved on (change comes before it does), so it is kept there.
    setTimeout(() => redraw(() => {
      renderIssues($("#issues"), draft);
      renderProtocol($("#protocol"), draft);
      renderVariation($("#variation"), draft);
    }));
  }
}

// A new field is focused with its text selected: typing replaces the placeholder name.
function focusOn(selector) {
  const found = $(selector);
  if (!found) return;
  found.focus();
  if (typeof found.select === "function" && found.matches("input, textarea")) found.select();
}

function onClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const issue = Number(button.dataset.issue);
  const action = button.dataset.action;
  typedAt = event.timeStamp;
  if (action === "add-option") {
    addOption(draft, issue);
    renderForm();
    focusOn(`[data-focus="option-${issue}-${draft.issues[issue].options.length - 1}"]`);
    announce(`Option added to ${draft.issues[issue].label || draft.issues[issue].id}.`);
  } else if (action === "remove-option") {
    removeOption(draft, issue, Number(button.dataset.option));
    renderForm();
    focusOn(`[data-focus="add-option-${issue}"]`);
    announce("Option removed.");
  } else if (action === "remove-issue") {
    const name = draft.issues[issue].label || draft.issues[issue].id;
    removeIssue(draft, issue);
    renderForm();
    focusOn("#add-issue");
    announce(`${name} removed.`);
  }
  analyse();
}

// ---- the analysis ----

// One draft in flight at a time; the changes made meanwhile go in one draft sent when its
// answer comes, and that answer, out of date, is not drawn. The server answers one request after another, so sending every
// keystroke at once made the last one wait behind all the drafts before it; this way the
// person typing waits for at most the answer in flight and their own.
let inFlight = false;
let pending = false;

async function analyse() {
  // "1" until the newest draft is drawn: what tests and the bench wait for.
  document.body.dataset.drafting = "1";
  if (inFlight) {
    pending = true;
    return;
  }
  inFlight = true;
  try {
    do {
      pending = false;
      // The keystroke this draft answers: a redraw is timed from it.
      const since = typedAt;
      const asked = performance.now();
      const found = await api("POST", "/api/scenarios/draft", { scenario: toScenario(draft) });
      // An answer to a draft changed since is not drawn: the newer one is sent at once,
      // and drawing the old first would make the person typing wait for both.
      if (found && !pending) {
        document.body.dataset.answerMs = (performance.now() - asked).toFixed(2);
        drawAnswer(found, since);
      }
    } while (pending);
  } finally {
    inFlight = false;
    document.body.dataset.drafting = "0";
  }
}

function drawAnswer(found, since) {
  const drawStarted = performance.now();
  answer = found;
  renderProblems($("#problems"), found.problems);
  markProblems(found.problems);
  const stale = found.problems.length > 0;
  $("#space").classList.toggle("stale", stale);
  $("#checks").classList.toggle("stale", stale);
  if (!stale) {
    renderSpace($("#space"), found, $("#space").clientWidth || 480);
    renderChecks($("#checks"), found);
    renderDeals($("#deals-box"), found, draft);
  }
  const said = summary(found);
  if (said !== spoken) {
    spoken = said;
    announce(said);
  }
  for (const button of ["#save", "#play", "#export"]) $(button).disabled = stale;
  if (since !== null) {
    // From the keystroke to the new drawing: what the person typing waits for.
    const took = performance.now() - since;
    document.body.dataset.drawMs = (performance.now() - drawStarted).toFixed(2);
    timings.push(took);
    document.body.dataset.redraws = String(timings.length);
    document.body.dataset.redrawMs = took.toFixed(2);
    $("#draft-status").textContent = stale ? "The drawing shows the last draft without problems." : `Redrawn in ${Math.round(took)} ms.`;
  }
}

function markProblems(problems) {
  const form = $("#editor-form");
  for (const marked of form.querySelectorAll("[aria-invalid]")) {
    marked.removeAttribute("aria-invalid");
    marked.removeAttribute("title");
  }
  for (const problem of problems) {
    for (const field of form.querySelectorAll("[data-key]")) {
      const k = field.dataset.key;
      // The field's key within the problem's, or the problem's within the field's (a
      // deck's field stands for every card of it: cards[1].price is marked on it).
      const within = (inner, outer) => inner === outer || inner.startsWith(`${outer}[`) || inner.startsWith(`${outer}.`);
      if (within(k, problem.key) || within(problem.key, k)) {
        if (field.matches("input, select, textarea")) {
          field.setAttribute("aria-invalid", "true");
          field.title = problem.message;
        }
      }
    }
  }
}

// ---- open, save, export, play ----

function load(scenario) {
  draft = fromScenario(scenario);
  answer = null;
  renderForm();
  analyse();
}

async function openFromLibrary() {
  const id = $("#open-scenario").value;
  const found = await api("GET", `/api/scenarios/${encodeURIComponent(id)}`);
  if (!found) return;
  const scenario = found.scenario;
  if (found.builtin) {
    // A built-in id keeps its content: the copy gets its own id to be saved under.
    scenario.id = `${scenario.id}-copy`;
    scenario.title = `${scenario.title} (copy)`;
  }
  load(scenario);
  announce(`${scenario.title} opened.`);
}

async function openFile() {
  const file = $("#open-file").files[0];
  if (!file) return;
  const found = await api("POST", "/api/scenarios/draft", { toml: await file.text() });
  if (!found) return;
  if (found.problems.length) {
    renderProblems($("#problems"), found.problems);
    error(`${file.name} has problems; fix them in the file and open it again.`);
    return;
  }
  load(found.scenario);
  announce(`${file.name} opened.`);
}

// The draft as a file, written by the server (the one TOML writer).
async function exported() {
  if (!answer || answer.problems.length) return null;
  const found = await api("POST", "/api/scenarios/draft", { scenario: toScenario(draft), export: true });
  return found && !found.problems.length ? found : null;
}

async function save() {
  const file = await exported();
  if (!file) return null;
  const saved = await api("POST", "/api/scenarios", { toml: file.toml });
  if (!saved) return null;
  $("#saved").textContent = saved.new
    ? `Saved in the library as ${saved.id}.`
    : `${saved.id} is already in the library with this content.`;
  await fillLibrary(saved.id);
  return saved;
}

async function play() {
  const saved = await save();
  if (!saved) return;
  const session = await api("POST", "/api/sessions", { scenario: saved.id });
  if (session) location.href = `facilitator.html#session=${encodeURIComponent(session.code)}`;
}

async function exportToml() {
  const file = await exported();
  if (file) saveBlob(new Blob([file.toml], { type: "application/toml" }), `${file.scenario.id}.toml`);
}

async function fillLibrary(selected) {
  const listing = await api("GET", "/api/scenarios");
  if (!listing) return;
  replace($("#open-scenario"), listing.scenarios.map((s) =>
    h("option", { value: s.id, selected: s.id === selected }, `${s.title} (${s.id}${s.builtin ? ", built-in" : ""})`)));
}

function start() {
  facilitator.takeFromHash();
  if (!facilitator.value) {
    show($("#key-screen"), true);
    return;
  }
  show($("#key-screen"), false);
  show($("#editor-screen"), true);
  fillLibrary();
  renderForm();
  analyse();
}

$("#key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  facilitator.set($("#key-input").value.trim());
  start();
});
$("#editor-form").addEventListener("input", onInput);
$("#editor-form").addEventListener("change", onChange);
$("#editor-form").addEventListener("click", onClick);
$("#editor-form").addEventListener("submit", (event) => event.preventDefault());
$("#add-issue").addEventListener("click", (event) => {
  typedAt = event.timeStamp;
  const index = addIssue(draft);
  renderForm();
  focusOn(`#f-issues-${index}-label`);
  announce("Issue added.");
  analyse();
});
$("#open-button").addEventListener("click", openFromLibrary);
$("#open-file").addEventListener("change", openFile);
// A blank draft, through the shape of a file as every other start is.
$("#blank-button").addEventListener("click", () => load(toScenario(blankDraft())));
$("#save").addEventListener("click", save);
$("#play").addEventListener("click", play);
$("#export").addEventListener("click", exportToml);
start();
