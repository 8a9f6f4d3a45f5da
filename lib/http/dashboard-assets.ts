// The dashboard page, its stylesheet and its script, served as fixed strings (no template rendering, no
// user input in them). The charts are drawn by uPlot, served from the agent's own node_modules (no CDN).
// The script polls the agent once a second; it exposes `window.__dashboard` (charts and their point counts)
// so a headless browser test can tell that the charts are drawn.

export const DASHBOARD_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>rrd-backends</title>
<link rel="stylesheet" href="uplot/uPlot.min.css">
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<header>
  <h1>rrd-backends</h1>
  <p id="host">connecting...</p>
</header>
<main>
  <h2>Destinations</h2>
  <table id="destinations">
    <thead><tr><th>section</th><th>type</th><th>destination</th><th>state</th><th>iterations</th><th>buffered</th><th>sent</th><th>lost</th><th>left</th><th>last iteration</th><th>last error</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>Charts</h2>
  <div id="charts"></div>
</main>
<script src="uplot/uPlot.iife.min.js"></script>
<script src="dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }
header { background: #263238; color: #fff; padding: 8px 16px; display: flex; align-items: baseline; gap: 24px; }
header h1 { font-size: 18px; margin: 0; }
header p { margin: 0; opacity: .8; }
main { padding: 8px 16px; }
h2 { font-size: 16px; margin: 16px 0 8px; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
td.num { text-align: right; }
td.state-running { color: #2e7d32; }
td.state-failing { color: #c62828; font-weight: bold; }
td.state-disabled, td.state-stopped { color: #777; }
#charts { display: flex; flex-wrap: wrap; gap: 12px; }
section.chart { background: #fff; border: 1px solid #ddd; padding: 6px; }
section.chart h3 { font-size: 13px; margin: 0 0 4px; font-weight: 600; }
`;

export const DASHBOARD_JS = `(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var state = { charts: {}, ticks: 0, errors: 0, lastError: null };
  window.__dashboard = state;

  function getJSON(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    var u = ['KiB', 'MiB', 'GiB', 'TiB'], i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
    return n.toFixed(1) + ' ' + u[i];
  }

  function drawDestinations(status) {
    document.getElementById('host').textContent = 'host ' + status.hostname + (status.configFile ? ' - configuration ' + status.configFile : ' - embedded default configuration');
    var body = document.querySelector('#destinations tbody');
    body.textContent = '';
    status.instances.forEach(function (s) {
      var tr = document.createElement('tr');
      var last = s.last;
      var st = s.state === 'running' && s.failures > 0 ? 'failing' : s.state;
      cell(tr, s.label);
      cell(tr, s.type);
      cell(tr, s.destination);
      cell(tr, st + (s.failures > 0 ? ' (' + s.failures + ')' : ''), 'state-' + st);
      cell(tr, String(s.totals.iterations), 'num');
      cell(tr, s.buffered.metrics + ' (' + bytes(s.buffered.bytes) + ')', 'num');
      cell(tr, s.totals.sentMetrics + ' (' + bytes(s.totals.sentBytes) + ')', 'num');
      cell(tr, s.totals.lostMetrics + ' (' + bytes(s.totals.lostBytes) + ')', 'num');
      cell(tr, last ? String(last.remainingMetrics) : '-', 'num');
      cell(tr, last ? (last.formatMs + last.sendMs).toFixed(1) + ' ms' : '-', 'num');
      cell(tr, s.lastError || '');
      body.appendChild(tr);
    });
  }

  function plotOptions(d) {
    var width = Math.max(320, Math.min(560, (document.getElementById('charts').clientWidth - 24) / 2));
    return {
      width: width,
      height: 180,
      scales: { x: { time: true } },
      axes: [{}, { label: d.units, size: 60 }],
      series: [{}].concat(d.labels.map(function (label, i) {
        return { label: label, stroke: COLORS[i % COLORS.length], width: 1 };
      }))
    };
  }

  function updateChart(ch) {
    return getJSON('api/v1/data?chart=' + encodeURIComponent(ch.id) + '&points=60').then(function (d) {
      if (ch.plot === null) ch.plot = new uPlot(plotOptions(d), d.data, ch.el);
      else ch.plot.setData(d.data);
      ch.points = d.data[0].length;
    });
  }

  function tick() {
    var ids = Object.keys(state.charts);
    return Promise.all(ids.map(function (id) { return updateChart(state.charts[id]); }))
      .then(function () { return getJSON('api/v1/status'); })
      .then(function (status) { drawDestinations(status); state.ticks++; })
      .catch(function (err) { state.errors++; state.lastError = String(err && err.message || err); });
  }

  function addCharts(list) {
    var grid = document.getElementById('charts');
    list.forEach(function (c) {
      if (state.charts[c.id]) return;
      var box = document.createElement('section');
      box.className = 'chart';
      box.setAttribute('data-chart', c.id);
      var h = document.createElement('h3');
      h.textContent = c.title + ' - ' + c.id + ' (' + c.units + ')';
      var el = document.createElement('div');
      box.appendChild(h);
      box.appendChild(el);
      grid.appendChild(box);
      state.charts[c.id] = { id: c.id, el: el, plot: null, points: 0 };
    });
  }

  function init() {
    return getJSON('api/v1/charts').then(function (list) {
      addCharts(list);
      return tick();
    }).then(function () {
      setInterval(tick, 1000);
      // Charts that appear later (a new network interface, a new instance) join every 10 seconds.
      setInterval(function () { getJSON('api/v1/charts').then(addCharts).catch(function () {}); }, 10000);
    }).catch(function (err) { state.errors++; state.lastError = String(err && err.message || err); });
  }

  init();
})();
`;
