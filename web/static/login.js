// Login page: check the credentials with the server, then go to the live console.

import { apiJson, safeNextPath, showFormError } from "./api.js";

const form = document.getElementById("login-form");
const username = document.getElementById("username");
const password = document.getElementById("password");
const button = document.getElementById("login-button");
const errorBox = document.getElementById("login-error");

/** Show (or clear, with "") the error under the form. */
const showError = (message) => showFormError(errorBox, message);

/** Where to go after logging in: the `next` query parameter if it is a local path. */
function nextPage() {
  return safeNextPath(new URLSearchParams(window.location.search).get("next"));
}

async function onSubmit(event) {
  event.preventDefault();
  if (!username.value.trim() || !password.value) {
    showError("Enter your username and password.");
    (username.value.trim() ? password : username).focus();
    return;
  }
  showError("");
  button.disabled = true;
  button.textContent = "Signing in…";
  try {
    await apiJson("/api/auth/login", {
      method: "POST",
      body: { username: username.value.trim(), password: password.value },
    });
    window.location.assign(nextPage());
  } catch (error) {
    showError(error.detail || error.message || "Sign-in failed.");
    password.select();
    button.disabled = false;
    button.textContent = "Sign in";
  }
}

form.addEventListener("submit", onSubmit);
