// Live console: one card per visible camera, each playing its WHEP stream, with the
// camera's person count and open alerts from the live analysis.

import { AlertBoard, AlertStream, createAnalysisSection } from "./alerts.js";
import { apiFetch, apiJson, redirectToLogin } from "./api.js";
import { WhepClient, toRtcConfiguration } from "./whep.js";

const REFRESH_MS = 5000;
const ICE_CONFIG_TTL_MS = 5 * 60 * 1000;

/** cameraId -> WhepClient (each has live `pc` and `state` fields). */
const sessions = new Map();
/** cameraId -> latest camera JSON from /api/cameras. */
const cameras = new Map();
/** Counts and open alerts, shown in the cards; fed by `alertStream` and the camera list. */
const alertBoard = new AlertBoard({
  shownCameraIds: () => cameras.keys(),
  counter: document.getElementById("alert-count"),
});
/** The live alerts WebSocket, started once the cameras are loaded. */
const alertStream = new AlertStream({
  onMessage: (message) => alertBoard.handle(message),
  onLoginRequired: () => redirectToLogin("/live"),
  onRefused: checkLogin,
  onChange: renderAlertStream,
});
window.proctorLive = { sessions, alertBoard, alertStream };

const grid = document.getElementById("camera-grid");
let stopped = false;
let refreshTimer = null;
let iceCache = { at: 0, configuration: null };

/** Show (or clear, with "") the page-level error banner. */
function showPageError(message) {
  const banner = document.getElementById("page-error");
  banner.textContent = message;
  banner.hidden = !message;
}

/** The RTCConfiguration from /api/ice-config, cached for a few minutes. */
async function getConfiguration() {
  if (!iceCache.configuration || Date.now() - iceCache.at > ICE_CONFIG_TTL_MS) {
    const configuration = toRtcConfiguration(await apiJson("/api/ice-config"));
    iceCache = { at: Date.now(), configuration };
  }
  return iceCache.configuration;
}

/** Create an element with a class name and optional text. */
function element(tag, className, text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** The card of a camera, if it is shown. */
function cardOf(cameraId) {
  return grid.querySelector(`.camera-card[data-camera-id="${cameraId}"]`);
}

/** "site / room / camera" */
function cameraTitle(camera) {
  return `${camera.site} / ${camera.room} / ${camera.name}`;
}

/** A muted, inline, autoplaying video element for a camera. */
function createVideo(cameraId) {
  const video = element("video", "camera-video");
  video.id = `video-${cameraId}`;
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  for (const name of ["muted", "autoplay", "playsinline"]) video.setAttribute(name, "");
  return video;
}

/** Build the (empty) card of a camera. */
function createCard(camera) {
  const card = element("article", "camera-card");
  card.dataset.cameraId = String(camera.id);
  const head = element("header", "camera-head");
  head.append(element("h2", "camera-title"), element("span", "status"));
  const frame = element("div", "video-frame");
  frame.append(createVideo(camera.id));
  const error = element("p", "camera-error error");
  error.hidden = true;
  card.append(head, frame, error, createAnalysisSection(camera.id));
  return card;
}

/** Badge text and kind for a camera, from the server's status and our connection. */
function statusOf(live, state) {
  if (!live.online) return { text: "offline", kind: "offline" };
  if (state !== "connected") return { text: "connecting…", kind: "connecting" };
  const size = live.width && live.height ? ` ${live.width}x${live.height}` : "";
  return { text: `live${size} ${Math.round(live.fps)} fps`, kind: "live" };
}

/** Why the stream is not playing, or "" when it is fine. */
function errorTextOf(client) {
  if (!client || !client.error) return "";
  if (client.state === "retrying") {
    return `${client.error} — retrying in ${Math.round(client.retryInMs / 1000)} s`;
  }
  return client.state === "connected" ? "" : `${client.error} — retrying…`;
}

/** Bring a camera's card up to date (title, badge, error text). */
function renderCard(cameraId) {
  const card = cardOf(cameraId);
  const camera = cameras.get(cameraId);
  if (!card || !camera) return;
  const client = sessions.get(cameraId);
  const state = client ? client.state : "idle";
  card.querySelector(".camera-title").textContent = cameraTitle(camera);
  const badge = card.querySelector(".status");
  const status = statusOf(camera.live, state);
  badge.textContent = status.text;
  badge.dataset.kind = status.kind;
  badge.title = `${camera.live.viewers} viewer(s)`;
  card.dataset.state = state;
  card.dataset.online = String(camera.live.online);
  const error = card.querySelector(".camera-error");
  error.textContent = errorTextOf(client);
  error.hidden = !error.textContent;
}

/** Start playing a camera into its card's video element. */
function startSession(cameraId) {
  const video = document.getElementById(`video-${cameraId}`);
  const client = new WhepClient({
    endpoint: `/whep/${cameraId}`,
    getConfiguration,
    onTrack: (stream) => {
      if (video.srcObject !== stream) video.srcObject = stream;
      video.play().catch(() => {}); // autoplay may be refused until the stream has frames
    },
    onChange: () => renderCard(cameraId),
  });
  sessions.set(cameraId, client);
  client.start();
}

/** Add a camera's card at its place in the list and start its stream. */
function addCamera(camera, nextCameraIds) {
  const card = createCard(camera);
  const before = nextCameraIds.map(cardOf).find(Boolean) || null;
  grid.insertBefore(card, before);
  cameras.set(camera.id, camera);
  renderCard(camera.id);
  alertBoard.offerState(camera.id, camera.analysis);
  alertBoard.showCamera(camera.id);
  startSession(camera.id);
}

/** Remove a camera that is no longer visible to the user. */
function removeCamera(cameraId) {
  sessions.get(cameraId)?.stop();
  sessions.delete(cameraId);
  cameras.delete(cameraId);
  cardOf(cameraId)?.remove();
}

/** Make the grid match the server's camera list without restarting existing streams. */
function syncCameras(list) {
  const ids = list.map((camera) => camera.id);
  for (const cameraId of [...cameras.keys()]) {
    if (!ids.includes(cameraId)) removeCamera(cameraId);
  }
  list.forEach((camera, index) => {
    if (cameras.has(camera.id)) {
      cameras.set(camera.id, camera);
      renderCard(camera.id);
      alertBoard.offerState(camera.id, camera.analysis);
    } else {
      addCamera(camera, ids.slice(index + 1));
    }
  });
  alertBoard.renderCounter();
  document.getElementById("loading").hidden = true;
  document.getElementById("empty").hidden = list.length > 0;
}

/** Load the camera list, then schedule the next refresh. */
async function refreshCameras() {
  try {
    syncCameras(await apiJson("/api/cameras"));
    showPageError("");
    if (!stopped) alertStream.start(); // no-op once started
  } catch (error) {
    if (error.status === 401) {
      redirectToLogin("/live");
      return;
    }
    showPageError(`Could not load cameras: ${error.detail || error.message}`);
  }
  if (!stopped) refreshTimer = setTimeout(refreshCameras, REFRESH_MS);
}

/** Show whether live alerts are arriving (next to the open-alert count). */
function renderAlertStream(stream) {
  const note = document.getElementById("alert-stream");
  const texts = {
    connecting: "connecting…",
    retrying: `offline, retrying in ${Math.round(stream.retryInMs / 1000)} s`,
    closed: "offline",
  };
  note.textContent = texts[stream.state] || "";
  note.title = stream.error;
  document.getElementById("alert-summary").dataset.state = stream.state;
}

/**
 * The alerts socket closed before it opened: the server refuses a socket without a valid
 * login that way too, so check the login and go to the login page if it is gone.
 */
async function checkLogin() {
  try {
    await apiJson("/api/auth/me");
  } catch (error) {
    if (error.status === 401 && !stopped) redirectToLogin("/live");
  }
}

/** Stop refreshing and end every stream. */
function stopAll({ keepalive = false } = {}) {
  stopped = true;
  clearTimeout(refreshTimer);
  alertStream.stop();
  return Promise.all([...sessions.values()].map((client) => client.stop({ keepalive })));
}

/** Log out: end the streams and the login session, then show the login page. */
async function logout(event) {
  event.currentTarget.disabled = true;
  await stopAll();
  try {
    await apiFetch("/api/auth/logout", { method: "POST" });
  } catch {
    // going to the login page anyway
  }
  window.location.replace("/login");
}

/** Show who is logged in. */
function renderUser(user) {
  document.getElementById("user-name").textContent = user.display_name || user.username;
  document.getElementById("user-role").textContent = user.role;
  document.getElementById("user").hidden = false;
  document.getElementById("alert-summary").hidden = false;
}

/** Check the login, then show the cameras. */
async function main() {
  let user;
  try {
    user = await apiJson("/api/auth/me");
  } catch (error) {
    if (error.status === 401) {
      redirectToLogin("/live");
    } else {
      showPageError(`Could not reach the server: ${error.detail || error.message}`);
      setTimeout(main, REFRESH_MS);
    }
    return;
  }
  renderUser(user);
  alertBoard.canViewArchive = (user.permissions || []).includes("view_archive");
  await refreshCameras();
}

document.getElementById("logout").addEventListener("click", logout);
window.addEventListener("pagehide", () => stopAll({ keepalive: true }));
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload(); // restored from the back/forward cache
});
main();
