// Connector Desk behaviour. Loaded with `defer`; no inline scripts anywhere (CSP).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // htmx requests carry the CSRF token like the forms do.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
});

// Connector forms: show only the fields that apply to the chosen options. The server
// ignores hidden fields too, so without JavaScript every field shows and still works.
function currentValue(form, name) {
  const controls = form.querySelectorAll(`[name="${name}"]`);
  for (const control of controls) {
    if (control.type === "checkbox" || control.type === "radio") {
      if (control.checked) return control.type === "checkbox" ? "true" : control.value;
    } else {
      return control.value;
    }
  }
  return controls.length && controls[0].type === "checkbox" ? "false" : "";
}

function applyShownWhen(form) {
  for (const wrapper of form.querySelectorAll("[data-shown-when]")) {
    const rules = JSON.parse(wrapper.dataset.shownWhen);
    const shown = Object.entries(rules).every(([name, allowed]) => allowed.includes(currentValue(form, name)));
    wrapper.hidden = !shown;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.connector-form")) {
    applyShownWhen(form);
    form.addEventListener("change", () => applyShownWhen(form));
  }
});
