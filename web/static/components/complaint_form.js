// The fields of a complaint (投诉举报) as the public form and the officers' registration take
// them: drawn with their labels, checked in the page before anything is sent, and every
// refusal of the server shown next to the field it concerns. Sending goes through
// XMLHttpRequest, whose upload reports progress (attachments can be large).

import { t } from "../i18n.js";
import { beijingMs } from "./beijing.js";
import { element } from "./dom.js";

/** @typedef {import("../i18n.js").MessageKey} MessageKey */
/**
 * @typedef {object} Field One input of the form.
 * @property {string} id The input's id after the form's prefix.
 * @property {MessageKey} label
 * @property {"text" | "id" | "date" | "time" | "area"} kind
 * @property {number} [max] The most characters.
 * @property {string} [autocomplete]
 */
/**
 * @typedef {object} Answer What the server answered.
 * @property {number} status 0: the request never reached the server.
 * @property {any} body The parsed JSON (null if none).
 * @property {number | null} retryAfter Seconds, from Retry-After.
 */

/** @type {Field[]} */
const FIELDS = [
  { id: "batch", label: "complaintForm.batch", kind: "id" },
  { id: "organisation", label: "complaintForm.organisation", kind: "id" },
  { id: "room", label: "complaintForm.room", kind: "id" },
  { id: "seat", label: "complaintForm.seat", kind: "text", max: 20 },
  { id: "candidate", label: "complaintForm.candidate", kind: "text", max: 100 },
  { id: "from-date", label: "complaintForm.fromDate", kind: "date" },
  { id: "from-time", label: "complaintForm.fromTime", kind: "time" },
  { id: "to-date", label: "complaintForm.toDate", kind: "date" },
  { id: "to-time", label: "complaintForm.toTime", kind: "time" },
  { id: "text", label: "complaintForm.text", kind: "area", max: 4000 },
  { id: "name", label: "complaintForm.name", kind: "text", max: 100, autocomplete: "name" },
  { id: "contact", label: "complaintForm.contact", kind: "text", max: 200, autocomplete: "tel" },
];
/** The API's name of each field, and the field whose error box shows its problems. */
const API_FIELDS = /** @type {const} */ ([
  ["batch_id", "batch"], ["organisation_id", "batch"], ["room_id", "room"], ["seat", "seat"],
  ["candidate", "candidate"], ["incident_from", "from-time"], ["incident_to", "to-time"],
  ["text", "text"], ["complainant_name", "name"], ["complainant_contact", "contact"],
]);
const MIN_TEXT = 5;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** A complaint form's fields under one id prefix ("complain", "register"). */
export class ComplaintFields {
  /**
   * Draw the fields into `container`.
   * @param {HTMLElement} container
   * @param {string} prefix
   */
  constructor(container, prefix) {
    this.prefix = prefix;
    /** @type {Map<string, HTMLInputElement | HTMLTextAreaElement>} */
    this.inputs = new Map();
    /** @type {Map<string, HTMLElement>} */
    this.errors = new Map();
    container.replaceChildren(...FIELDS.map((field) => this.draw(field)));
    this.anonymous = element("input");
    this.anonymous.type = "checkbox";
    this.anonymous.id = `${prefix}-anonymous`;
    const anonymousLabel = element("label", "", t("complaintForm.anonymous"));
    anonymousLabel.htmlFor = this.anonymous.id;
    const box = element("div", "field check");
    box.append(this.anonymous, anonymousLabel);
    this.input("name").parentElement?.before(box);
    this.anonymous.addEventListener("change", () => {
      const name = this.input("name");
      name.disabled = this.anonymous.checked;
      if (this.anonymous.checked) name.value = "";
    });
  }

  /**
   * @param {Field} field
   * @returns {HTMLElement}
   */
  draw(field) {
    const id = `${this.prefix}-${field.id}`;
    const wrap = element("div", `field${field.kind === "area" ? " wide" : ""}`);
    const label = element("label", "", t(field.label));
    label.htmlFor = id;
    const input = field.kind === "area" ? element("textarea") : element("input");
    input.id = id;
    if (input instanceof HTMLInputElement) {
      input.type = field.kind === "date" ? "date" : "text";
      if (field.kind === "id") input.inputMode = "numeric";
      if (field.kind === "time") {
        input.inputMode = "numeric";
        input.placeholder = "HH:MM";
        input.pattern = "[0-9]{2}:[0-9]{2}(:[0-9]{2})?";
      }
    } else {
      input.rows = 5;
      input.required = true;
    }
    if (field.max) input.maxLength = field.max;
    if (field.autocomplete) input.autocomplete = /** @type {AutoFill} */ (field.autocomplete);
    const error = element("p", "error field-error");
    error.id = `${id}-error`;
    error.setAttribute("role", "alert");
    error.hidden = true;
    input.setAttribute("aria-describedby", error.id);
    this.inputs.set(field.id, input);
    this.errors.set(field.id, error);
    wrap.append(label, input, error);
    return wrap;
  }

  /**
   * @param {string} id
   * @returns {HTMLInputElement | HTMLTextAreaElement}
   */
  input(id) {
    const input = this.inputs.get(id);
    if (!input) throw new Error(`no complaint field ${id}`);
    return input;
  }

  /**
   * Put a value in a field (e.g. the batch from the address).
   * @param {string} id
   * @param {string} value
   */
  preset(id, value) {
    this.input(id).value = value;
  }

  /**
   * Show a problem next to a field ("" hides it).
   * @param {string} id
   * @param {string} message
   */
  problem(id, message) {
    const box = this.errors.get(id);
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    this.input(id).setAttribute("aria-invalid", String(Boolean(message)));
  }

  /** Hide every problem. */
  clear() {
    for (const id of this.errors.keys()) this.problem(id, "");
  }

  /** Empty every field. */
  reset() {
    for (const input of this.inputs.values()) input.value = "";
    this.anonymous.checked = false;
    this.input("name").disabled = false;
    this.clear();
  }

  /**
   * A field's trimmed text.
   * @param {string} id
   */
  value(id) {
    return this.input(id).value.trim();
  }

  /**
   * The fields as the API names them (empty ones left out), or null after showing each
   * problem next to its field.
   * @returns {Record<string, string> | null}
   */
  read() {
    this.clear();
    /** @type {Record<string, string>} */
    const values = {};
    let ok = true;
    /** @param {string} id @param {string} message */
    const refuse = (id, message) => {
      this.problem(id, message);
      ok = false;
    };
    for (const [name, id] of [["batch_id", "batch"], ["organisation_id", "organisation"],
      ["room_id", "room"]]) {
      const text = this.value(id);
      if (!text) continue;
      const number = Number(text);
      if (!/^\d+$/.test(text) || number < 1 || number > MAX_ID) refuse(id, t("complaintForm.error.number"));
      else values[name] = text;
    }
    if (!values.batch_id && !values.organisation_id) refuse("batch", t("complaintForm.error.about"));
    const moments = [["incident_from", "from"], ["incident_to", "to"]].map(([name, id]) => {
      const date = /** @type {HTMLInputElement} */ (this.input(`${id}-date`));
      const time = /** @type {HTMLInputElement} */ (this.input(`${id}-time`));
      if (!date.value && !time.value.trim()) return NaN;
      const ms = beijingMs(date, time);
      if (Number.isNaN(ms)) refuse(`${id}-time`, t("complaintForm.error.time"));
      else values[name] = new Date(ms).toISOString();
      return ms;
    });
    if (moments[1] < moments[0]) refuse("to-time", t("complaintForm.error.order"));
    const text = this.value("text");
    if (text.length < MIN_TEXT) refuse("text", t("complaintForm.error.text", { min: MIN_TEXT }));
    else values.text = text;
    for (const [name, id] of [["seat", "seat"], ["candidate", "candidate"],
      ["complainant_name", "name"], ["complainant_contact", "contact"]]) {
      if (this.value(id)) values[name] = this.value(id);
    }
    return ok ? values : null;
  }

  /**
   * Show the server's 422 next to the fields it names; false if it names none.
   * @param {unknown} detail The body's `detail`: a list of validation errors, or a line.
   * @returns {boolean}
   */
  showRefusal(detail) {
    if (!Array.isArray(detail)) return false;
    let placed = false;
    for (const item of detail) {
      const loc = Array.isArray(item?.loc) ? item.loc.map(String) : [];
      const message = String(item?.msg ?? "");
      const named = API_FIELDS.find(([name]) => loc.includes(name));
      const id = named ? named[1] : message.includes("incident_to") ? "to-time" : "batch";
      this.problem(id, message);
      placed = true;
    }
    return placed;
  }
}

/**
 * Send a form (FormData) or a JSON body, reporting the upload's progress.
 * @param {string} method
 * @param {string} url
 * @param {FormData | object} body
 * @param {(fraction: number) => void} [onProgress]
 * @returns {Promise<Answer>}
 */
export function send(method, url, body, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let parsed = null;
      try {
        parsed = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        parsed = { detail: request.responseText.slice(0, 200) };
      }
      const retry = Number(request.getResponseHeader("Retry-After"));
      resolve({ status: request.status, body: parsed, retryAfter: retry > 0 ? retry : null });
    });
    request.addEventListener("error", () => resolve({ status: 0, body: null, retryAfter: null }));
    if (body instanceof FormData) {
      request.send(body);
    } else {
      request.setRequestHeader("Content-Type", "application/json");
      request.send(JSON.stringify(body));
    }
  });
}
