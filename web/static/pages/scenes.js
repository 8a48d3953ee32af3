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
import { ZoneEditor } from "../components/zone_editor.js";
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
const pageError = byId("page-error");
const picture = byId("scenes-picture", HTMLImageElement);
const overlay = /** @type {SVGSVGElement} */ (document.querySelector("svg#scenes-overlay"));
const editor = new ZoneEditor(overlay, (fields) => render(fields));

const state = {
  /** @type {number | null} */ camera: null,
  /** @type {ReturnType<typeof setTimeout> | undefined} */ timer: undefined,
};

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
 * A number input for one coordinate of a corner of the selected zone.
 * @param {Point} point The corner.
 * @param {number} corner Its index.
 * @param {0 | 1} axis
 * @returns {HTMLElement}
 */
function coordinateInput(point, corner, axis) {
  const input = element("input");
  input.type = "number";
  input.min = "0";
  input.max = "1";
  input.step = "0.01";
  input.value = String(point[axis]);
  input.id = `scenes-point-${corner}-${axis ? "y" : "x"}`;
  const label = element("label", "", axis ? t("scenes.y") : t("scenes.x"));
  label.htmlFor = input.id;
  input.addEventListener("change", () => {
    const number = Number(input.value);
    const now = editor.selected()?.points[corner]; // the other coordinate may have changed
    if (!now || !Number.isFinite(number)) return;
    editor.moveCorner(corner, axis ? [now[0], number] : [number, now[1]], false);
  });
  input.addEventListener("focus", () => {
    editor.corner = corner;
    editor.draw();
  });
  const field = element("span", "scene-coordinate");
  field.append(label, input);
  return field;
}

/** Draw the selected zone's name and corners (inputs for each, a remove button). */
function renderZoneFields() {
  const zone = editor.selected();
  byId("scenes-zone").hidden = !zone;
  if (!zone) return;
  byId("scenes-zone-title").textContent = zoneLabel(zone);
  byId("scenes-zone-name", HTMLInputElement).value = zone.name;
  byId("scenes-points").replaceChildren(...zone.points.map((point, corner) => {
    const item = element("li", corner === editor.corner ? "scene-point-selected" : "");
    const remove = element("button", "secondary", "×");
    remove.type = "button";
    remove.setAttribute("aria-label", t("scenes.removePoint", { number: corner + 1 }));
    remove.addEventListener("click", () => editor.removeCorner(corner));
    item.append(coordinateInput(point, corner, 0), coordinateInput(point, corner, 1), remove);
    return item;
  }));
}

/**
 * Draw the zone buttons and the zones (the editor calls this after each change).
 * @param {boolean} [fields] Redraw the corner inputs too (not while a corner is dragged or an
 *     input typed in).
 */
function render(fields = true) {
  const box = byId("scenes-zones");
  box.replaceChildren(...editor.zones.map((zone, index) => {
    const button = element("button", index === editor.zone ? "" : "secondary", zoneLabel(zone));
    button.type = "button";
    button.setAttribute("aria-pressed", String(index === editor.zone));
    button.addEventListener("click", () => editor.select(index));
    return button;
  }));
  if (!editor.zones.length) box.append(element("p", "muted", t("scenes.noZones")));
  byId("scenes-add-invigilator").hidden = editor.zones.some((zone) => zone.kind === "invigilator");
  if (fields) renderZoneFields();
  editor.draw();
}

/**
 * Add a zone named by default and select it, its name ready to be typed.
 * @param {"seat" | "invigilator"} kind
 */
function addZone(kind) {
  const seats = editor.zones.filter((zone) => zone.kind === "seat").length;
  editor.add(kind, kind === "seat" ? t("scenes.seatDefault", { number: seats + 1 })
    : t("scenes.invigilatorDefault"));
  byId("scenes-zone-name", HTMLInputElement).focus();
}

/**
 * The scene as the API takes it, from the zones drawn.
 * @returns {Scene["settings"]}
 */
function settings() {
  const expected = byId("scenes-expected", HTMLInputElement).value;
  /** @param {DrawnZone} zone */
  const asZone = (zone) => ({ name: zone.name, polygon: zone.points });
  const invigilator = editor.zones.find((zone) => zone.kind === "invigilator");
  return {
    expected_headcount: expected === "" ? null : Number(expected),
    seat_zones: editor.zones.filter((zone) => zone.kind === "seat").map(asZone),
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
  editor.draw();
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
    /** @type {DrawnZone[]} */
    const zones = seats.map((zone) => ({ kind: "seat", name: zone.name, points: zone.polygon }));
    if (desk) zones.push({ kind: "invigilator", name: desk.name, points: desk.polygon });
    editor.load(zones);
    showError(pageError, "");
    showReference(scene);
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
    for (const zone of editor.zones) zone.people = counts.get(`${zone.kind}:${zone.name}`) ?? null;
    fillList("scenes-live-zones", found.zones, (zone) => [t("scenes.zoneCount", {
      zone: zoneLabel({ ...zone, points: [] }), people: zone.people })], t("scenes.noLiveZones"));
    editor.draw();
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
  byId("scenes-add-seat").addEventListener("click", () => addZone("seat"));
  byId("scenes-add-invigilator").addEventListener("click", () => addZone("invigilator"));
  byId("scenes-add-point").addEventListener("click", () => {
    const zone = editor.selected();
    const [x, y] = zone?.points[zone.points.length - 1] ?? [0.45, 0.45];
    editor.addCorner([x + 0.05, y + 0.05]);
  });
  byId("scenes-delete-zone").addEventListener("click", () => editor.removeZone());
  byId("scenes-zone-name", HTMLInputElement).addEventListener("input", (event) => {
    const zone = editor.selected();
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
