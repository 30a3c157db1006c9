// Receivables aging chart: reads the page's json_script block (#aging-chart-data) and draws
// a stacked bar per rep or account with the vendored Chart.js. The table beside it holds the
// same figures (with links to the instalments) for screen readers and without scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("aging-chart-data");
    var canvas = document.querySelector("canvas.aging-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var palette = ["#16a34a", "#facc15", "#f59e0b", "#ea580c", "#dc2626"];
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data.map(Number),
            backgroundColor: palette[index % palette.length],
          };
        }),
      },
      options: {
        animation: false,
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
