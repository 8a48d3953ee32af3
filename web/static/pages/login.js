// Login page: check the credentials with the server, then go where the user was going.

import { apiJson, safeNextPath } from "../api.js";
import { byId } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { startPage } from "../components/shell.js";
import { t } from "../i18n.js";

const form = byId("login-form");
const username = byId("username", HTMLInputElement);
const password = byId("password", HTMLInputElement);
const button = byId("login-button", HTMLButtonElement);
const errorBox = byId("login-error");

/** Where to go after logging in: the `next` query parameter if it is a local path. */
function nextPage() {
  return safeNextPath(new URLSearchParams(window.location.search).get("next"));
}

/** @param {SubmitEvent} event */
async function onSubmit(event) {
  event.preventDefault();
  if (!username.value.trim() || !password.value) {
    showError(errorBox, t("login.missing"));
    (username.value.trim() ? password : username).focus();
    return;
  }
  showError(errorBox, "");
  button.disabled = true;
  button.textContent = t("login.busy");
  try {
    await apiJson("/api/auth/login", {
      method: "POST",
      body: { username: username.value.trim(), password: password.value },
    });
    window.location.assign(nextPage());
  } catch (error) {
    showError(errorBox, error);
    password.select();
    button.disabled = false;
    button.textContent = t("login.submit");
  }
}

await startPage({ title: "login.title", login: "none" });
form.addEventListener("submit", onSubmit);
