// Account page: change your own password (your other logins end; this one continues).

import { ApiError, apiJson, redirectToLogin } from "../api.js";
import { byId } from "../components/dom.js";
import { showError } from "../components/errors.js";
import { roleLabel, startPage } from "../components/shell.js";
import { t } from "../i18n.js";

const MIN_LENGTH = 10;
const form = byId("password-form", HTMLFormElement);
const current = byId("current-password", HTMLInputElement);
const fresh = byId("new-password", HTMLInputElement);
const repeat = byId("repeat-password", HTMLInputElement);
const button = byId("password-button", HTMLButtonElement);
const errorBox = byId("password-error");
const done = byId("password-done");

/** What is wrong with the form before asking the server, or "" if nothing. */
function formProblem() {
  if (!current.value) return t("account.error.current");
  if (fresh.value.length < MIN_LENGTH) return t("account.error.short", { min: MIN_LENGTH });
  if (fresh.value !== repeat.value) return t("account.error.differ");
  if (fresh.value === current.value) return t("account.error.same");
  return "";
}

/** @param {SubmitEvent} event */
async function onSubmit(event) {
  event.preventDefault();
  done.hidden = true;
  const problem = formProblem();
  showError(errorBox, problem);
  if (problem) return;
  button.disabled = true;
  try {
    await apiJson("/api/auth/password", {
      method: "POST",
      body: { current_password: current.value, new_password: fresh.value },
    });
    form.reset();
    done.hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      redirectToLogin("/account");
      return;
    }
    showError(errorBox, error);
  } finally {
    button.disabled = false;
  }
}

byId("new-password-label").textContent = t("account.new", { min: MIN_LENGTH });
const user = await startPage({ title: "account.title" });
if (user) {
  byId("account-name").textContent = t("account.who", {
    name: user.display_name || user.username, role: roleLabel(user.role) });
}
form.addEventListener("submit", onSubmit);
