// Users and grants (用户与授权): every user with role, state and scope; create a user; disable
// or enable one; reset a password (shown once, with a copy button); add and remove site
// (考点) and region grants. For users with manage_directory; the API refuses everyone else.

import { apiJson } from "../api.js";
import { byId, element } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { chosen, fillList, fillSelect, text, wireForm } from "../components/forms.js";
import { setLoading } from "../components/loading.js";
import { roleLabel, startPage } from "../components/shell.js";
import { t } from "../i18n.js";

/**
 * @typedef {object} ListedUser
 * @property {number} id
 * @property {string} username
 * @property {string} display_name
 * @property {string} role
 * @property {boolean} is_active
 * @property {number[]} site_ids
 */
/** @typedef {{id: number, name: string}} Site */
/** @typedef {{code: string, name: string, level: string, parent_code: string | null}} Region */

const PERMISSION = "manage_directory";
// the values of proctor.db.models.Role, in the order the form offers them
const ROLES = ["supervisor", "org_operator", "complaint_officer", "auditor", "admin"];
const PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
const pageError = byId("page-error");
const detailError = byId("users-detail-error");

const state = {
  /** @type {ListedUser[]} */ users: [],
  /** @type {Site[]} */ sites: [],
  /** @type {Region[]} */ regions: [],
  /** @type {Region[]} */ granted: [], // the selected user's regions
  /** @type {number | null} */ selected: null,
};

/**
 * A site's name ("#id" if it is not loaded).
 * @param {number} id
 * @returns {string}
 */
function siteName(id) {
  return state.sites.find((site) => site.id === id)?.name ?? `#${id}`;
}

/** @returns {ListedUser | undefined} The selected user. */
function selectedUser() {
  return state.users.find((user) => user.id === state.selected);
}

/**
 * What a user's list item shows: name, role, state, sites and a button to manage them.
 * @param {ListedUser} user
 * @returns {(HTMLElement | string)[]}
 */
function userParts(user) {
  const scope = user.role === "admin" ? t("users.scope.all")
    : user.site_ids.map(siteName).join("、") || t("users.scope.none");
  const manage = element("button", "secondary", t("users.manage"));
  manage.type = "button";
  manage.dataset.userId = String(user.id);
  manage.setAttribute("aria-label", t("users.manageNamed", { name: user.username }));
  manage.addEventListener("click", () => void select(user.id));
  return [
    element("strong", "", user.username),
    element("span", "muted", ` · ${user.display_name} · ${roleLabel(user.role)} · ${
      user.is_active ? t("users.active") : t("users.inactive")} · ${t("users.sitesOf", { sites: scope })} `),
    manage,
  ];
}

/**
 * A button removing a grant, named for screen readers.
 * @param {string} label What is removed (for the accessible name).
 * @param {() => Promise<void>} remove
 * @returns {HTMLButtonElement}
 */
function removeButton(label, remove) {
  const button = element("button", "secondary", t("users.remove"));
  button.type = "button";
  button.setAttribute("aria-label", t("users.removeNamed", { name: label }));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await remove();
    } catch (error) {
      showError(detailError, error);
      button.disabled = false;
    }
  });
  return button;
}

/** Draw the selected user's state and grants. */
function renderDetail() {
  const user = selectedUser();
  byId("users-detail").hidden = !user;
  if (!user) return;
  byId("users-detail-title").textContent = t("users.detail", { name: user.username });
  byId("users-detail-state").textContent = `${roleLabel(user.role)} · ${
    user.is_active ? t("users.active") : t("users.inactive")}`;
  byId("users-toggle").textContent = user.is_active ? t("users.disable") : t("users.enable");
  fillList("users-sites", user.site_ids, (id) => [
    element("span", "", `${siteName(id)} `),
    removeButton(siteName(id), () => setSites(user, user.site_ids.filter((kept) => kept !== id))),
  ]);
  fillSelect(byId("users-site-add", HTMLSelectElement),
    state.sites.filter((site) => !user.site_ids.includes(site.id)), (site) => site.name);
  fillList("users-regions", state.granted, (region) => [
    element("span", "", `${region.name}（${region.code}） `),
    removeButton(region.name, async () => {
      await apiJson(`/api/users/${user.id}/region-grants/${encodeURIComponent(region.code)}`,
        { method: "DELETE" });
      await loadGrants(user.id);
    }),
  ]);
  const codes = new Set(state.granted.map((region) => region.code));
  fillSelect(byId("users-region-add", HTMLSelectElement),
    state.regions.filter((region) => !codes.has(region.code))
      .map((region) => ({ ...region, id: region.code })),
    (region) => `${region.name}（${region.code}）`);
}

/** Draw the list, the create form's choices and the selected user. */
function render() {
  fillList("users-list", state.users, userParts);
  const box = byId("users-create-sites");
  const checked = new Set([...box.querySelectorAll("input:checked")]
    .map((input) => /** @type {HTMLInputElement} */ (input).value));
  box.replaceChildren(...state.sites.map((site) => {
    const label = element("label", "users-site-choice");
    const input = element("input");
    input.type = "checkbox";
    input.value = String(site.id);
    input.checked = checked.has(input.value);
    label.append(input, ` ${site.name}`);
    return label;
  }));
  if (!state.sites.length) box.append(element("p", "muted", t("admin.empty")));
  renderDetail();
}

/** Load users, sites and regions and draw them. */
async function load() {
  const loading = byId("users-loading");
  setLoading(loading, true);
  try {
    const [users, sites, regions] = await Promise.all(
      ["/api/users", "/api/sites", "/api/regions"].map((path) => apiJson(path)));
    Object.assign(state, { users, sites, regions });
    showError(pageError, "");
    render();
  } catch (error) {
    showError(pageError, error, t("users.error.load"));
  } finally {
    setLoading(loading, false);
    document.body.dataset.loaded = "true"; // for screenshots: the list is drawn
  }
}

/**
 * Load a user's region grants and draw the detail.
 * @param {number} userId
 */
async function loadGrants(userId) {
  state.granted = await apiJson(`/api/users/${userId}/region-grants`);
  renderDetail();
}

/**
 * Show a user's state and grants.
 * @param {number} userId
 */
async function select(userId) {
  state.selected = userId;
  state.granted = [];
  byId("users-password").hidden = true;
  showError(detailError, "");
  renderDetail();
  byId("users-detail-title").focus();
  try {
    await loadGrants(userId);
  } catch (error) {
    showError(detailError, error);
  }
}

/**
 * Change a user and put the server's answer in the list.
 * @param {ListedUser} user
 * @param {Partial<ListedUser>} changes
 */
async function patchUser(user, changes) {
  const updated = /** @type {ListedUser} */ (await apiJson(`/api/users/${user.id}`,
    { method: "PATCH", body: changes }));
  state.users = state.users.map((listed) => (listed.id === updated.id ? updated : listed));
  showError(detailError, "");
  render();
}

/**
 * Replace a user's site grants.
 * @param {ListedUser} user
 * @param {number[]} siteIds
 */
async function setSites(user, siteIds) {
  await patchUser(user, { site_ids: siteIds });
}

/** Disable or enable the selected user (disabling logs them out everywhere). */
async function toggle() {
  const user = selectedUser();
  if (!user) return;
  if (user.is_active && !window.confirm(t("users.disableConfirm", { name: user.username }))) {
    return;
  }
  try {
    await patchUser(user, { is_active: !user.is_active });
  } catch (error) {
    showError(detailError, error);
  }
}

/**
 * A random password of 16 letters and digits (no look-alikes such as 0/O and 1/l).
 * @returns {string}
 */
function newPassword() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => PASSWORD_CHARS[byte % PASSWORD_CHARS.length]).join("");
}

/** Give the selected user a new random password and show it once. */
async function resetPassword() {
  const user = selectedUser();
  if (!user || !window.confirm(t("users.resetConfirm", { name: user.username }))) return;
  const password = newPassword();
  try {
    await apiJson(`/api/users/${user.id}/password`, { method: "POST", body: { password } });
    showError(detailError, "");
    byId("users-password-value", HTMLInputElement).value = password;
    byId("users-password-copied").hidden = true;
    byId("users-password").hidden = false;
    byId("users-password-copy").focus();
  } catch (error) {
    showError(detailError, error);
  }
}

/** Copy the shown password (select it when the browser refuses). */
async function copyPassword() {
  const field = byId("users-password-value", HTMLInputElement);
  try {
    await navigator.clipboard.writeText(field.value);
    byId("users-password-copied").hidden = false;
  } catch {
    field.select();
    showError(detailError, t("users.password.copyFailed"));
  }
}

wireForm("users-create-form", "/api/users", () => {
  if (!text("users-create-username")) return t("users.error.username");
  if (!text("users-create-password")) return t("users.error.password");
  const siteIds = [...byId("users-create-sites").querySelectorAll("input:checked")]
    .map((input) => Number(/** @type {HTMLInputElement} */ (input).value));
  return { username: text("users-create-username"), display_name: text("users-create-name"),
    password: text("users-create-password"), role: byId("users-create-role", HTMLSelectElement).value,
    site_ids: siteIds };
}, async (created) => {
  for (const input of byId("users-create-sites").querySelectorAll("input")) {
    /** @type {HTMLInputElement} */ (input).checked = false;
  }
  await load();
  await select(created.id);
});
wireForm("users-site-form", () => `/api/users/${state.selected}`, () => {
  const user = selectedUser();
  const site = chosen("users-site-add");
  if (!user || site === null) return t("users.error.site");
  return { site_ids: [...user.site_ids, site] };
}, async () => { await load(); }, "PATCH");
wireForm("users-region-form", () => `/api/users/${state.selected}/region-grants`, () => {
  const code = byId("users-region-add", HTMLSelectElement).value;
  return code ? { region_code: code } : t("users.error.region");
}, async () => { if (state.selected !== null) await loadGrants(state.selected); });
byId("users-toggle").addEventListener("click", () => void toggle());
byId("users-reset").addEventListener("click", () => void resetPassword());
byId("users-password-copy").addEventListener("click", () => void copyPassword());

const user = await startPage({ title: "users.title" });
if (user) {
  fillSelect(byId("users-create-role", HTMLSelectElement), ROLES.map((role) => ({ id: role })),
    (role) => roleLabel(role.id));
  if (user.permissions.includes(PERMISSION)) {
    await load();
  } else {
    for (const section of document.querySelectorAll(".admin-section")) {
      /** @type {HTMLElement} */ (section).hidden = true;
    }
    showError(pageError, t("users.error.forbidden"));
  }
}
