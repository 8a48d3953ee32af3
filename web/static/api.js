// Small helpers for talking to the proctor server from the console pages.

/** An HTTP error from the server, carrying its status and the server's own explanation. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status code (0 when the request never reached the server).
   * @param {string} detail Human-readable reason, usually the server's `detail` field.
   */
  constructor(status, detail) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

/**
 * Turn a FastAPI `detail` value (a string, or a list of validation errors) into one line.
 * @param {unknown} detail
 * @returns {string}
 */
function formatDetail(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => (item && typeof item === "object" && "msg" in item ? item.msg : String(item)))
      .join("; ");
  }
  return detail == null ? "" : JSON.stringify(detail);
}

/**
 * Read the reason for a failed response: the JSON `detail` field if there is one,
 * otherwise the body text, otherwise the status line.
 * @param {Response} response A response that is not ok.
 * @returns {Promise<string>}
 */
export async function errorDetail(response) {
  const fallback = `HTTP ${response.status}${response.statusText ? " " + response.statusText : ""}`;
  let text = "";
  try {
    text = await response.text();
  } catch {
    return fallback;
  }
  try {
    const detail = formatDetail(JSON.parse(text).detail);
    if (detail) return detail;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200) || fallback;
}

/**
 * fetch() that throws an {@link ApiError} for network failures and non-2xx responses.
 * Cookies are sent (same-origin), so requests are authenticated once logged in.
 * @param {string} path URL or same-origin path.
 * @param {RequestInit} [options]
 * @returns {Promise<Response>} The successful response.
 */
export async function apiFetch(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...options });
  } catch (error) {
    throw new ApiError(0, `network error: ${error instanceof Error ? error.message : error}`);
  }
  if (!response.ok) throw new ApiError(response.status, await errorDetail(response));
  return response;
}

/**
 * Request JSON: sends `body` (if given) as JSON and parses the JSON reply.
 * @param {string} path
 * @param {{method?: string, body?: unknown, signal?: AbortSignal}} [options]
 * @returns {Promise<any>} Parsed body, or null for an empty reply (e.g. 204).
 */
export async function apiJson(path, { method = "GET", body, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json" };
  /** @type {RequestInit} */
  const init = { method, signal, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await apiFetch(path, init);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * A `next` redirect target made safe: a path on this origin, never another site.
 * @param {string | null | undefined} value Raw value, e.g. from the query string.
 * @param {string} [fallback] Where to go when the value is missing or unsafe.
 * @returns {string} path + query + hash on this origin.
 */
export function safeNextPath(value, fallback = "/live") {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")
      || value.startsWith("/\\")) {
    return fallback;
  }
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname === "/login") return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

/**
 * Go to the login page, asking it to come back to the current page afterwards.
 * @param {string} [next] Path to return to (defaults to the current path).
 */
export function redirectToLogin(next = window.location.pathname) {
  window.location.replace(`/login?next=${encodeURIComponent(next)}`);
}

