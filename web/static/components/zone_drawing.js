// Drawing scene zones: polygons in normalised picture coordinates (0..1, origin top left, as
// proctor.vision.scene keeps them) on an SVG laid over the picture. The SVG's viewBox is the
// picture's size, so the drawing scales with the picture at any width.

/** @typedef {[number, number]} Point */
/**
 * @typedef {object} DrawnZone
 * @property {"seat" | "invigilator"} kind
 * @property {string} name
 * @property {Point[]} points
 * @property {number | null} [people] People in it in the latest analysed sample.
 */

const SVG = "http://www.w3.org/2000/svg";

/**
 * Create an SVG element with attributes.
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
function svgElement(tag, attributes) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/**
 * A value kept within 0..1, rounded to 3 places (a thousandth of the picture).
 * @param {number} value
 * @returns {number}
 */
export function clampShare(value) {
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}

/**
 * Where a pointer event lies on the overlay, in picture shares.
 * @param {SVGSVGElement} overlay
 * @param {{clientX: number, clientY: number}} event
 * @returns {Point}
 */
export function pointAt(overlay, event) {
  const box = overlay.getBoundingClientRect();
  return [clampShare((event.clientX - box.left) / box.width),
    clampShare((event.clientY - box.top) / box.height)];
}

/**
 * The state class of a zone for its count: a seat with one person is fine, empty or crowded
 * is not; the invigilator zone wants somebody.
 * @param {DrawnZone} zone
 * @returns {string}
 */
function countClass(zone) {
  if (zone.people == null) return "";
  if (zone.kind === "invigilator") return zone.people > 0 ? "zone-ok" : "zone-bad";
  return zone.people === 1 ? "zone-ok" : "zone-bad";
}

/**
 * Draw the zones on the overlay: each polygon with its name, the selected one's corners as
 * handles (the selected corner marked).
 * @param {SVGSVGElement} overlay Its viewBox is `0 0 width height` of the picture.
 * @param {DrawnZone[]} zones
 * @param {number | null} selected The selected zone's index.
 * @param {number | null} corner The selected corner's index.
 */
export function drawZones(overlay, zones, selected, corner) {
  const [, , width, height] = overlay.getAttribute("viewBox")?.split(" ").map(Number)
    ?? [0, 0, 1, 1];
  const radius = Math.max(width, height) * 0.012;
  const parts = [];
  for (const [index, zone] of zones.entries()) {
    const points = zone.points.map(([x, y]) => `${x * width},${y * height}`).join(" ");
    const chosen = index === selected;
    const className = `zone zone-${zone.kind} ${countClass(zone)}${chosen ? " zone-selected" : ""}`;
    parts.push(svgElement(zone.points.length > 2 ? "polygon" : "polyline",
      { points, class: className, "vector-effect": "non-scaling-stroke" }));
    if (zone.points.length) {
      const [x, y] = zone.points[0];
      const label = svgElement("text", { x: x * width + radius, y: y * height + radius * 3,
        class: "zone-label", "font-size": radius * 2.6 });
      label.textContent = zone.people == null ? zone.name : `${zone.name}: ${zone.people}`;
      parts.push(label);
    }
    if (!chosen) continue;
    for (const [number, [x, y]] of zone.points.entries()) {
      parts.push(svgElement("circle", { cx: x * width, cy: y * height, r: radius,
        class: `zone-handle${number === corner ? " zone-handle-selected" : ""}`,
        "data-corner": number }));
    }
  }
  overlay.replaceChildren(...parts);
}
