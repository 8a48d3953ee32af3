// The closed sets of terms a batch and its 督导报告 use (proctor/supervision/report/terms.py), each value
// as the API spells it (the printed Chinese) with its message key, and the selects and
// labels built from them.

import { t } from "../i18n.js";

/** @typedef {{value: string, label: import("../i18n.js").MessageKey}} Term */

/** @type {Term[]} The checklist items, in the printed order. */
export const CHECK_ITEMS = [
  { value: "人证一致/代考", label: "report.item.identity" },
  { value: "考场布置", label: "report.item.room" },
  { value: "考评员资质与配比", label: "report.item.examiners" },
  { value: "守则宣读", label: "report.item.rules" },
  { value: "视频覆盖", label: "report.item.video" },
  { value: "签到与记录表", label: "report.item.signIn" },
  { value: "评分执行", label: "report.item.scoring" },
  { value: "安全", label: "report.item.safety" },
];
/** @type {Term[]} */
export const ANSWERS = [
  { value: "是", label: "report.answer.yes" },
  { value: "否", label: "report.answer.no" },
  { value: "不适用", label: "report.answer.notApplicable" },
];
/** @type {Term[]} */
export const SEVERITIES = [
  { value: "一般", label: "report.severity.minor" },
  { value: "较重", label: "report.severity.serious" },
  { value: "严重", label: "report.severity.grave" },
];
/** @type {Term[]} */
export const CONCLUSIONS = [
  { value: "合格", label: "report.verdict.passed" },
  { value: "整改后认可", label: "report.verdict.afterRectification" },
  { value: "不予认可", label: "report.verdict.notAccepted" },
];
/** @type {Term[]} */
export const SIDES = [
  { value: "外督", label: "report.sideExternal" },
  { value: "内督", label: "report.sideInternal" },
];
/** @type {Term[]} */
export const MANNERS = [
  { value: "现场", label: "report.how.onSite" },
  { value: "线上", label: "report.how.online" },
  { value: "回放", label: "report.how.replay" },
];

/**
 * A term in the page's language (the value itself if the API sends one not listed).
 * @param {Term[]} terms
 * @param {string} value
 */
export function termLabel(terms, value) {
  const term = terms.find((candidate) => candidate.value === value);
  return term ? t(term.label) : value;
}

/**
 * Fill a select with the terms and choose `value`.
 * @param {HTMLSelectElement} select
 * @param {Term[]} terms
 * @param {string} value
 */
export function fillTerms(select, terms, value) {
  select.replaceChildren(...terms.map((term) => new Option(t(term.label), term.value)));
  select.value = value;
}
/** @type {Term[]} 职业技能等级 */
export const LEVELS = [
  { value: "五级", label: "plan.level.five" },
  { value: "四级", label: "plan.level.four" },
  { value: "三级", label: "plan.level.three" },
  { value: "二级", label: "plan.level.two" },
  { value: "一级", label: "plan.level.one" },
];
/** @type {Term[]} 认定方式 */
export const MODES = [
  { value: "理论知识考试", label: "plan.mode.theory" },
  { value: "操作技能考核", label: "plan.mode.practical" },
  { value: "综合评审", label: "plan.mode.review" },
];
