// Date pickers in the page's language and keyboard-friendly multi-selects (core/widgets.py).
// The fields are plain text fields and selects: without this script they still work.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fr";
  var rtl = document.documentElement.dir === "rtl";

  // Accept the page's format and ISO (what older links, tests and pasted values carry).
  function parseDate(text, format) {
    var iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(String(text).trim());
    if (iso) {
      return new Date(+iso[1], +iso[2] - 1, +iso[3], +(iso[4] || 0), +(iso[5] || 0));
    }
    return window.flatpickr.parseDate(text, format);
  }

  function datePickers(root) {
    if (typeof window.flatpickr !== "function") {
      return;
    }
    root.querySelectorAll("input[data-picker='date'], input[data-picker='datetime']").forEach(function (input) {
      if (input._flatpickr) {
        return;
      }
      var withTime = input.dataset.picker === "datetime";
      var locale = window.flatpickr.l10ns && window.flatpickr.l10ns[lang] ? lang : "default";
      var options = {
        allowInput: true,
        dateFormat: input.dataset.format || (withTime ? "d/m/Y H:i" : "d/m/Y"),
        enableTime: withTime,
        time_24hr: true,
        locale: locale,
        position: rtl ? "auto right" : "auto left",
        disableMobile: true,
        ariaDateFormat: "j F Y",
        parseDate: parseDate,
      };
      // The calendar opens from its own button, not on focus: typing stays plain typing and
      // the calendar never covers the next field.
      options.clickOpens = false;
      var group = document.createElement("div");
      group.className = "input-group flex-nowrap";
      input.parentNode.insertBefore(group, input);
      group.appendChild(input);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary";
      button.setAttribute("aria-label", input.dataset.calendarLabel || "Calendar");
      button.title = button.getAttribute("aria-label");
      button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
      group.appendChild(button);
      var picker = window.flatpickr(input, options);
      button.addEventListener("click", function () {
        picker.toggle();
      });
      input.setAttribute("inputmode", "numeric");
    });
  }

  function multiPickers(root) {
    if (typeof window.TomSelect !== "function") {
      return;
    }
    root.querySelectorAll("select[multiple][data-picker='multi']").forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      new window.TomSelect(select, {
        plugins: ["remove_button"],
        hidePlaceholder: true,
        maxOptions: null,
        closeAfterSelect: false,
      });
    });
  }

  function enhance(root) {
    datePickers(root);
    multiPickers(root);
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.target);
  });
})();
