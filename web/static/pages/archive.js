// Archive page (录像回放): find a camera's footage by region (the district of the site's
// organisation), 认定批次 (its sessions' rooms and times), site, room, camera and time, see the
// coverage and its gaps, play any range to the second, download it or export an evidence
// package with progress, and place or lift legal holds. The server audits every clip and export.
// The page's state is in its address (?camera=&from=&to=, epoch ms), so a link can open a clip.

import { apiFetch, apiJson } from "../api.js";
import { beijingMs as toMs, showBeijing as showMs } from "../components/beijing.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { formatDateTime, t } from "../i18n.js";

/**
 * @typedef {object} Camera A camera from /api/cameras.
 * @property {number} id
 * @property {string} name
 * @property {string} room
 * @property {string} site
 * @property {number} room_id
 * @property {number} site_id
 * @property {string | null} region_code The district of the site's organisation.
 * @property {string | null} region Its name.
 */
/**
 * @typedef {object} BatchListed A batch from /api/batches.
 * @property {number} id
 * @property {string} occupation_name
 * @property {string} level
 */
/**
 * @typedef {object} BatchSessions /api/batches/{id}: its sessions' windows and rooms.
 * @property {{starts_at: string, ends_at: string, rooms: {room_id: number}[]}[]} sessions
 */
/**
 * @typedef {object} Coverage /api/cameras/{id}/coverage.
 * @property {number} start_ms
 * @property {number} end_ms
 * @property {number} recorded_ms
 * @property {[number, number][]} intervals
 * @property {[number, number][]} gaps
 */
/**
 * @typedef {object} Hold A legal hold.
 * @property {number} id
 * @property {number} from_ms
 * @property {number} to_ms
 * @property {string} reason
 * @property {string} placed_by
 * @property {string | null} lifted_at
 */
/** @typedef {{camera: number, from: number, to: number}} Range */

const DEFAULT_SPAN_MS = 3600_000;

const regionSelect = byId("archive-region", HTMLSelectElement);
const batchSelect = byId("archive-batch", HTMLSelectElement);
const siteSelect = byId("archive-site", HTMLSelectElement);
const roomSelect = byId("archive-room", HTMLSelectElement);
const cameraSelect = byId("archive-camera", HTMLSelectElement);
const fromDate = byId("archive-from", HTMLInputElement);
const fromTime = byId("archive-from-time", HTMLInputElement);
const toDate = byId("archive-to", HTMLInputElement);
const toTime = byId("archive-to-time", HTMLInputElement);
const searchButton = byId("archive-search-button", HTMLButtonElement);
const loading = byId("archive-loading");
const errorBox = byId("archive-error");
const result = byId("archive-result");
const bar = byId("archive-bar");
const video = byId("archive-video", HTMLVideoElement);
const scrub = byId("archive-scrub", HTMLInputElement);
const at = byId("archive-at", HTMLOutputElement);
const download = byId("archive-download", HTMLAnchorElement);
const reason = byId("archive-reason", HTMLInputElement);
const exportButton = byId("archive-export", HTMLButtonElement);
const holdButton = byId("archive-hold", HTMLButtonElement);
const progress = byId("archive-progress", HTMLProgressElement);
const exportStatus = byId("archive-export-status");
const holdList = byId("archive-holds");

/** @type {Camera[]} */
let cameras = [];
/** @type {Range | null} */
let shown = null;
/** @type {Set<number> | null} the rooms of the chosen batch's sessions (null: any room) */
let batchRooms = null;

/**
 * Fill a select with options, keeping the first (the "all" option) if asked.
 * @param {HTMLSelectElement} select
 * @param {[string, string][]} options value and label
 * @param {boolean} keepFirst
 */
function fillSelect(select, options, keepFirst) {
  const first = keepFirst ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(...first, ...options.map(([value, label]) => {
    const option = element("option", "", label);
    option.value = value;
    return option;
  }));
}

/**
 * Fill a filter's select ("all" first), keeping its choice while it is still offered.
 * @param {HTMLSelectElement} select
 * @param {Map<string, string>} options value -> label
 */
function fillFilter(select, options) {
  const chosen = select.value;
  fillSelect(select, [...options], true);
  select.value = options.has(chosen) ? chosen : "";
}

/** The sites, rooms and cameras the filters allow (region, then batch, site and room). */
function refreshFilters() {
  const region = regionSelect.value;
  const near = cameras.filter((camera) => (!region || camera.region_code === region)
    && (!batchRooms || batchRooms.has(camera.room_id)));
  fillFilter(siteSelect, new Map(near.map((camera) => [String(camera.site_id), camera.site])));
  const site = siteSelect.value;
  const atSite = near.filter((camera) => !site || String(camera.site_id) === site);
  fillFilter(roomSelect, new Map(atSite.map((camera) => [String(camera.room_id), camera.room])));
  const chosen = cameraSelect.value;
  const matching = atSite.filter((camera) => !roomSelect.value
    || String(camera.room_id) === roomSelect.value);
  fillSelect(cameraSelect, matching.map((camera) => [String(camera.id),
    t("archive.cameraName", { camera: camera.name, room: camera.room, site: camera.site })]), false);
  if (matching.some((camera) => String(camera.id) === chosen)) cameraSelect.value = chosen;
}

/** Narrow the search to the chosen batch: its sessions' rooms, and from its first session's
 * start to its last one's end. */
async function chooseBatch() {
  batchRooms = null;
  const id = batchSelect.value;
  if (id) {
    setLoading(loading, true);
    try {
      const batch = /** @type {BatchSessions} */ (await apiJson(`/api/batches/${id}`));
      batchRooms = new Set(batch.sessions.flatMap((s) => s.rooms.map((room) => room.room_id)));
      const starts = batch.sessions.map((s) => Date.parse(s.starts_at));
      const ends = batch.sessions.map((s) => Date.parse(s.ends_at));
      if (starts.length) {
        showMs(Math.min(...starts), fromDate, fromTime);
        showMs(Math.max(...ends), toDate, toTime);
      }
      showError(errorBox, batchRooms.size ? "" : t("archive.error.batchRooms"));
    } catch (error) {
      showError(errorBox, error, t("archive.error.batch"));
    } finally {
      setLoading(loading, false);
    }
  }
  refreshFilters();
}

/** @returns {Range | string} The range asked for, or what is wrong with the form. */
function askedRange() {
  const camera = Number(cameraSelect.value);
  const from = toMs(fromDate, fromTime);
  const to = toMs(toDate, toTime);
  if (!camera) return t("archive.error.camera");
  if (Number.isNaN(from) || Number.isNaN(to)) return t("archive.error.time");
  if (to <= from) return t("archive.error.order");
  return { camera, from, to };
}

/**
 * A clip's address.
 * @param {Range} range
 * @param {boolean} asFile
 */
function clipUrl(range, asFile) {
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to) });
  if (asFile) query.set("download", "true");
  return `/api/cameras/${range.camera}/clip.mp4?${query}`;
}

/**
 * Draw the coverage bar: recorded spans and gaps over the window, each a share of its width.
 * @param {Coverage} coverage
 */
function drawCoverage(coverage) {
  const span = coverage.end_ms - coverage.start_ms;
  /** @param {[number, number]} part @param {string} kind */
  const piece = ([start, end], kind) => {
    const node = element("span", `coverage-${kind}`);
    node.style.left = `${((start - coverage.start_ms) / span) * 100}%`;
    node.style.width = `${((end - start) / span) * 100}%`;
    return node;
  };
  bar.replaceChildren(...coverage.intervals.map((part) => piece(part, "recorded")),
    ...coverage.gaps.map((part) => piece(part, "gap")));
  const percent = Math.round((coverage.recorded_ms / span) * 1000) / 10;
  const summary = t("archive.recorded", { percent, gaps: coverage.gaps.length });
  byId("archive-coverage-summary").textContent = summary;
  bar.setAttribute("aria-label", summary);
  byId("archive-gaps").replaceChildren(...coverage.gaps.map(([start, end]) => element("li", "",
    t("archive.gap", { from: formatDateTime(start), to: formatDateTime(end),
      seconds: Math.round((end - start) / 1000) }))));
}

/** Show where the player is, to the second, in Beijing time. */
function showPosition() {
  if (!shown) return;
  scrub.value = String(Math.floor(video.currentTime));
  at.textContent = formatDateTime(shown.from + Math.floor(video.currentTime) * 1000);
}

/**
 * Load the coverage and the player for a range.
 * @param {Range} range
 */
async function show(range) {
  setLoading(loading, true);
  searchButton.disabled = true;
  showError(errorBox, "");
  try {
    const query = new URLSearchParams({ from: String(range.from), to: String(range.to) });
    /** @type {Coverage} */
    const coverage = await apiJson(`/api/cameras/${range.camera}/coverage?${query}`);
    shown = range;
    history.replaceState(null, "", `/archive?camera=${range.camera}&${query}`);
    drawCoverage(coverage);
    scrub.max = String(Math.round((range.to - range.from) / 1000));
    video.src = clipUrl(range, false);
    download.href = clipUrl(range, true);
    result.hidden = false;
    showPosition();
    if (!holdList.closest("[hidden]")) await loadHolds();
  } catch (error) {
    showError(errorBox, error, t("archive.error.load"));
  } finally {
    setLoading(loading, false);
    searchButton.disabled = false;
  }
}

/** The camera's legal holds, each active one with its lift button. */
async function loadHolds() {
  if (!shown) return;
  /** @type {Hold[]} */
  const holds = await apiJson(`/api/cameras/${shown.camera}/legal-holds`);
  byId("archive-holds-empty").hidden = holds.length > 0;
  holdList.replaceChildren(...holds.map((hold) => {
    const words = { from: formatDateTime(hold.from_ms), to: formatDateTime(hold.to_ms),
      reason: hold.reason };
    const item = element("li", "archive-hold", hold.lifted_at
      ? t("archive.holdLifted", words) : t("archive.holdActive", words));
    item.dataset.holdId = String(hold.id);
    if (!hold.lifted_at) {
      const lift = element("button", "secondary", t("archive.liftHold"));
      lift.type = "button";
      lift.addEventListener("click", () => void liftHold(hold.id, lift));
      item.append(" ", lift);
    }
    return item;
  }));
}

/**
 * Lift a hold (the server keeps footage still under another one).
 * @param {number} id
 * @param {HTMLButtonElement} button
 */
async function liftHold(id, button) {
  button.disabled = true;
  try {
    await apiJson(`/api/legal-holds/${id}`, { method: "DELETE" });
    await loadHolds();
  } catch (error) {
    showError(errorBox, error, t("archive.error.hold"));
    button.disabled = false;
  }
}

/** The reason field's value, or null after saying what is missing. */
function givenReason() {
  const text = reason.value.trim();
  if (text.length >= 3) return text;
  showError(errorBox, t("archive.error.reason"));
  reason.focus();
  return null;
}

/** Place a hold over the range shown. */
async function placeHold() {
  const text = givenReason();
  if (!shown || text === null) return;
  holdButton.disabled = true;
  showError(errorBox, "");
  try {
    await apiJson(`/api/cameras/${shown.camera}/legal-holds`, { method: "POST",
      body: { from_ms: shown.from, to_ms: shown.to, reason: text } });
    await loadHolds();
  } catch (error) {
    showError(errorBox, error, t("archive.error.hold"));
  } finally {
    holdButton.disabled = false;
  }
}

/**
 * Read a response body, showing the share received.
 * @param {Response} response
 * @returns {Promise<Blob>}
 */
async function readWithProgress(response) {
  const total = Number(response.headers.get("Content-Length")) || 0;
  const reader = response.body?.getReader();
  if (!reader) return response.blob();
  /** @type {BlobPart[]} */
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(/** @type {Uint8Array<ArrayBuffer>} */ (value));
    received += value.length;
    if (total) progress.value = received / total;
    exportStatus.textContent = t("archive.received", { kb: Math.round(received / 1024) });
  }
  return new Blob(chunks, { type: "application/zip" });
}

/** @param {SubmitEvent} event Export an evidence package of the range shown. */
async function exportPackage(event) {
  event.preventDefault();
  const text = givenReason();
  if (!shown || text === null) return;
  exportButton.disabled = true;
  showError(errorBox, "");
  progress.hidden = false;
  progress.removeAttribute("value"); // indeterminate while the server writes the package
  exportStatus.textContent = t("archive.preparing");
  try {
    const response = await apiFetch(`/api/cameras/${shown.camera}/evidence`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from_ms: shown.from, to_ms: shown.to, reason: text }) });
    const blob = await readWithProgress(response);
    const link = element("a");
    link.href = URL.createObjectURL(blob);
    link.download = `evidence-camera${shown.camera}-${shown.from}-${shown.to}.zip`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    progress.value = 1;
    exportStatus.textContent = t("archive.exported", { kb: Math.round(blob.size / 1024) });
  } catch (error) {
    progress.hidden = true;
    exportStatus.textContent = "";
    showError(errorBox, error, t("archive.error.export"));
  } finally {
    exportButton.disabled = false;
  }
}

/** @param {SubmitEvent} event */
function onSearch(event) {
  event.preventDefault();
  const range = askedRange();
  if (typeof range === "string") showError(errorBox, range);
  else void show(range);
}

/** Seek the player to the place clicked on the coverage bar. @param {MouseEvent} event */
function onBarClick(event) {
  if (!shown) return;
  const box = bar.getBoundingClientRect();
  video.currentTime = ((event.clientX - box.left) / box.width) * (shown.to - shown.from) / 1000;
}

const user = await startPage({ title: "archive.title" });
if (user) {
  for (const node of document.querySelectorAll("[data-permission]")) {
    if (node instanceof HTMLElement) {
      node.hidden = !user.permissions.includes(node.dataset.permission || "");
    }
  }
  const params = new URLSearchParams(window.location.search);
  const now = Date.now();
  const from = Number(params.get("from")) || now - DEFAULT_SPAN_MS;
  showMs(from, fromDate, fromTime);
  showMs(Number(params.get("to")) || from + DEFAULT_SPAN_MS, toDate, toTime);
  setLoading(loading, true);
  try {
    const batchList = apiJson("/api/batches");
    cameras = await apiJson("/api/cameras");
    fillFilter(regionSelect, new Map(cameras.flatMap((camera) => (camera.region_code
      ? [[camera.region_code, camera.region || camera.region_code]] : []))));
    const batches = /** @type {BatchListed[]} */ (await batchList);
    fillFilter(batchSelect, new Map(batches.map((batch) => [String(batch.id),
      t("archive.batchName", { id: batch.id, occupation: batch.occupation_name, level: batch.level })])));
    refreshFilters();
    const wanted = params.get("camera");
    if (wanted && cameras.some((camera) => String(camera.id) === wanted)) {
      cameraSelect.value = wanted;
    }
    document.body.dataset.cameras = String(cameras.length);
  } catch (error) {
    showError(errorBox, error, t("archive.error.cameras"));
  } finally {
    setLoading(loading, false);
  }
  regionSelect.addEventListener("change", refreshFilters);
  batchSelect.addEventListener("change", () => void chooseBatch());
  siteSelect.addEventListener("change", refreshFilters);
  roomSelect.addEventListener("change", refreshFilters);
  byId("archive-search", HTMLFormElement).addEventListener("submit", onSearch);
  byId("archive-evidence", HTMLFormElement).addEventListener("submit", exportPackage);
  holdButton.addEventListener("click", () => void placeHold());
  video.addEventListener("timeupdate", showPosition);
  scrub.addEventListener("input", () => { video.currentTime = Number(scrub.value); });
  bar.addEventListener("click", onBarClick);
  if (params.get("camera") && cameraSelect.value) {
    const range = askedRange();
    if (typeof range !== "string") await show(range);
  }
}
