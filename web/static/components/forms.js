// Forms and lists the administration pages share: a form that sends what it builds and shows
// the refusal beside it, list and select filling, and reading fields.

import { apiJson } from "../api.js";
import { t } from "../i18n.js";
import { byId, element } from "./dom.js";
import { showError } from "./errors.js";

/**
 * The trimmed value of a text field.
 * @param {string} id
 * @returns {string}
 */
export function text(id) {
  return byId(id, HTMLInputElement).value.trim();
}

/**
 * The numeric value of a select ("" when nothing is chosen).
 * @param {string} id
 * @returns {number | null}
 */
export function chosen(id) {
  const value = byId(id, HTMLSelectElement).value;
  return value ? Number(value) : null;
}

/**
 * Fill a list with one item per row, or an "empty" line.
 * @template T
 * @param {string} id The list's id.
 * @param {T[]} rows
 * @param {(row: T) => (HTMLElement | string)[]} parts What each item shows.
 * @param {string} [empty] The line shown without rows ("none yet" by default).
 */
export function fillList(id, rows, parts, empty = t("admin.empty")) {
  const list = byId(id);
  list.replaceChildren();
  if (!rows.length) list.append(element("li", "muted", empty));
  for (const row of rows) {
    const item = element("li");
    item.append(...parts(row));
    list.append(item);
  }
}

/**
 * Replace a select's options, keeping the chosen one if it is still there.
 * @template {{id: number | string}} T
 * @param {HTMLSelectElement} select
 * @param {T[]} rows
 * @param {(row: T) => string} label
 * @param {string} [none] The label of an empty first option, if any.
 */
export function fillSelect(select, rows, label, none) {
  const kept = select.value;
  select.replaceChildren();
  if (none !== undefined) select.append(new Option(none, ""));
  for (const row of rows) select.append(new Option(label(row), String(row.id)));
  if ([...select.options].some((option) => option.value === kept)) select.value = kept;
}

/**
 * A form that sends what `body()` builds to `path` and empties its fields, then calls
 * `done` with the server's answer; a missing field (a string from `body()`) or the server's
 * refusal shows in the form's `#<formId>-error` box.
 * @param {string} formId
 * @param {string | (() => string)} path Where to send (a function: read when submitting).
 * @param {() => Record<string, unknown> | string} body The request body, or what is missing.
 * @param {(answer: any) => Promise<void> | void} done What to do with the server's answer.
 * @param {string} [method] POST unless given.
 */
export function wireForm(formId, path, body, done, method = "POST") {
  const form = byId(formId, HTMLFormElement);
  const errorBox = byId(`${formId}-error`);
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const built = body();
    showError(errorBox, typeof built === "string" ? built : "");
    if (typeof built === "string") return;
    button.disabled = true;
    try {
      const url = typeof path === "string" ? path : path();
      const answer = await apiJson(url, { method, body: built });
      for (const input of form.querySelectorAll("input:not([type=checkbox]), textarea")) {
        /** @type {HTMLInputElement} */ (input).value = "";
      }
      await done(answer);
    } catch (error) {
      showError(errorBox, error);
    } finally {
      button.disabled = false;
    }
  });
}
