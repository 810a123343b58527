// Small DOM and formatting helpers shared by the console's views.

export const RANK = { critical: 3, warning: 2, info: 1 };

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

export function ago(iso) {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 60) return "just now";
  const units = [[60, "min"], [3600, "h"], [86400, "d"], [2592000, "mo"], [31536000, "y"]];
  let label = "";
  for (const [size, unit] of units) if (s >= size) label = `${Math.floor(s / size)} ${unit}`;
  return `${label} ago`;
}
export const utc = (iso) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "");
export const kindLabel = { interstate: "interstate", intrastate: "intrastate", one_sided: "one-sided" };
