// Small DOM helpers shared by every page: building elements without innerHTML (so no
// text from a player can ever become markup), and the few formats the pages agree on.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function show(node, visible) {
  node.hidden = !visible;
}

// One formatter for every number: toLocaleString with options builds one per call, which
// for the few hundred numbers of a redrawn editor was most of the drawing.
const POINTS = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function points(n) {
  if (n === null || n === undefined) return "–";
  return POINTS.format(Number(n));
}

// "1 point", "1,500 points".
export function pts(n) {
  return `${points(n)} ${Math.abs(Number(n)) === 1 ? "point" : "points"}`;
}

// "Ben's", "Leader of the anglers'".
export function possessive(name) {
  return /s$/i.test(name) ? `${name}'` : `${name}'s`;
}

// A name from a player inside <bdi>, so a right-to-left name never reorders the text
// around it ("Ana & Cy" stays in that order whatever the names hold).
export function who(name) {
  const node = document.createElement("bdi");
  node.textContent = name;
  return node;
}

// A moment as a <time> element: its own word for a screen reader, not run into the text.
export function stamp(epochSeconds) {
  const node = document.createElement("time");
  node.className = "when";
  node.dateTime = new Date(epochSeconds * 1000).toISOString();
  node.textContent = timeOfDay(epochSeconds);
  return node;
}

// A box that scrolls sideways on a small screen: a keyboard user can reach and scroll
// it (focusable, with a name), as a mouse user can.
export function scrollBox(label, ...children) {
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label }, ...children);
}

export function signed(n) {
  return (n > 0 ? "+" : n < 0 ? "−" : "±") + points(Math.abs(n));
}

export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function timeOfDay(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

export function percent(fraction) {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return "–";
  return `${Math.round(fraction * 100)}%`;
}

// A result's efficiency as the debrief says it (zopa.rules.scoring.gain): a walkaway where
// no deal beat both BATNAs is the right call, never a percentage.
export function efficiencyText(efficiency, verdict) {
  if (verdict === "walkaway") return "correct walkaway";
  return percent(efficiency);
}

// Redraw a part of the page without losing the keyboard user's place: the focused
// control, marked with data-focus, is focused again in the new drawing.
export function keepFocus(box, render) {
  const active = document.activeElement;
  const key = active && box.contains(active) ? active.dataset.focus : null;
  render();
  if (key) {
    const again = box.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

// A short message in a page's polite live region: screen readers say it once.
export function announce(text) {
  const region = document.getElementById("announcer");
  if (region) region.textContent = text;
}
