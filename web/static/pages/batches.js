// Batches page (认定批次): the batches within the user's scope; one batch's state, dates and
// flags, its results gate with every reason it is closed (结果备案/认可), its sessions and rooms
// with roster counts and the roster import (every bad line named), and its review list.
// Planning (create, sessions, rooms, transitions, the draw) is in batch_plan.js.
// The chosen batch is in the address (?batch=id), so a link opens it.

import { ApiError, apiJson } from "../api.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { reasonText, showGate } from "../components/gate.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { formatDateTime, hasMessage, t } from "../i18n.js";
import { showPlanning, startPlanning } from "./batch_plan.js";

/**
 * @typedef {object} BatchSummary A batch as /api/batches lists it.
 * @property {number} id
 * @property {string} occupation_name
 * @property {string} occupation_code
 * @property {string} level 职业技能等级, e.g. 四级
 * @property {string} mode 认定方式
 * @property {string} state
 * @property {string | null} filing_number
 * @property {string | null} plan_filed_on
 * @property {string | null} publicity_started_on
 * @property {string | null} results_filed_on
 * @property {Flag[]} flags
 */
/**
 * @typedef {object} Flag A deadline an administrator let pass, and why.
 * @property {string} zh
 * @property {string} en
 * @property {string} override_reason
 * @property {string | null} [due] The deadline (in working days from the step before).
 * @property {number} [working_days]
 */
/**
 * @typedef {object} SessionRoom
 * @property {number} id
 * @property {number} room_id
 * @property {string} room_name
 * @property {string} site_name
 * @property {number} expected_examinees
 * @property {number} candidates
 * @property {number} examiners
 * @property {number} invigilators
 */
/**
 * @typedef {object} ExamSession
 * @property {number} id
 * @property {string} name
 * @property {string} starts_at
 * @property {string} ends_at
 * @property {SessionRoom[]} rooms
 */
/** @typedef {BatchSummary & {sessions: ExamSession[]}} Batch */
/**
 * @typedef {object} QueueItem /api/batches/{id}/review.
 * @property {{id: number, kind: string, camera_id: number, started_at: string}} event
 * @property {string} state unreviewed, confirmed or dismissed
 */
/** @typedef {{line: number, reason: string}} RosterProblem */

const MANAGE = "manage_directory";

const loading = byId("batches-loading");
const list = byId("batches-list");
const empty = byId("batches-empty");
const detail = byId("batch-detail");
const rosterStatus = byId("roster-status");
const rosterError = byId("roster-error");
const rosterProblems = byId("roster-problems");

/**
 * A batch's state in words (the labels of proctor/supervision/states.py).
 * @param {string} state
 */
function stateLabel(state) {
  const key = `batch.state.${state}`;
  return hasMessage(key) ? t(/** @type {any} */ (key)) : state;
}

/**
 * The batch list, each a link to its page.
 * @param {BatchSummary[]} batches
 * @param {number | null} chosen
 */
function showList(batches, chosen) {
  empty.hidden = batches.length > 0;
  document.body.dataset.batches = String(batches.length); // drawn (screenshots wait for it)
  list.replaceChildren(...batches.map((batch) => {
    const link = element("a", "", t("batches.item", {
      id: batch.id, occupation: batch.occupation_name, level: batch.level,
      state: stateLabel(batch.state),
    }));
    link.href = `/batches?batch=${batch.id}`;
    if (batch.id === chosen) link.setAttribute("aria-current", "true");
    const item = element("li");
    item.append(link);
    return item;
  }));
}

/**
 * The batch's filing dates and the flags of late or skipped steps.
 * @param {Batch} batch
 */
function showFacts(batch) {
  byId("batch-name").textContent = t("batches.name", {
    id: batch.id, occupation: batch.occupation_name, code: batch.occupation_code,
    level: batch.level, mode: batch.mode,
  });
  byId("batch-state").textContent = stateLabel(batch.state);
  /** @type {[string, string | null][]} */
  const dates = [[t("batches.filingNumber"), batch.filing_number],
    [t("batches.planFiled"), batch.plan_filed_on],
    [t("batches.publicityStarted"), batch.publicity_started_on],
    [t("batches.resultsFiled"), batch.results_filed_on]];
  byId("batch-dates").replaceChildren(...dates.flatMap(([label, value]) => [
    element("dt", "", label), element("dd", "", value ?? t("batches.none"))]));
  byId("batch-flags").replaceChildren(...batch.flags.map((flag) =>
    element("li", "warning", t("batches.flag", {
      what: reasonText(flag), due: flag.due ?? t("batches.none"),
      days: flag.working_days ?? 0, why: flag.override_reason,
    }))));
}

/**
 * A room's roster counts, and (for administrators) its roster import.
 * @param {SessionRoom} room
 * @param {boolean} mayManage
 */
function roomRow(room, mayManage) {
  const row = element("li", "batch-room");
  row.dataset.sessionRoom = String(room.id);
  row.append(element("span", "", t("batches.room", {
    room: t("live.room", { site: room.site_name, room: room.room_name }),
    expected: room.expected_examinees, candidates: room.candidates,
    examiners: room.examiners, invigilators: room.invigilators,
  })));
  if (mayManage) {
    const id = `roster-file-${room.id}`;
    const label = element("label", "", t("batches.rosterFile"));
    label.htmlFor = id;
    const input = element("input");
    input.type = "file";
    input.id = id;
    input.accept = ".csv,text/csv";
    const button = element("button", "", t("batches.rosterImport"));
    button.type = "button";
    button.addEventListener("click", () => void importRoster(room.id, input, button));
    const form = element("div", "roster-form");
    form.append(label, input, button);
    row.append(form);
  }
  return row;
}

/**
 * The batch's sessions (场次) with their rooms.
 * @param {Batch} batch
 * @param {boolean} mayManage
 */
function showSessions(batch, mayManage) {
  byId("batch-no-sessions").hidden = batch.sessions.length > 0;
  byId("batch-sessions").replaceChildren(...batch.sessions.map((session) => {
    const box = element("section", "batch-session");
    box.append(element("h4", "", t("batches.session", {
      name: session.name, from: formatDateTime(session.starts_at),
      to: formatDateTime(session.ends_at),
    })));
    const rooms = element("ul", "batch-rooms");
    rooms.append(...session.rooms.map((room) => roomRow(room, mayManage)));
    box.append(rooms);
    return box;
  }));
}

/**
 * The user's own verdict on an event, in words.
 * @param {string} state
 */
function reviewState(state) {
  if (state === "confirmed") return t("batches.confirmed");
  return state === "dismissed" ? t("batches.dismissed") : t("batches.unreviewed");
}

/**
 * The review list: each event with the user's own state (null: not the user's to review).
 * @param {QueueItem[] | null} items
 */
function showReview(items) {
  if (items === null) {
    byId("batch-review-summary").textContent = t("batches.reviewNotYours");
    byId("batch-review").replaceChildren();
    return;
  }
  const open = items.filter((item) => item.state === "unreviewed").length;
  byId("batch-review-summary").textContent = t("batches.reviewSummary",
    { count: items.length, open });
  byId("batch-review").replaceChildren(...items.map((item) => {
    const kind = `event.kind.${item.event.kind}`;
    return element("li", "", t("batches.reviewItem", {
      time: formatDateTime(item.event.started_at), camera: item.event.camera_id,
      kind: hasMessage(kind) ? t(/** @type {any} */ (kind)) : item.event.kind,
      state: reviewState(item.state),
    }));
  }));
}

/**
 * Upload a room's roster CSV; on refusal list every bad line the server named.
 * @param {number} sessionRoom
 * @param {HTMLInputElement} input
 * @param {HTMLButtonElement} button
 */
async function importRoster(sessionRoom, input, button) {
  showError(rosterError, "");
  rosterProblems.hidden = true;
  const file = input.files?.[0];
  if (!file) {
    showError(rosterError, t("batches.rosterChoose"));
    input.focus();
    return;
  }
  button.disabled = true;
  setLoading(rosterStatus, true, t("batches.rosterUploading"));
  try {
    const response = await fetch(`/api/session-rooms/${sessionRoom}/roster`, {
      method: "PUT", credentials: "same-origin", body: file,
      headers: { "Content-Type": "text/csv", Accept: "application/json" },
    });
    /** @type {{detail?: unknown, problems?: RosterProblem[], candidates?: number}} */
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail
        : t("error.status", { status: response.status });
      showError(rosterError, detail);
      const problems = body.problems ?? [];
      rosterProblems.replaceChildren(...problems.map((problem) =>
        element("li", "", t("batches.rosterLine", { line: problem.line, reason: problem.reason }))));
      rosterProblems.hidden = problems.length === 0;
      return;
    }
    await load(currentBatch());
    setLoading(rosterStatus, false);
    rosterStatus.hidden = false;
    rosterStatus.textContent = t("batches.rosterDone", { count: body.candidates ?? 0 });
  } catch {
    showError(rosterError, t("error.network"));
  } finally {
    button.disabled = false;
    if (rosterStatus.getAttribute("aria-busy") === "true") setLoading(rosterStatus, false);
  }
}

/**
 * A GET the user may be refused: null on 403 (the batch's reports and review are for its
 * drawn supervisors, administrators and auditors; the server says who), else the body.
 * @param {string} path
 * @returns {Promise<any>}
 */
async function unlessRefused(path) {
  try {
    return await apiJson(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw error;
  }
}

/** The batch in the address, or null. */
function currentBatch() {
  const value = Number(new URLSearchParams(window.location.search).get("batch"));
  return Number.isInteger(value) && value > 0 ? value : null;
}

/** @type {string[]} */
let permissions = [];

/**
 * Load the list and, if one is chosen, the batch with its gate and review list.
 * @param {number | null} chosen
 */
async function load(chosen) {
  setLoading(loading, true);
  try {
    showList(/** @type {BatchSummary[]} */ (await apiJson("/api/batches?limit=500")), chosen);
    if (chosen === null) return;
    const [batch, gate, review] = await Promise.all([apiJson(`/api/batches/${chosen}`),
      unlessRefused(`/api/batches/${chosen}/gate`), unlessRefused(`/api/batches/${chosen}/review`)]);
    showFacts(batch);
    showGate(byId("batch-gate-state"), byId("batch-gate-reasons"), gate);
    showSessions(batch, permissions.includes(MANAGE));
    showReview(review);
    await showPlanning(batch);
    detail.hidden = false;
  } catch (error) {
    showError(byId("page-error"), error, t("batches.error"));
  } finally {
    setLoading(loading, false);
  }
}

const user = await startPage({ title: "batches.title" });
if (user) {
  permissions = user.permissions;
  await Promise.all([load(currentBatch()), startPlanning(permissions, load)]);
}
