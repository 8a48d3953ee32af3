// Live analysis on the console: each camera's person count and open alerts, pushed by the
// server over the /api/live/alerts WebSocket. The messages are defined in
// proctor/events/messages.py; their JSON Schema is alerts.schema.json, and a test checks that
// this file reads only fields defined there (`message.*`, `state.*` and `event.*`).

import { element, isLocalPath } from "./components/dom.js";
import { formatTime, hasMessage, t } from "./i18n.js";

/**
 * A camera's latest analysed sample (CameraMessage in alerts.schema.json).
 * @typedef {object} CameraState
 * @property {"camera"} type
 * @property {number} camera_id
 * @property {boolean} analysed
 * @property {number | null} people
 * @property {number | null} expected
 * @property {boolean} phone_detection
 * @property {string} picture
 * @property {string | null} not_analysed_reason
 * @property {string | null} model
 * @property {number} at epoch seconds
 */

/**
 * An event as the API and the live alerts show it (EventView).
 * @typedef {object} EventView
 * @property {number} id
 * @property {number} camera_id
 * @property {string} kind
 * @property {string} zone
 * @property {string} description
 * @property {string} started_at
 * @property {string | null} ended_at
 * @property {Record<string, unknown>} peak
 * @property {string | null} snapshot_url
 * @property {string} clip_url
 */

/** @typedef {"open" | "update" | "close"} EventAction */

/**
 * One message of the stream: hello (everything known), a camera's state, or an event.
 * @typedef {{type: "hello", analysis: boolean, cameras: CameraState[], events: EventView[]}
 *   | CameraState | {type: "event", action: EventAction, at: number, event: EventView}} AlertMessage
 */

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
 * A clustered server numbers its messages (`seq`, their place in the alert stream, sent
 * beside each message after the hello, not part of it): the stream keeps the newest it saw and
 * reconnects with `?after=<seq>`, so the server replays what was sent while the socket was
 * down (an API node restarting), once each. One node sends no `seq`: the hello is the picture.
 *
 * Observable fields: `state` ("idle" | "connecting" | "open" | "retrying" | "closed"),
 * `error` (why the last socket closed) and `retryInMs` (while "retrying").
 */
export class AlertStream {
  /**
   * @param {object} options
   * @param {(message: AlertMessage) => void} options.onMessage Called with each parsed message.
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
    /** @type {"idle" | "connecting" | "open" | "retrying" | "closed"} */
    this.state = "idle";
    this.error = "";
    this.retryInMs = 0;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {number | null} the latest stream sequence received (clustered servers) */
    this.lastSeq = null;
    this._attempts = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._timer = undefined;
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
      const after = this.lastSeq === null ? "" : `?after=${this.lastSeq}`;
      socket = new WebSocket(socketUrl(this.path + after));
    } catch (error) {
      this._retry(error instanceof Error ? error.message : String(error));
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

  /**
   * Parse and pass on one message; the hello message marks a good connection.
   * @param {string} data
   */
  _receive(data) {
    /** @type {AlertMessage} */
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn("alerts: ignoring a message that is not JSON");
      return;
    }
    // the stream's numbering beside the message (the server sends each number once)
    const { seq } = /** @type {{seq?: unknown}} */ (/** @type {unknown} */ (message));
    if (typeof seq === "number") this.lastSeq = seq;
    if (message.type === "hello") this._attempts = 0;
    this.onMessage(message);
  }

  /**
   * The current socket closed: go to the login page (1008) or try again later.
   * @param {CloseEvent} closing
   * @param {boolean} opened
   */
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

  /**
   * Schedule the next connection after the backoff delay.
   * @param {string} reason
   */
  _retry(reason) {
    const delay = Math.min(RECONNECT_BASE_MS * 2 ** this._attempts, RECONNECT_MAX_MS);
    this._attempts += 1;
    this._update({ state: "retrying", error: reason, retryInMs: delay });
    this._timer = setTimeout(() => {
      this._timer = undefined;
      if (this.state === "retrying") this._connect();
    }, delay);
  }

  /** @param {Partial<Pick<AlertStream, "state" | "error" | "retryInMs">>} fields */
  _update(fields) {
    Object.assign(this, fields);
    this.onChange(this);
  }
}

// -- showing the analysis ------------------------------------------------------------------

/**
 * The (empty) analysis part of a camera tile: the count line, the phone note and the list of
 * open alerts. {@link AlertBoard} fills it in by id.
 * @param {number} cameraId
 * @returns {HTMLElement}
 */
export function createAnalysisSection(cameraId) {
  const section = element("section", "analysis");
  section.setAttribute("aria-label", t("alerts.analysis"));
  const line = element("p", "analysis-line");
  const count = element("span", "count", t("count.waiting"));
  count.id = `count-${cameraId}`;
  count.dataset.people = "";
  count.dataset.expected = "";
  count.dataset.status = "waiting";
  const phone = element("span", "phone-note muted", t("count.phoneOff"));
  phone.id = `phone-note-${cameraId}`;
  phone.hidden = true;
  line.append(count, phone);
  const alerts = element("ul", "alert-list");
  alerts.id = `alerts-${cameraId}`;
  alerts.setAttribute("aria-label", t("alerts.list"));
  alerts.setAttribute("aria-live", "polite");
  section.append(line, alerts);
  return section;
}

/**
 * "" for null, otherwise the number as text (data-* attributes of the count).
 * @param {number | null | undefined} value
 * @returns {string}
 */
function numberAttribute(value) {
  return Number.isFinite(value) ? String(value) : "";
}

/**
 * What the count line says for a camera's analysis state.
 * @param {CameraState | null} state The camera's state, or null before its first sample.
 * @param {boolean | null} analysisOn Whether the server analyses at all (null: not known yet).
 * @returns {{text: string, status: "waiting" | "off" | "not-analysed" | "ok" | "mismatch"}}
 */
export function describeCount(state, analysisOn) {
  if (!state) {
    return analysisOn === false ? { text: t("count.off"), status: "off" }
      : { text: t("count.waiting"), status: "waiting" };
  }
  if (!state.analysed) {
    const reason = state.not_analysed_reason || state.picture || t("count.unknownReason");
    return { text: t("count.notAnalysed", { reason }), status: "not-analysed" };
  }
  const people = state.people ?? 0;
  if (state.expected == null) return { text: t("count.people", { people }), status: "ok" };
  return {
    text: t("count.againstExpected", { people, expected: state.expected }),
    status: people === state.expected ? "ok" : "mismatch",
  };
}

/**
 * A number for people to read: integers as they are, others to three decimals.
 * @param {unknown} value
 * @returns {string}
 */
function formatNumber(value) {
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

/**
 * An event's worst values during the alert, in words, e.g. "告警期间峰值 8 人（应到 5 人）":
 * the peak, never to be mistaken for the current count shown beside it.
 * @param {Record<string, unknown>} peak
 * @returns {string}
 */
export function formatPeak(peak) {
  const parts = [];
  const { count, expected, phones, confidence, ...rest } = peak || {};
  if (typeof count === "number" && typeof expected === "number") {
    parts.push(t("alerts.peakCount", { count, expected }));
  } else if (typeof count === "number") {
    parts.push(t("alerts.peakPeople", { count }));
  }
  if (typeof phones === "number") parts.push(t("alerts.peakPhones", { count: phones }));
  if (typeof confidence === "number") {
    parts.push(t("alerts.peakConfidence", { value: formatNumber(confidence) }));
  }
  for (const [name, value] of Object.entries(rest)) {
    if (value == null || typeof value === "object") continue;
    parts.push(`${name.replaceAll("_", " ")} ${formatNumber(value)}`);
  }
  return parts.join(t("alerts.separator"));
}

/**
 * What kind of alert an event is, in the page's language.
 * @param {EventView} event
 * @returns {string}
 */
export function eventLabel(event) {
  const key = `event.kind.${event.kind}`;
  return hasMessage(key) ? t(key) : event.description || event.kind;
}

/**
 * The current count line of an alert ("当前 4 人"), beside its peak; "" without a count.
 * @param {CameraState | null | undefined} state
 * @returns {string}
 */
export function currentCount(state) {
  return state && state.analysed && state.people != null
    ? t("alerts.current", { people: state.people }) : "";
}

/**
 * A link that opens in a new tab.
 * @param {string} className
 * @param {string} text
 * @param {string} href
 * @returns {HTMLAnchorElement}
 */
function newTabLink(className, text, href) {
  const link = element("a", className, text);
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener";
  return link;
}

/**
 * The list item of one open event.
 * @param {EventView} event
 * @param {{clips?: boolean, state?: CameraState | null}} [options] clips: link the recording;
 *     state: the camera's latest state, for the current count.
 * @returns {HTMLLIElement}
 */
export function createAlertItem(event, { clips = false, state = null } = {}) {
  const item = element("li", "alert");
  item.dataset.eventId = String(event.id);
  item.dataset.kind = event.kind;
  const head = element("div", "alert-head");
  head.append(element("span", "alert-description", eventLabel(event)));
  if (event.zone) head.append(element("span", "alert-zone", t("alerts.zone", { zone: event.zone })));
  const meta = element("div", "alert-meta");
  const started = element("time", "alert-time", t("alerts.since", { time: formatTime(event.started_at) }));
  started.dateTime = event.started_at;
  meta.append(started);
  const peak = formatPeak(event.peak);
  if (peak) meta.append(element("span", "alert-peak", peak));
  const now = element("span", "alert-current", currentCount(state));
  now.hidden = !now.textContent;
  meta.append(now);
  if (isLocalPath(event.snapshot_url)) {
    meta.append(newTabLink("alert-snapshot", t("alerts.snapshot"), event.snapshot_url));
  }
  if (clips && isLocalPath(event.clip_url)) {
    const link = newTabLink("alert-clip", t("alerts.clip"), event.clip_url);
    link.title = t("alerts.clipTitle");
    meta.append(link);
  }
  item.append(head, meta);
  return item;
}

/**
 * Newest first, then by id.
 * @param {EventView} a
 * @param {EventView} b
 * @returns {number}
 */
function byNewest(a, b) {
  return String(b.started_at).localeCompare(String(a.started_at)) || b.id - a.id;
}

/**
 * What the page knows about analysis: the latest state of each camera and every open event,
 * kept from the stream's messages and shown in the tiles that are on the page.
 */
export class AlertBoard {
  /**
   * @param {object} options
   * @param {() => Iterable<number>} options.shownCameraIds The cameras that have a tile.
   * @param {HTMLElement} options.counter Element showing how many alerts are open.
   * @param {(action: EventAction, event: EventView) => void} [options.onEvent] Called for
   *     each event message after the hello (e.g. to show a toast when one opens).
   * @param {(cameraId: number) => void} [options.onCamera] Called after a camera's state or
   *     alerts changed.
   */
  constructor({ shownCameraIds, counter, onEvent = () => {}, onCamera = () => {} }) {
    this.shownCameraIds = shownCameraIds;
    this.counter = counter;
    this.onEvent = onEvent;
    this.onCamera = onCamera;
    /** Whether the user may open archive clips (set from their permissions). */
    this.canViewArchive = false;
    /** @type {boolean | null} Whether the server analyses at all (null until the stream says). */
    this.analysisOn = null;
    /** @type {Map<number, CameraState>} */
    this.states = new Map();
    /** @type {Map<number, EventView>} open events by id */
    this.events = new Map();
  }

  /**
   * Apply one message of the stream.
   * @param {AlertMessage} message
   */
  handle(message) {
    if (message.type === "hello") {
      this._hello(message.analysis, message.cameras, message.events);
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
   * @param {CameraState | null | undefined} state null/undefined is ignored.
   */
  offerState(cameraId, state) {
    if (!state) return;
    const known = this.states.get(cameraId);
    if (known && known.at > state.at) return;
    this.states.set(cameraId, state);
    this.renderCount(cameraId);
  }

  /**
   * Fill in a camera's tile that was just added to the page.
   * @param {number} cameraId
   */
  showCamera(cameraId) {
    this.renderCount(cameraId);
    this.renderAlerts(cameraId);
    this.renderCounter();
  }

  /**
   * The open events of a camera, newest first.
   * @param {number} cameraId
   * @returns {EventView[]}
   */
  openEvents(cameraId) {
    return [...this.events.values()].filter((event) => event.camera_id === cameraId)
      .sort(byNewest);
  }

  /**
   * hello: everything known so far is replaced by the server's picture.
   * @param {boolean} analysis
   * @param {CameraState[]} cameras
   * @param {EventView[]} events
   */
  _hello(analysis, cameras, events) {
    this.analysisOn = Boolean(analysis);
    this.states = new Map((cameras || []).map((state) => [state.camera_id, state]));
    this.events = new Map((events || []).map((event) => [event.id, event]));
    for (const cameraId of this.shownCameraIds()) {
      this.renderCount(cameraId);
      this.renderAlerts(cameraId);
    }
    this.renderCounter();
  }

  /**
   * An event opened, got worse or closed.
   * @param {EventAction} action
   * @param {EventView} event
   */
  _event(action, event) {
    if (!event) return;
    if (action === "close" || event.ended_at) {
      this.events.delete(event.id);
    } else {
      this.events.set(event.id, event);
    }
    this.renderAlerts(event.camera_id);
    this.renderCounter();
    this.onEvent(action, event);
  }

  /**
   * Bring a camera's count line, phone note and its alerts' current counts up to date.
   * @param {number} cameraId
   */
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
    const now = currentCount(state);
    for (const line of document.querySelectorAll(`#alerts-${cameraId} .alert-current`)) {
      if (!(line instanceof HTMLElement)) continue;
      line.textContent = now;
      line.hidden = !now;
    }
    this.onCamera(cameraId);
  }

  /**
   * Tooltip of the count: picture status, model and sample time.
   * @param {CameraState} state
   * @returns {string}
   */
  _stateDetails(state) {
    return t("count.details", { picture: state.picture, model: state.model || "—",
                                time: formatTime(state.at * 1000) });
  }

  /**
   * Rebuild a camera's list of open alerts.
   * @param {number} cameraId
   */
  renderAlerts(cameraId) {
    const list = document.getElementById(`alerts-${cameraId}`);
    if (!list) return;
    const state = this.states.get(cameraId) || null;
    list.replaceChildren(...this.openEvents(cameraId).map(
      (event) => createAlertItem(event, { clips: this.canViewArchive, state })));
    this.onCamera(cameraId);
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
