// Report charts: every <canvas data-report-chart="<id>"> is drawn from the json_script
// block <id> (crm.reports.output.chart_spec: kind, labels, datasets) with the vendored
// Chart.js. The table beside each chart holds the same figures (its text alternative).
(function () {
  "use strict";
  var palette = ["#2563eb", "#f59e0b", "#16a34a", "#b42318", "#7c3aed", "#0891b2",
                 "#db2777", "#64748b", "#ca8a04", "#059669"];

  function config(spec) {
    var kind = spec.kind;
    var round = kind === "pie" || kind === "doughnut";
    var horizontal = kind === "horizontal_bar" || kind === "funnel";
    var type = round ? kind : (kind === "line" ? "line" : "bar");
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = palette[index % palette.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: round ? spec.labels.map(function (_label, i) {
          return palette[i % palette.length];
        }) : colour,
        borderColor: type === "line" ? colour : undefined,
        fill: false,
      };
    });
    var options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom", display: round || datasets.length > 1 } },
    };
    if (!round) {
      options.indexAxis = horizontal ? "y" : "x";
      var valueAxis = { beginAtZero: true, stacked: !!spec.stacked };
      var labelAxis = { stacked: !!spec.stacked };
      options.scales = horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    }
    return { type: type, data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var canvases = document.querySelectorAll("canvas[data-report-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-report-chart"));
      if (!source || window.Chart.getChart(canvas)) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      if (spec) {
        new window.Chart(canvas, config(spec));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
