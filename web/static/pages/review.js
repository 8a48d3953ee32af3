// Alert review page (告警复核): a batch's alerts as a timeline per camera, each with its
// snapshot; confirm or dismiss it with a note (the verdict is the caller's own: another
// reviewer's does not change what this page shows as yours), or open its clip in the archive.

import { apiJson } from "../api.js";
import { byId, element, isLocalPath } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { formatDateTime, formatTime, hasMessage, t } from "../i18n.js";

/**
 * @typedef {object} EventView
 * @property {number} id
 * @property {number} camera_id
 * @property {string} kind
 * @property {string} started_at
 * @property {string | null} ended_at
 * @property {number | null} peak_count
 * @property {number | null} peak_expected
 * @property {string | null} snapshot_url
 */
/**
 * @typedef {object} QueueItem An event of the batch with the caller's verdict.
 * @property {EventView} event
 * @property {"unreviewed" | "confirmed" | "dismissed"} state
 * @property {string} note
 * @property {{username: string, decision: string}[]} others
 */
/** @typedef {{id: number, name: string, room: string, site: string}} Camera */
/** @typedef {{id: number, occupation_name: string, level: string, state: string}} Batch */

const CLIP_MARGIN_MS = 30_000; // the clip opens this much before and after the alert

const batchSelect = byId("review-batch", HTMLSelectElement);
const showSelect = byId("review-show", HTMLSelectElement);
const loading = byId("review-loading");
const summary = byId("review-summary");
const empty = byId("review-empty");
const list = byId("review-cameras");

/** @type {Map<number, Camera>} */
let cameras = new Map();
/** @type {QueueItem[]} */
let queue = [];

/**
 * The caller's state in words.
 * @param {QueueItem["state"]} state
 */
function stateLabel(state) {
  if (state === "confirmed") return t("review.confirmed");
  if (state === "dismissed") return t("review.dismissed");
  return t("review.unreviewed");
}

/** @param {Batch} batch */
function batchLabel(batch) {
  const stateKey = `batch.state.${batch.state}`;
  return t("review.batchOption", { id: batch.id, occupation: batch.occupation_name,
    level: batch.level, state: hasMessage(stateKey) ? t(stateKey) : batch.state });
}

/** @param {EventView} event */
function kindLabel(event) {
  const key = `event.kind.${event.kind}`;
  return hasMessage(key) ? t(key) : event.kind;
}

/**
 * The archive page over the alert, with a margin either side.
 * @param {EventView} event
 */
function clipLink(event) {
  const from = Date.parse(event.started_at) - CLIP_MARGIN_MS;
  const to = Date.parse(event.ended_at || event.started_at) + CLIP_MARGIN_MS;
  return `/archive?camera=${event.camera_id}&from=${from}&to=${to}`;
}

/**
 * One alert on the timeline: snapshot, what and when, your verdict, note and buttons.
 * @param {QueueItem} item
 */
function eventCard(item) {
  const { event } = item;
  const card = element("li", "review-event");
  card.dataset.eventId = String(event.id);
  card.dataset.state = item.state;
  const what = kindLabel(event);
  const when = `${formatDateTime(event.started_at)}${event.ended_at
    ? `–${formatTime(event.ended_at)}` : ""}`;
  if (isLocalPath(event.snapshot_url)) {
    const image = element("img", "review-snapshot");
    image.src = event.snapshot_url;
    image.alt = t("review.snapshot", { kind: what, time: when });
    image.loading = "lazy";
    card.append(image);
  }
  const body = element("div", "review-body");
  body.append(element("p", "review-kind", what), element("p", "review-time", when));
  if (event.peak_count !== null) {
    body.append(element("p", "muted", event.peak_expected === null
      ? t("review.peak", { count: event.peak_count })
      : t("review.peakExpected", { count: event.peak_count, expected: event.peak_expected })));
  }
  const state = element("p", "review-state", stateLabel(item.state));
  state.dataset.state = item.state;
  body.append(state);
  if (item.others.length) {
    body.append(element("p", "muted", t("review.others", { count: item.others.length })));
  }
  const noteId = `review-note-${event.id}`;
  const label = element("label", "", t("review.note"));
  label.htmlFor = noteId;
  const note = element("textarea", "review-note");
  note.id = noteId;
  note.rows = 2;
  note.maxLength = 4000;
  note.value = item.note;
  const error = element("p", "error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const confirm = element("button", "", t("review.confirm"));
  const dismiss = element("button", "secondary", t("review.dismiss"));
  for (const [button, decision] of /** @type {const} */ ([[confirm, "confirmed"],
    [dismiss, "dismissed"]])) {
    button.type = "button";
    button.addEventListener("click", () => void decide(item, decision, note, error, [confirm, dismiss]));
  }
  const clip = element("a", "review-clip", t("review.clip"));
  clip.href = clipLink(event);
  const actions = element("p", "review-actions");
  actions.append(confirm, dismiss, clip);
  body.append(label, note, error, actions);
  card.append(body);
  return card;
}

/**
 * Send the caller's verdict, then redraw.
 * @param {QueueItem} item
 * @param {"confirmed" | "dismissed"} decision
 * @param {HTMLTextAreaElement} note
 * @param {HTMLElement} error
 * @param {HTMLButtonElement[]} buttons
 */
async function decide(item, decision, note, error, buttons) {
  const text = note.value.trim();
  if (decision === "dismissed" && !text) {
    showError(error, t("review.error.note"));
    note.focus();
    return;
  }
  for (const button of buttons) button.disabled = true;
  try {
    await apiJson(`/api/batches/${batchSelect.value}/events/${item.event.id}/review`, {
      method: "PUT", body: { decision, note: text } });
    item.state = decision;
    item.note = text;
    render();
    const state = document.querySelector(`[data-event-id="${item.event.id}"] .review-state`);
    if (state instanceof HTMLElement) { // keep the keyboard where it was
      state.tabIndex = -1;
      state.focus();
    }
  } catch (caught) {
    showError(error, caught, t("review.error.save"));
    for (const button of buttons) button.disabled = false;
  }
}

/** Draw the timeline of every camera with alerts the filter keeps. */
function render() {
  const open = queue.filter((item) => item.state === "unreviewed").length;
  summary.textContent = batchSelect.value
    ? t("review.summary", { count: queue.length, open }) : "";
  const shown = queue.filter((item) => !showSelect.value || item.state === showSelect.value);
  /** @type {Map<number, QueueItem[]>} */
  const byCamera = new Map();
  for (const item of shown) {
    byCamera.set(item.event.camera_id, [...(byCamera.get(item.event.camera_id) || []), item]);
  }
  list.replaceChildren(...[...byCamera].map(([cameraId, items]) => {
    const camera = cameras.get(cameraId);
    const section = element("section", "review-camera");
    const title = element("h2", "", camera ? t("review.camera", { site: camera.site,
      room: camera.room, camera: camera.name }) : t("review.cameraNumber", { id: cameraId }));
    title.id = `review-camera-${cameraId}`;
    section.setAttribute("aria-labelledby", title.id);
    const timeline = element("ol", "review-timeline");
    timeline.append(...items.sort((a, b) => Date.parse(a.event.started_at)
      - Date.parse(b.event.started_at)).map(eventCard));
    section.append(title, timeline);
    return section;
  }));
  empty.hidden = !batchSelect.value || shown.length > 0;
  empty.textContent = queue.length ? t("review.noneShown") : t("review.none");
}

/** Load the chosen batch's alerts with the caller's verdicts. */
async function loadQueue() {
  queue = [];
  history.replaceState(null, "", batchSelect.value ? `/review?batch=${batchSelect.value}` : "/review");
  if (!batchSelect.value) {
    render();
    return;
  }
  setLoading(loading, true);
  showError(byId("page-error"), "");
  try {
    queue = await apiJson(`/api/batches/${batchSelect.value}/review`);
  } catch (error) {
    showError(byId("page-error"), error, t("review.error.load"));
  } finally {
    setLoading(loading, false);
    render();
  }
}

const user = await startPage({ title: "review.title" });
if (user) {
  setLoading(loading, true);
  try {
    /** @type {[Camera[], Batch[]]} */
    const [visible, batches] = await Promise.all([apiJson("/api/cameras"),
      apiJson("/api/batches")]);
    cameras = new Map(visible.map((camera) => [camera.id, camera]));
    for (const batch of batches) {
      const option = element("option", "", batchLabel(batch));
      option.value = String(batch.id);
      batchSelect.append(option);
    }
    const wanted = new URLSearchParams(window.location.search).get("batch");
    if (wanted && batches.some((batch) => String(batch.id) === wanted)) batchSelect.value = wanted;
    else if (wanted) showError(byId("page-error"), t("review.error.notYours"));
    else if (batches.length === 1) batchSelect.value = String(batches[0].id);
  } catch (error) {
    showError(byId("page-error"), error, t("review.error.batches"));
  } finally {
    setLoading(loading, false);
  }
  batchSelect.addEventListener("change", () => void loadQueue());
  showSelect.addEventListener("change", render);
  await loadQueue();
  document.body.dataset.loaded = "true";
}
