// The layout every page shares: a skip link, the header (the console's name, the pages the
// user may use, what is due (notices.js), who is logged in, the language switch, logging
// out) and the page-level error banner. A page calls startPage() first; it translates the
// page's HTML (data-i18n) and answers who the user is.

import { ApiError, apiFetch, apiJson, redirectToLogin } from "../api.js";
import { lang, switchLang, t, translate, hasMessage } from "../i18n.js";
import { byId, element } from "./dom.js";
import { showError } from "./errors.js";
import { navFor } from "./nav.js";
import { noticesBox } from "./notices.js";

/**
 * The logged-in user as /api/auth/me answers.
 * @typedef {object} User
 * @property {number} id
 * @property {string} username
 * @property {string} display_name
 * @property {string} role
 * @property {string[]} permissions
 */

/**
 * @typedef {object} PageOptions
 * @property {import("../i18n.js").MessageKey} title The page's name (the tab's title).
 * @property {"required" | "optional" | "none"} [login] required: not logged in goes to the
 *     login page; optional: the page works either way (e.g. "page not found"); none: no user.
 * @property {() => Promise<unknown> | void} [beforeLogout] Work to finish before logging out.
 */

/**
 * The label of a role ("督导员" for supervisor, ...), or the role itself if it is unknown.
 * @param {string} role
 * @returns {string}
 */
export function roleLabel(role) {
  const key = `role.${role}`;
  return hasMessage(key) ? t(key) : role;
}

/** The page-level error banner (every page has one, `#page-error`). */
export function pageError() {
  return byId("page-error");
}

/**
 * The button switching to the other language.
 * @returns {HTMLButtonElement}
 */
function languageButton() {
  const other = lang === "zh-CN" ? "en-US" : "zh-CN";
  const button = element("button", "secondary lang-switch", t("shell.otherLanguage"));
  button.type = "button";
  button.id = "lang-switch";
  button.lang = other;
  button.title = t("shell.switchLanguage"); // the visible name stays the accessible name
  button.addEventListener("click", () => switchLang(other));
  return button;
}

/**
 * The navigation for a user, the current page marked.
 * @param {User} user
 * @returns {HTMLElement}
 */
function navigation(user) {
  const nav = element("nav", "nav");
  nav.setAttribute("aria-label", t("shell.navigation"));
  const list = element("ul", "nav-list");
  for (const entry of navFor(user.permissions)) {
    const link = element("a", "", t(entry.label));
    link.href = entry.href;
    if (window.location.pathname === entry.href) link.setAttribute("aria-current", "page");
    const item = element("li");
    item.append(link);
    list.append(item);
  }
  nav.append(list);
  return nav;
}

/**
 * Who is logged in, and the logout button.
 * @param {User} user
 * @param {PageOptions["beforeLogout"]} beforeLogout
 * @returns {HTMLElement}
 */
function userBox(user, beforeLogout) {
  const box = element("div", "user");
  box.id = "user";
  const name = element("span", "user-name", user.display_name || user.username);
  name.id = "user-name";
  const role = element("span", "role", roleLabel(user.role));
  role.id = "user-role";
  const logout = element("button", "secondary", t("shell.logout"));
  logout.type = "button";
  logout.id = "logout";
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    await beforeLogout?.();
    try {
      await apiFetch("/api/auth/logout", { method: "POST" });
    } catch {
      // going to the login page anyway
    }
    window.location.replace("/login");
  });
  box.append(name, role, logout);
  return box;
}

/**
 * Draw the header into `#shell`.
 * @param {User | null} user
 * @param {PageOptions["beforeLogout"]} beforeLogout
 */
function renderHeader(user, beforeLogout) {
  const header = byId("shell");
  const brand = element("a", "brand", t("app.name"));
  brand.href = "/";
  const tools = element("div", "tools");
  if (user) tools.append(noticesBox(), userBox(user, beforeLogout));
  tools.append(languageButton());
  header.replaceChildren(brand, ...(user ? [navigation(user)] : []), tools);
}

/**
 * Start a page: translate its HTML, set its title, check the login and draw the header.
 * @param {PageOptions} options
 * @returns {Promise<User | null>} The user (null when not logged in and the page allows it).
 */
export async function startPage({ title, login = "required", beforeLogout }) {
  translate(document);
  document.title = `${t(title)} · ${t("app.name")}`;
  /** @type {User | null} */
  let user = null;
  if (login !== "none") {
    try {
      user = /** @type {User} */ (await apiJson("/api/auth/me"));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        showError(pageError(), error, t("shell.error.me"));
      } else if (login === "required") {
        redirectToLogin(window.location.pathname + window.location.search);
        return new Promise(() => {}); // the page is leaving
      }
    }
  }
  renderHeader(user, beforeLogout);
  document.body.dataset.ready = "true";
  return user;
}
