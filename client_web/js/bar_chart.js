// Horizontal bars as SVG, 0 to 100%, with reference lines: the class debrief's rates
// against their benchmarks. A bar may stack segments (the impasse rate by stage). Every
// chart is an image with a title and a description that says every figure, and the page
// shows the same figures in a table beside it.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  if (text !== null) node.textContent = text;
  return node;
}

const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);

/**
 * rateBars({title, bars, references, width})
 *   bars: [{label, segments: [{value, kind, label, short}]}]: values are fractions of 1;
 *     ``short`` is written inside the segment when it fits
 *   references: [{value, label, bar}]: a dashed line at value, across one bar (by index)
 *     or every bar (bar omitted)
 */
export function rateBars({ title, bars, references = [], width = 560 }) {
  const W = Math.max(300, Math.min(760, Math.round(width)));
  // On a phone each label goes above its bar, whole, so the bars keep the full width.
  const narrow = W < 480;
  const labelWidth = narrow ? W - 16 : 170;
  const left = narrow ? 16 : labelWidth + 8, right = 46, top = 26, rowH = narrow ? 60 : 46, barH = 26;
  const H = top + rows(bars) * rowH + 26;
  const sx = (v) => left + Math.max(0, Math.min(1, v)) * (W - left - right);
  const id = `bars-${Math.random().toString(36).slice(2, 9)}`;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "rate-bars", "aria-labelledby": `${id}-t ${id}-d` });
  svg.append(el("title", { id: `${id}-t` }, title));
  svg.append(el("desc", { id: `${id}-d` }, describeBars(bars, references)));

  const axis = el("g", { class: "axes" });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    axis.append(el("line", { class: "grid", x1: sx(t), x2: sx(t), y1: top - 4, y2: H - 22 }));
    axis.append(el("text", { x: sx(t), y: H - 6, "text-anchor": "middle" }, pct(t)));
  }
  svg.append(axis);

  bars.forEach((bar, i) => {
    const y = top + i * rowH + (rowH - barH) / 2 + (narrow ? 8 : 0);
    const g = el("g", { class: "bar" });
    g.append(narrow
      ? el("text", { class: "bar-label", x: left, y: y - 6 }, fit(bar.label, labelWidth))
      : el("text", { class: "bar-label", x: labelWidth, y: y + barH / 2 + 5, "text-anchor": "end" }, fit(bar.label, labelWidth)));
    let at = 0;
    for (const segment of bar.segments) {
      const x0 = sx(at), x1 = sx(at + segment.value);
      const rect = el("rect", { class: `segment ${segment.kind}`, x: x0, y, width: Math.max(0, x1 - x0), height: barH });
      rect.append(el("title", {}, `${segment.label}: ${pct(segment.value)}`));
      g.append(rect);
      // A stacked segment names itself when there is room, so colour is not all that tells it.
      if (segment.short && x1 - x0 > segment.short.length * 7 + 8) {
        g.append(el("text", { class: `segment-label ${segment.kind}`, x: (x0 + x1) / 2, y: y + barH / 2 + 4, "text-anchor": "middle" }, segment.short));
      }
      at += segment.value || 0;
    }
    const total = bar.segments.reduce((sum, s) => sum + (s.value || 0), 0);
    const none = bar.segments.every((s) => s.value === null || s.value === undefined);
    g.append(el("text", { class: "bar-value", x: sx(total) + 5, y: y + barH / 2 + 5 }, none ? "–" : pct(total)));
    svg.append(g);
  });

  for (const ref of references) {
    const x = sx(ref.value);
    const span = ref.bar === undefined ? [0, bars.length] : [ref.bar, ref.bar + 1];
    const y1 = top + span[0] * rowH + 2, y2 = top + span[1] * rowH - 2;
    const g = el("g", { class: "reference" });
    g.append(el("line", { x1: x, x2: x, y1: y1 - 6, y2 }));
    g.append(el("text", { x: x + 4, y: y1 + 2 }, ref.label));
    svg.append(g);
  }
  return svg;
}

function rows(bars) {
  return Math.max(1, bars.length);
}

// A long label is cut to what fits rather than running under the bars.
function fit(text, room) {
  const most = Math.floor(room / 8.5);
  return text.length > most ? `${text.slice(0, most - 1)}…` : text;
}

export function describeBars(bars, references) {
  const parts = bars.map((bar) => {
    const total = bar.segments.reduce((sum, s) => sum + (s.value || 0), 0);
    const detail = bar.segments.length > 1 ? ` (${bar.segments.map((s) => `${s.label} ${pct(s.value)}`).join(", ")})` : "";
    const none = bar.segments.every((s) => s.value === null || s.value === undefined);
    return `${bar.label}: ${none ? "no figure yet" : pct(total)}${detail}`;
  });
  for (const ref of references) parts.push(`${ref.label}: a line at ${pct(ref.value)}`);
  return parts.join(". ") + ".";
}
