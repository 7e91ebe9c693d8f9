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

// Stored secrets: a blank one keeps the stored value only while server, method and
// authentication are as stored (the server enforces this); say so as soon as one changes.
// The wording comes from the page (data-*), which takes it from webapp/services/secret_wording.py.
function sameDestinationValue(value) {
  return value.trim().replace(/\/+$/, "");
}

function applyKeptSecrets(form) {
  for (const wrapper of form.querySelectorAll("[data-kept-while]")) {
    const stored = JSON.parse(wrapper.dataset.keptWhile);
    const kept = Object.entries(stored).every(
      ([name, value]) => sameDestinationValue(currentValue(form, name)) === sameDestinationValue(value),
    );
    const input = wrapper.querySelector("input[type=password]");
    const help = wrapper.querySelector("[data-extra-help]");
    if (kept) input.placeholder = wrapper.dataset.keptPlaceholder;
    else input.removeAttribute("placeholder");
    if (help) help.textContent = kept ? wrapper.dataset.keptHelp : wrapper.dataset.reenterHelp;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.connector-form")) {
    applyShownWhen(form);
    applyKeptSecrets(form);
    form.addEventListener("change", () => applyShownWhen(form));
    form.addEventListener("input", () => applyKeptSecrets(form));
    form.addEventListener("change", () => applyKeptSecrets(form));
  }
});

// Connector forms: a test result replaces the errors of an earlier save. Fields filled in
// since then lose their stale "required" marks; fields the test found invalid are marked
// as the server would mark them on a full page.
function showTestErrors(form, result) {
  const summary = document.getElementById("form-errors");
  if (summary) summary.replaceChildren();
  for (const stale of form.querySelectorAll(".invalid-feedback")) stale.remove();
  for (const control of form.querySelectorAll(".is-invalid")) control.classList.remove("is-invalid");
  for (const line of result.querySelectorAll("[data-error-field]")) {
    const control = form.querySelector(`[name="${CSS.escape(line.dataset.errorField)}"]`);
    if (!control) continue;
    control.classList.add("is-invalid");
    const feedback = document.createElement("div");
    feedback.className = "invalid-feedback d-block";
    feedback.textContent = line.dataset.errorMessage;
    const wrapper = control.closest("[data-field]") || control.parentElement;
    const help = wrapper.querySelector(".form-text");
    wrapper.insertBefore(feedback, help && help.parentElement === wrapper ? help : null);
  }
}

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const form = target.id === "check-result" ? target.closest("form.connector-form") : null;
  if (form) showTestErrors(form, target);
});

// Ticket form: switching connector reloads the form for that connector's system (through
// the hidden "Use this connector" button, so what was typed is posted along and kept), and
// the title preview follows the connector's title format as the admin types.
document.addEventListener("DOMContentLoaded", () => {
  for (const picker of document.querySelectorAll("[data-auto-submit]")) {
    const button = picker.querySelector("[data-auto-submit-button]");
    if (!button || !button.form) continue;
    button.hidden = true;
    picker.addEventListener("change", () => button.form.requestSubmit(button));
  }
  const preview = document.querySelector("[data-title-preview]");
  const title = document.querySelector("[data-title-input]");
  if (!preview || !title) return;
  const category = document.querySelector("[data-category-input]");
  const output = preview.querySelector("strong");
  const render = () => {
    const values = { title: title.value, category: category ? category.value : "", ticket_id: "#id", task_id: "#id" };
    // The server says which template applies with and without a category (System.title_format_for).
    const format = values.category ? preview.dataset.titleFormatCategory : preview.dataset.titleFormat;
    output.textContent = format.replace(/\$\{?(title|category|ticket_id|task_id)\}?/g, (_, name) => values[name]);
  };
  title.addEventListener("input", render);
  if (category) category.addEventListener("change", render);
  render();
});

// A search box inside a bigger form (the notification channel's connector picker): with
// JavaScript, Enter searches (htmx's "search" event) instead of submitting the form.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-search-only] input[type=search]")) {
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }
});

// Pickers: a choice listed under a field (connectors/_picker_choices.html) fills it in;
// a list field (labels, assignees) gets it added after what is already there.
document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-pick-value]");
  if (!choice) return;
  const box = choice.closest("[data-picker-for]");
  const input = box ? document.getElementById(box.dataset.pickerFor) : null;
  if (!input) return;
  const value = choice.dataset.pickValue;
  if (choice.hasAttribute("data-pick-adds")) {
    const parts = input.value.split(",").map((part) => part.trim());
    parts.pop(); // the text typed to search with
    input.value = [...parts.filter(Boolean), value].join(", ");
  } else {
    input.value = value;
  }
  box.replaceChildren();
  input.dispatchEvent(new Event("change", { bubbles: true }));
});
