// The dashboard's monthly trend chart (stats/dashboard.html), from the json_script "trend-data".
// A file, not an inline script: the hall's Content-Security-Policy (decision 45).
(function () {
  const el = document.getElementById("trend-chart");
  if (!el) return;
  const d = JSON.parse(document.getElementById("trend-data").textContent);
  new Chart(el, {
    data: { labels: d.labels, datasets: [
      { type: "bar", label: "受理", data: d.accepted, backgroundColor: "#1f5fa8", yAxisID: "y" },
      { type: "bar", label: "办结", data: d.closed, backgroundColor: "#5b9bd5", yAxisID: "y" },
      { type: "line", label: "按时办结率（%）", data: d.on_time, borderColor: "#c0392b", yAxisID: "rate" } ] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                         rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } },
  });
})();
