// A complaint's progress by its tracking code (查询码), public, no login: the state and the
// dates the complainant may see (first review within the working days the rules give, the
// result when given), nothing more. ?code=<code> opens it.

import { ApiError, apiJson } from "../api.js";
import { fillFacts, stateLabel } from "../components/complaint_terms.js";
import { byId } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { startPage } from "../components/shell.js";
import { t } from "../i18n.js";

/**
 * @typedef {object} Progress /public/complaints/{tracking_code}.
 * @property {string} tracking_code
 * @property {string} state
 * @property {string} registered_on
 * @property {string | null} first_review_due
 * @property {string | null} first_reviewed_on
 * @property {boolean | null} accepted
 * @property {string | null} resolution_due
 * @property {string | null} resolved_on
 * @property {string | null} result
 * @property {string | null} closed_on
 */

const form = byId("track-form", HTMLFormElement);
const codeInput = byId("track-code", HTMLInputElement);
const loading = byId("track-loading");
const errorBox = byId("track-error");
const result = byId("track-result");

/** @param {boolean | null} accepted */
function acceptance(accepted) {
  if (accepted === null) return null;
  return accepted ? t("track.accepted") : t("track.notAccepted");
}

/** @param {Progress} progress */
function show(progress) {
  byId("track-state").textContent = stateLabel(progress.state);
  fillFacts(byId("track-facts"), [
    [t("track.code"), progress.tracking_code],
    [t("track.registered"), progress.registered_on],
    [t("track.firstReviewDue"), progress.first_reviewed_on ? null : progress.first_review_due],
    [t("track.firstReviewed"), progress.first_reviewed_on],
    [t("track.acceptance"), acceptance(progress.accepted)],
    [t("track.resolutionDue"), progress.resolved_on ? null : progress.resolution_due],
    [t("track.resolved"), progress.resolved_on],
    [t("track.result"), progress.result],
    [t("track.closed"), progress.closed_on],
  ]);
  result.hidden = false;
}

/** @param {string} code */
async function load(code) {
  result.hidden = true;
  showError(errorBox, "");
  setLoading(loading, true);
  try {
    show(/** @type {Progress} */ (await apiJson(`/public/complaints/${encodeURIComponent(code)}`)));
  } catch (error) {
    const unknown = error instanceof ApiError && (error.status === 404 || error.status === 422);
    showError(errorBox, unknown ? t("track.unknown") : error);
  } finally {
    setLoading(loading, false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = codeInput.value.trim().toUpperCase();
  if (!code) {
    showError(errorBox, t("track.error.code"));
    return;
  }
  history.replaceState(null, "", `?code=${encodeURIComponent(code)}`);
  load(code);
});
await startPage({ title: "track.title", login: "none" });
apiJson("/public/complaint-form").then((rules) => {
  byId("track-intro").textContent = t("track.intro", {
    review: rules.first_review_working_days, resolve: rules.resolution_working_days });
}).catch(() => { byId("track-intro").textContent = t("track.introPlain"); });
const asked = new URLSearchParams(window.location.search).get("code");
if (asked) {
  codeInput.value = asked;
  await load(asked.trim().toUpperCase());
}
