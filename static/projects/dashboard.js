// PRIM dashboard: committed and disbursed amounts per region and component (Chart.js).
(function () {
  "use strict";
  var canvas = document.getElementById("money-chart");
  if (!canvas || !window.Chart) {
    return;
  }
  var data = JSON.parse(canvas.getAttribute("data-chart"));
  var rtl = document.documentElement.dir === "rtl";
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.committedLabel, data: data.committed, backgroundColor: "#0b6e69" },
        { label: data.disbursedLabel, data: data.disbursed, backgroundColor: "#e0a526" }
      ]
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      locale: document.documentElement.lang,
      plugins: { legend: { rtl: rtl, position: "bottom" } },
      scales: { x: { reverse: rtl, beginAtZero: true } }
    }
  });
})();
