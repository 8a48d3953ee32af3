// The API page needs a console login (its /openapi.json answers 401 without one): send a
// visitor who has none to the login form, and back here afterwards.
fetch("/api/auth/me", { credentials: "same-origin" }).then((response) => {
  if (response.status === 401) {
    window.location.replace(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
});
