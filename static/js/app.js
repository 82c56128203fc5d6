/* eWTP Marketplace — small progressive enhancements. Every page works without this file.
 *  - marks <html class="js"> so no-JS fallbacks (e.g. the language "Go" button) can hide
 *  - [data-autosubmit]: submit the form when the select changes (language switcher)
 *  - [data-dismiss]: close the enclosing [data-alert]
 *  - [data-menu] <details>: close on outside click and on Escape
 *  - form[data-confirm]: ask before submitting (e.g. reject a held shipment)
 *  - forms: disable submit buttons while posting, so a slow network cannot double-submit
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var alert = dismiss.closest("[data-alert]");
      if (alert) alert.remove();
    }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if ((form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    // Disable after the browser has collected the submitter's name/value.
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
    }, 0);
    // A response that does not leave the page (a file download) must not leave them dead.
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
    }, 8000);
  });

  // Back/forward cache restores the page with buttons still disabled: re-enable them.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[aria-busy=true]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
  });
})();

/* Panels that stay open on wide screens and start closed on phones (the catalog's filters). */
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(min-width: 900px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
  }
});
