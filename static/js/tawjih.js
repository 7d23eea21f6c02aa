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
