// The outcome-space chart, drawn as SVG: the first role's points across, the second
// role's up; the Pareto frontier (the best deals possible), both BATNA lines, the zone
// where a deal beats both BATNAs, and marks for deals, impasses and offers. Used by the
// player's end screen, the facilitator's debrief and the replay viewer.

import { possessive } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const PAD = { left: 66, right: 16, top: 18, bottom: 56 };

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  if (text !== null) node.textContent = text;
  return node;
}

function ticks(lo, hi, count) {
  const raw = (hi - lo || 1) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-6; t += step) out.push(+t.toFixed(6));
  return out;
}

const fmt = (n) => Number(n).toLocaleString("en-US", { maximumFractionDigits: 1 });
// Axis ticks stay short ("20k"), so they fit beside the axis on a phone; one axis uses
// one unit throughout, so "5k" sits below "10k" rather than "5,000".
const tick = (n, top) => (Math.abs(top) >= 10_000 && n !== 0 ? `${fmt(n / 1000)}k` : fmt(n));

/**
 * pointsChart({labels, frontier, batna, marks, paths, title, description})
 *   labels: [first role label, second role label]
 *   frontier: [[x, y], ...] ascending x;  batna: [x, y] or null
 *   marks: [{x, y, kind: "deal" | "impasse" | "offer", side: 0 | 1, current, label, href}]
 *   paths: [[[x, y], ...], ...] one line per side (the offers in order), optional
 *   width: the width it will be shown at, so text stays readable on a phone
 *   units: what the axes count ("points", or e.g. "share of its game's surplus, %")
 */
export function pointsChart({ labels, frontier = [], batna = null, marks = [], paths = [], title, description, width = 560, units = "points" }) {
  // Drawn at the size it is shown, so 13px text is 13px on a phone and on a projector.
  const W = Math.max(300, Math.min(680, Math.round(width))), H = Math.round(W * 0.72);
  const xs = [0, ...frontier.map((p) => p[0]), ...marks.map((m) => m.x)];
  const ys = [0, ...frontier.map((p) => p[1]), ...marks.map((m) => m.y)];
  if (batna) xs.push(batna[0]), ys.push(batna[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(1, ...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(1, ...ys)];
  // A little headroom so marks on the edge are not cut in half.
  const mx = (x1 - x0) * 0.04, my = (y1 - y0) * 0.04;
  const sx = (x) => PAD.left + ((x - x0) / (x1 + mx - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y) => H - PAD.bottom - ((y - y0) / (y1 + my - y0 || 1)) * (H - PAD.top - PAD.bottom);

  const id = `chart-${Math.random().toString(36).slice(2, 9)}`;
  // With links on its marks the chart is a group of links, not one image: an image's
  // parts are hidden from assistive technology, links and all.
  const linked = marks.some((m) => m.href);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: linked ? "group" : "img", class: "points-chart", "aria-labelledby": `${id}-t ${id}-d` });
  svg.append(el("title", { id: `${id}-t` }, title || "What was possible"));
  svg.append(el("desc", { id: `${id}-d` }, description || describeChart(labels, frontier, batna, marks)));

  if (batna) {
    svg.append(el("rect", {
      class: "zopa-zone", x: sx(batna[0]), y: sy(y1 + my),
      width: Math.max(0, sx(x1 + mx) - sx(batna[0])), height: Math.max(0, sy(batna[1]) - sy(y1 + my)),
    }));
  }
  const grid = el("g", { class: "axes" });
  for (const t of ticks(x0, x1, W < 420 ? 3 : 5)) {
    grid.append(el("line", { class: "grid", x1: sx(t), x2: sx(t), y1: sy(y0), y2: sy(y1 + my) }));
    grid.append(el("text", { x: sx(t), y: H - PAD.bottom + 18, "text-anchor": "middle" }, tick(t, x1)));
  }
  for (const t of ticks(y0, y1, 5)) {
    grid.append(el("line", { class: "grid", x1: sx(x0), x2: sx(x1 + mx), y1: sy(t), y2: sy(t) }));
    grid.append(el("text", { x: PAD.left - 8, y: sy(t) + 4, "text-anchor": "end" }, tick(t, y1)));
  }
  const midY = (PAD.top + H - PAD.bottom) / 2;
  grid.append(el("text", { class: "axis-label", x: (PAD.left + W - PAD.right) / 2, y: H - 12, "text-anchor": "middle" }, `${possessive(labels[0])} ${units} →`));
  // A long role's label on a small chart is fitted to the axis rather than cut off.
  const yLabel = `${possessive(labels[1])} ${units} →`;
  const room = 2 * Math.min(midY, H - midY) - 8;
  const fit = yLabel.length * 8.5 > room ? { textLength: room, lengthAdjust: "spacingAndGlyphs" } : {};
  grid.append(el("text", { class: "axis-label", x: 16, y: midY, "text-anchor": "middle", transform: `rotate(-90 16 ${midY})`, ...fit }, yLabel));
  svg.append(grid);

  if (batna) {
    const g = el("g", { class: "batna" });
    g.append(el("line", { x1: sx(batna[0]), x2: sx(batna[0]), y1: sy(y0), y2: sy(y1 + my) }));
    g.append(el("line", { x1: sx(x0), x2: sx(x1 + mx), y1: sy(batna[1]), y2: sy(batna[1]) }));
    // Beside its line, on the side with room, so a phone shows it whole.
    const right = sx(batna[0]) < (PAD.left + W - PAD.right) / 2;
    g.append(el("text", { x: sx(batna[0]) + (right ? 5 : -5), y: PAD.top + 12, "text-anchor": right ? "start" : "end" },
      `${labels[0]} BATNA ${fmt(batna[0])}`));
    g.append(el("text", { x: sx(x1 + mx) - 4, y: sy(batna[1]) - 6, "text-anchor": "end" }, `${labels[1]} BATNA ${fmt(batna[1])}`));
    svg.append(g);
  }

  if (frontier.length) {
    // A staircase of discrete best deals: joined so the eye reads it as the edge.
    const d = frontier.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
    svg.append(el("path", { class: "frontier", d }));
    const dots = el("g", { class: "frontier-points" });
    if (frontier.length <= 200) for (const p of frontier) dots.append(el("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 2.5 }));
    svg.append(dots);
  }

  paths.forEach((path, side) => {
    if (path.length < 2) return;
    const d = path.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
    svg.append(el("path", { class: `offer-path side-${side}`, d }));
  });

  const layer = el("g", { class: "marks" });
  const impasses = marks.filter((m) => m.kind === "impasse");
  for (const mark of marks) {
    const x = sx(mark.x), y = sy(mark.y);
    let shape;
    if (mark.kind === "impasse") {
      shape = el("path", { class: "impasse", d: `M${x - 7},${y - 7} l14,14 m0,-14 l-14,14` });
    } else if (mark.kind === "offer") {
      shape = el("circle", { class: `offer side-${mark.side}${mark.current ? " current" : ""}`, cx: x, cy: y, r: mark.current ? 8 : 5 });
    } else {
      shape = el("circle", { class: `deal${mark.current ? " current" : ""}`, cx: x, cy: y, r: 8 });
    }
    const label = mark.label || `${mark.kind}: ${fmt(mark.x)} / ${fmt(mark.y)}`;
    shape.append(el("title", {}, label));
    if (mark.href) {
      const link = el("a", { href: mark.href, "aria-label": label, class: "mark-link" });
      link.append(shape);
      layer.append(link);
    } else {
      layer.append(shape);
    }
  }
  if (impasses.length > 1) {
    const at = impasses[0];
    const right = sx(at.x) < W / 2;
    layer.append(el("text", { class: "impasse-count", x: sx(at.x) + (right ? 10 : -10), y: sy(at.y) + 16,
      "text-anchor": right ? "start" : "end" }, `${impasses.length} impasses`));
  }
  svg.append(layer);
  return svg;
}

export function describeChart(labels, frontier, batna, marks) {
  const parts = [`${labels[0]}'s points across, ${labels[1]}'s up`];
  if (frontier.length) {
    const a = frontier[0], b = frontier[frontier.length - 1];
    parts.push(`the best possible deals run from ${fmt(a[0])} / ${fmt(a[1])} to ${fmt(b[0])} / ${fmt(b[1])}`);
  }
  if (batna) parts.push(`BATNAs: ${labels[0]} ${fmt(batna[0])}, ${labels[1]} ${fmt(batna[1])}`);
  const deals = marks.filter((m) => m.kind === "deal");
  if (deals.length) parts.push(`${deals.length} deal${deals.length > 1 ? "s" : ""} at ${deals.map((d) => `${fmt(d.x)} / ${fmt(d.y)}`).join("; ")}`);
  const impasses = marks.filter((m) => m.kind === "impasse").length;
  if (impasses) parts.push(`${impasses} impasse${impasses > 1 ? "s" : ""}, at the BATNAs`);
  const offers = marks.filter((m) => m.kind === "offer").length;
  if (offers) parts.push(`${offers} offer${offers > 1 ? "s" : ""}`);
  return parts.join(". ") + ".";
}

// A legend as HTML beside the chart, so it reflows on a phone instead of shrinking.
export function legend(items) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const [kind, text] of items) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch ${kind}`;
    swatch.setAttribute("aria-hidden", "true");
    item.append(swatch, text);
    list.append(item);
  }
  return list;
}
