// Service analysis chart: defects per month as stacked bars, one dataset per severity, from
// the page's json_script block (#service-charts), drawn with the vendored Chart.js. The
// table beside it holds the same figures for screen readers and when scripts are off.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("service-charts");
    var canvas = document.querySelector("canvas.service-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var palette = ["#b42318", "#f59e0b", "#2563eb", "#64748b"];
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset, index) {
          return { label: dataset.label, data: dataset.data,
                   backgroundColor: palette[index % palette.length] };
        }),
      },
      options: {
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { stacked: true },
                  y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
