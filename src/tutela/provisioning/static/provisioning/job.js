// Polls the job's progress every second and updates the bar; reloads the page once the job
// has finished, so the summary and the plan appear.
(function () {
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.finished === "true") { return; }
  var bar = document.getElementById("job-bar");
  var status = document.getElementById("job-status");
  var waiting = document.getElementById("job-waiting");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        status.textContent = job.status + (job.phase ? " · " + job.phase : "") +
          " · " + job.done + " of " + job.total;
        waiting.textContent = job.waiting ? "This run is " + job.waiting + "." : "";
        if (job.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
