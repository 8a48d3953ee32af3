// Report page (督导报告) of one batch (/report?batch=id[&report=id]): its versions; the
// draft's editor (checklist, supervision type and manner, 处理意见, 整改期限, 督导结论) and
// its findings with their clips (confirmed events and manual findings, each clip opening the
// archive page over its range); signing with every reason the server refuses it; the signed
// PDF shown in the page and downloadable; the head's acknowledgement and an amendment (a new
// version); the batch's results gate after all this. Writing is for the batch's drawn
// supervisors and administrators (the review list is theirs); auditors read.

import { ApiError, apiJson, errorDetail } from "../api.js";
import { beijingMs } from "../components/beijing.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { reasonText, showGate } from "../components/gate.js";
import { setLoading } from "../components/loading.js";
import {
  ANSWERS, CHECK_ITEMS, CONCLUSIONS, MANNERS, SEVERITIES, SIDES, fillTerms, termLabel,
} from "../components/report_terms.js";
import { startPage } from "../components/shell.js";
import { formatDateTime, t } from "../i18n.js";

/**
 * @typedef {object} ChecklistEntry
 * @property {string} item
 * @property {string} answer
 * @property {string | null} [remark]
 * @property {string[]} [evidence]
 */
/**
 * @typedef {object} Clip
 * @property {number} camera_id
 * @property {string} camera
 * @property {string} start
 * @property {string} end
 * @property {string[]} segments SHA-256 of each covering segment.
 */
/**
 * @typedef {object} Finding
 * @property {number} number
 * @property {string} item
 * @property {string} severity
 * @property {string} description
 * @property {Clip[]} clips
 */
/**
 * @typedef {object} Content
 * @property {Record<string, any>} header
 * @property {ChecklistEntry[]} checklist
 * @property {Finding[]} findings
 * @property {string} opinion
 * @property {string | null} rectification_deadline
 * @property {string} conclusion
 */
/**
 * @typedef {object} Report /api/reports/{id}.
 * @property {number} id
 * @property {string} number
 * @property {number} version
 * @property {number | null} amends_id
 * @property {string} conclusion
 * @property {boolean} signed
 * @property {string | null} signed_at
 * @property {string | null} pdf_sha256
 * @property {string | null} acknowledged_by
 * @property {string | null} acknowledged_at
 * @property {Content} content
 */
/** @typedef {{id: number, name: string, room_id: number}} Camera */

const DRAFTABLE = ["in_progress", "ended"];

const loading = byId("report-loading");
const form = byId("report-form", HTMLFormElement);
const findingForm = byId("finding-form", HTMLFormElement);

/**
 * The page's state: the batch, whether the user may write its report, the versions, the one
 * shown (null: none drafted yet).
 */
const state = {
  batch: 0,
  batchState: "",
  mayWrite: false,
  /** @type {Report[]} */
  versions: [],
  /** @type {Report | null} */
  shown: null,
};

/**
 * A number from the address, or null.
 * @param {string} name
 */
function param(name) {
  const value = Number(new URLSearchParams(window.location.search).get(name));
  return Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * A GET the user may be refused: null on 403, else the body.
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

/**
 * Send JSON; on refusal throw the server's reason, with the list of missing items of a 409
 * (a refused signature names each) attached.
 * @param {string} path
 * @param {unknown} body
 * @param {string} [method]
 * @returns {Promise<any>}
 */
async function send(path, body, method = "POST") {
  const response = await fetch(path, {
    method, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Accept: "application/json", "Content-Type": "application/json" },
  }).catch(() => { throw new ApiError(0, t("error.network")); });
  if (response.ok) return response.json();
  const text = await response.clone().text();
  /** @type {{code: string, zh: string, en: string}[]} */
  let missing = [];
  try { missing = JSON.parse(text).missing ?? []; } catch { /* not JSON */ }
  const error = new ApiError(response.status, await errorDetail(response));
  throw Object.assign(error, { missing });
}

/** The versions, each a link; the one shown is marked. */
function showVersions() {
  byId("report-none").hidden = state.versions.length > 0;
  byId("report-versions").replaceChildren(...state.versions.map((report) => {
    const link = element("a", "", t("report.version", {
      number: report.number, version: report.version,
      state: report.signed ? t("report.signed") : t("report.draft"),
      conclusion: termLabel(CONCLUSIONS, report.conclusion),
    }));
    link.href = `/report?batch=${state.batch}&report=${report.id}`;
    if (report.id === state.shown?.id) link.setAttribute("aria-current", "true");
    const item = element("li");
    item.append(link);
    return item;
  }));
}

/**
 * The header facts of the report (基本情况).
 * @param {Record<string, any>} header
 */
function showHeader(header) {
  const none = t("report.notRecorded");
  /** @type {[string, unknown][]} */
  const facts = [[t("batches.filingNumber"), header.filing_number ?? none],
    [t("report.organisation"), header.organisation], [t("report.place"),
      `${header.site} · ${header.room}`], [t("report.sessions"), header.session],
    [t("report.attendance"), t("report.attendanceValue", {
      planned: header.planned, present: header.present ?? none, absent: header.absent ?? none })],
    [t("report.supervisors"), (header.supervisors ?? []).map(
      (/** @type {{name: string, draw_id: string}} */ s) => `${s.name}（${s.draw_id}）`)
      .join(t("report.listSeparator"))]];
  byId("report-header").replaceChildren(...facts.flatMap(([label, value]) => [
    element("dt", "", label), element("dd", "", String(value))]));
}

/**
 * The checklist: one row per item with its answer and remark.
 * @param {ChecklistEntry[]} checklist
 */
function showChecklist(checklist) {
  byId("report-checklist").replaceChildren(...CHECK_ITEMS.map((term, index) => {
    const entry = checklist.find((candidate) => candidate.item === term.value);
    const row = element("div", "report-check");
    row.dataset.item = term.value;
    const answer = element("select");
    answer.id = `check-answer-${index}`;
    fillTerms(answer, ANSWERS, entry?.answer ?? "不适用");
    const answerLabel = element("label", "", t(term.label));
    answerLabel.htmlFor = answer.id;
    const remark = element("input");
    remark.id = `check-remark-${index}`;
    remark.maxLength = 4000;
    remark.value = entry?.remark ?? "";
    const remarkLabel = element("label", "muted", t("report.remark"));
    remarkLabel.htmlFor = remark.id;
    row.append(answerLabel, answer, remarkLabel, remark);
    return row;
  }));
}

/**
 * The checklist as the form holds it (each item's evidence links kept as they were).
 * @param {ChecklistEntry[]} previous
 * @returns {ChecklistEntry[]}
 */
function checklistOf(previous) {
  return CHECK_ITEMS.map((term, index) => {
    const remark = byId(`check-remark-${index}`, HTMLInputElement).value.trim();
    const evidence = previous.find((entry) => entry.item === term.value)?.evidence ?? [];
    return { item: term.value, answer: byId(`check-answer-${index}`, HTMLSelectElement).value,
      remark: remark || null, evidence };
  });
}

/**
 * The judgement the form holds (the draft and edit bodies).
 * @param {ChecklistEntry[]} previous
 */
function judgement(previous) {
  return {
    checklist: checklistOf(previous),
    side: byId("report-side", HTMLSelectElement).value,
    manner: byId("report-manner", HTMLSelectElement).value,
    opinion: byId("report-opinion", HTMLTextAreaElement).value.trim(),
    rectification_deadline: byId("report-deadline", HTMLInputElement).value || null,
    conclusion: byId("report-conclusion", HTMLSelectElement).value,
  };
}

/**
 * The editor, filled from the report shown (or empty for a first draft); read-only once
 * signed or for a reader.
 * @param {Report | null} report
 */
function showForm(report) {
  const content = report?.content;
  showChecklist(content?.checklist ?? []);
  fillTerms(byId("report-side", HTMLSelectElement), SIDES, content?.header.side ?? "外督");
  fillTerms(byId("report-manner", HTMLSelectElement), MANNERS, content?.header.manner ?? "线上");
  byId("report-opinion", HTMLTextAreaElement).value = content?.opinion ?? "";
  byId("report-deadline", HTMLInputElement).value = content?.rectification_deadline ?? "";
  fillTerms(byId("report-conclusion", HTMLSelectElement), CONCLUSIONS,
    content?.conclusion ?? "合格");
  const writable = state.mayWrite && !report?.signed;
  byId("report-fields", HTMLFieldSetElement).disabled = !writable;
  const save = byId("report-save", HTMLButtonElement);
  save.hidden = !writable;
  save.textContent = report ? t("report.save") : t("report.create");
}

/**
 * The archive page over a clip's range.
 * @param {Clip} clip
 */
function clipHref(clip) {
  return `/archive?camera=${clip.camera_id}&from=${Date.parse(clip.start)}&to=${Date.parse(clip.end)}`;
}

/**
 * The findings, each with its clips (a link that plays the range in the archive page).
 * @param {Finding[]} findings
 */
function showFindings(findings) {
  byId("report-no-findings").hidden = findings.length > 0;
  byId("report-findings").replaceChildren(...findings.map((finding) => {
    const item = element("li", "report-finding");
    item.append(element("p", "", t("report.finding", {
      item: termLabel(CHECK_ITEMS, finding.item),
      severity: termLabel(SEVERITIES, finding.severity), description: finding.description,
    })));
    const clips = element("ul", "report-clips");
    clips.append(...finding.clips.map((clip) => {
      const link = element("a", "", t("report.clip", {
        camera: clip.camera, from: formatDateTime(clip.start), to: formatDateTime(clip.end),
        segments: clip.segments.length,
      }));
      link.href = clipHref(clip);
      const row = element("li");
      row.append(link);
      return row;
    }));
    item.append(clips);
    return item;
  }));
}

/**
 * The signature, the PDF (preview and download), the acknowledgement and the amendment.
 * @param {Report} report
 */
function showSigned(report) {
  byId("report-pdf").hidden = !report.signed;
  byId("report-sign-box").hidden = report.signed || !state.mayWrite;
  const latest = state.versions[state.versions.length - 1]?.id === report.id;
  byId("amend-form").hidden = !(report.signed && state.mayWrite && latest);
  byId("acknowledge-form").hidden = !(report.signed && state.mayWrite && !report.acknowledged_by);
  if (!report.signed) return;
  const pdf = `/api/reports/${report.id}/pdf`;
  byId("report-download", HTMLAnchorElement).href = pdf;
  const preview = byId("report-preview", HTMLIFrameElement);
  if (preview.getAttribute("src") !== `${pdf}?inline=true`) preview.src = `${pdf}?inline=true`;
  byId("report-acknowledged").textContent = report.acknowledged_by
    ? t("report.acknowledgedBy", { head: report.acknowledged_by,
      time: formatDateTime(report.acknowledged_at ?? "") })
    : t("report.notAcknowledged");
}

/**
 * Show one version (or, with none, the first draft's empty form if the user may write).
 * @param {Report | null} report
 */
function showReport(report) {
  state.shown = report;
  const draftable = state.mayWrite && DRAFTABLE.includes(state.batchState);
  byId("report-view").hidden = report === null && !draftable;
  byId("report-heading").textContent = report
    ? t("report.heading", { number: report.number, version: report.version })
    : t("report.newDraft");
  byId("report-status").textContent = report
    ? (report.signed ? t("report.signedAt", { time: formatDateTime(report.signed_at ?? ""),
      sha: report.pdf_sha256 ?? "" }) : t("report.draftStatus"))
    : t("report.newDraftHelp");
  if (report) showHeader(report.content.header);
  else byId("report-header").replaceChildren();
  showForm(report);
  showFindings(report?.content.findings ?? []);
  findingForm.hidden = !(state.mayWrite && report !== null && !report.signed);
  if (report) showSigned(report);
  else for (const id of ["report-pdf", "report-sign-box"]) byId(id).hidden = true;
  showVersions();
}

/** The batch's cameras (those of its rooms) for a manual finding. */
async function fillCameras() {
  const batch = await apiJson(`/api/batches/${state.batch}`);
  const rooms = new Set(batch.sessions.flatMap(
    (/** @type {{rooms: {room_id: number}[]}} */ s) => s.rooms.map((r) => r.room_id)));
  /** @type {Camera[]} */
  const cameras = (await apiJson("/api/cameras")).filter(
    (/** @type {Camera} */ camera) => rooms.has(camera.room_id));
  byId("finding-camera", HTMLSelectElement).replaceChildren(
    ...cameras.map((camera) => new Option(camera.name, String(camera.id))));
  fillTerms(byId("finding-category", HTMLSelectElement), CHECK_ITEMS, CHECK_ITEMS[0].value);
  fillTerms(byId("finding-severity", HTMLSelectElement), SEVERITIES, SEVERITIES[0].value);
  const first = batch.sessions[0];
  if (first) {
    byId("finding-date", HTMLInputElement).value =
      new Date(Date.parse(first.starts_at) + 8 * 3600_000).toISOString().slice(0, 10);
  }
}

/**
 * Load the batch's versions, its gate and whether the user may write; show `chosen` (or the
 * latest version).
 * @param {number | null} chosen
 */
async function load(chosen) {
  setLoading(loading, true);
  try {
    const [batch, versions, gate, review] = await Promise.all([
      apiJson(`/api/batches/${state.batch}`), unlessRefused(`/api/batches/${state.batch}/reports`),
      unlessRefused(`/api/batches/${state.batch}/gate`),
      unlessRefused(`/api/batches/${state.batch}/review`)]);
    state.batchState = batch.state;
    state.mayWrite = review !== null;
    byId("report-readonly").hidden = state.mayWrite || versions === null;
    if (versions === null) {
      showError(byId("page-error"), t("report.notYours"));
      return;
    }
    state.versions = versions;
    const report = versions.find((/** @type {Report} */ r) => r.id === chosen)
      ?? versions[versions.length - 1] ?? null;
    showReport(report);
    showGate(byId("batch-gate-state"), byId("batch-gate-reasons"), gate);
    document.body.dataset.loaded = "true";
  } catch (error) {
    showError(byId("page-error"), error, t("report.error"));
  } finally {
    setLoading(loading, false);
  }
}

/**
 * Show a version by its id, in the address too.
 * @param {number} id
 */
async function open(id) {
  history.replaceState(null, "", `/report?batch=${state.batch}&report=${id}`);
  await load(id);
}

/**
 * A form whose submission runs `work`; its refusal shows in `#<id>-error`.
 * @param {HTMLFormElement} which
 * @param {() => Promise<void>} work
 */
function onSubmit(which, work) {
  const errorBox = byId(`${which.id}-error`);
  which.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(errorBox, "");
    const button = /** @type {HTMLButtonElement} */ (which.querySelector("button[type=submit]"));
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

onSubmit(form, async () => {
  const saved = byId("report-saved");
  saved.hidden = true;
  const shown = state.shown;
  const body = judgement(shown?.content.checklist ?? []);
  if (!body.opinion) throw new Error(t("report.opinionMissing"));
  const report = shown
    ? await send(`/api/reports/${shown.id}`, body, "PATCH")
    : await send(`/api/batches/${state.batch}/reports`, body);
  await open(report.id);
  saved.textContent = t("report.savedAt", { time: formatDateTime(new Date().toISOString()) });
  saved.hidden = false;
});

onSubmit(findingForm, async () => {
  const date = byId("finding-date", HTMLInputElement);
  const from = beijingMs(date, byId("finding-from", HTMLInputElement));
  const to = beijingMs(date, byId("finding-to", HTMLInputElement));
  const note = byId("finding-note", HTMLInputElement).value.trim();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new Error(t("report.findingTimeMissing"));
  if (!note) throw new Error(t("report.findingNoteMissing"));
  await send(`/api/batches/${state.batch}/findings`, {
    camera_ids: [Number(byId("finding-camera", HTMLSelectElement).value)],
    starts_at: new Date(from).toISOString(), ends_at: new Date(to).toISOString(),
    category: byId("finding-category", HTMLSelectElement).value,
    severity: byId("finding-severity", HTMLSelectElement).value, note,
  });
  byId("finding-note", HTMLInputElement).value = "";
  await load(state.shown?.id ?? null);
});

onSubmit(byId("amend-form", HTMLFormElement), async () => {
  const reason = byId("amend-reason", HTMLInputElement).value.trim();
  if (!reason) throw new Error(t("report.amendReasonMissing"));
  const report = await send(`/api/reports/${state.shown?.id}/amend`, { reason });
  byId("amend-reason", HTMLInputElement).value = "";
  await open(report.id);
});

onSubmit(byId("acknowledge-form", HTMLFormElement), async () => {
  const head = byId("acknowledge-head", HTMLInputElement).value.trim();
  if (!head) throw new Error(t("report.headMissing"));
  await send(`/api/reports/${state.shown?.id}/acknowledge`, { head_name: head });
  await load(state.shown?.id ?? null);
});

/** Sign the draft: rendering and signing take seconds, so the page says it is working. */
async function sign() {
  const button = byId("report-sign", HTMLButtonElement);
  const status = byId("report-sign-status");
  const reasons = byId("report-sign-reasons");
  showError(byId("report-sign-error"), "");
  reasons.replaceChildren();
  button.disabled = true;
  setLoading(status, true, t("report.signing"));
  try {
    const report = await send(`/api/reports/${state.shown?.id}/sign`, undefined);
    await open(report.id);
  } catch (error) {
    const missing = /** @type {{missing?: {code: string, zh: string, en: string}[]}} */ (
      error).missing ?? [];
    showError(byId("report-sign-error"), missing.length ? t("report.signRefused") : error);
    reasons.replaceChildren(...missing.map((reason) => element("li", "", reasonText(reason))));
  } finally {
    button.disabled = false;
    setLoading(status, false);
  }
}

byId("report-sign").addEventListener("click", () => void sign());

const user = await startPage({ title: "report.title" });
const batchId = param("batch");
if (user && batchId === null) {
  showError(byId("page-error"), t("report.noBatch"));
} else if (user && batchId !== null) {
  state.batch = batchId;
  const link = byId("report-batch-link", HTMLAnchorElement);
  link.href = `/batches?batch=${batchId}`;
  link.textContent = t("report.backToBatch", { id: batchId });
  await load(param("report"));
  if (state.mayWrite) await fillCameras().catch((error) => showError(byId("page-error"), error));
}
