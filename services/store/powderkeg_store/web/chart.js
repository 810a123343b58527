// The escalation index of a pair over time (SVG): the index as a line over its area, the baseline dashed, and the
// values its alerts carried as markers coloured by severity.

const SVG = "http://www.w3.org/2000/svg";
const el = (name, attrs = {}, text) => {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};
const COLOURS = { critical: "#f05252", warning: "#f5a524", info: "#5b9cf6" };

export function drawIndex(container, series) {
  const width = Math.max(container.clientWidth, 300), height = Math.max(container.clientHeight, 160);
  const m = { l: 38, r: 12, t: 10, b: 22 };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "Escalation index over time" });
  const points = series.points;
  if (!points.length) { container.replaceChildren(svg); return; }
  const t0 = Date.parse(points[0].time), t1 = Date.parse(points[points.length - 1].time);
  const marks = series.alerts.filter((a) => a.escalation_index !== null);
  const top = Math.max(1, ...points.map((p) => Math.max(p.index, p.baseline)), ...marks.map((a) => a.escalation_index)) * 1.1;
  const x = (t) => m.l + ((t - t0) / Math.max(t1 - t0, 1)) * (width - m.l - m.r);
  const y = (v) => height - m.b - (v / top) * (height - m.t - m.b);
  const axis = el("g", { class: "axis" });
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    axis.append(el("line", { x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), "stroke-opacity": i ? 0.4 : 1 }));
    axis.append(el("text", { x: m.l - 6, y: y(v) + 3, "text-anchor": "end" }, v >= 10 ? v.toFixed(0) : v.toFixed(1)));
  }
  const days = (t1 - t0) / 86400000;
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const t = t0 + ((t1 - t0) * i) / ticks, d = new Date(t);
    const label = days > 2 ? d.toISOString().slice(5, 10) : d.toISOString().slice(11, 16);
    axis.append(el("text", { x: x(t), y: height - 6, "text-anchor": i === 0 ? "start" : i === ticks ? "end" : "middle" }, label));
  }
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(Date.parse(p.time)).toFixed(1)},${y(p.index).toFixed(1)}`).join("");
  const area = `${line}L${x(t1).toFixed(1)},${y(0)}L${x(t0).toFixed(1)},${y(0)}Z`;
  const base = points.map((p, i) => `${i ? "L" : "M"}${x(Date.parse(p.time)).toFixed(1)},${y(p.baseline).toFixed(1)}`).join("");
  svg.append(axis, el("path", { d: area, class: "area" }), el("path", { d: base, class: "baseline" }), el("path", { d: line, class: "index" }));
  for (const a of marks) {
    const t = Date.parse(a.last_seen);
    if (t < t0 || t > t1) continue;
    const cx = x(t), cy = y(a.escalation_index);
    const mark = el("path", { d: `M${cx},${cy - 6}L${cx + 5},${cy + 3}L${cx - 5},${cy + 3}Z`, fill: COLOURS[a.severity] || "#ccc" });
    mark.append(el("title", {}, `${a.title} (${a.severity}, rev ${a.revision}): index ${a.escalation_index} at ${a.last_seen}`));
    svg.append(mark);
  }
  const last = points[points.length - 1];
  svg.append(el("text", { x: width - m.r, y: m.t + 10, "text-anchor": "end", fill: "#e6edf3", "font-size": 12 },
    `now ${last.index.toFixed(2)}/day · baseline ${last.baseline.toFixed(2)}`));
  container.replaceChildren(svg);
}
