// Administration page (系统管理): sites (考点), rooms (考场), edge devices and cameras. A
// device's token is shown once, at enrollment or rotation, with a copy button. The page is
// for users with manage_directory; the API refuses everyone else anyway.

import { apiJson } from "../api.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { chosen, fillList, fillSelect, text, wireForm } from "../components/forms.js";
import { formatDateTime, t } from "../i18n.js";

/** @typedef {{id: number, name: string, organisation: string, address: string}} Site */
/** @typedef {{id: number, site_id: number, name: string}} Room */
/**
 * @typedef {object} Device
 * @property {number} id
 * @property {number} site_id
 * @property {string} name
 * @property {boolean} is_active
 * @property {string | null} last_seen_at
 */
/** @typedef {{id: number, room_id: number, device_id: number | null, name: string}} Camera */
/** @typedef {{device: Device, token: string}} Enrolled */
/** @typedef {{day: string, kind: "holiday" | "makeup_workday", name: string}} CalendarDay */
/**
 * @typedef {object} CalendarYear
 * @property {number} year
 * @property {string} source_notice
 * @property {string} entered_by
 * @property {string} entered_at
 * @property {CalendarDay[]} days
 */

const PERMISSION = "manage_directory";
const pageError = byId("page-error");
const loading = byId("admin-loading");

/** What the server has, as last loaded. */
const state = {
  /** @type {Site[]} */ sites: [],
  /** @type {Room[]} */ rooms: [],
  /** @type {Device[]} */ devices: [],
  /** @type {Camera[]} */ cameras: [],
};

/**
 * The name of the row with this id ("#id" if it is not loaded).
 * @param {{id: number, name: string}[]} rows
 * @param {number | null} id
 * @returns {string}
 */
function nameOf(rows, id) {
  return rows.find((row) => row.id === id)?.name ?? `#${id}`;
}

/**
 * What a device's list item shows: its name, site, state, last contact and a rotate button.
 * @param {Device} device
 * @returns {HTMLElement[]}
 */
function deviceParts(device) {
  const seen = device.last_seen_at
    ? t("admin.device.seen", { time: formatDateTime(device.last_seen_at) })
    : t("admin.device.never");
  const active = device.is_active ? t("admin.device.active") : t("admin.device.inactive");
  const rotate = element("button", "secondary", t("admin.token.rotate"));
  rotate.type = "button";
  rotate.dataset.deviceId = String(device.id);
  rotate.setAttribute("aria-label", t("admin.token.rotateNamed", { name: device.name }));
  rotate.addEventListener("click", () => void rotateToken(device));
  return [
    element("strong", "", device.name),
    element("span", "muted", ` · ${nameOf(state.sites, device.site_id)} · ${active} · ${seen} `),
    rotate,
  ];
}

/** Draw the lists and the form choices from `state`. */
function render() {
  const { sites, rooms, devices, cameras } = state;
  fillList("admin-site-list", sites, (site) => [
    element("strong", "", site.name),
    element("span", "muted", [site.organisation, site.address].filter(Boolean)
      .map((part) => ` · ${part}`).join("")),
  ]);
  fillList("admin-room-list", rooms, (room) => [
    element("strong", "", room.name),
    element("span", "muted", ` · ${nameOf(sites, room.site_id)}`),
  ]);
  fillList("admin-device-list", devices, deviceParts);
  fillList("admin-camera-list", cameras, (camera) => [
    element("strong", "", camera.name),
    element("span", "muted", ` · ${nameOf(rooms, camera.room_id)} · ${camera.device_id === null
      ? t("admin.camera.noDevice") : nameOf(devices, camera.device_id)}`),
  ]);
  for (const select of document.querySelectorAll("select.admin-site-select")) {
    fillSelect(/** @type {HTMLSelectElement} */ (select), sites, (site) => site.name);
  }
  fillSelect(byId("admin-camera-room", HTMLSelectElement), rooms,
    (room) => `${nameOf(sites, room.site_id)} · ${room.name}`);
  fillSelect(byId("admin-camera-device", HTMLSelectElement), devices,
    (device) => `${nameOf(sites, device.site_id)} · ${device.name}`, t("admin.camera.noDevice"));
}

/** Load everything from the server and draw it. */
async function load() {
  setLoading(loading, true);
  try {
    const [sites, rooms, devices, cameras] = await Promise.all(
      ["/api/sites", "/api/rooms", "/api/devices", "/api/cameras/all"].map((path) => apiJson(path)));
    Object.assign(state, { sites, rooms, devices, cameras });
    showError(pageError, "");
    render();
  } catch (error) {
    showError(pageError, error, t("admin.error.load"));
  } finally {
    setLoading(loading, false);
    document.body.dataset.loaded = "true"; // for screenshots: the lists are drawn
  }
}

/**
 * Show a device's new token (once) with its copy button.
 * @param {Enrolled} enrolled
 */
function showToken(enrolled) {
  byId("admin-token-for").textContent = t("admin.token.for", { name: enrolled.device.name });
  byId("admin-token-value", HTMLInputElement).value = enrolled.token;
  byId("admin-token-copied").hidden = true;
  const box = byId("admin-token");
  box.hidden = false;
  byId("admin-token-copy").focus();
}

/** Copy the shown token to the clipboard (select it when the browser refuses). */
async function copyToken() {
  const field = byId("admin-token-value", HTMLInputElement);
  try {
    await navigator.clipboard.writeText(field.value);
    byId("admin-token-copied").hidden = false;
  } catch {
    field.select();
    showError(pageError, t("admin.token.copyFailed"));
  }
}

/**
 * Replace a device's token after the user confirms; the old one stops working at once.
 * @param {Device} device
 */
async function rotateToken(device) {
  if (!window.confirm(t("admin.token.rotateConfirm", { name: device.name }))) return;
  try {
    showToken(await apiJson(`/api/devices/${device.id}/rotate-token`, { method: "POST" }));
    await load();
  } catch (error) {
    showError(pageError, error, t("admin.error.rotate"));
  }
}

wireForm("admin-site-form", "/api/sites", () => text("admin-site-name")
  ? { name: text("admin-site-name"), organisation: text("admin-site-organisation"),
      address: text("admin-site-address") }
  : t("admin.error.name"), load);
wireForm("admin-room-form", "/api/rooms", () => {
  if (chosen("admin-room-site") === null) return t("admin.error.site");
  if (!text("admin-room-name")) return t("admin.error.name");
  return { site_id: chosen("admin-room-site"), name: text("admin-room-name") };
}, load);
wireForm("admin-device-form", "/api/devices", () => {
  if (chosen("admin-device-site") === null) return t("admin.error.site");
  if (!text("admin-device-name")) return t("admin.error.name");
  return { site_id: chosen("admin-device-site"), name: text("admin-device-name") };
}, async (enrolled) => { await load(); showToken(enrolled); });
wireForm("admin-camera-form", "/api/cameras", () => {
  if (chosen("admin-camera-room") === null) return t("admin.error.room");
  if (!text("admin-camera-name")) return t("admin.error.name");
  return { room_id: chosen("admin-camera-room"), device_id: chosen("admin-camera-device"),
    name: text("admin-camera-name") };
}, load);

// What a line of the notice's days may say its kind is, in either language.
const KINDS = new Map([["放假", "holiday"], ["holiday", "holiday"], ["上班", "makeup_workday"],
  ["workday", "makeup_workday"]]);

/**
 * The days typed one a line ("2027-02-10 放假 春节"), or what is wrong with the first bad line.
 * @param {string} lines
 * @returns {CalendarDay[] | string}
 */
function parseDays(lines) {
  /** @type {CalendarDay[]} */
  const days = [];
  const rows = lines.split("\n").map((line) => line.trim());
  for (const [index, line] of rows.entries()) {
    if (!line) continue;
    const [day = "", kind = "", ...name] = line.split(/[\s,，]+/);
    const known = KINDS.get(kind.toLowerCase());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !known || !name.length) {
      return t("admin.calendar.badLine", { line: index + 1 });
    }
    days.push({ day, kind: /** @type {CalendarDay["kind"]} */ (known), name: name.join(" ") });
  }
  return days.length ? days : t("admin.calendar.noDays");
}

/**
 * Show an entered year: its notice, who entered it, and its days.
 * @param {CalendarYear} year
 */
function showYear(year) {
  byId("admin-calendar-notice").textContent = t("admin.calendar.entered", {
    year: year.year, notice: year.source_notice, by: year.entered_by,
    at: formatDateTime(year.entered_at) });
  fillList("admin-calendar-days", year.days, (day) => [
    element("strong", "", day.day),
    element("span", "", ` ${day.kind === "holiday" ? t("admin.calendar.holiday")
      : t("admin.calendar.workday")} · ${day.name}`),
  ]);
  byId("admin-calendar-year-view").hidden = false;
}

/** @param {SubmitEvent} event */
async function onShowYear(event) {
  event.preventDefault();
  const errorBox = byId("admin-calendar-show-error");
  const year = byId("admin-calendar-year", HTMLInputElement).value;
  byId("admin-calendar-year-view").hidden = true;
  showError(errorBox, /^\d{4}$/.test(year) ? "" : t("admin.calendar.badYear"));
  if (!errorBox.hidden) return;
  try {
    showYear(await apiJson(`/api/calendar/${year}`));
  } catch (error) {
    showError(errorBox, error);
  }
}

wireForm("admin-calendar-form",
  () => `/api/calendar/${byId("admin-calendar-new-year", HTMLInputElement).value}`, () => {
    if (!/^\d{4}$/.test(byId("admin-calendar-new-year", HTMLInputElement).value)) {
      return t("admin.calendar.badYear");
    }
    if (!text("admin-calendar-source")) return t("admin.calendar.noSource");
    const days = parseDays(byId("admin-calendar-lines", HTMLTextAreaElement).value);
    return typeof days === "string" ? days : { source_notice: text("admin-calendar-source"), days };
  }, showYear);
byId("admin-calendar-show", HTMLFormElement).addEventListener("submit", onShowYear);
byId("admin-calendar-year", HTMLInputElement).value = String(new Date().getFullYear());
byId("admin-token-copy").addEventListener("click", () => void copyToken());

const user = await startPage({ title: "admin.title" });
if (user) {
  if (user.permissions.includes(PERMISSION)) {
    await load();
  } else {
    for (const section of document.querySelectorAll(".admin-section")) {
      /** @type {HTMLElement} */ (section).hidden = true;
    }
    showError(pageError, t("admin.error.forbidden"));
  }
}
