// The exchange pages' small helpers, as a static file (no inline script, for the CSP).
// Filters apply as soon as they change; the fee payment's quick choices fill the amount.
"use strict";
document.documentElement.classList.add("js");
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  form.addEventListener("change", () => form.requestSubmit());
});
document.querySelectorAll("[data-quick-points]").forEach((button) => {
  button.addEventListener("click", () => {
    const input = document.getElementById(button.dataset.target);
    if (input) {
      input.value = button.dataset.quickPoints;
      input.focus();
    }
  });
});
