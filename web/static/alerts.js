// Live analysis on the console: each camera's person count and open alerts, pushed by the
// server over the /api/live/alerts WebSocket. The messages are defined in
// proctor/events/messages.py; their JSON Schema is alerts.schema.json, and a test checks that
// this file reads only fields defined there (`message.*`, `state.*` and `event.*`).

/** The server's alerts WebSocket (same origin; the session cookie authenticates it). */
const ALERTS_PATH = "/api/live/alerts";
/** Reconnect delays: 1 s, 2 s, 4 s, ... at most 30 s; back to 1 s after a good connection. */
const RECONNECT_BASE_MS = 1000;
const RECONNECT_MAX_MS = 30000;
/** Close code the server uses when the login session is missing or has ended. */
const CLOSE_LOGIN_REQUIRED = 1008;

/**
 * The ws:// or wss:// URL of a path on this page's server.
 * @param {string} path e.g. "/api/live/alerts".
 * @returns {string}
 */
export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

/**
 * Keeps a WebSocket to the alerts endpoint open: a closed or failed socket is replaced after a
 * backoff delay, except when the server says the login is gone (close code 1008).
 *
 * Observable fields: `state` ("idle" | "connecting" | "open" | "retrying" | "closed"),
 * `error` (why the last socket closed) and `retryInMs` (while "retrying").
 */
export class AlertStream {
  /**
   * @param {object} options
   * @param {(message: object) => void} options.onMessage Called with each parsed message.
   * @param {(reason: string) => void} options.onLoginRequired The server closed with 1008.
   * @param {() => void} [options.onRefused] A socket closed before it opened (the server
   *     refuses an unauthenticated handshake with HTTP 403, which the browser cannot read).
   * @param {(stream: AlertStream) => void} [options.onChange] Called after any field changes.
   * @param {string} [options.path]
   */
  constructor({ onMessage, onLoginRequired, onRefused = () => {}, onChange = () => {},
                path = ALERTS_PATH }) {
    this.onMessage = onMessage;
    this.onLoginRequired = onLoginRequired;
    this.onRefused = onRefused;
    this.onChange = onChange;
    this.path = path;
    this.state = "idle";
    this.error = "";
    this.retryInMs = 0;
    this.socket = null;
    this._attempts = 0;
    this._timer = null;
  }

  /** Connect (no-op if already started). */
  start() {
    if (this.state === "idle" || this.state === "closed") this._connect();
  }

  /** Close the socket for good. */
  stop() {
    clearTimeout(this._timer);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, "page closed");
    this._update({ state: "closed", retryInMs: 0 });
  }

  /** Open a new socket; its close schedules the next one. */
  _connect() {
    let socket;
    try {
      socket = new WebSocket(socketUrl(this.path));
    } catch (error) {
      this._retry(error.message || String(error));
      return;
    }
    this.socket = socket;
    let opened = false;
    this._update({ state: "connecting", retryInMs: 0 });
    socket.addEventListener("open", () => {
      opened = true;
      if (socket === this.socket) this._update({ state: "open", error: "" });
    });
    socket.addEventListener("message", (incoming) => {
      if (socket === this.socket) this._receive(incoming.data);
    });
    // an "error" event is always followed by "close", which does the work
    socket.addEventListener("close", (closing) => {
      if (socket === this.socket) this._closed(closing, opened);
    });
  }

  /** Parse and pass on one message; the hello message marks a good connection. */
  _receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn("alerts: ignoring a message that is not JSON");
      return;
    }
    if (message.type === "hello") this._attempts = 0;
    this.onMessage(message);
  }

  /** The current socket closed: go to the login page (1008) or try again later. */
  _closed(closing, opened) {
    this.socket = null;
    const reason = closing.reason || `connection closed (code ${closing.code})`;
    if (closing.code === CLOSE_LOGIN_REQUIRED) {
      this._update({ state: "closed", error: reason, retryInMs: 0 });
      this.onLoginRequired(reason);
      return;
    }
    if (!opened) this.onRefused();
    this._retry(reason);
  }

  /** Schedule the next connection after the backoff delay. */
  _retry(reason) {
    const delay = Math.min(RECONNECT_BASE_MS * 2 ** this._attempts, RECONNECT_MAX_MS);
    this._attempts += 1;
    this._update({ state: "retrying", error: reason, retryInMs: delay });
    this._timer = setTimeout(() => {
      this._timer = null;
      if (this.state === "retrying") this._connect();
    }, delay);
  }

  _update(fields) {
    Object.assign(this, fields);
    this.onChange(this);
  }
}

// -- showing the analysis ------------------------------------------------------------------

/** Create an element with a class name and optional text. */
function element(tag, className, text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/**
 * The (empty) analysis part of a camera card: the count line, the phone note and the list of
 * open alerts. {@link AlertBoard} fills it in by id.
 * @param {number} cameraId
 * @returns {HTMLElement}
 */
export function createAnalysisSection(cameraId) {
  const section = element("section", "analysis");
  section.setAttribute("aria-label", "Analysis");
  const line = element("p", "analysis-line");
  const count = element("span", "count", "Waiting for analysis…");
  count.id = `count-${cameraId}`;
  count.dataset.people = "";
  count.dataset.expected = "";
  count.dataset.status = "waiting";
  const phone = element("span", "phone-note muted", "Phone detection unavailable");
  phone.id = `phone-note-${cameraId}`;
  phone.hidden = true;
  line.append(count, phone);
  const alerts = element("ul", "alert-list");
  alerts.id = `alerts-${cameraId}`;
  alerts.setAttribute("aria-label", "Open alerts");
  alerts.setAttribute("aria-live", "polite");
  section.append(line, alerts);
  return section;
}

/** "" for null, otherwise the number as text (data-* attributes of the count). */
function numberAttribute(value) {
  return Number.isFinite(value) ? String(value) : "";
}

/**
 * What the count line says for a camera's analysis state.
 * @param {object|null} state The camera's CameraMessage, or null before its first sample.
 * @param {boolean|null} analysisOn Whether the server analyses at all (null: not known yet).
 * @returns {{text: string, status: string}} status: waiting | off | not-analysed | ok | mismatch
 */
export function describeCount(state, analysisOn) {
  if (!state) {
    return analysisOn === false ? { text: "Analysis off", status: "off" }
      : { text: "Waiting for analysis…", status: "waiting" };
  }
  if (!state.analysed) {
    const reason = state.not_analysed_reason || state.picture || "unknown reason";
    return { text: `Not analysed: ${reason}`, status: "not-analysed" };
  }
  if (state.expected == null) return { text: `People ${state.people}`, status: "ok" };
  return {
    text: `People ${state.people} / ${state.expected} expected`,
    status: state.people === state.expected ? "ok" : "mismatch",
  };
}

/** A number for people to read: integers as they are, others to three decimals. */
function formatNumber(value) {
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/**
 * An event's worst values in a few words, e.g. "4 of 6, confidence 0.62".
 * @param {Record<string, unknown>} peak
 * @returns {string}
 */
export function formatPeak(peak) {
  const parts = [];
  const rest = { ...(peak || {}) };
  if (Number.isFinite(rest.count) && Number.isFinite(rest.expected)) {
    parts.push(`${rest.count} of ${rest.expected}`);
    delete rest.count;
    delete rest.expected;
  }
  for (const [key, value] of Object.entries(rest)) {
    if (value == null || typeof value === "object") continue;
    parts.push(`${key.replaceAll("_", " ")} ${formatNumber(value)}`);
  }
  return parts.join(", ");
}

/**
 * Local wall-clock time HH:MM:SS of an ISO timestamp.
 * @param {string} iso
 * @returns {string}
 */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit",
                                       hour12: false });
}

/** Whether a URL from the server is a plain path on this server (never javascript: etc.). */
function isLocalPath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//")
    && !url.startsWith("/\\");
}

/**
 * The list item of one open event.
 * @param {object} event EventView from the server.
 * @returns {HTMLLIElement}
 */
export function createAlertItem(event, { clips = false } = {}) {
  const item = element("li", "alert");
  item.dataset.eventId = String(event.id);
  item.dataset.kind = event.kind;
  const head = element("div", "alert-head");
  head.append(element("span", "alert-description", event.description || event.kind));
  if (event.zone) head.append(element("span", "alert-zone", event.zone));
  const meta = element("div", "alert-meta");
  const started = element("time", "alert-time", `since ${formatTime(event.started_at)}`);
  started.dateTime = event.started_at;
  meta.append(started);
  const peak = formatPeak(event.peak);
  if (peak) meta.append(element("span", "alert-peak", peak));
  if (isLocalPath(event.snapshot_url)) {
    const link = element("a", "alert-snapshot", "snapshot");
    link.href = event.snapshot_url;
    link.target = "_blank";
    link.rel = "noopener";
    meta.append(link);
  }
  if (clips && isLocalPath(event.clip_url)) {
    const link = element("a", "alert-clip", "clip");
    link.href = event.clip_url;
    link.target = "_blank";
    link.rel = "noopener";
    link.title = "The recording around the start of the alert (uploaded about every 10 s)";
    meta.append(link);
  }
  item.append(head, meta);
  return item;
}

/** Newest first, then by id. */
function byNewest(a, b) {
  return String(b.started_at).localeCompare(String(a.started_at)) || b.id - a.id;
}

/**
 * What the page knows about analysis: the latest state of each camera and every open event,
 * kept from the stream's messages and shown in the cards that are on the page.
 */
export class AlertBoard {
  /**
   * @param {object} options
   * @param {() => Iterable<number>} options.shownCameraIds The cameras that have a card.
   * @param {HTMLElement} options.counter Element showing how many alerts are open.
   */
  constructor({ shownCameraIds, counter }) {
    this.shownCameraIds = shownCameraIds;
    this.counter = counter;
    /** Whether the user may open archive clips (set from their permissions). */
    this.canViewArchive = false;
    /** Whether the server analyses at all (null until the stream says). */
    this.analysisOn = null;
    /** cameraId -> latest CameraMessage. */
    this.states = new Map();
    /** eventId -> open EventView. */
    this.events = new Map();
  }

  /**
   * Apply one message of the stream.
   * @param {{type: string}} message
   */
  handle(message) {
    if (message.type === "hello") {
      this._hello(message);
    } else if (message.type === "camera") {
      this.offerState(message.camera_id, message);
    } else if (message.type === "event") {
      this._event(message.action, message.event);
    }
  }

  /**
   * Take a camera's state unless an equally new one is already known (states come both from
   * the stream and from the camera list).
   * @param {number} cameraId
   * @param {object|null|undefined} state CameraMessage; null/undefined is ignored.
   */
  offerState(cameraId, state) {
    if (!state) return;
    const known = this.states.get(cameraId);
    if (known && known.at > state.at) return;
    this.states.set(cameraId, state);
    this.renderCount(cameraId);
  }

  /** Fill in a camera's card that was just added to the page. */
  showCamera(cameraId) {
    this.renderCount(cameraId);
    this.renderAlerts(cameraId);
    this.renderCounter();
  }

  /** hello: everything known so far is replaced by the server's picture. */
  _hello(message) {
    this.analysisOn = Boolean(message.analysis);
    this.states = new Map((message.cameras || []).map((state) => [state.camera_id, state]));
    this.events = new Map((message.events || []).map((event) => [event.id, event]));
    for (const cameraId of this.shownCameraIds()) {
      this.renderCount(cameraId);
      this.renderAlerts(cameraId);
    }
    this.renderCounter();
  }

  /** An event opened, got worse or closed. */
  _event(action, event) {
    if (!event) return;
    if (action === "close" || event.ended_at) {
      this.events.delete(event.id);
    } else {
      this.events.set(event.id, event);
    }
    this.renderAlerts(event.camera_id);
    this.renderCounter();
  }

  /** Bring a camera's count line and phone note up to date. */
  renderCount(cameraId) {
    const count = document.getElementById(`count-${cameraId}`);
    if (!count) return;
    const state = this.states.get(cameraId) || null;
    const { text, status } = describeCount(state, this.analysisOn);
    count.textContent = text;
    count.dataset.status = status;
    count.dataset.people = numberAttribute(state?.people);
    count.dataset.expected = numberAttribute(state?.expected);
    count.classList.toggle("warn", status === "mismatch");
    count.title = state ? this._stateDetails(state) : "";
    const phone = document.getElementById(`phone-note-${cameraId}`);
    if (phone) phone.hidden = !(state && state.analysed && state.phone_detection === false);
  }

  /** Tooltip of the count: picture status, model and sample time. */
  _stateDetails(state) {
    const parts = [`picture: ${state.picture}`];
    if (state.model) parts.push(`model: ${state.model}`);
    if (Number.isFinite(state.at)) {
      parts.push(`sampled ${formatTime(new Date(state.at * 1000).toISOString())}`);
    }
    return parts.join(" · ");
  }

  /** Rebuild a camera's list of open alerts. */
  renderAlerts(cameraId) {
    const list = document.getElementById(`alerts-${cameraId}`);
    if (!list) return;
    const open = [...this.events.values()].filter((event) => event.camera_id === cameraId);
    list.replaceChildren(...open.sort(byNewest).map(
      (event) => createAlertItem(event, { clips: this.canViewArchive })));
  }

  /** The page-level number of open alerts on the cameras shown. */
  renderCounter() {
    const shown = new Set(this.shownCameraIds());
    let open = 0;
    for (const event of this.events.values()) {
      if (shown.has(event.camera_id)) open += 1;
    }
    this.counter.textContent = String(open);
    this.counter.dataset.count = String(open);
  }
}
