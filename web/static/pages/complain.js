// Complaint intake (投诉举报), public, no login: the form with the attachments' limits stated
// first and checked before upload, the tracking code (查询码) after, and every refusal of the
// server (429 with when to retry, 413/415 attachments, 422 a field) next to what it concerns.
// ?batch=<id> (from a publicity notice) or ?organisation=<id> fill the form.

import { ApiError, apiJson } from "../api.js";
import { ComplaintFields, send } from "../components/complaint_form.js";
import { byId } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { pageError, startPage } from "../components/shell.js";
import { formatTime, t } from "../i18n.js";

/**
 * @typedef {object} IntakeRules /public/complaint-form.
 * @property {number} max_attachments
 * @property {number} max_attachment_bytes
 * @property {string[]} accepted_types
 * @property {number} per_address
 * @property {number} window_minutes
 */

const form = byId("complain-form", HTMLFormElement);
const files = byId("complain-files", HTMLInputElement);
const filesError = byId("complain-files-error");
const submit = byId("complain-submit", HTMLButtonElement);
const progress = byId("complain-progress", HTMLProgressElement);
const status = byId("complain-status");
const formError = byId("complain-error");
const receipt = byId("complain-receipt");
const code = byId("complain-code", HTMLInputElement);
const copied = byId("complain-copied");

// media type by the file's first bytes, as the server judges it
const SIGNATURES = [
  { type: "image/jpeg", bytes: [0xff, 0xd8, 0xff], at: 0 },
  { type: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], at: 0 },
  { type: "application/pdf", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], at: 0 },
  { type: "image/webp", bytes: [0x57, 0x45, 0x42, 0x50], at: 8 }, // after "RIFF" and a size
];

/** @type {IntakeRules | null} */
let rules = null;

/**
 * Megabytes for people ("5" or "2.5").
 * @param {number} bytes
 */
function megabytes(bytes) {
  return String(Math.round((bytes / 1048576) * 10) / 10);
}

/**
 * The media type of a file by its first bytes, or "" if it is none the server accepts.
 * @param {File} file
 * @returns {Promise<string>}
 */
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const riff = head[0] === 0x52 && head[1] === 0x49 && head[2] === 0x46 && head[3] === 0x46;
  const match = SIGNATURES.find(({ type, bytes, at }) => (type !== "image/webp" || riff)
    && bytes.every((byte, index) => head[at + index] === byte));
  return match ? match.type : "";
}

/**
 * The attachments' problem before upload, or "".
 * @returns {Promise<string>}
 */
async function filesProblem() {
  if (!rules) return "";
  const chosen = [...(files.files || [])];
  if (chosen.length > rules.max_attachments) {
    return t("complain.error.count", { count: rules.max_attachments });
  }
  for (const file of chosen) {
    if (file.size > rules.max_attachment_bytes) {
      return t("complain.error.size", { name: file.name, size: megabytes(rules.max_attachment_bytes) });
    }
    if (file.size === 0) return t("complain.error.empty", { name: file.name });
    if (!(await sniff(file))) return t("complain.error.type", { name: file.name });
  }
  return "";
}

/** @param {IntakeRules} loaded */
function showRules(loaded) {
  rules = loaded;
  byId("complain-limits").textContent = t("complain.limits", {
    count: loaded.max_attachments, size: megabytes(loaded.max_attachment_bytes) });
}

/**
 * What the server answered, shown where it belongs.
 * @param {import("../components/complaint_form.js").Answer} answer
 */
function showAnswer(answer) {
  const detail = answer.body?.detail;
  if (answer.status === 429) {
    const seconds = answer.retryAfter ?? 60;
    showError(formError, t("complain.error.rate", {
      minutes: Math.ceil(seconds / 60), time: formatTime(Date.now() + seconds * 1000) }));
  } else if (answer.status === 413 || answer.status === 415) {
    showError(filesError, String(detail || t("complain.error.type", { name: "" })));
  } else if (answer.status === 422 && fields.showRefusal(detail)) {
    showError(formError, t("complain.error.fields"));
  } else {
    showError(formError, new ApiError(answer.status, typeof detail === "string" ? detail : ""));
  }
}

/** @param {{tracking_code: string, first_review_due: string | null}} done */
function showReceipt(done) {
  form.hidden = true;
  receipt.hidden = false;
  code.value = done.tracking_code;
  byId("complain-due").textContent = done.first_review_due
    ? t("complain.due", { date: done.first_review_due }) : "";
  byId("complain-track", HTMLAnchorElement).href = `/track?code=${encodeURIComponent(done.tracking_code)}`;
  code.focus();
  code.select();
}

/** @param {SubmitEvent} event */
async function onSubmit(event) {
  event.preventDefault();
  showError(formError, "");
  showError(filesError, "");
  const values = fields.read();
  const problem = await filesProblem();
  showError(filesError, problem);
  if (!values || problem) {
    showError(formError, t("complain.error.fields"));
    return;
  }
  const body = new FormData();
  for (const [name, value] of Object.entries(values)) body.append(name, value);
  for (const file of files.files || []) body.append("attachments", file);
  submit.disabled = true;
  progress.hidden = false;
  progress.value = 0;
  setLoading(status, true, t("complain.sending"));
  const answer = await send("POST", "/public/complaints", body, (part) => { progress.value = part; });
  setLoading(status, false);
  progress.hidden = true;
  submit.disabled = false;
  if (answer.status === 201) showReceipt(answer.body);
  else showAnswer(answer);
}

async function copyCode() {
  try {
    await navigator.clipboard.writeText(code.value);
  } catch {
    code.select();
    document.execCommand("copy"); // older browsers, and pages not in a secure context
  }
  copied.hidden = false;
}

const fields = new ComplaintFields(byId("complain-fields"), "complain");
const asked = new URLSearchParams(window.location.search);
fields.preset("batch", asked.get("batch") || "");
fields.preset("organisation", asked.get("organisation") || "");
form.addEventListener("submit", onSubmit);
files.addEventListener("change", async () => showError(filesError, await filesProblem()));
byId("complain-copy").addEventListener("click", copyCode);
await startPage({ title: "complain.title", login: "none" });
try {
  showRules(/** @type {IntakeRules} */ (await apiJson("/public/complaint-form")));
} catch (error) {
  showError(pageError(), error, t("complain.error.rules"));
}
