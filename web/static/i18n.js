// The console's language: message catalogs (static/i18n/<lang>.json), interpolation, plurals,
// and dates and times in Asia/Shanghai on a 24-hour clock. zh-CN by default; the English
// switch is remembered in localStorage. Importing this module loads the catalog (top-level
// await), so every page can call t() synchronously once its imports are done.

/** @typedef {typeof import("./i18n/zh-CN.json")} Catalog */
/** @typedef {keyof Catalog} MessageKey A key of the catalogs (tsc checks every literal key). */
/** @typedef {"zh-CN" | "en-US"} Lang */
/** @typedef {Record<string, string | number>} Params Values for `{name}` placeholders. */

/** The languages the console speaks, the default first. */
export const LANGS = /** @type {const} */ (["zh-CN", "en-US"]);
/** Where the chosen language is remembered. */
export const LANG_STORAGE_KEY = "proctor.lang";
/** The time zone of every date and time shown (exams run on Beijing time). */
export const TIME_ZONE = "Asia/Shanghai";

/**
 * The remembered language, or zh-CN.
 * @returns {Lang}
 */
export function storedLang() {
  let value = null;
  try {
    value = window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    // storage refused (private mode): the default
  }
  return value === "en-US" ? "en-US" : "zh-CN";
}

/** @type {Lang} */
export const lang = storedLang();

/**
 * Remember a language and reload the page in it.
 * @param {Lang} next
 */
export function switchLang(next) {
  try {
    window.localStorage.setItem(LANG_STORAGE_KEY, next);
  } catch {
    // not remembered, but the reload below still cannot show it: nothing more to do
  }
  window.location.reload();
}

/**
 * @param {Lang} which
 * @returns {Promise<Record<string, string | Record<string, string>>>}
 */
async function loadCatalog(which) {
  const response = await fetch(`/static/i18n/${which}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`message catalog ${which}: HTTP ${response.status}`);
  return response.json();
}

const messages = await loadCatalog(lang);
const plurals = new Intl.PluralRules(lang);
document.documentElement.lang = lang;

/**
 * The message of `key` in the page's language, with `{name}` replaced from `params`. A plural
 * message ({"one": ..., "other": ...}) picks its form by `params.count`.
 * @param {MessageKey} key
 * @param {Params} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const entry = messages[key];
  let text;
  if (typeof entry === "string") {
    text = entry;
  } else if (entry) {
    const count = Number(params.count ?? 0);
    text = entry[plurals.select(count)] ?? entry.other;
  } else {
    console.error(`missing message: ${key}`);
    return "⚠";
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/**
 * Whether a string is a key of the catalog (for keys built at run time, e.g. from an enum).
 * @param {string} key
 * @returns {key is MessageKey}
 */
export function hasMessage(key) {
  return Object.hasOwn(messages, key);
}

/**
 * Fill the text of every `[data-i18n]` element under `root` and the attributes named by
 * `data-i18n-attr="attribute:key;attribute:key"` (e.g. aria-label, placeholder, title).
 * @param {ParentNode} [root]
 */
export function translate(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) {
    node.textContent = t(/** @type {MessageKey} */ (node.getAttribute("data-i18n") || ""));
  }
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of (node.getAttribute("data-i18n-attr") || "").split(";")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      if (attribute && key) node.setAttribute(attribute, t(/** @type {MessageKey} */ (key)));
    }
  }
}

const timeFormat = new Intl.DateTimeFormat(lang, {
  timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
const dateTimeFormat = new Intl.DateTimeFormat(lang, {
  timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

/**
 * @param {string | number | Date} value ISO text, epoch milliseconds or a Date.
 * @returns {Date | null}
 */
function toDate(value) {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * HH:MM:SS on Beijing time ("" for an unreadable value).
 * @param {string | number | Date} value
 * @returns {string}
 */
export function formatTime(value) {
  const date = toDate(value);
  return date ? timeFormat.format(date) : "";
}

/**
 * Date and time on Beijing time, 24-hour ("" for an unreadable value).
 * @param {string | number | Date} value
 * @returns {string}
 */
export function formatDateTime(value) {
  const date = toDate(value);
  return date ? dateTimeFormat.format(date) : "";
}
