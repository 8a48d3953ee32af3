// Oversight page (三级监管): a region's summary for province, city and district users (batches
// by state, overdue deadlines, open and overdue complaints), per child region or, in a
// district, per organisation; drill down into the child regions; the region's batches with
// their overdue steps, coverage and alerts, each linking to the batches page. The region is
// in the address (?region=code); a user without it sees the server's refusal.

import { apiJson } from "../api.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { setLoading } from "../components/loading.js";
import { pageError, startPage } from "../components/shell.js";
import { formatDateTime, hasMessage, t } from "../i18n.js";

/**
 * @typedef {object} Region /api/oversight/regions.
 * @property {string} code
 * @property {string} name
 * @property {string} level
 */
/**
 * @typedef {object} Counts
 * @property {number} batches
 * @property {Record<string, number>} batches_by_state
 * @property {Record<string, number> | null} overdue null: the calendar lacks a year
 * @property {number | null} overdue_total
 * @property {number} complaints_open
 * @property {number} complaints_overdue
 */
/**
 * @typedef {object} Summary /api/oversight/regions/{code}.
 * @property {string} code
 * @property {string} name
 * @property {string} level
 * @property {string | null} parent_code
 * @property {"regions" | "organisations"} children_are
 * @property {string} today
 * @property {string | null} deadlines_unavailable
 * @property {{key: string, name: string, counts: Counts}[]} children
 * @property {Counts} total
 */
/**
 * @typedef {object} BatchLine A batch of /api/oversight/regions/{code}/batches.
 * @property {number} id
 * @property {string} organisation_name
 * @property {string} occupation_name
 * @property {string} level
 * @property {string} state
 * @property {string | null} first_session_at
 * @property {string[]} overdue
 * @property {number | null} coverage_ratio
 * @property {number} alerts
 */
/** @typedef {{items: BatchLine[], total: number, page: number, per_page: number}} BatchPage */

const PER_PAGE = 20;
const loading = byId("oversight-loading");
const summaryBox = byId("oversight-summary");
const batchList = byId("oversight-batches");
const batchCount = byId("oversight-batches-count");
const more = byId("oversight-more", HTMLButtonElement);
const overdueOnly = byId("oversight-overdue-only", HTMLInputElement);

/** @type {string} the region shown */
let region = "";
let page = 1;

/**
 * A batch state's label (the state itself if the catalog lacks it).
 * @param {string} state
 */
function stateLabel(state) {
  const key = `batch.state.${state}`;
  return hasMessage(key) ? t(key) : state;
}

/**
 * An overdue step's label (plan_filing -> 认定实施计划备案).
 * @param {string} step
 */
function stepLabel(step) {
  const key = `oversight.step.${step}`;
  return hasMessage(key) ? t(key) : step;
}

/**
 * A term and its value in a definition list.
 * @param {HTMLElement} list
 * @param {string} term
 * @param {string} value
 * @param {boolean} [warn] Marks a count above zero that needs action.
 */
function addPair(list, term, value, warn = false) {
  const dd = element("dd", warn ? "warn" : "", value);
  list.append(element("dt", "", term), dd);
}

/**
 * A count and what it is made of: "3（草稿 1、公示中 2）", or just "0".
 * @param {number} count
 * @param {string[]} parts
 */
function withParts(count, parts) {
  return parts.length ? t("oversight.withParts", { count, parts: parts.join(t("oversight.separator")) })
    : String(count);
}

/**
 * Counts as a definition list: batches (by state), overdue steps, complaints.
 * @param {Counts} counts
 * @param {HTMLElement} [list] Filled in place (a new list when left out).
 * @returns {HTMLElement}
 */
function countsList(counts, list = element("dl", "oversight-counts")) {
  list.replaceChildren();
  const states = Object.entries(counts.batches_by_state).filter(([, n]) => n > 0)
    .map(([state, n]) => t("oversight.stateCount", { state: stateLabel(state), count: n }));
  addPair(list, t("oversight.batchCount"), withParts(counts.batches, states));
  const steps = Object.entries(counts.overdue || {}).filter(([, n]) => n > 0)
    .map(([step, n]) => t("oversight.stateCount", { state: stepLabel(step), count: n }));
  const overdue = counts.overdue_total === null ? t("oversight.unknown")
    : withParts(counts.overdue_total, steps);
  addPair(list, t("oversight.overdue"), overdue, Boolean(counts.overdue_total));
  addPair(list, t("oversight.complaintsOpen"), String(counts.complaints_open));
  addPair(list, t("oversight.complaintsOverdue"), String(counts.complaints_overdue),
    counts.complaints_overdue > 0);
  return list;
}

/**
 * A link to another region of the view.
 * @param {string} code
 * @param {string} text
 */
function regionLink(code, text) {
  const link = element("a", "", text);
  link.href = `/oversight?region=${encodeURIComponent(code)}`;
  return link;
}

/**
 * Where the region sits: the user's own region first, then one level up, then this one.
 * @param {Summary} summary
 * @param {Region[]} roots Where the user's oversight starts.
 */
function drawPath(summary, roots) {
  const list = byId("oversight-path-list");
  const items = [];
  const root = roots.find((r) => summary.code !== r.code && summary.code.startsWith(r.code.replace(/0+$/, "")));
  if (root) items.push(regionLink(root.code, root.name));
  if (root && summary.parent_code && summary.parent_code !== root.code) {
    items.push(regionLink(summary.parent_code, t("oversight.up")));
  }
  const here = element("span", "", summary.name);
  here.setAttribute("aria-current", "page");
  items.push(here);
  list.replaceChildren(...items.map((item) => {
    const li = element("li");
    li.append(item);
    return li;
  }));
  byId("oversight-path").hidden = items.length < 2;
}

/**
 * Draw the region's summary and its children.
 * @param {Summary} summary
 */
function drawSummary(summary) {
  const level = `oversight.level.${summary.level}`;
  byId("oversight-region").textContent = t("oversight.region", {
    name: summary.name, level: hasMessage(level) ? t(level) : summary.level });
  byId("oversight-today").textContent = t("oversight.today", { date: summary.today });
  const noDeadlines = byId("oversight-no-deadlines");
  noDeadlines.textContent = summary.deadlines_unavailable
    ? t("oversight.noDeadlines", { reason: summary.deadlines_unavailable }) : "";
  noDeadlines.hidden = !summary.deadlines_unavailable;
  countsList(summary.total, byId("oversight-total"));
  const byRegion = summary.children_are === "regions";
  byId("oversight-children-title").textContent = byRegion ? t("oversight.childRegions")
    : t("oversight.organisations");
  byId("oversight-no-children").hidden = summary.children.length > 0;
  byId("oversight-children").replaceChildren(...summary.children.map((child) => {
    const card = element("li", "oversight-card");
    card.dataset.key = child.key;
    const name = element("p", "oversight-card-name");
    name.append(byRegion ? regionLink(child.key, child.name) : element("strong", "", child.name));
    card.append(name, countsList(child.counts));
    return card;
  }));
}

/**
 * A batch as a card linking to the batches page.
 * @param {BatchLine} batch
 */
function batchCard(batch) {
  const card = element("li", "oversight-card");
  card.dataset.batch = String(batch.id);
  const link = element("a", "", t("oversight.batch", {
    id: batch.id, occupation: batch.occupation_name, level: batch.level }));
  link.href = `/batches?batch=${batch.id}`;
  const name = element("p", "oversight-card-name");
  name.append(link);
  const facts = element("dl", "oversight-counts");
  addPair(facts, t("oversight.organisation"), batch.organisation_name);
  addPair(facts, t("oversight.state"), stateLabel(batch.state));
  addPair(facts, t("oversight.firstSession"),
    batch.first_session_at ? formatDateTime(batch.first_session_at) : t("oversight.notPlanned"));
  addPair(facts, t("oversight.overdue"), batch.overdue.length
    ? batch.overdue.map(stepLabel).join(t("oversight.separator")) : t("oversight.onTime"),
  batch.overdue.length > 0);
  addPair(facts, t("oversight.coverage"), batch.coverage_ratio === null
    ? t("oversight.notComputed") : `${(batch.coverage_ratio * 100).toFixed(1)}%`);
  addPair(facts, t("oversight.alerts"), String(batch.alerts), batch.alerts > 0);
  card.append(name, facts);
  return card;
}

/**
 * Load a page of the region's batches (the first replaces the list, later ones add to it).
 * @param {number} next
 */
async function loadBatches(next) {
  more.disabled = true;
  const query = new URLSearchParams({ page: String(next), per_page: String(PER_PAGE) });
  if (overdueOnly.checked) query.set("overdue", "true");
  try {
    const answer = /** @type {BatchPage} */ (await apiJson(
      `/api/oversight/regions/${encodeURIComponent(region)}/batches?${query}`));
    page = next;
    const cards = answer.items.map(batchCard);
    if (next === 1) batchList.replaceChildren(...cards);
    else batchList.append(...cards);
    batchCount.textContent = t("oversight.batchesShown", {
      shown: batchList.children.length, total: answer.total });
    more.hidden = batchList.children.length >= answer.total;
  } catch (error) {
    showError(pageError(), error, t("oversight.error.batches"));
  } finally {
    more.disabled = false;
  }
}

/** Show the region in the address, or the user's own (the first) when none is asked for. */
async function load() {
  setLoading(loading, true);
  try {
    const roots = /** @type {Region[]} */ (await apiJson("/api/oversight/regions"));
    const asked = new URLSearchParams(window.location.search).get("region");
    region = asked || roots[0]?.code || "";
    if (!region) {
      byId("oversight-none").hidden = false;
      return;
    }
    const summary = /** @type {Summary} */ (await apiJson(
      `/api/oversight/regions/${encodeURIComponent(region)}`));
    drawPath(summary, roots);
    drawSummary(summary);
    summaryBox.hidden = false;
    await loadBatches(1);
  } catch (error) {
    showError(pageError(), error, t("oversight.error.summary"));
  } finally {
    setLoading(loading, false);
    document.body.dataset.loaded = "true"; // drawn, or its error shown (tests, screenshots)
  }
}

const user = await startPage({ title: "oversight.title" });
if (user) {
  more.addEventListener("click", () => void loadBatches(page + 1));
  overdueOnly.addEventListener("change", () => void loadBatches(1));
  await load();
}
