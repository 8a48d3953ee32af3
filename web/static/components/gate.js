// The results gate (结果备案/认可) of a batch, as the batches and report pages show it: open,
// or every reason the server gives in the page's language; a reason about complaints links
// each complaint it names to the complaints page (/complaints?complaint=<id>).

import { lang, t } from "../i18n.js";
import { element } from "./dom.js";

/** @typedef {{code: string, zh: string, en: string}} Reason */
/**
 * @typedef {object} Gate /api/batches/{id}/gate.
 * @property {boolean} open
 * @property {Reason[]} missing
 * @property {number[]} [open_complaint_ids] The open complaints the reasons name.
 * @property {number[]} [awaiting_amendment] Complaints waiting for an amended report.
 */

/**
 * A text the server gives in both languages, in the page's.
 * @param {{zh: string, en: string}} reason
 */
export function reasonText(reason) {
  return lang === "zh-CN" ? reason.zh : reason.en;
}

/**
 * The complaints a reason is about, by id.
 * @param {Reason} reason
 * @param {Gate} gate
 * @returns {number[]}
 */
function complaintsOf(reason, gate) {
  if (reason.code === "complaints_open") return gate.open_complaint_ids ?? [];
  if (reason.code === "amended_report_required") return gate.awaiting_amendment ?? [];
  return [];
}

/**
 * One reason, with a link to each complaint it names.
 * @param {Reason} reason
 * @param {Gate} gate
 */
function reasonItem(reason, gate) {
  const item = element("li", "", reasonText(reason));
  item.dataset.code = reason.code;
  for (const id of complaintsOf(reason, gate)) {
    const link = element("a", "gate-complaint", t("gate.complaint", { id }));
    link.href = `/complaints?complaint=${id}`;
    item.append(" ", link);
  }
  return item;
}

/**
 * Show the gate: open, or every reason it is closed (null: not the user's to see).
 * @param {HTMLElement} stateBox
 * @param {HTMLElement} reasonsBox
 * @param {Gate | null} gate
 */
export function showGate(stateBox, reasonsBox, gate) {
  if (gate === null) stateBox.textContent = t("batches.gateNotYours");
  else stateBox.textContent = gate.open ? t("batches.gateOpen") : t("batches.gateClosed");
  reasonsBox.replaceChildren(...(gate?.missing ?? []).map((reason) => reasonItem(reason, gate
    ?? { open: false, missing: [] })));
}
