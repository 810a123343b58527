// A world map in SVG: Natural Earth country shapes (world-atlas TopoJSON, vendored) in the Natural Earth I
// projection, event places as circles, wheel zoom and drag pan. No library: TopoJSON arcs are decoded here.

const SVG = "http://www.w3.org/2000/svg";
const W = 1000, H = 520;
let shapes = null;

function project([lon, lat]) {
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180, p2 = p * p, p4 = p2 * p2;
  const x = l * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)));
  const y = p * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)));
  return [W / 2 + x * 180, H / 2 - y * 180];
}

async function load() {
  if (shapes) return shapes;
  const topo = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
  const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
  const arcs = topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => { x += dx; y += dy; return project([x * sx + tx, y * sy + ty]); });
  });
  const ring = (ids) => {
    const points = [];
    for (const i of ids) {
      const arc = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
      points.push(...(points.length ? arc.slice(1) : arc));
    }
    return "M" + points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L") + "Z";
  };
  shapes = topo.objects.countries.geometries.map((g) => {
    const polygons = g.type === "Polygon" ? [g.arcs] : g.type === "MultiPolygon" ? g.arcs : [];
    const d = polygons.map((rings) => rings.map(ring).join("")).join("");
    return { id: g.id, name: g.properties && g.properties.name, d };
  });
  return shapes;
}

const el = (name, attrs = {}) => {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

export class WorldMap {
  constructor(container, { numericOf = {} } = {}) {
    this.container = container;
    this.numericOf = numericOf; // ISO3 -> ISO numeric, the ids of world-atlas features
    this.view = [0, 0, W, H];
    this.svg = el("svg", { viewBox: this.view.join(" "), role: "img", "aria-label": "Map of event places" });
    this.land = el("g");
    this.dots = el("g");
    this.svg.append(this.land, this.dots);
    this.tip = document.createElement("div");
    this.tip.className = "map-tip";
    this.tip.hidden = true;
    const tools = document.createElement("div");
    tools.className = "map-tools";
    for (const [label, factor] of [["+", 0.6], ["−", 1.6], ["⟲", 0]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.title = factor ? "Zoom" : "Whole world";
      button.onclick = () => (factor ? this.zoom(factor) : this.setView([0, 0, W, H]));
      tools.append(button);
    }
    container.replaceChildren(this.svg, tools, this.tip);
    this.bindPanZoom();
    this.ready = load().then((list) => {
      for (const s of list) {
        const path = el("path", { d: s.d, class: "land", "data-id": s.id });
        path.append(Object.assign(el("title"), { textContent: s.name || "" }));
        this.land.append(path);
      }
    });
  }

  setView(view) {
    this.view = view;
    this.svg.setAttribute("viewBox", view.map((v) => v.toFixed(1)).join(" "));
    const scale = view[2] / W;
    for (const c of this.dots.children) c.setAttribute("r", c.dataset.r * Math.sqrt(scale));
  }

  zoom(factor, cx = this.view[0] + this.view[2] / 2, cy = this.view[1] + this.view[3] / 2) {
    const [x, y, w, h] = this.view;
    const nw = Math.min(W, Math.max(W / 40, w * factor)), nh = (nw * H) / W;
    this.setView([cx - ((cx - x) * nw) / w, cy - ((cy - y) * nh) / h, nw, nh]);
  }

  bindPanZoom() {
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = this.svg.getBoundingClientRect();
      const [x, y, w, h] = this.view;
      this.zoom(e.deltaY < 0 ? 0.8 : 1.25, x + ((e.clientX - r.left) / r.width) * w, y + ((e.clientY - r.top) / r.height) * h);
    }, { passive: false });
    let drag = null;
    this.svg.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY, ...this.view]; this.svg.setPointerCapture(e.pointerId); });
    this.svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const r = this.svg.getBoundingClientRect();
      const [sx, sy, x, y, w, h] = drag;
      this.setView([x - ((e.clientX - sx) / r.width) * w, y - ((e.clientY - sy) / r.height) * h, w, h]);
    });
    this.svg.addEventListener("pointerup", () => { drag = null; });
  }

  // places: [{latitude, longitude, n_events, n_conflict, location, admin1, country, geo_precision}]
  async show(places, { focus = [] } = {}) {
    await this.ready;
    const focusIds = new Set(focus.map((c) => this.numericOf[c]).filter(Boolean));
    const hit = new Set(places.map((p) => this.numericOf[p.country]).filter(Boolean));
    for (const path of this.land.children) {
      path.classList.toggle("hit", hit.has(path.dataset.id));
      path.classList.toggle("focus", focusIds.has(path.dataset.id));
    }
    this.dots.replaceChildren();
    const ordered = [...places].sort((a, b) => b.n_events - a.n_events);
    for (const p of ordered) {
      const [x, y] = project([p.longitude, p.latitude]);
      const r = 2.5 + 1.6 * Math.sqrt(p.n_events);
      const conflict = p.n_conflict * 2 >= p.n_events;
      const c = el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r, class: `${conflict ? "conflict" : "coop"}${p.geo_precision === "city" ? "" : " ring"}` });
      c.dataset.r = r;
      const where = [p.location, p.admin1, p.country].filter(Boolean).join(", ");
      c.addEventListener("pointerenter", (e) => {
        this.tip.textContent = `${where}: ${p.n_events} event${p.n_events === 1 ? "" : "s"}, ${p.n_conflict} conflictual (${p.geo_precision})`;
        this.tip.hidden = false;
        const r0 = this.container.getBoundingClientRect();
        this.tip.style.left = `${e.clientX - r0.left + 10}px`;
        this.tip.style.top = `${e.clientY - r0.top + 10}px`;
      });
      c.addEventListener("pointerleave", () => { this.tip.hidden = true; });
      this.dots.append(c);
    }
    if (focusIds.size) this.fit(focusIds, places);
    else this.setView(this.view);
  }

  fit(ids, places) {
    let box = null;
    for (const path of this.land.children) {
      if (!ids.has(path.dataset.id)) continue;
      const b = path.getBBox();
      box = box ? [Math.min(box[0], b.x), Math.min(box[1], b.y), Math.max(box[2], b.x + b.width), Math.max(box[3], b.y + b.height)]
        : [b.x, b.y, b.x + b.width, b.y + b.height];
    }
    if (!box) return;
    const pad = 30, w = Math.max(box[2] - box[0] + 2 * pad, 120), h = (w * H) / W;
    const cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    this.setView([cx - w / 2, cy - h / 2, w, h]);
  }
}
