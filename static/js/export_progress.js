// Polls each unfinished export's status and moves its progress bar; shows the download
// link once the archive is ready. Used on /crm/settings/export/ and in the operator console.
(function () {
  const rows = document.querySelectorAll(".export-row[data-finished='0']");
  rows.forEach(function (row) {
    const url = row.dataset.statusUrl;
    async function poll() {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const job = await response.json();
        row.querySelector(".export-bar").style.width = job.percent + "%";
        row.querySelector(".progress").setAttribute("aria-valuenow", job.percent);
        let state = job.status_label;
        if (job.tables_total) state += " · " + job.tables_done + " / " + job.tables_total;
        row.querySelector(".export-state").textContent = state;
        row.querySelector(".export-error").textContent = job.error || "";
        if (job.download_url) {
          const link = row.querySelector(".export-download");
          link.href = job.download_url;
          link.hidden = false;
        }
        if (job.finished) return;
      } catch (err) { /* network blip: try again */ }
      setTimeout(poll, 1000);
    }
    poll();
  });
})();
