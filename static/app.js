// Connector Desk behaviour. Loaded with `defer`; no inline scripts anywhere (CSP).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // htmx requests carry the CSRF token like the forms do.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
});
