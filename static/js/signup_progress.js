// Polls the provisioning job and moves on to the new workspace's login when it is ready.
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const url = box.dataset.url;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const job = await response.json();
      document.getElementById("bar").style.width = job.percent + "%";
      document.getElementById("step").textContent = job.step || "";
      document.getElementById("error").textContent = job.error || "";
      if (job.login_url) {
        document.getElementById("login-link").href = job.login_url;
        document.getElementById("done").hidden = false;
        window.location.assign(job.login_url);
        return;
      }
      if (job.state === "failed") return;
    } catch (err) { /* network blip: try again */ }
    setTimeout(poll, 700);
  }
  poll();
})();
