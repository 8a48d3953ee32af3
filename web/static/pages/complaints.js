// The officers' workspace (投诉举报办理): the complaints in scope with a state filter and the
// overdue flags (逾期), one complaint's facts and timeline, and, for those who handle
// complaints, registering a phone / letter / visit complaint and every step: first review,
// investigation, footage attached under legal hold, extension with a reason, resolution
// (optionally requiring an amended 督导报告) and closing. Who complained is shown only when
// the API gives it (never to the accused organisation's operators). ?complaint=<id> opens one.

import { ApiError, apiJson } from "../api.js";
import { beijingMs } from "../components/beijing.js";
import { ComplaintFields, send } from "../components/complaint_form.js";
import { channelLabel, fillFacts, flagLabel, stateLabel } from "../components/complaint_terms.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { pageError, startPage } from "../components/shell.js";
import { formatDateTime, t } from "../i18n.js";

/**
 * @typedef {object} Complaint /api/complaints (a list item; the detail adds the lists).
 * @property {number} id
 * @property {string | null} tracking_code
 * @property {number} organisation_id
 * @property {number | null} batch_id
 * @property {number | null} room_id
 * @property {string} seat
 * @property {string} candidate
 * @property {string | null} incident_from
 * @property {string | null} incident_to
 * @property {string} text
 * @property {string} channel
 * @property {string} state
 * @property {string} registered_at
 * @property {string | null} first_review_due
 * @property {string | null} first_reviewed_at
 * @property {string} first_review_note
 * @property {string | null} resolution_due
 * @property {string | null} resolved_at
 * @property {string} resolution
 * @property {boolean | null} substantiated
 * @property {boolean} requires_amended_report
 * @property {string | null} closed_at
 * @property {string | null} flag
 * @property {{name: string, contact: string} | null} complainant
 */
/**
 * @typedef {object} Extension
 * @property {number} working_days
 * @property {string} previous_due
 * @property {string} new_due
 * @property {string} reason
 * @property {string} extended_by
 * @property {string} extended_at
 */
/**
 * @typedef {object} Clip
 * @property {number} camera_id
 * @property {string} starts_at
 * @property {string} ends_at
 * @property {number} legal_hold_id
 * @property {string} note
 * @property {string} attached_by
 * @property {string} attached_at
 */
/**
 * @typedef {Complaint & {extensions: Extension[], clips: Clip[],
 *   attachments: {id: number, media_type: string, size: number}[]}} Detail
 */
/** @typedef {{id: number, name: string, room: string, site: string}} Camera */

const STATES = ["registered", "first_review", "investigating", "resolved", "closed"];
const CHANNELS = ["phone", "letter", "visit"];
const stateFilter = byId("complaints-state", HTMLSelectElement);
const overdueOnly = byId("complaints-overdue", HTMLInputElement);
const list = byId("complaints-list");
const detail = byId("complaint-detail");
const actionError = byId("complaint-action-error");
const actionDone = byId("complaint-action-done");
const register = byId("complaints-register");
const registerForm = byId("register-form", HTMLFormElement);
const registerError = byId("register-error");
const clipCamera = byId("clip-camera", HTMLSelectElement);

/** @type {Detail | null} */
let shown = null;
/** @type {Map<number, Camera>} */
const cameras = new Map();

/**
 * A camera for people ("考点 · 考场 · 名称"), or its number.
 * @param {number} id
 */
function cameraName(id) {
  const camera = cameras.get(id);
  return camera ? `${camera.site} · ${camera.room} · ${camera.name}` : t("complaints.cameraId", { id });
}

/**
 * An optional moment for people.
 * @param {string | null} value
 */
function when(value) {
  return value ? formatDateTime(value) : null;
}

/** @param {Complaint} complaint */
function listItem(complaint) {
  const button = element("button", "secondary complaint-item");
  button.type = "button";
  button.dataset.id = String(complaint.id);
  const title = element("span", "complaint-item-title", t("complaints.item", {
    id: complaint.id, state: stateLabel(complaint.state) }));
  const meta = element("span", "muted", t("complaints.itemMeta", {
    registered: formatDateTime(complaint.registered_at), channel: channelLabel(complaint.channel) }));
  button.append(title, meta);
  if (complaint.flag) button.append(element("span", "complaint-overdue", flagLabel(complaint.flag)));
  if (shown?.id === complaint.id) button.setAttribute("aria-current", "true");
  button.addEventListener("click", () => open(complaint.id));
  const item = element("li");
  item.append(button);
  return item;
}

async function loadList() {
  const loading = byId("complaints-loading");
  setLoading(loading, true);
  try {
    const query = stateFilter.value ? `?state=${encodeURIComponent(stateFilter.value)}` : "";
    /** @type {Complaint[]} */
    const rows = await apiJson(`/api/complaints${query}`);
    const wanted = overdueOnly.checked ? rows.filter((row) => row.flag) : rows;
    list.replaceChildren(...wanted.map(listItem));
    byId("complaints-empty").hidden = wanted.length > 0;
  } catch (error) {
    showError(pageError(), error, t("complaints.error.list"));
  } finally {
    setLoading(loading, false);
  }
}

/**
 * The timeline's entries, oldest first.
 * @param {Detail} c
 * @returns {[string, string][]} moment and text
 */
function timeline(c) {
  /** @type {[string | null, string][]} */
  const entries = [[c.registered_at, t("complaints.event.registered", { channel: channelLabel(c.channel) })]];
  const rejected = c.first_reviewed_at !== null && c.first_reviewed_at === c.resolved_at;
  const note = { note: c.first_review_note };
  entries.push([c.first_reviewed_at, rejected ? t("complaints.event.rejected", note)
    : t("complaints.event.accepted", note)]);
  for (const e of c.extensions) {
    entries.push([e.extended_at, t("complaints.event.extended", { days: e.working_days,
      previous: e.previous_due, due: e.new_due, reason: e.reason, by: e.extended_by })]);
  }
  for (const clip of c.clips) {
    entries.push([clip.attached_at, t("complaints.event.clip", { camera: cameraName(clip.camera_id),
      from: formatDateTime(clip.starts_at), to: formatDateTime(clip.ends_at), hold: clip.legal_hold_id,
      by: clip.attached_by })]);
  }
  if (!rejected) {
    const verdict = c.substantiated ? t("complaints.substantiatedYes") : t("complaints.substantiatedNo");
    const amend = c.requires_amended_report ? t("complaints.amendRequired") : "";
    entries.push([c.resolved_at, t("complaints.event.resolved", { result: c.resolution, verdict, amend })]);
  }
  entries.push([c.closed_at, t("complaints.event.closed")]);
  return /** @type {[string, string][]} */ (entries.filter(([at]) => at))
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b));
}

/** @param {Detail} c */
function showDetail(c) {
  shown = c;
  byId("complaint-heading").textContent = t("complaints.heading", { id: c.id, state: stateLabel(c.state) });
  const flag = byId("complaint-flag");
  flag.textContent = c.flag ? flagLabel(c.flag) : "";
  flag.hidden = !c.flag;
  const person = c.complainant;
  fillFacts(byId("complaint-facts"), [
    [t("complaints.channel"), channelLabel(c.channel)],
    [t("complaintForm.organisation"), String(c.organisation_id)],
    [t("complaintForm.batch"), c.batch_id === null ? null : String(c.batch_id)],
    [t("complaintForm.room"), c.room_id === null ? null : String(c.room_id)],
    [t("complaintForm.seat"), c.seat],
    [t("complaintForm.candidate"), c.candidate],
    [t("complaints.incident"), c.incident_from || c.incident_to
      ? `${when(c.incident_from) ?? ""} – ${when(c.incident_to) ?? ""}` : null],
    [t("complaintForm.text"), c.text],
    [t("complaints.firstReviewDue"), c.first_reviewed_at ? null : c.first_review_due],
    [t("complaints.resolutionDue"), c.resolved_at ? null : c.resolution_due],
    [t("complaints.complainant"), person ? person.name || t("complaints.anonymous") : null],
    [t("complaintForm.contact"), person?.contact],
    [t("complaints.trackingCode"), c.tracking_code],
  ]);
  byId("complaint-timeline").replaceChildren(...timeline(c).map(([at, text]) => {
    const item = element("li");
    item.append(element("time", "muted", formatDateTime(at)), element("span", "", text));
    return item;
  }));
  byId("complaint-attachments-box").hidden = c.attachments.length === 0;
  byId("complaint-attachments").replaceChildren(...c.attachments.map((a, index) => {
    const link = element("a", "button-link", t("complaints.attachment", {
      number: index + 1, type: a.media_type, size: Math.ceil(a.size / 1024) }));
    link.href = `/api/complaints/${c.id}/attachments/${a.id}`;
    const item = element("li");
    item.append(link);
    return item;
  }));
  for (const form of byId("complaint-actions").querySelectorAll("form")) {
    form.hidden = !(form.dataset.state || "").split(" ").includes(c.state);
  }
  detail.hidden = false;
}

/** @param {number} id */
async function open(id) {
  showError(actionError, "");
  actionDone.hidden = true;
  try {
    showDetail(/** @type {Detail} */ (await apiJson(`/api/complaints/${id}`)));
    history.replaceState(null, "", `?complaint=${id}`);
    byId("complaint-heading").focus();
  } catch (error) {
    showError(pageError(), error, t("complaints.error.open"));
  }
}

/**
 * Do a step on the shown complaint, then show it again with what was done.
 * @param {string} step The path after /api/complaints/{id}/.
 * @param {object} body
 * @param {HTMLFormElement} form
 */
async function act(step, body, form) {
  if (!shown) return;
  const id = shown.id;
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((b) => { b.disabled = true; });
  showError(actionError, "");
  actionDone.hidden = true;
  try {
    await apiJson(`/api/complaints/${id}/${step}`, { method: "POST", body });
    form.reset();
    await open(id);
    actionDone.textContent = t("complaints.done");
    actionDone.hidden = false;
    await loadList();
  } catch (error) {
    showError(actionError, error);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

/**
 * A required text of a step's form, or null after saying it is missing.
 * @param {string} id
 */
function required(id) {
  const value = byId(id, HTMLTextAreaElement).value.trim();
  if (!value) showError(actionError, t("complaints.error.required"));
  return value || null;
}

/**
 * @param {string} id
 * @param {(form: HTMLFormElement) => void} handler
 */
function onStep(id, handler) {
  const form = byId(id, HTMLFormElement);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    handler(form);
  });
}

function wireSteps() {
  onStep("review-form", (form) => {
    const note = required("review-note");
    if (note) act("review", { accepted: byId("review-accept", HTMLInputElement).checked, note }, form);
  });
  onStep("investigate-form", (form) => act("investigate", {
    note: byId("investigate-note", HTMLTextAreaElement).value.trim() }, form));
  onStep("clip-form", (form) => {
    const from = beijingMs(byId("clip-from-date", HTMLInputElement), byId("clip-from-time", HTMLInputElement));
    const to = beijingMs(byId("clip-to-date", HTMLInputElement), byId("clip-to-time", HTMLInputElement));
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from || !clipCamera.value) {
      showError(actionError, t("complaints.error.clip"));
      return;
    }
    act("clips", { camera_id: Number(clipCamera.value), starts_at: new Date(from).toISOString(),
      ends_at: new Date(to).toISOString(), note: byId("clip-note", HTMLInputElement).value.trim() }, form);
  });
  onStep("extend-form", (form) => {
    const days = Number(byId("extend-days", HTMLInputElement).value);
    const reason = required("extend-reason");
    if (!Number.isInteger(days) || days < 1 || days > 60) showError(actionError, t("complaints.error.days"));
    else if (reason) act("extensions", { working_days: days, reason }, form);
  });
  onStep("resolve-form", (form) => {
    const result = required("resolve-result");
    if (result) {
      act("resolve", { result, substantiated: byId("resolve-substantiated", HTMLInputElement).checked,
        requires_amended_report: byId("resolve-amend", HTMLInputElement).checked }, form);
    }
  });
  onStep("close-form", (form) => act("close", {}, form));
}

/** @param {ComplaintFields} fields */
function wireRegister(fields) {
  byId("register-channel", HTMLSelectElement).replaceChildren(...CHANNELS.map((channel) => {
    const option = element("option", "", channelLabel(channel));
    option.value = channel;
    return option;
  }));
  byId("complaints-new").addEventListener("click", () => {
    register.hidden = false;
    fields.input("batch").focus();
  });
  const cancel = () => {
    register.hidden = true;
    fields.reset();
    byId("complaints-new").focus();
  };
  byId("register-cancel").addEventListener("click", cancel);
  register.addEventListener("keydown", (event) => { if (event.key === "Escape") cancel(); });
  registerForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(registerError, "");
    const values = fields.read();
    if (!values) {
      showError(registerError, t("complain.error.fields"));
      return;
    }
    const channel = byId("register-channel", HTMLSelectElement).value;
    const answer = await send("POST", "/api/complaints", { ...values, channel });
    if (answer.status === 201) {
      fields.reset();
      register.hidden = true;
      await loadList();
      await open(answer.body.id);
    } else if (!(answer.status === 422 && fields.showRefusal(answer.body?.detail))) {
      const detail = answer.body?.detail;
      showError(registerError, new ApiError(answer.status, typeof detail === "string" ? detail : ""));
    }
  });
}

async function loadCameras() {
  try {
    /** @type {Camera[]} */
    const found = await apiJson("/api/cameras");
    for (const camera of found) cameras.set(camera.id, camera);
  } catch {
    // the clip form then offers none; the officer's role can list them
  }
  clipCamera.replaceChildren(...[...cameras.values()].map((camera) => {
    const option = element("option", "", cameraName(camera.id));
    option.value = String(camera.id);
    return option;
  }));
}

const everyState = element("option", "", t("complaints.allStates"));
everyState.value = "";
stateFilter.replaceChildren(everyState, ...STATES.map((state) => {
  const option = element("option", "", stateLabel(state));
  option.value = state;
  return option;
}));
stateFilter.addEventListener("change", loadList);
overdueOnly.addEventListener("change", loadList);
const user = await startPage({ title: "complaints.title" });
if (user) {
  const handles = user.permissions.includes("handle_complaints");
  for (const node of document.querySelectorAll("[data-permission]")) {
    if (node instanceof HTMLElement) node.hidden = !user.permissions.includes(node.dataset.permission || "");
  }
  if (handles) {
    wireRegister(new ComplaintFields(byId("register-fields"), "register"));
    wireSteps();
    await loadCameras();
  }
  await loadList();
  const asked = Number(new URLSearchParams(window.location.search).get("complaint"));
  if (asked > 0) await open(asked);
  document.body.dataset.loaded = "true";
}
