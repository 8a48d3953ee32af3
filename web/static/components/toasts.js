// Toasts: short notices in a corner (a polite live region), each with an optional picture,
// a button that acts on it, and a close button. They leave on their own after a while.

import { t } from "../i18n.js";
import { byId, element } from "./dom.js";

/** How long a toast stays unless closed. */
const TOAST_MS = 20000;

/**
 * @typedef {object} ToastOptions
 * @property {string} id Identifies the toast, so a later call can update it.
 * @property {string} title
 * @property {string[]} lines
 * @property {string | null} [image] A same-origin picture (e.g. the alert's snapshot).
 * @property {string} [imageAlt]
 * @property {{label: string, run: () => void}} [action]
 * @property {string} [kind] Marks the toast for styles and tests (data-kind).
 */

/**
 * Show a toast in the page's `#toasts` region, or update the one with the same id.
 * @param {ToastOptions} options
 * @returns {HTMLElement} The toast.
 */
export function showToast({ id, title, lines, image = null, imageAlt = "", action, kind = "" }) {
  const region = byId("toasts");
  let toast = /** @type {HTMLElement | null} */ (region.querySelector(`[data-toast-id="${CSS.escape(id)}"]`));
  if (!toast) {
    toast = element("div", "toast");
    toast.dataset.toastId = id;
    region.prepend(toast);
    const leaving = toast;
    setTimeout(() => leaving.remove(), TOAST_MS);
  }
  toast.dataset.kind = kind;
  const body = element("div", "toast-body");
  body.append(element("p", "toast-title", title));
  for (const line of lines.filter(Boolean)) body.append(element("p", "toast-line", line));
  const parts = [];
  if (image) {
    const picture = element("img", "toast-image");
    picture.src = image;
    picture.alt = imageAlt;
    picture.width = 160;
    picture.height = 90;
    parts.push(picture);
  }
  parts.push(body);
  const buttons = element("div", "toast-buttons");
  if (action) {
    const go = element("button", "toast-action", action.label);
    go.type = "button";
    go.addEventListener("click", action.run);
    buttons.append(go);
  }
  const close = element("button", "secondary toast-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", t("toast.close"));
  const closing = toast;
  close.addEventListener("click", () => closing.remove());
  buttons.append(close);
  parts.push(buttons);
  toast.replaceChildren(...parts);
  return toast;
}
