// Account page: change your own password (your other logins end; this one continues).

import { apiJson, redirectToLogin, showFormError } from "./api.js";

const MIN_LENGTH = 10;
const form = document.getElementById("password-form");
const current = document.getElementById("current-password");
const fresh = document.getElementById("new-password");
const repeat = document.getElementById("repeat-password");
const button = document.getElementById("password-button");
const errorBox = document.getElementById("password-error");
const done = document.getElementById("password-done");

/** Show (or clear, with "") the error under the form. */
const showError = (message) => showFormError(errorBox, message);

/** What is wrong with the form before asking the server, or "" if nothing. */
function formProblem() {
  if (!current.value) return "Enter your current password.";
  if (fresh.value.length < MIN_LENGTH) return `The new password needs at least ${MIN_LENGTH} characters.`;
  if (fresh.value !== repeat.value) return "The new passwords differ.";
  if (fresh.value === current.value) return "The new password is the same as the current one.";
  return "";
}

async function onSubmit(event) {
  event.preventDefault();
  done.hidden = true;
  const problem = formProblem();
  showError(problem);
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
    if (error.status === 401) {
      redirectToLogin("/account");
      return;
    }
    showError(error.detail || error.message || "The password was not changed.");
  } finally {
    button.disabled = false;
  }
}

async function main() {
  try {
    const user = await apiJson("/api/auth/me");
    document.getElementById("account-name").textContent =
      `${user.display_name || user.username} (${user.role})`;
  } catch (error) {
    if (error.status === 401) redirectToLogin("/account");
    else showError(`Could not reach the server: ${error.detail || error.message}`);
  }
}

form.addEventListener("submit", onSubmit);
main();
