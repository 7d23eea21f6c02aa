/* Report request form: show only the fields of the chosen period (month: year and month;
   quarter: year and quarter; year: year; range: first and last days). Without JavaScript every
   field stays visible and the server ignores the ones the chosen period does not use. */
(function () {
  "use strict";
  const form = document.querySelector('[data-testid="report-form"]');
  if (!form) return;
  const used = {
    month: ["year", "month"],
    quarter: ["year", "quarter"],
    year: ["year"],
    range: ["start", "end"],
  };
  function update() {
    const checked = form.querySelector('input[name="period"]:checked');
    const kind = checked ? checked.value : "";
    ["year", "quarter", "month", "start", "end"].forEach((name) => {
      const field = form.querySelector(`[name="${name}"]`);
      const wrapper = field && field.closest("[data-period-field]");
      if (wrapper) wrapper.hidden = Boolean(kind) && !(used[kind] || []).includes(name);
    });
  }
  form.addEventListener("change", update);
  update();
})();
