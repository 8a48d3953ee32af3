// Errors shown to people: the server's own reason (its JSON `detail`, never the raw body),
// or a sentence saying what went wrong and what to do.

import { ApiError } from "../api.js";
import { t } from "../i18n.js";

/**
 * One line for people about a failure.
 * @param {unknown} error An ApiError, another Error, or a message.
 * @returns {string}
 */
export function messageOf(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    return error.detail || t("error.status", { status: error.status });
  }
  if (error instanceof Error) return error.message || t("error.unknown");
  return typeof error === "string" && error ? error : t("error.unknown");
}

/**
 * Show a failure in `box` (a `role="alert"` element), or hide the box when `error` is "".
 * @param {HTMLElement} box
 * @param {unknown} error
 * @param {string} [prefix] What was being done, e.g. t("live.error.cameras").
 */
export function showError(box, error, prefix = "") {
  const message = error === "" || error == null ? "" : messageOf(error);
  box.textContent = message && prefix ? `${prefix}${t("punctuation.colon")}${message}` : message;
  box.hidden = !message;
}
