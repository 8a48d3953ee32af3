// The publicity notice (认定结果公示), public, no login: a batch's notice during its window,
// with the complaint channel (the intake page with the batch filled in, the telephone, the
// address for letters). Outside the window the page says so; a complaint pauses it.
// ?batch=<备案号 or id> opens a notice.

import { ApiError, apiJson } from "../api.js";
import { fillFacts } from "../components/complaint_terms.js";
import { byId } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { t } from "../i18n.js";

/**
 * @typedef {object} Notice /public/batches/{key}/publicity.
 * @property {number} batch_id
 * @property {string | null} filing_number
 * @property {number} organisation_id
 * @property {string} organisation
 * @property {string} occupation
 * @property {string} occupation_code
 * @property {string} level
 * @property {string} mode
 * @property {string | null} first_session_day
 * @property {string | null} last_session_day
 * @property {string} publicity_starts_on
 * @property {string | null} publicity_last_day
 * @property {number} working_days
 * @property {boolean} paused
 * @property {{online: string, phone: string, postal_address: string, note: string}} channel
 */

const form = byId("publicity-form", HTMLFormElement);
const key = byId("publicity-key", HTMLInputElement);
const loading = byId("publicity-loading");
const errorBox = byId("publicity-error");
const section = byId("publicity-notice");

/**
 * A span of days ("2026-11-20 至 2026-11-21"; one day alone).
 * @param {string | null} first
 * @param {string | null} last
 */
function days(first, last) {
  if (!first) return "";
  return !last || last === first ? first : t("publicity.span", { first, last });
}

/** @param {Notice} notice */
function show(notice) {
  byId("publicity-heading").textContent = t("publicity.heading", {
    occupation: notice.occupation, level: notice.level });
  byId("publicity-paused").hidden = !notice.paused;
  fillFacts(byId("publicity-facts"), [
    [t("publicity.filingNumber"), notice.filing_number],
    [t("publicity.batchId"), String(notice.batch_id)],
    [t("publicity.organisation"), notice.organisation],
    [t("publicity.occupation"), `${notice.occupation}（${notice.occupation_code}）`],
    [t("publicity.level"), notice.level],
    [t("publicity.mode"), notice.mode],
    [t("publicity.sessions"), days(notice.first_session_day, notice.last_session_day)],
    [t("publicity.window"), t("publicity.windowDays", {
      span: days(notice.publicity_starts_on, notice.publicity_last_day || t("publicity.lastUnknown")),
      days: notice.working_days })],
  ]);
  byId("publicity-complain", HTMLAnchorElement).href = `/complain?batch=${notice.batch_id}`;
  byId("publicity-phone").textContent = t("publicity.phone", { phone: notice.channel.phone });
  const post = byId("publicity-post");
  post.textContent = t("publicity.post", { address: notice.channel.postal_address });
  post.hidden = !notice.channel.postal_address;
  section.hidden = false;
}

/** @param {string} wanted */
async function load(wanted) {
  section.hidden = true;
  showError(errorBox, "");
  setLoading(loading, true);
  try {
    show(/** @type {Notice} */ (await apiJson(`/public/batches/${encodeURIComponent(wanted)}/publicity`)));
  } catch (error) {
    const closed = error instanceof ApiError && error.status === 404;
    showError(errorBox, closed ? t("publicity.notOpen", { key: wanted }) : error);
  } finally {
    setLoading(loading, false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const wanted = key.value.trim();
  if (!wanted) {
    showError(errorBox, t("publicity.error.key"));
    return;
  }
  history.replaceState(null, "", `?batch=${encodeURIComponent(wanted)}`);
  load(wanted);
});
await startPage({ title: "publicity.title", login: "none" });
const asked = new URLSearchParams(window.location.search).get("batch");
if (asked) {
  key.value = asked;
  await load(asked);
}
