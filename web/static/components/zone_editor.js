// Editing scene zones on the SVG over the picture: which zone and corner are selected, and
// what the mouse and the keyboard do to them. A press on the picture adds a corner to the
// selected zone, a corner can be dragged, arrow keys move the selected corner (Shift: five
// times as far) and Delete removes it. The page draws the rest (lists, inputs) on `changed`.

import { clampShare, drawZones, pointAt } from "./zone_drawing.js";

/** @typedef {import("./zone_drawing.js").DrawnZone} DrawnZone */
/** @typedef {import("./zone_drawing.js").Point} Point */

const STEP = 0.01; // an arrow key moves the selected corner by 1 % of the picture

export class ZoneEditor {
  /**
   * @param {SVGSVGElement} overlay The drawing area (focusable: tabindex="0").
   * @param {(fields: boolean) => void} changed Called after a change; `fields` false while a
   *     corner is being dragged (the page need not redraw its inputs then).
   */
  constructor(overlay, changed) {
    this.overlay = overlay;
    this.changed = changed;
    /** @type {DrawnZone[]} */ this.zones = [];
    /** @type {number | null} */ this.zone = null; // the selected zone's index
    /** @type {number | null} */ this.corner = null; // the selected corner's index
    /** @type {number | null} */ this.dragging = null; // the corner being dragged
    overlay.addEventListener("pointerdown", (event) => this.onPointerDown(event));
    overlay.addEventListener("pointermove", (event) => this.onPointerMove(event));
    overlay.addEventListener("pointerup", () => this.onPointerUp());
    overlay.addEventListener("keydown", (event) => this.onKey(event));
  }

  /** @returns {DrawnZone | undefined} The selected zone. */
  selected() {
    return this.zone === null ? undefined : this.zones[this.zone];
  }

  /**
   * Replace the zones (the first one selected).
   * @param {DrawnZone[]} zones
   */
  load(zones) {
    this.zones = zones;
    this.select(zones.length ? 0 : null);
  }

  /**
   * Select a zone (null: none), no corner.
   * @param {number | null} index
   */
  select(index) {
    this.zone = index;
    this.corner = null;
    this.changed(true);
  }

  /**
   * Add a zone without corners and select it.
   * @param {"seat" | "invigilator"} kind
   * @param {string} name
   */
  add(kind, name) {
    this.zones.push({ kind, name, points: [] });
    this.select(this.zones.length - 1);
  }

  /** Delete the selected zone. */
  removeZone() {
    if (this.zone === null) return;
    this.zones.splice(this.zone, 1);
    this.select(this.zones.length ? 0 : null);
  }

  /**
   * Add a corner to the selected zone, after the selected corner (or at the end), kept
   * within the picture.
   * @param {Point} point
   */
  addCorner(point) {
    const zone = this.selected();
    if (!zone) return;
    const at = this.corner === null ? zone.points.length : this.corner + 1;
    zone.points.splice(at, 0, [clampShare(point[0]), clampShare(point[1])]);
    this.corner = at;
    this.changed(true);
  }

  /**
   * Remove a corner of the selected zone.
   * @param {number} corner
   */
  removeCorner(corner) {
    const zone = this.selected();
    if (!zone) return;
    zone.points.splice(corner, 1);
    this.corner = zone.points.length ? Math.min(corner, zone.points.length - 1) : null;
    this.changed(true);
  }

  /**
   * Put a corner of the selected zone somewhere else (and select it).
   * @param {number} corner
   * @param {Point} point
   * @param {boolean} [fields] Whether the page should redraw its inputs.
   */
  moveCorner(corner, point, fields = true) {
    const zone = this.selected();
    if (!zone) return;
    zone.points[corner] = [clampShare(point[0]), clampShare(point[1])];
    this.corner = corner;
    this.changed(fields);
  }

  /** Draw the zones on the picture. */
  draw() {
    drawZones(this.overlay, this.zones, this.zone, this.corner);
  }

  /** @param {KeyboardEvent} event Arrow keys move the selected corner; Delete removes it. */
  onKey(event) {
    const zone = this.selected();
    if (!zone || this.corner === null) return;
    const step = event.shiftKey ? STEP * 5 : STEP;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step],
      ArrowDown: [0, step] };
    const move = moves[/** @type {keyof typeof moves} */ (event.key)];
    if (move) {
      const [x, y] = zone.points[this.corner];
      this.moveCorner(this.corner, [x + move[0], y + move[1]]);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      this.removeCorner(this.corner);
    } else {
      return;
    }
    event.preventDefault();
  }

  /** @param {PointerEvent} event A press on a corner starts dragging it; elsewhere adds one. */
  onPointerDown(event) {
    const corner = /** @type {Element} */ (event.target).getAttribute("data-corner");
    if (corner !== null) {
      this.corner = this.dragging = Number(corner);
      this.overlay.setPointerCapture(event.pointerId);
      this.changed(true);
    } else {
      this.addCorner(pointAt(this.overlay, event));
    }
    event.preventDefault();
  }

  /** @param {PointerEvent} event */
  onPointerMove(event) {
    if (this.dragging !== null) this.moveCorner(this.dragging, pointAt(this.overlay, event), false);
  }

  /** A drag ends: the page's inputs show where the corner went. */
  onPointerUp() {
    if (this.dragging === null) return;
    this.dragging = null;
    this.changed(true);
  }
}
