// Tawjih's own script. No inline scripts anywhere: behaviour lives in static files.
(function () {
  "use strict";
  // htmx: show a translated message when a request fails, instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.hidden = false;
    }
    if (window.console) {
      console.warn("Request failed", event.detail.xhr.status);
    }
  });
})();

// The error summary of a form (core/templatetags/form_errors.py): after a failed submit the
// focus goes to it, so a screen reader reads it and the keyboard starts there; each of its links
// moves the focus to its field, or to the widget that stands in for a hidden one (Tom Select).
(function () {
  "use strict";
  function fieldFor(link) {
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (target && target.tomselect) {
      return target.tomselect.control_input || target.tomselect.control;
    }
    return target;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-error-link]");
      var field = link && fieldFor(link);
      if (!field) {
        return;
      }
      event.preventDefault();
      // Opens a closed <details> around the field, then shows its label with it.
      var details = field.closest("details");
      if (details) {
        details.open = true;
      }
      var box = field.closest("[id^='div_']") || field;
      box.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  });
})();
