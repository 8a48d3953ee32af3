// The live wall: the cameras the user may watch, grouped by room (考场), each tile playing
// its WHEP stream with the count against the expected count, the camera's state (live,
// reconnecting, lost) and its open alerts. A tap enlarges a camera; a new alert shows a
// toast with its snapshot; the wall can be narrowed to the rooms of one batch (认定批次).

import { AlertBoard, AlertStream, createAnalysisSection, eventLabel, formatPeak } from "../alerts.js";
import { ApiError, apiJson, redirectToLogin } from "../api.js";
import { byId, element, isLocalPath } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { pageError, startPage } from "../components/shell.js";
import { showToast } from "../components/toasts.js";
import { formatTime, hasMessage, t } from "../i18n.js";
import { WhepClient, toRtcConfiguration, whepEndpoint } from "../whep.js";

/** @typedef {import("../alerts.js").CameraState} CameraState */
/** @typedef {import("../alerts.js").EventView} EventView */
/**
 * A camera as /api/cameras lists it.
 * @typedef {object} Camera
 * @property {number} id
 * @property {string} name
 * @property {string} room
 * @property {string} site
 * @property {number} room_id
 * @property {number} site_id
 * @property {{online: boolean, width: number | null, height: number | null, fps: number,
 *             viewers: number, streams: StreamName[]}} live
 * @property {CameraState | null} analysis
 */
/** @typedef {"live" | "reconnecting" | "lost"} CameraStateKind */
/** @typedef {"main" | "sub"} StreamName 主码流 (full size, recorded) or 子码流 (live view) */

const REFRESH_MS = 5000;
const ICE_CONFIG_TTL_MS = 5 * 60 * 1000;

/** @type {Map<number, WhepClient>} cameraId -> its stream */
const sessions = new Map();
/** @type {Map<number, StreamName>} cameraId -> the stream picked on its tile (else the default) */
const picked = new Map();
/** @type {Map<number, StreamName | null>} cameraId -> the stream its session asked for */
const playing = new Map();
/** @type {Map<number, Camera>} cameraId -> latest camera from /api/cameras (shown ones) */
const cameras = new Map();
/** @type {Set<number> | null} the rooms of the chosen batch (null: every room) */
let batchRooms = null;
/**
 * Per new alert: seconds from the sample that confirmed it (server clock, the same machine in
 * tests) to its toast on the page, and milliseconds the page took from the message to the
 * toast. Read by the browser tests.
 * @type {Record<number, {sinceConfirmed: number, drawMs: number}>}
 */
const toastTimes = {};

const wall = byId("wall");
const loading = byId("loading");
const batchFilter = byId("batch-filter", HTMLSelectElement);
let stopped = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;
/** @type {{at: number, configuration: RTCConfiguration | null}} */
let iceCache = { at: 0, configuration: null };

const alertBoard = new AlertBoard({
  shownCameraIds: () => cameras.keys(),
  counter: byId("alert-count"),
  onEvent: toastFor,
  onCamera: renderBadge,
});
const alertStream = new AlertStream({
  onMessage: (message) => {
    const received = performance.now();
    alertBoard.handle(message); // draws the toast of a new alert
    if (message.type === "event" && message.action === "open") {
      toastTimes[message.event.id] = { sinceConfirmed: Date.now() / 1000 - message.at,
                                       drawMs: performance.now() - received };
    }
  },
  onLoginRequired: () => redirectToLogin("/live"),
  onRefused: checkLogin,
  onChange: renderAlertStream,
});
Object.assign(window, { proctorLive: { sessions, alertBoard, alertStream, toastTimes } });

/** @returns {Promise<RTCConfiguration>} from /api/ice-config, cached for a few minutes */
async function getConfiguration() {
  let configuration = iceCache.configuration;
  if (!configuration || Date.now() - iceCache.at > ICE_CONFIG_TTL_MS) {
    configuration = toRtcConfiguration(await apiJson("/api/ice-config"));
    iceCache = { at: Date.now(), configuration };
  }
  return configuration;
}

/**
 * @param {number} cameraId
 * @returns {HTMLElement | null} the tile of a camera, if it is shown
 */
function tileOf(cameraId) {
  return wall.querySelector(`.camera-card[data-camera-id="${cameraId}"]`);
}

/**
 * @param {Camera} camera
 * @returns {string} "考点 · 考场 · 摄像头"
 */
function cameraTitle(camera) {
  return `${t("live.room", { site: camera.site, room: camera.room })} · ${camera.name}`;
}

/**
 * @param {number} cameraId
 * @returns {HTMLVideoElement} a muted, inline, autoplaying video element
 */
function createVideo(cameraId) {
  const video = element("video", "camera-video");
  video.id = `video-${cameraId}`;
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  for (const name of ["muted", "autoplay", "playsinline"]) video.setAttribute(name, "");
  video.addEventListener("playing", () => performance.mark(`video-playing:${cameraId}`),
                         { once: true });
  return video;
}

/**
 * Enlarge a tile over the wall (or put it back with `on` false); Escape or the close button
 * puts it back, and the focus returns to where it was.
 * @param {HTMLElement} tile
 * @param {boolean} on
 */
function enlarge(tile, on) {
  for (const other of wall.querySelectorAll(".camera-card.enlarged")) {
    if (other !== tile) other.classList.remove("enlarged");
  }
  tile.classList.toggle("enlarged", on);
  document.body.classList.toggle("has-enlarged", on);
  const close = /** @type {HTMLButtonElement} */ (tile.querySelector(".close-enlarged"));
  const opener = /** @type {HTMLButtonElement} */ (tile.querySelector(".video-frame"));
  close.hidden = !on;
  opener.setAttribute("aria-expanded", String(on));
  (on ? close : opener).focus();
}

/**
 * @param {Camera} camera
 * @returns {HTMLElement} the (empty) tile of a camera
 */
function createTile(camera) {
  const tile = element("article", "camera-card");
  tile.dataset.cameraId = String(camera.id);
  const head = element("header", "camera-head");
  const badge = element("span", "alert-badge");
  badge.hidden = true;
  head.append(element("h3", "camera-title"), createStreamSwitch(camera.id),
              element("span", "status"), badge);
  const frame = element("button", "video-frame");
  frame.type = "button";
  frame.setAttribute("aria-expanded", "false");
  frame.append(createVideo(camera.id));
  frame.addEventListener("click", () => enlarge(tile, !tile.classList.contains("enlarged")));
  const close = element("button", "secondary close-enlarged", t("live.close"));
  close.type = "button";
  close.hidden = true;
  close.addEventListener("click", () => enlarge(tile, false));
  const error = element("p", "camera-error error");
  error.hidden = true;
  tile.append(head, frame, error, createAnalysisSection(camera.id), close);
  return tile;
}

/**
 * The 主码流/子码流 switch of a tile, shown when the camera publishes both streams.
 * @param {number} cameraId
 * @returns {HTMLElement}
 */
function createStreamSwitch(cameraId) {
  const group = element("div", "stream-switch");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("live.streams.label"));
  group.hidden = true;
  for (const [stream, label] of /** @type {[StreamName, string][]} */ (
    [["main", t("live.streams.main")], ["sub", t("live.streams.sub")]])) {
    const button = element("button", "secondary", label);
    button.type = "button";
    button.dataset.stream = stream;
    button.addEventListener("click", () => pickStream(cameraId, stream));
    group.append(button);
  }
  return group;
}

/**
 * Watch another stream of a camera: its session is replaced by one for `stream`.
 * @param {number} cameraId
 * @param {StreamName} stream
 */
function pickStream(cameraId, stream) {
  const camera = cameras.get(cameraId);
  if (!camera || shownStream(camera) === stream) return;
  picked.set(cameraId, stream);
  sessions.get(cameraId)?.stop();
  startSession(cameraId);
}

/**
 * Move a tile's session to the stream it should show when that changed under it: a sub
 * stream that stalled (no longer listed) or came back (listed, and picked or the default).
 * The switch then always names the stream the tile plays.
 * @param {Camera} camera
 */
function followStreams(camera) {
  const wanted = shownStream(camera);
  if (!wanted || !sessions.has(camera.id) || playing.get(camera.id) === wanted) return;
  sessions.get(camera.id)?.stop();
  startSession(camera.id);
}

/**
 * The stream a tile plays: the one picked while the camera lists it, else the server's
 * default (listed first). A sub stream that stalls while the main stream goes on is no
 * longer listed: the server ends its session, and the tile comes back on the main stream.
 * @param {Camera} camera
 * @returns {StreamName | null}
 */
function shownStream(camera) {
  const choice = picked.get(camera.id);
  return choice && camera.live.streams.includes(choice) ? choice : camera.live.streams[0] ?? null;
}

/**
 * The camera's state as the wall shows it.
 * @param {Camera} camera
 * @param {WhepClient | undefined} client
 * @returns {CameraStateKind}
 */
export function cameraState(camera, client) {
  if (!camera.live.online) return "lost";
  return client && client.state === "connected" ? "live" : "reconnecting";
}

/**
 * @param {WhepClient | undefined} client
 * @returns {string} why the stream is not playing, or "" when it is fine
 */
function errorTextOf(client) {
  if (!client || !client.error || client.state === "connected") return "";
  if (client.state === "retrying") {
    return t("live.retry", { error: client.error, seconds: Math.round(client.retryInMs / 1000) });
  }
  return t("live.retrying", { error: client.error });
}

/**
 * Bring a camera's tile up to date (title, state, error text).
 * @param {number} cameraId
 */
function renderTile(cameraId) {
  const tile = tileOf(cameraId);
  const camera = cameras.get(cameraId);
  if (!tile || !camera) return;
  const client = sessions.get(cameraId);
  const state = cameraState(camera, client);
  /** @type {HTMLElement} */ (tile.querySelector(".camera-title")).textContent = camera.name;
  const badge = /** @type {HTMLElement} */ (tile.querySelector(".status"));
  badge.textContent = t(`camera.state.${state}`);
  badge.dataset.kind = state;
  const { width, height, fps, viewers } = camera.live;
  badge.title = t("live.viewers", { count: viewers, size: width && height ? `${width}×${height}` : "—",
                                    fps: Math.round(fps) });
  tile.dataset.state = client ? client.state : "idle";
  tile.dataset.cameraState = state;
  tile.dataset.online = String(camera.live.online);
  /** @type {HTMLElement} */ (tile.querySelector(".video-frame"))
    .setAttribute("aria-label", t("live.enlarge", { camera: cameraTitle(camera) }));
  const streams = /** @type {HTMLElement} */ (tile.querySelector(".stream-switch"));
  streams.hidden = camera.live.streams.length < 2;
  for (const button of streams.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.stream === shownStream(camera)));
  }
  const error = /** @type {HTMLElement} */ (tile.querySelector(".camera-error"));
  error.textContent = errorTextOf(client);
  error.hidden = !error.textContent;
}

/**
 * The alert badge of a tile: how many alerts are open on the camera.
 * @param {number} cameraId
 */
function renderBadge(cameraId) {
  const tile = tileOf(cameraId);
  if (!tile) return;
  const open = alertBoard.openEvents(cameraId).length;
  const badge = /** @type {HTMLElement} */ (tile.querySelector(".alert-badge"));
  badge.textContent = String(open);
  badge.dataset.count = String(open);
  badge.title = t("live.alertBadge", { count: open });
  badge.setAttribute("aria-label", badge.title);
  badge.hidden = open === 0;
  tile.classList.toggle("alerting", open > 0);
}

/**
 * Toast a new alert (and put its snapshot in when the snapshot arrives).
 * @param {import("../alerts.js").EventAction} action
 * @param {EventView} event
 */
function toastFor(action, event) {
  const camera = cameras.get(event.camera_id);
  const id = `event-${event.id}`;
  if (!camera || action === "close") return;
  if (action === "update" && !document.querySelector(`[data-toast-id="${id}"]`)) return;
  const title = cameraTitle(camera);
  showToast({
    id, kind: event.kind, title: eventLabel(event),
    lines: [title, t("alerts.since", { time: formatTime(event.started_at) }), formatPeak(event.peak)],
    image: isLocalPath(event.snapshot_url) ? event.snapshot_url : null,
    imageAlt: t("alerts.snapshotOf", { camera: title }),
    action: { label: t("toast.show", { camera: camera.name }), run: () => {
      const tile = tileOf(camera.id);
      if (tile) enlarge(tile, true);
    } },
  });
}

/**
 * Start playing a camera into its tile's video element.
 * @param {number} cameraId
 */
function startSession(cameraId) {
  const video = byId(`video-${cameraId}`, HTMLVideoElement);
  const camera = cameras.get(cameraId);
  const stream = camera ? shownStream(camera) : null;
  playing.set(cameraId, stream);
  const client = new WhepClient({
    endpoint: whepEndpoint(cameraId, picked.has(cameraId) ? stream : null),
    getConfiguration,
    onTrack: (stream) => {
      if (video.srcObject !== stream) video.srcObject = stream;
      video.play().catch(() => {}); // autoplay may be refused until the stream has frames
    },
    onChange: () => renderTile(cameraId),
  });
  sessions.set(cameraId, client);
  client.start();
}

/**
 * The section of a room, created in its place (by site, then room name) if missing.
 * @param {Camera} camera
 * @returns {HTMLElement} the grid of the room's tiles
 */
function roomGrid(camera) {
  const key = String(camera.room_id);
  let section = /** @type {HTMLElement | null} */ (wall.querySelector(`.room[data-room-id="${key}"]`));
  if (!section) {
    section = element("section", "room");
    section.dataset.roomId = key;
    section.dataset.sortKey = `${camera.site}\u0000${camera.room}`;
    const heading = element("h2", "room-title", t("live.room", { site: camera.site, room: camera.room }));
    heading.id = `room-${key}`;
    section.setAttribute("aria-labelledby", heading.id);
    section.append(heading, element("div", "camera-grid"));
    const sortKey = section.dataset.sortKey;
    const before = [...wall.querySelectorAll(".room")].find(
      (other) => (/** @type {HTMLElement} */ (other).dataset.sortKey || "") > sortKey) || null;
    wall.insertBefore(section, before);
  }
  return /** @type {HTMLElement} */ (section.querySelector(".camera-grid"));
}

/**
 * Add a camera's tile in its room and start its stream.
 * @param {Camera} camera
 */
function addCamera(camera) {
  roomGrid(camera).append(createTile(camera));
  cameras.set(camera.id, camera);
  renderTile(camera.id);
  alertBoard.offerState(camera.id, camera.analysis);
  alertBoard.showCamera(camera.id);
  renderBadge(camera.id);
  startSession(camera.id);
}

/**
 * Remove a camera that is no longer shown (no longer visible to the user, or filtered out).
 * @param {number} cameraId
 */
function removeCamera(cameraId) {
  sessions.get(cameraId)?.stop();
  sessions.delete(cameraId);
  picked.delete(cameraId);
  playing.delete(cameraId);
  cameras.delete(cameraId);
  const tile = tileOf(cameraId);
  const room = tile?.closest(".room");
  tile?.remove();
  if (room && !room.querySelector(".camera-card")) room.remove();
}

/**
 * Make the wall match the server's camera list (within the chosen batch's rooms) without
 * restarting the streams that stay.
 * @param {Camera[]} list
 */
function syncCameras(list) {
  const shown = list.filter((camera) => !batchRooms || batchRooms.has(camera.room_id));
  const ids = new Set(shown.map((camera) => camera.id));
  for (const cameraId of [...cameras.keys()]) {
    if (!ids.has(cameraId)) removeCamera(cameraId);
  }
  for (const camera of shown) {
    if (cameras.has(camera.id)) {
      cameras.set(camera.id, camera);
      followStreams(camera);
      renderTile(camera.id);
      alertBoard.offerState(camera.id, camera.analysis);
    } else {
      addCamera(camera);
    }
  }
  alertBoard.renderCounter();
  setLoading(loading, false);
  const empty = byId("empty");
  empty.textContent = batchRooms ? t("live.emptyBatch") : t("live.empty");
  empty.hidden = shown.length > 0;
  if (shown.length && !performance.getEntriesByName("wall-tiles").length) {
    performance.mark("wall-tiles");
  }
}

/** Load the camera list, then schedule the next refresh. */
async function refreshCameras() {
  clearTimeout(refreshTimer);
  try {
    syncCameras(await apiJson("/api/cameras"));
    showError(pageError(), "");
    if (!stopped) alertStream.start(); // no-op once started
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      redirectToLogin("/live");
      return;
    }
    showError(pageError(), error, t("live.error.cameras"));
  }
  if (!stopped) refreshTimer = setTimeout(refreshCameras, REFRESH_MS);
}

/**
 * Show whether live alerts are arriving (next to the open-alert count).
 * @param {AlertStream} stream
 */
function renderAlertStream(stream) {
  const note = byId("alert-stream");
  const texts = {
    connecting: t("live.stream.connecting"),
    retrying: t("live.stream.retrying", { seconds: Math.round(stream.retryInMs / 1000) }),
    closed: t("live.stream.closed"),
  };
  note.textContent = stream.state in texts ? texts[/** @type {keyof texts} */ (stream.state)] : "";
  note.title = stream.error;
  byId("alert-summary").dataset.state = stream.state;
}

/**
 * The alerts socket closed before it opened: the server refuses a socket without a valid
 * login that way too, so check the login and go to the login page if it is gone.
 */
async function checkLogin() {
  try {
    await apiJson("/api/auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && !stopped) redirectToLogin("/live");
  }
}

/**
 * Stop refreshing and end every stream.
 * @param {{keepalive?: boolean}} [options]
 */
function stopAll({ keepalive = false } = {}) {
  stopped = true;
  clearTimeout(refreshTimer);
  alertStream.stop();
  return Promise.all([...sessions.values()].map((client) => client.stop({ keepalive })));
}

/**
 * @param {{id: number, occupation_name: string, level: string, state: string}} batch
 * @returns {string} how a batch is named in the filter
 */
function batchLabel(batch) {
  const stateKey = `batch.state.${batch.state}`;
  return `${t("live.batchNumber", { id: batch.id })} · ${t("live.batchOption", {
    occupation: batch.occupation_name, level: batch.level,
    state: hasMessage(stateKey) ? t(stateKey) : batch.state })}`;
}

/** Fill the batch filter with the batches in the user's scope (the wall works without). */
async function loadBatches() {
  try {
    /** @type {{id: number, occupation_name: string, level: string, state: string}[]} */
    const batches = await apiJson("/api/batches");
    for (const batch of batches) {
      const option = element("option", "", batchLabel(batch));
      option.value = String(batch.id);
      batchFilter.append(option);
    }
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) {
      showError(pageError(), error, t("live.error.batches"));
    }
    batchFilter.disabled = true;
  }
}

/** Show only the rooms of the chosen batch (every room for "all"). */
async function onBatchChosen() {
  const id = batchFilter.value;
  batchFilter.disabled = true;
  try {
    if (id) {
      /** @type {{sessions: {rooms: {room_id: number}[]}[]}} */
      const batch = await apiJson(`/api/batches/${encodeURIComponent(id)}`);
      batchRooms = new Set(batch.sessions.flatMap((session) => session.rooms.map((r) => r.room_id)));
    } else {
      batchRooms = null;
    }
    setLoading(loading, true, t("live.loadingCameras"));
    await refreshCameras();
  } catch (error) {
    showError(pageError(), error, t("live.error.batches"));
  } finally {
    batchFilter.disabled = false;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = /** @type {HTMLElement | null} */ (wall.querySelector(".camera-card.enlarged"));
  if (open) enlarge(open, false);
});
window.addEventListener("pagehide", () => stopAll({ keepalive: true }));
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload(); // restored from the back/forward cache
});
batchFilter.addEventListener("change", onBatchChosen);

setLoading(loading, true, t("live.loadingCameras"));
const user = await startPage({ title: "live.title", beforeLogout: () => stopAll() });
if (user) {
  alertBoard.canViewArchive = user.permissions.includes("view_archive");
  await Promise.all([refreshCameras(), loadBatches()]);
} else {
  setLoading(loading, false);
  setTimeout(() => window.location.reload(), REFRESH_MS); // the server could not be asked
}
