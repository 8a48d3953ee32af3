// The loading state: a status line that screen readers announce, shown while work is running.

import { t } from "../i18n.js";

/**
 * Show or hide a loading line (an element with `role="status"`).
 * @param {HTMLElement} box
 * @param {boolean} busy
 * @param {string} [text] What is loading; "加载中…" by default.
 */
export function setLoading(box, busy, text = "") {
  box.textContent = busy ? text || t("loading") : "";
  box.hidden = !busy;
  box.setAttribute("aria-busy", String(busy));
}
