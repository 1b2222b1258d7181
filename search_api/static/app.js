"use strict";
// Progressive enhancement only: the pages work without JavaScript. This keeps shared search
// links short (empty filters are not sent) and draws the charts whose data the server embedded
// next to an accessible table, with the locally served Chart.js.
(function () {
  const form = document.getElementById("search-form");
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        const unused = field.value === "" || (field.name === "sort" && field.value === "relevance");
        if (field.name && field.name !== "q" && unused) field.disabled = true;
      });
    });
    // the page came back from the history cache: fields disabled on submit are usable again
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
    });
  }
})();
(function () {
  const specs = document.querySelectorAll("script.chart-data");
  if (!specs.length) return;
  const script = document.createElement("script");
  script.src = "/static/vendor/chart.umd.min.js";
  script.onload = function () {
    const locale = document.documentElement.lang || "zh-Hant-TW";
    const fmt = new Intl.NumberFormat(locale);
    specs.forEach(function (node) {
      const spec = JSON.parse(node.textContent);
      const canvas = document.getElementById(node.dataset.canvas);
      if (!canvas || !window.Chart) return;
      new window.Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: [{ label: spec.label, data: spec.values,
                backgroundColor: "#0b4f8a", borderColor: "#0b4f8a" }] },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false },
                     tooltip: { callbacks: { label: (c) => fmt.format(c.parsed.y) } } },
          scales: { y: { beginAtZero: true, ticks: { callback: (v) => fmt.format(v), precision: 0 } } },
        },
      });
      canvas.dataset.drawn = "true";
    });
  };
  document.head.appendChild(script);
})();
