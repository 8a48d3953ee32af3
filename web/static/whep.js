// WHEP (WebRTC-HTTP Egress Protocol) playback client with automatic reconnection.

import { ApiError, errorDetail } from "./api.js";

/** How long ICE gathering may take before the offer is sent with what has been gathered. */
const ICE_GATHERING_TIMEOUT_MS = 2000;
/** How long a "disconnected" connection may last before it is replaced. */
const DISCONNECTED_GRACE_MS = 3000;
/** How long a new connection may take to reach "connected" before it is replaced. */
const CONNECT_TIMEOUT_MS = 20000;
/** Retry delays: 1 s, 2 s, 4 s, 8 s, then 10 s. */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 10000;

/**
 * Convert the server's /api/ice-config reply into an RTCConfiguration.
 * @param {{ice_servers?: Array<{urls: string[], username?: string|null, credential?: string|null}>,
 *          ice_transport_policy?: string}} iceConfig
 * @returns {RTCConfiguration}
 */
export function toRtcConfiguration(iceConfig) {
  const iceServers = (iceConfig.ice_servers || []).map((server) => {
    /** @type {RTCIceServer} */
    const entry = { urls: server.urls };
    if (server.username != null) entry.username = server.username;
    if (server.credential != null) entry.credential = server.credential;
    return entry;
  });
  return { iceServers, iceTransportPolicy: iceConfig.ice_transport_policy === "relay" ? "relay" : "all" };
}

/**
 * The WHEP endpoint of a camera's stream.
 * @param {number} cameraId
 * @param {"main" | "sub" | null} [stream] null: the server's default, the sub stream when
 *   the camera publishes one, else its only stream
 * @returns {string}
 */
export function whepEndpoint(cameraId, stream = null) {
  return stream ? `/whep/${cameraId}?stream=${stream}` : `/whep/${cameraId}`;
}

/**
 * Ask for H.264 only (plus its retransmission codec): the server sends nothing else.
 * Does nothing in browsers without codec preferences.
 * @param {RTCRtpTransceiver} transceiver A video transceiver.
 */
export function preferH264(transceiver) {
  if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities
      || !transceiver.setCodecPreferences) {
    return;
  }
  const codecs = RTCRtpReceiver.getCapabilities("video")?.codecs || [];
  const h264 = codecs.filter((codec) => codec.mimeType.toLowerCase() === "video/h264");
  if (h264.length === 0) return;
  const rtx = codecs.filter((codec) => codec.mimeType.toLowerCase() === "video/rtx");
  try {
    transceiver.setCodecPreferences([...h264, ...rtx]);
  } catch (error) {
    console.warn("could not prefer H.264:", error);
  }
}

/**
 * Resolve once ICE gathering is complete, or after `timeoutMs` (whichever comes first).
 * @param {RTCPeerConnection} pc
 * @param {number} [timeoutMs]
 * @returns {Promise<void>}
 */
export function waitForIceGathering(pc, timeoutMs = ICE_GATHERING_TIMEOUT_MS) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onChange);
      resolve();
    };
    const onChange = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", onChange);
  });
}

/**
 * POST an SDP offer to a WHEP endpoint.
 * @param {string} endpoint e.g. "/whep/3".
 * @param {string} offerSdp
 * @returns {Promise<{answer: string, location: string}>} The SDP answer and the session URL.
 * @throws {ApiError} on network failure or a non-201 reply.
 */
export async function postOffer(endpoint, offerSdp) {
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/sdp", Accept: "application/sdp" },
      body: offerSdp,
    });
  } catch (error) {
    throw new ApiError(0, `network error: ${error instanceof Error ? error.message : error}`);
  }
  if (response.status !== 201) {
    throw new ApiError(response.status, await errorDetail(response));
  }
  const location = response.headers.get("Location");
  if (!location) throw new ApiError(response.status, "server did not return a session Location");
  return { answer: await response.text(), location: new URL(location, response.url).pathname };
}

/**
 * End a WHEP session (DELETE its resource). Never throws.
 * @param {string} location Session URL from {@link postOffer}.
 * @param {boolean} [keepalive] Use during page unload so the request outlives the page.
 * @returns {Promise<void>}
 */
export async function deleteSession(location, keepalive = false) {
  try {
    await fetch(location, { method: "DELETE", credentials: "same-origin", keepalive });
  } catch {
    // the server ends abandoned sessions on its own
  }
}

/**
 * Human-readable reason for an error thrown while connecting.
 * @param {unknown} error
 * @returns {string}
 */
function describeError(error) {
  if (error instanceof ApiError) {
    return error.status ? `${error.detail} (HTTP ${error.status})` : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * @typedef {"idle" | "connecting" | "retrying" | "closed" | RTCPeerConnectionState} WhepState
 */

/**
 * Plays one WHEP stream and keeps it playing: a failed or long-disconnected connection is
 * replaced after a backoff delay (1 s, 2 s, 4 s, ... at most 10 s).
 *
 * Observable fields (kept up to date, also after reconnects):
 * - `pc`: the current RTCPeerConnection (or null),
 * - `state`: "idle" | "connecting" | "new" | "connected" | "disconnected" | "retrying" | "closed",
 * - `error`: reason of the last failure ("" once connected),
 * - `retryInMs`: delay before the next attempt while `state` is "retrying",
 * - `location`: the current WHEP session URL (or null).
 */
export class WhepClient {
  /**
   * @param {object} options
   * @param {string} options.endpoint WHEP endpoint, e.g. "/whep/3".
   * @param {() => Promise<RTCConfiguration>} options.getConfiguration Called before each attempt.
   * @param {(stream: MediaStream) => void} options.onTrack Called with the remote stream.
   * @param {(client: WhepClient) => void} [options.onChange] Called after any field changes.
   */
  constructor({ endpoint, getConfiguration, onTrack, onChange = () => {} }) {
    this.endpoint = endpoint;
    this.getConfiguration = getConfiguration;
    this.onTrack = onTrack;
    this.onChange = onChange;
    /** @type {RTCPeerConnection | null} */
    this.pc = null;
    /** @type {WhepState} */
    this.state = "idle";
    this.error = "";
    this.retryInMs = 0;
    /** @type {string | null} */
    this.location = null;
    this._attempts = 0;
    this._generation = 0;
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    this._timers = new Set();
  }

  /** Start playing (no-op if already started). */
  start() {
    if (this.state === "idle" || this.state === "closed") this._connect();
  }

  /**
   * Stop playing for good: close the connection and end the session on the server.
   * @param {{keepalive?: boolean}} [options] keepalive: the page is being unloaded.
   * @returns {Promise<void>}
   */
  async stop({ keepalive = false } = {}) {
    this._generation += 1;
    this._clearTimers();
    const ending = this._teardown(keepalive);
    this._update({ state: "closed", retryInMs: 0 });
    await ending;
  }

  /** One connection attempt; failures schedule the next one. */
  async _connect() {
    const generation = ++this._generation;
    const current = () => generation === this._generation;
    this._update({ state: "connecting", retryInMs: 0 });
    try {
      const configuration = await this.getConfiguration();
      if (!current()) return;
      const pc = new RTCPeerConnection(configuration);
      this.pc = pc;
      this._watch(pc, current);
      preferH264(pc.addTransceiver("video", { direction: "recvonly" }));
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc);
      if (!current()) return;
      const { answer, location } = await postOffer(this.endpoint, pc.localDescription?.sdp ?? "");
      if (!current()) {
        deleteSession(location);
        return;
      }
      this.location = location;
      await pc.setRemoteDescription({ type: "answer", sdp: answer });
      if (!current()) return;
      this._update({ state: pc.connectionState });
      this._later(CONNECT_TIMEOUT_MS, current, () => {
        if (pc.connectionState === "new" || pc.connectionState === "connecting") {
          this._retry("timed out waiting for the connection");
        }
      });
    } catch (error) {
      if (current()) this._retry(describeError(error));
    }
  }

  /**
   * Follow a peer connection's events (ignored once it is no longer the current one).
   * @param {RTCPeerConnection} pc
   * @param {() => boolean} current
   */
  _watch(pc, current) {
    pc.addEventListener("track", (event) => {
      if (current()) this.onTrack(event.streams[0] || new MediaStream([event.track]));
    });
    pc.addEventListener("connectionstatechange", () => {
      if (current()) this._onConnectionState(pc.connectionState, current);
    });
  }

  /**
   * React to a connection state change of the current peer connection.
   * @param {RTCPeerConnectionState} state
   * @param {() => boolean} current
   */
  _onConnectionState(state, current) {
    if (state === "connected") {
      this._attempts = 0;
      this._update({ state, error: "" });
    } else if (state === "failed") {
      this._retry("connection failed");
    } else if (state === "disconnected") {
      this._update({ state });
      this._later(DISCONNECTED_GRACE_MS, current, () => {
        if (this.pc && this.pc.connectionState !== "connected") this._retry("connection lost");
      });
    } else if (state !== "closed") {
      this._update({ state });
    }
  }

  /**
   * Drop the current attempt and schedule a new one after the backoff delay.
   * @param {string} reason
   */
  _retry(reason) {
    const generation = ++this._generation;
    this._clearTimers();
    this._teardown(false);
    const delay = Math.min(RETRY_BASE_MS * 2 ** this._attempts, RETRY_MAX_MS);
    this._attempts += 1;
    this._update({ state: "retrying", error: reason, retryInMs: delay });
    this._later(delay, () => generation === this._generation, () => this._connect());
  }

  /**
   * End the current server session, then close the connection. The DELETE goes first so the
   * server is not left to notice the closed connection on its own. During page unload
   * (keepalive) the connection is left to the browser, which closes it with the page.
   * @param {boolean} keepalive
   * @returns {Promise<void>}
   */
  _teardown(keepalive) {
    const { pc, location } = this;
    this.pc = null;
    this.location = null;
    const ending = location ? deleteSession(location, keepalive) : Promise.resolve();
    if (pc && !keepalive) return ending.finally(() => pc.close());
    return ending;
  }

  /**
   * Run `action` after `ms` if the attempt that asked for it is still current.
   * @param {number} ms
   * @param {() => boolean} current
   * @param {() => void} action
   */
  _later(ms, current, action) {
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      if (current()) action();
    }, ms);
    this._timers.add(timer);
  }

  _clearTimers() {
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
  }

  /** @param {Partial<Pick<WhepClient, "state" | "error" | "retryInMs">>} fields */
  _update(fields) {
    Object.assign(this, fields);
    this.onChange(this);
  }
}
