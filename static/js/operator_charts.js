// Operator overview charts: reads the page's json_script block (#operator-charts) and draws
// each <canvas data-chart="..."> with the vendored Chart.js. The table beside each chart
// holds the same figures for screen readers and when scripts are off.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("operator-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#64748b"];
    document.querySelectorAll("canvas.operator-chart").forEach(function (canvas) {
      var data = charts[canvas.dataset.chart];
      if (!data) {
        return;
      }
      var kind = canvas.dataset.kind || "bar";
      new window.Chart(canvas, {
        type: kind,
        data: {
          labels: data.labels,
          datasets: [{
            data: data.values,
            backgroundColor: kind === "bar" ? palette[0] : palette.slice(0, data.values.length),
          }],
        },
        options: {
          animation: false,
          plugins: { legend: { display: kind !== "bar" } },
          scales: kind === "bar" ? { y: { beginAtZero: true, ticks: { precision: 0 } } } : {},
        },
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
