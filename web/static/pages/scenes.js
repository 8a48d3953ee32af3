// Scene editor (场景与座位区域): pick a camera, see its reference picture (or make the live
// picture the reference), draw the seat zones and the invigilator zone with the mouse or the
// keyboard (a corner list with inputs; arrow keys move the selected corner), save them, and
// see the latest analysed count in each zone. Saving needs manage_directory; the API refuses
// everyone else.

import { apiFetch, apiJson } from "../api.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { fillList, fillSelect } from "../components/forms.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { clampShare, drawZones, pointAt } from "../components/zone_drawing.js";
import { formatDateTime, formatTime, t } from "../i18n.js";

/** @typedef {import("../components/zone_drawing.js").DrawnZone} DrawnZone */
/** @typedef {import("../components/zone_drawing.js").Point} Point */
/** @typedef {{id: number, name: string, room: string, site: string}} Camera */
/** @typedef {{name: string, polygon: Point[]}} Zone */
/**
 * @typedef {object} Scene
 * @property {{expected_headcount: number | null, seat_zones: Zone[],
 *     invigilator_zone: Zone | null}} settings
 * @property {string | null} reference_source
 * @property {string | null} reference_at
 */
/**
 * @typedef {object} Occupancy
 * @property {boolean} analysed
 * @property {number | null} at
 * @property {number | null} people
 * @property {number | null} expected
 * @property {{name: string, kind: "seat" | "invigilator", people: number}[]} zones
 */

const PERMISSION = "manage_directory";
const LIVE_MS = 3000; // how often the live count is asked for
const STEP = 0.01; // an arrow key moves the selected corner by 1 % of the picture (Shift: 5 %)
const pageError = byId("page-error");
const overlay = /** @type {SVGSVGElement} */ (document.querySelector("svg#scenes-overlay"));
const picture = byId("scenes-picture", HTMLImageElement);

const state = {
  /** @type {number | null} */ camera: null,
  /** @type {DrawnZone[]} */ zones: [],
  /** @type {number | null} */ zone: null, // the selected zone's index
  /** @type {number | null} */ corner: null, // the selected corner's index
  /** @type {number | null} */ dragging: null, // the corner being dragged
  /** @type {ReturnType<typeof setTimeout> | undefined} */ timer: undefined,
};

/** @returns {DrawnZone | undefined} */
function selectedZone() {
  return state.zone === null ? undefined : state.zones[state.zone];
}

/**
 * A zone's label in lists: its kind and name.
 * @param {DrawnZone} zone
 * @returns {string}
 */
function zoneLabel(zone) {
  return zone.kind === "seat" ? t("scenes.seatNamed", { name: zone.name })
    : t("scenes.invigilatorNamed", { name: zone.name });
}

/**
 * A number input for one coordinate of a corner.
 * @param {number} corner
 * @param {0 | 1} axis
 * @param {number} value
 * @returns {HTMLElement}
 */
function coordinateInput(corner, axis, value) {
  const input = element("input");
  input.type = "number";
  input.min = "0";
  input.max = "1";
  input.step = "0.01";
  input.value = String(value);
  input.id = `scenes-point-${corner}-${axis ? "y" : "x"}`;
  const label = element("label", "", axis ? t("scenes.y") : t("scenes.x"));
  label.htmlFor = input.id;
  input.addEventListener("change", () => {
    const zone = selectedZone();
    const number = Number(input.value);
    if (!zone || !Number.isFinite(number)) return;
    zone.points[corner][axis] = clampShare(number);
    state.corner = corner;
    render(false);
  });
  input.addEventListener("focus", () => { state.corner = corner; draw(); });
  const field = element("span", "scene-coordinate");
  field.append(label, input);
  return field;
}

/** Draw the selected zone's name and corners (inputs for each, a remove button). */
function renderZoneFields() {
  const zone = selectedZone();
  byId("scenes-zone").hidden = !zone;
  if (!zone) return;
  byId("scenes-zone-title").textContent = zoneLabel(zone);
  byId("scenes-zone-name", HTMLInputElement).value = zone.name;
  const list = byId("scenes-points");
  list.replaceChildren(...zone.points.map(([x, y], corner) => {
    const item = element("li", corner === state.corner ? "scene-point-selected" : "");
    const remove = element("button", "secondary", "×");
    remove.type = "button";
    remove.setAttribute("aria-label", t("scenes.removePoint", { number: corner + 1 }));
    remove.addEventListener("click", () => {
      zone.points.splice(corner, 1);
      state.corner = zone.points.length ? Math.min(corner, zone.points.length - 1) : null;
      render();
    });
    item.append(coordinateInput(corner, 0, x), coordinateInput(corner, 1, y), remove);
    return item;
  }));
}

/** Draw the zones on the picture. */
function draw() {
  drawZones(overlay, state.zones, state.zone, state.corner);
}

/**
 * Draw everything from `state`.
 * @param {boolean} [fields] Redraw the corner inputs too (not while one is being typed in).
 */
function render(fields = true) {
  const box = byId("scenes-zones");
  box.replaceChildren(...state.zones.map((zone, index) => {
    const button = element("button", index === state.zone ? "" : "secondary", zoneLabel(zone));
    button.type = "button";
    button.setAttribute("aria-pressed", String(index === state.zone));
    button.addEventListener("click", () => {
      state.zone = index;
      state.corner = null;
      render();
    });
    return button;
  }));
  if (!state.zones.length) box.append(element("p", "muted", t("scenes.noZones")));
  byId("scenes-add-invigilator").hidden = state.zones.some((zone) => zone.kind === "invigilator");
  if (fields) renderZoneFields();
  draw();
}

/**
 * Add a zone and select it (its corners come from clicks or "add a corner").
 * @param {"seat" | "invigilator"} kind
 */
function addZone(kind) {
  const seats = state.zones.filter((zone) => zone.kind === "seat").length;
  const name = kind === "seat" ? t("scenes.seatDefault", { number: seats + 1 })
    : t("scenes.invigilatorDefault");
  state.zones.push({ kind, name, points: [] });
  state.zone = state.zones.length - 1;
  state.corner = null;
  render();
  byId("scenes-zone-name", HTMLInputElement).focus();
}

/**
 * Add a corner to the selected zone (after the selected corner, or at the end).
 * @param {Point} point
 */
function addCorner(point) {
  const zone = selectedZone();
  if (!zone) return;
  const at = state.corner === null ? zone.points.length : state.corner + 1;
  zone.points.splice(at, 0, point);
  state.corner = at;
  render();
}

/**
 * Arrow keys move the selected corner; Delete removes it.
 * @param {KeyboardEvent} event
 */
function onKey(event) {
  const zone = selectedZone();
  if (!zone || state.corner === null) return;
  const step = event.shiftKey ? STEP * 5 : STEP;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step],
    ArrowDown: [0, step] };
  const move = moves[/** @type {keyof typeof moves} */ (event.key)];
  if (move) {
    const [x, y] = zone.points[state.corner];
    zone.points[state.corner] = [clampShare(x + move[0]), clampShare(y + move[1])];
  } else if (event.key === "Delete" || event.key === "Backspace") {
    zone.points.splice(state.corner, 1);
    state.corner = zone.points.length ? Math.min(state.corner, zone.points.length - 1) : null;
  } else {
    return;
  }
  event.preventDefault();
  render();
}

/** @param {PointerEvent} event A press on a corner starts dragging it; elsewhere adds one. */
function onPointerDown(event) {
  const corner = /** @type {Element} */ (event.target).getAttribute("data-corner");
  if (corner !== null) {
    state.corner = state.dragging = Number(corner);
    overlay.setPointerCapture(event.pointerId);
    render();
  } else {
    addCorner(pointAt(overlay, event));
  }
  event.preventDefault();
}

/** @param {PointerEvent} event */
function onPointerMove(event) {
  const zone = selectedZone();
  if (!zone || state.dragging === null) return;
  zone.points[state.dragging] = pointAt(overlay, event);
  draw();
}

/** A drag ends: the corner inputs show where it went. */
function onPointerUp() {
  if (state.dragging === null) return;
  state.dragging = null;
  renderZoneFields();
}

/**
 * The scene as the API takes it, from the zones drawn.
 * @returns {Scene["settings"]}
 */
function settings() {
  const expected = byId("scenes-expected", HTMLInputElement).value;
  /** @param {DrawnZone} zone */
  const asZone = (zone) => ({ name: zone.name, polygon: zone.points });
  const invigilator = state.zones.find((zone) => zone.kind === "invigilator");
  return {
    expected_headcount: expected === "" ? null : Number(expected),
    seat_zones: state.zones.filter((zone) => zone.kind === "seat").map(asZone),
    invigilator_zone: invigilator ? asZone(invigilator) : null,
  };
}

/**
 * Show a camera's reference picture (or the blank stage without one).
 * @param {Scene} scene
 */
function showReference(scene) {
  const source = scene.reference_source;
  byId("scenes-reference").textContent = source && source !== "none" && scene.reference_at
    ? t("scenes.referenceFrom", { source: source === "operator" ? t("scenes.source.operator")
      : t("scenes.source.auto"), at: formatDateTime(scene.reference_at) })
    : t("scenes.noReference");
  picture.hidden = true;
  byId("scenes-blank").hidden = false;
  overlay.setAttribute("viewBox", "0 0 1600 900");
  picture.src = `/api/cameras/${state.camera}/scene/reference.jpg?at=${Date.now()}`;
}

/** The picture loaded: the overlay takes its size. */
function onPictureLoad() {
  picture.hidden = false;
  byId("scenes-blank").hidden = true;
  overlay.setAttribute("viewBox", `0 0 ${picture.naturalWidth} ${picture.naturalHeight}`);
  draw();
}

/** Load the chosen camera's scene and draw it. */
async function loadScene() {
  const camera = byId("scenes-camera", HTMLSelectElement).value;
  state.camera = camera ? Number(camera) : null;
  byId("scenes-editor").hidden = state.camera === null;
  if (state.camera === null) return;
  const loading = byId("scenes-loading");
  setLoading(loading, true);
  try {
    const scene = /** @type {Scene} */ (await apiJson(`/api/cameras/${state.camera}/scene`));
    const { expected_headcount: expected, seat_zones: seats, invigilator_zone: desk } =
      scene.settings;
    byId("scenes-expected", HTMLInputElement).value = expected === null ? "" : String(expected);
    state.zones = seats.map((zone) => ({ kind: "seat", name: zone.name, points: zone.polygon }));
    if (desk) state.zones.push({ kind: "invigilator", name: desk.name, points: desk.polygon });
    state.zone = state.zones.length ? 0 : null;
    state.corner = null;
    showError(pageError, "");
    showReference(scene);
    render();
    await showLive();
  } catch (error) {
    showError(pageError, error, t("scenes.error.load"));
  } finally {
    setLoading(loading, false);
    document.body.dataset.loaded = "true"; // for screenshots and tests: the scene is drawn
  }
}

/** Ask for the live count against the zones, show it, and ask again in a while. */
async function showLive() {
  clearTimeout(state.timer);
  const camera = state.camera;
  if (camera === null) return;
  try {
    const found = /** @type {Occupancy} */ (await apiJson(`/api/cameras/${camera}/scene/occupancy`));
    if (camera !== state.camera) return;
    byId("scenes-live").textContent = found.analysed && found.at !== null
      ? t("scenes.liveCount", { people: found.people ?? 0,
        expected: found.expected ?? t("scenes.noExpected"),
        time: formatTime(new Date(found.at * 1000).toISOString()) })
      : t("scenes.notAnalysed");
    const counts = new Map(found.zones.map((zone) => [`${zone.kind}:${zone.name}`, zone.people]));
    for (const zone of state.zones) zone.people = counts.get(`${zone.kind}:${zone.name}`) ?? null;
    fillList("scenes-live-zones", found.zones, (zone) => [t("scenes.zoneCount", {
      zone: zoneLabel({ ...zone, points: [] }), people: zone.people })], t("scenes.noLiveZones"));
    draw();
  } catch (error) {
    byId("scenes-live").textContent = "";
    showError(pageError, error, t("scenes.error.live"));
  }
  state.timer = setTimeout(() => void showLive(), LIVE_MS);
}

/**
 * Set the reference picture: the body given, or with none the camera's live picture.
 * @param {Blob | null} body
 */
async function putReference(body) {
  const errorBox = byId("scenes-reference-error");
  showError(errorBox, "");
  try {
    await apiFetch(`/api/cameras/${state.camera}/scene/reference`, { method: "PUT",
      body: body ?? "", headers: body ? { "Content-Type": body.type } : {} });
    showReference(await apiJson(`/api/cameras/${state.camera}/scene`));
  } catch (error) {
    showError(errorBox, error);
  }
}

/** @param {SubmitEvent} event Save the scene; the server's reasons shown as they come. */
async function onSave(event) {
  event.preventDefault();
  const errorBox = byId("scenes-form-error");
  const saved = byId("scenes-saved");
  saved.hidden = true;
  showError(errorBox, "");
  const button = /** @type {HTMLButtonElement} */ (byId("scenes-form").querySelector("button[type=submit]"));
  button.disabled = true;
  try {
    await apiJson(`/api/cameras/${state.camera}/scene`, { method: "PUT", body: settings() });
    saved.hidden = false;
  } catch (error) {
    showError(errorBox, error, t("scenes.error.save"));
  } finally {
    button.disabled = false;
  }
}

/**
 * Start the editor for a user who may change scenes.
 * @param {Camera[]} cameras
 */
async function start(cameras) {
  const select = byId("scenes-camera", HTMLSelectElement);
  fillSelect(select, cameras, (camera) => `${camera.site} · ${camera.room} · ${camera.name}`,
    cameras.length ? undefined : t("scenes.noCameras"));
  const wanted = new URLSearchParams(window.location.search).get("camera");
  if (wanted && cameras.some((camera) => String(camera.id) === wanted)) select.value = wanted;
  select.addEventListener("change", () => void loadScene());
  picture.addEventListener("load", onPictureLoad);
  overlay.addEventListener("pointerdown", onPointerDown);
  overlay.addEventListener("pointermove", onPointerMove);
  overlay.addEventListener("pointerup", onPointerUp);
  overlay.addEventListener("keydown", onKey);
  byId("scenes-add-seat").addEventListener("click", () => addZone("seat"));
  byId("scenes-add-invigilator").addEventListener("click", () => addZone("invigilator"));
  byId("scenes-add-point").addEventListener("click", () => {
    const zone = selectedZone();
    const last = zone?.points[zone.points.length - 1] ?? [0.45, 0.45];
    addCorner([clampShare(last[0] + 0.05), clampShare(last[1] + 0.05)]);
  });
  byId("scenes-delete-zone").addEventListener("click", () => {
    if (state.zone === null) return;
    state.zones.splice(state.zone, 1);
    state.zone = state.zones.length ? 0 : null;
    state.corner = null;
    render();
  });
  byId("scenes-zone-name", HTMLInputElement).addEventListener("input", (event) => {
    const zone = selectedZone();
    if (!zone) return;
    zone.name = /** @type {HTMLInputElement} */ (event.target).value.trim();
    render(false);
    byId("scenes-zone-title").textContent = zoneLabel(zone);
  });
  byId("scenes-capture").addEventListener("click", () => void putReference(null));
  byId("scenes-upload", HTMLInputElement).addEventListener("change", (event) => {
    const file = /** @type {HTMLInputElement} */ (event.target).files?.[0];
    if (file) void putReference(file);
  });
  byId("scenes-form", HTMLFormElement).addEventListener("submit", (event) => void onSave(event));
  await loadScene();
}

const user = await startPage({ title: "scenes.title" });
if (user) {
  if (user.permissions.includes(PERMISSION)) {
    try {
      await start(await apiJson("/api/cameras"));
    } catch (error) {
      showError(pageError, error, t("scenes.error.load"));
    }
  } else {
    for (const section of document.querySelectorAll(".admin-section")) {
      /** @type {HTMLElement} */ (section).hidden = true;
    }
    showError(pageError, t("scenes.error.forbidden"));
  }
}
