// Planning on the batches page, for administrators (manage_directory; the server refuses
// everyone else): create a 认定批次, add its sessions (场次) and rooms, move it through the
// transitions a person makes (refusals list every reason the server gives), and the 双随机
// draw of its supervisors; for everyone who sees the batch, its working-day deadlines as the
// server counts them and the published draw (names, commitment, seed and snapshot hash, to
// re-check with `proctor supervision verify-draw`).

import { ApiError, apiJson, errorDetail } from "../api.js";
import { beijingMs } from "../components/beijing.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { reasonText } from "../components/gate.js";
import { setLoading } from "../components/loading.js";
import { LEVELS, MODES, fillTerms } from "../components/report_terms.js";
import { formatDateTime, t } from "../i18n.js";

/**
 * @typedef {object} PlannedBatch What the planning needs of /api/batches/{id}.
 * @property {number} id
 * @property {number} organisation_id
 * @property {string} state
 * @property {{id: number, name: string, rooms: {room_id: number}[]}[]} sessions
 */
/**
 * @typedef {object} PublicDraw /api/public/draws (names only).
 * @property {number} draw_id
 * @property {string} kind
 * @property {string} committed_at
 * @property {string} commitment
 * @property {string | null} seed
 * @property {string} snapshot_sha256
 * @property {{batch_id: number} | null} batch
 * @property {string[]} supervisors
 */
/** @typedef {{action: string, label: import("../i18n.js").MessageKey}} Step */

const MANAGE = "manage_directory";
/** @type {Record<string, Step[]>} The transitions a person makes from each state (the draw
 * and the report's signature move the batch on by themselves). */
const STEPS = {
  draft: [{ action: "file", label: "plan.action.file" }],
  supervisors_drawn: [{ action: "start", label: "plan.action.start" }],
  in_progress: [{ action: "end", label: "plan.action.end" }],
  report_signed: [{ action: "open_publicity", label: "plan.action.openPublicity" },
    { action: "reject", label: "plan.action.reject" }],
  publicity: [{ action: "file_results", label: "plan.action.fileResults" },
    { action: "reject", label: "plan.action.reject" }],
  results_filed: [{ action: "accept", label: "plan.action.accept" },
    { action: "reject", label: "plan.action.reject" }],
};

const planning = {
  mayManage: false,
  /** @type {PlannedBatch | null} */
  batch: null,
  /** @type {(batch: number | null) => Promise<void>} */
  reload: async () => {},
};

/**
 * Send JSON; a refusal throws the server's reason with the 409's missing items attached.
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<any>}
 */
async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body),
    headers: { Accept: "application/json", "Content-Type": "application/json" },
  }).catch(() => { throw new ApiError(0, t("error.network")); });
  if (response.ok) return response.json();
  /** @type {{code: string, zh: string, en: string}[]} */
  let missing = [];
  try { missing = JSON.parse(await response.clone().text()).missing ?? []; } catch { /* */ }
  throw Object.assign(new ApiError(response.status, await errorDetail(response)), { missing });
}

/**
 * A form whose submission runs `work`; its refusal shows in `#<id>-error`.
 * @param {string} id
 * @param {() => Promise<void>} work
 */
function onSubmit(id, work) {
  const form = byId(id, HTMLFormElement);
  const errorBox = byId(`${id}-error`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(errorBox, "");
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      showError(errorBox, error);
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * A trimmed text field's value.
 * @param {string} id
 */
function value(id) {
  return byId(id, HTMLInputElement).value.trim();
}

/** The create form: the organisations to choose from, levels and modes. */
async function startCreate() {
  byId("plan-create").hidden = false;
  fillTerms(byId("create-level", HTMLSelectElement), LEVELS, "四级");
  fillTerms(byId("create-mode", HTMLSelectElement), MODES, "操作技能考核");
  /** @type {{id: number, name: string}[]} */
  const organisations = await apiJson("/api/organisations");
  byId("create-organisation", HTMLSelectElement).replaceChildren(...organisations.map(
    (organisation) => new Option(organisation.name, String(organisation.id))));
  onSubmit("create-form", async () => {
    if (!value("create-occupation") || !value("create-code")) throw new Error(t("plan.createMissing"));
    const batch = await post("/api/batches", {
      organisation_id: Number(byId("create-organisation", HTMLSelectElement).value),
      occupation_name: value("create-occupation"), occupation_code: value("create-code"),
      level: byId("create-level", HTMLSelectElement).value,
      mode: byId("create-mode", HTMLSelectElement).value,
    });
    history.pushState(null, "", `/batches?batch=${batch.id}`);
    await planning.reload(batch.id);
  });
}

/** The session and room forms of a draft batch. */
function startSessionForms() {
  onSubmit("session-form", async () => {
    const date = byId("session-date", HTMLInputElement);
    const from = beijingMs(date, byId("session-from", HTMLInputElement));
    const to = beijingMs(date, byId("session-to", HTMLInputElement));
    if (!value("session-name") || Number.isNaN(from) || Number.isNaN(to)) {
      throw new Error(t("plan.sessionMissing"));
    }
    await post(`/api/batches/${planning.batch?.id}/sessions`, { name: value("session-name"),
      starts_at: new Date(from).toISOString(), ends_at: new Date(to).toISOString() });
    await planning.reload(planning.batch?.id ?? null);
  });
  onSubmit("room-form", async () => {
    const session = byId("room-session", HTMLSelectElement).value;
    const room = byId("room-room", HTMLSelectElement).value;
    if (!session || !room) throw new Error(t("plan.roomMissing"));
    await post(`/api/sessions/${session}/rooms`, { room_id: Number(room),
      expected_examinees: Number(byId("room-expected", HTMLInputElement).value) });
    await planning.reload(planning.batch?.id ?? null);
  });
  onSubmit("draw-form", async () => {
    await post(`/api/batches/${planning.batch?.id}/draws`,
      { supervisors: Number(byId("draw-count", HTMLInputElement).value) });
    await planning.reload(planning.batch?.id ?? null);
  });
}

/**
 * Wire the planning forms (administrators only).
 * @param {string[]} permissions
 * @param {(batch: number | null) => Promise<void>} reload Draw the page again, on a batch.
 */
export async function startPlanning(permissions, reload) {
  planning.mayManage = permissions.includes(MANAGE);
  planning.reload = reload;
  if (!planning.mayManage) return;
  startSessionForms();
  await startCreate();
}

/**
 * Every room, named by its site, for the room form (the server refuses a room that is not
 * the batch's organisation's, saying so); the batch's sessions.
 * @param {PlannedBatch} batch
 */
async function fillRooms(batch) {
  /** @type {[{id: number, name: string}[], {id: number, site_id: number, name: string}[]]} */
  const [sites, rooms] = await Promise.all([apiJson("/api/sites"), apiJson("/api/rooms")]);
  const siteName = new Map(sites.map((site) => [site.id, site.name]));
  byId("room-room", HTMLSelectElement).replaceChildren(...rooms.map((room) => new Option(
    t("live.room", { site: siteName.get(room.site_id) ?? "", room: room.name }), String(room.id))));
  byId("room-session", HTMLSelectElement).replaceChildren(...batch.sessions.map(
    (session) => new Option(session.name, String(session.id))));
}

/**
 * Ask the server to move the batch on; a refusal lists every reason.
 * @param {string} action
 * @param {HTMLButtonElement} button
 */
async function transition(action, button) {
  const reasons = byId("transition-reasons");
  const status = byId("transition-status");
  showError(byId("transition-error"), "");
  reasons.replaceChildren();
  button.disabled = true;
  setLoading(status, true);
  try {
    /** @type {Record<string, string>} */
    const body = {};
    for (const [field, id] of [["filing_number", "transition-filing"],
      ["reason", "transition-reason"], ["override", "transition-override"]]) {
      if (value(id)) body[field] = value(id);
    }
    await post(`/api/batches/${planning.batch?.id}/transitions/${action}`, body);
    await planning.reload(planning.batch?.id ?? null);
  } catch (error) {
    showError(byId("transition-error"), error);
    const missing = /** @type {{missing?: {code: string, zh: string, en: string}[]}} */ (
      error).missing ?? [];
    reasons.replaceChildren(...missing.map((reason) => element("li", "", reasonText(reason))));
  } finally {
    button.disabled = false;
    setLoading(status, false);
  }
}

/**
 * The transition buttons of the batch's state.
 * @param {PlannedBatch} batch
 */
function showActions(batch) {
  const steps = STEPS[batch.state] ?? [];
  byId("batch-actions").hidden = !planning.mayManage || steps.length === 0;
  byId("transition-buttons").replaceChildren(...steps.map((step) => {
    const button = element("button", "", t(step.label));
    button.type = "button";
    button.dataset.action = step.action;
    button.addEventListener("click", () => void transition(step.action, button));
    return button;
  }));
}

/**
 * The batch's published supervisor draw, with what re-checks it.
 * @param {PlannedBatch} batch
 */
async function showDraw(batch) {
  byId("draw-form").hidden = !(planning.mayManage && batch.state === "filed");
  /** @type {PublicDraw[]} */
  const draws = await apiJson("/api/public/draws");
  const draw = draws.find((candidate) => candidate.kind === "supervisors"
    && candidate.batch?.batch_id === batch.id);
  byId("draw-none").hidden = draw !== undefined;
  if (!draw) {
    byId("draw-result").replaceChildren();
    return;
  }
  /** @type {[string, string][]} */
  const facts = [[t("plan.drawId"), String(draw.draw_id)],
    [t("plan.drawn"), draw.supervisors.join(t("report.listSeparator"))],
    [t("plan.drawTime"), formatDateTime(draw.committed_at)],
    [t("plan.commitment"), draw.commitment], [t("plan.seed"), draw.seed ?? t("batches.none")],
    [t("plan.snapshot"), draw.snapshot_sha256],
    [t("plan.verify"), `proctor supervision verify-draw ${draw.draw_id}`]];
  byId("draw-result").replaceChildren(...facts.flatMap(([label, text]) => [
    element("dt", "", label), element("dd", "mono", text)]));
}

/**
 * The batch's working-day deadlines as the server counts them (a year the calendar lacks is
 * named, never guessed); a late, missing or uncountable step is marked.
 * @param {PlannedBatch} batch
 */
async function showDeadlines(batch) {
  /** @type {{step: string, zh: string, en: string, flagged: boolean}[]} */
  const steps = await apiJson(`/api/batches/${batch.id}/deadlines`);
  byId("batch-no-deadlines").hidden = steps.length > 0;
  byId("batch-deadlines").replaceChildren(...steps.map((step) => {
    const item = element("li", step.flagged ? "warning" : "", reasonText(step));
    item.dataset.step = step.step;
    return item;
  }));
}

/**
 * The planning parts of a batch: the report link, the transitions, the session and room
 * forms of a draft, the draw.
 * @param {PlannedBatch} batch
 */
export async function showPlanning(batch) {
  planning.batch = batch;
  byId("batch-report-link", HTMLAnchorElement).href = `/report?batch=${batch.id}`;
  showActions(batch);
  const draft = planning.mayManage && batch.state === "draft";
  byId("session-form").hidden = !draft;
  byId("room-form").hidden = !draft || batch.sessions.length === 0;
  await Promise.all([draft ? fillRooms(batch) : null, showDeadlines(batch), showDraw(batch)]);
}
