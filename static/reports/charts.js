/* Charts of a report page: a population pyramid (sex × age) and bars by category.
   Data comes from the json_script element #report-charts; hidden cells are plotted as 0. */
(function () {
  "use strict";
  const source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const rtl = document.documentElement.dir === "rtl";
  const FEMALE = "#b5367a", MALE = "#2f6db3";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  const pyramid = document.getElementById("chart-pyramid");
  if (pyramid && data.pyramid) {
    const rows = data.pyramid.rows.slice().reverse();
    new Chart(pyramid, {
      type: "bar",
      data: {
        labels: rows,
        datasets: [
          { label: data.labels.female, data: data.pyramid.female.slice().reverse().map((v) => -v), backgroundColor: FEMALE },
          { label: data.labels.male, data: data.pyramid.male.slice().reverse(), backgroundColor: MALE },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        locale: document.documentElement.lang || "fr",
        scales: {
          x: { stacked: true, reverse: rtl, ticks: { callback: (v) => Math.abs(v) } },
          y: { stacked: true, position: rtl ? "right" : "left" },
        },
        plugins: {
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${Math.abs(c.raw)}` } },
          legend: { rtl: rtl },
        },
      },
    });
  }

  // Bars by sex: by category, and by territory.
  [["chart-categories", data.categories], ["chart-territories", data.territories]].forEach(
    ([id, source]) => {
      const canvas = document.getElementById(id);
      if (!canvas || !source) return;
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: source.rows,
          datasets: [
            { label: data.labels.female, data: source.female, backgroundColor: FEMALE },
            { label: data.labels.male, data: source.male, backgroundColor: MALE },
          ],
        },
        options: {
          animation: false,
          locale: document.documentElement.lang || "fr",
          scales: { x: { reverse: rtl } },
          plugins: { legend: { rtl: rtl } },
        },
      });
    }
  );
})();
