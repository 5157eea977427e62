// Today's tickets by hour on the queue figures page (queueing/figures.html), from the json_script
// "hourly-data". A file, not an inline script: the hall's Content-Security-Policy (decision 45).
(function () {
  const el = document.getElementById("hourly");
  if (!el) return;
  new Chart(el, {
    type: "bar",
    data: { labels: [...Array(24).keys()].map(h => h + "时"),
            datasets: [{ label: "取号数", data: JSON.parse(document.getElementById("hourly-data").textContent), backgroundColor: "#1f5fa8" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
