// The tile viewer: a gallery, an OpenSeadragon deep-zoom view whose tiles come over the relay's
// WebSocket (binary framing), and a stats panel fed by /stats every second.
(function () {
  'use strict';

  // ---- the relay connection: one WebSocket, requests tagged by id, jittered reconnect
  const pending = new Map();
  let nextId = 1;
  let ws = null;
  let backoff = 250;
  const conn = document.getElementById('conn');
  const counters = { tiles: 0, errors: 0, jpeg: 0, png: 0, cancels: 0 };
  window.switchboardTiles = counters;

  function connect() {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { backoff = 250; conn.textContent = 'connected'; conn.className = 'pill ok'; };
    ws.onclose = () => {
      conn.textContent = 'reconnecting…'; conn.className = 'pill bad';
      for (const [, p] of pending) p.reject(new Error('connection closed'));
      pending.clear();
      const delay = backoff * (0.5 + Math.random());
      backoff = Math.min(backoff * 2, 10000);
      setTimeout(connect, delay);
    };
    ws.onmessage = (ev) => onFrame(ev.data);
  }

  function onFrame(data) {
    let header, body = null;
    if (typeof data === 'string') {
      header = JSON.parse(data);
    } else {
      const bytes = new Uint8Array(data);
      if (bytes[0] !== 1) { console.warn('unknown binary framing version', bytes[0]); return; }
      const len = (bytes[1] << 8) | bytes[2];
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(3, 3 + len)));
      body = bytes.subarray(3 + len);
    }
    const p = pending.get(header.id);
    if (!p) return;
    if (header.error) {
      pending.delete(header.id);
      counters.errors++;
      p.reject(new Error(header.error.code + ': ' + header.error.message));
      return;
    }
    if (body !== null || header.body !== undefined) p.items.push(body !== null ? body : header.body);
    if (header.end) { pending.delete(header.id); p.resolve(p.items); }
  }

  // the id of the request sent last: a caller that sent one synchronously reads it to cancel it later
  let lastSentId = null;

  function request(key, body) {
    return new Promise((resolve, reject) => {
      if (!ws || ws.readyState !== WebSocket.OPEN) { reject(new Error('not connected')); return; }
      const id = nextId++;
      pending.set(id, { resolve, reject, items: [] });
      ws.send(JSON.stringify({ id, key, body }));
      lastSentId = id;
    });
  }

  // The relay sends nothing more for a cancelled request, and its promise never settles: whoever
  // waited on it (an OpenSeadragon job) has already given up, and must not hear of it again.
  // Frames already on their way are dropped by onFrame, which no longer finds the id.
  function cancel(id) {
    if (!pending.delete(id)) return; // answered already, or lost with its connection
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ id, cancel: true }));
      counters.cancels++;
    }
  }

  // OpenSeadragon dropped a tile job: cancel the request it waited for, if that is still pending
  function cancelTile(context) {
    const id = context.userData.switchboardId;
    context.userData.switchboardId = null;
    if (id != null) cancel(id);
  }

  function whenOpen() {
    return new Promise((resolve) => {
      const check = () => (ws && ws.readyState === WebSocket.OPEN) ? resolve() : setTimeout(check, 50);
      check();
    });
  }

  // a tile answer is a JPEG or a PNG file; its first bytes say which
  function imageType(bytes) {
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
    if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
    throw new Error('a tile is neither JPEG nor PNG');
  }

  // the last tiles drawn, for the browser test to compare with the image (bounded)
  const RECENT_TILES = 8;
  counters.recent = [];

  async function tileBlob(image, level, x, y) {
    const items = await request(image, { level, x, y });
    const type = imageType(items[0]);
    counters.tiles++;
    counters[type === 'image/jpeg' ? 'jpeg' : 'png']++;
    counters.recent.push({ image, level, x, y, type, bytes: items[0] });
    if (counters.recent.length > RECENT_TILES) counters.recent.shift();
    return new Blob([items[0]], { type });
  }

  // ---- the deep-zoom viewer
  const viewer = OpenSeadragon({
    id: 'viewer',
    prefixUrl: '/vendor/openseadragon/images/',
    showNavigator: true,
    tileRetryMax: 3,
    timeout: 15000,
    drawer: 'canvas',
  });
  window.switchboardViewer = viewer;

  function tileSource(info) {
    return {
      width: info.width,
      height: info.height,
      tileSize: info.tileSize,
      minLevel: info.minLevel,
      maxLevel: info.maxLevel,
      getTileUrl: (level, x, y) => 'tile:' + info.name + '/' + level + '/' + x + '/' + y,
      downloadTileStart: (context) => {
        // a job retried after its timeout starts again on the same context: its first request is dropped
        cancelTile(context);
        const [, level, x, y] = context.src.slice(5).split('/');
        lastSentId = null;
        running.add(context);
        tileBlob(info.name, +level, +x, +y)
          .then((blob) => { running.delete(context); context.finish(blob, null, 'rasterBlob'); })
          .catch((e) => { running.delete(context); context.fail('tile failed: ' + e.message, null); });
        // tileBlob sends its request before its first await, so the id is known here (null if not sent)
        context.userData.switchboardId = lastSentId;
      },
      downloadTileAbort: (context) => { running.delete(context); cancelTile(context); },
    };
  }

  // OpenSeadragon never drops a tile job it has started: it lets every tile of a view it has
  // left load, and keeps them. The viewer drops them itself. Each frame OpenSeadragon touches the
  // tiles the view needs; a started job whose tile was not touched by a view update more than
  // STALE_MS after it last was is no longer needed: the job is aborted (OpenSeadragon's
  // job.abort, which calls downloadTileAbort, which sends the cancel frame), not retried, and
  // its tile is left loadable, so that it is asked for again if a later view needs it.
  const STALE_MS = 50;
  const running = new Set();
  const dropped = new WeakSet();
  let lastViewUpdate = 0;
  viewer.addHandler('update-viewport', () => { lastViewUpdate = Date.now(); });
  viewer.addHandler('tile-load-failed', (e) => {
    if (dropped.has(e.tile)) {
      dropped.delete(e.tile);
      setTimeout(() => { e.tile.exists = true; }, 0); // OpenSeadragon marks it missing right after this event
    }
  });
  setInterval(() => {
    for (const context of running) {
      const tile = context.tile;
      if (tile && tile.lastTouchTime && lastViewUpdate - tile.lastTouchTime > STALE_MS) {
        running.delete(context);
        dropped.add(tile);
        context.tries = 1 + viewer.tileRetryMax;
        context.abort();
      }
    }
  }, STALE_MS);
  // an aborted job is logged as a failed tile; the viewer aborted it on purpose, so it is no error
  const osdConsole = OpenSeadragon.console;
  OpenSeadragon.console = Object.assign(Object.create(osdConsole), {
    error: (...args) => (args.some((a) => String(a).includes('Image load aborted'))
      ? osdConsole.debug(...args) : osdConsole.error(...args)),
  });

  function open(info, figure) {
    document.querySelectorAll('#gallery figure').forEach((f) => f.classList.remove('active'));
    figure.classList.add('active');
    document.getElementById('viewer-title').textContent = info.name + ' — ' + info.width + '×' + info.height;
    viewer.open(tileSource(info));
  }
  window.switchboardOpen = (name) => {
    const f = document.querySelector('#gallery figure[data-name="' + name + '"]');
    if (f) f.click();
  };

  async function gallery() {
    const images = await (await fetch('/images')).json();
    const root = document.getElementById('gallery');
    await whenOpen();
    for (const info of images) {
      const fig = document.createElement('figure');
      fig.dataset.name = info.name;
      const img = document.createElement('img');
      img.alt = info.name;
      const cap = document.createElement('figcaption');
      cap.textContent = info.name;
      fig.append(img, cap);
      fig.addEventListener('click', () => open(info, fig));
      root.append(fig);
      tileBlob(info.name, info.minLevel, 0, 0).then((b) => { img.src = URL.createObjectURL(b); })
        .catch((e) => console.warn('thumbnail', info.name, e.message));
    }
    document.body.dataset.images = String(images.length);
  }

  // ---- the stats panel
  const history = { t: [], fps: [], affinity: [], cache: [], load: {} };
  const MAX_POINTS = 120;
  let lastFrames = null;
  let charts = null;

  function chartOpts(title, series) {
    const width = document.getElementById('stats').clientWidth - 40;
    return { width, height: 140, legend: { show: true }, series: [{}].concat(series), axes: [{}, { size: 50 }] };
  }

  function makeCharts(workerIds) {
    const colors = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];
    for (const el of document.querySelectorAll('.chart')) el.textContent = '';
    return {
      ids: workerIds.join(','),
      throughput: new uPlot(chartOpts('throughput', [{ label: 'frames/s', stroke: '#4363d8' }]),
        [[], []], document.getElementById('chart-throughput')),
      hits: new uPlot(chartOpts('hits', [{ label: 'affinity', stroke: '#3cb44b', scale: 'r' },
        { label: 'cache', stroke: '#f58231', scale: 'r' }]), [[], [], []], document.getElementById('chart-hits')),
      load: new uPlot(chartOpts('load', workerIds.map((id, i) => ({ label: id, stroke: colors[i % colors.length] }))),
        [[]].concat(workerIds.map(() => [])), document.getElementById('chart-load')),
    };
  }

  function push(arr, v) { arr.push(v); if (arr.length > MAX_POINTS) arr.shift(); }

  async function refresh() {
    let s;
    try { s = await (await fetch('/stats')).json(); } catch (e) { return; }
    const now = Date.now() / 1000;
    const fps = lastFrames === null ? 0 : Math.max(0, s.frames - lastFrames);
    lastFrames = s.frames;
    push(history.t, now);
    push(history.fps, fps);
    push(history.affinity, s.affinityHitRatio);
    push(history.cache, s.cacheHitRatio);
    const ids = s.workers.map((w) => w.id);
    for (const w of s.workers) {
      if (!history.load[w.id]) history.load[w.id] = history.t.map(() => 0).slice(0, -1);
      push(history.load[w.id], w.active);
    }
    if (!charts || charts.ids !== ids.join(',')) charts = makeCharts(ids);
    charts.throughput.setData([history.t, history.fps]);
    charts.hits.setData([history.t, history.affinity, history.cache]);
    charts.load.setData([history.t].concat(ids.map((id) => {
      const a = history.load[id]; return a.length < history.t.length ? history.t.map((_, i) => a[i] ?? null) : a;
    })));
    const dl = document.getElementById('numbers');
    const rows = [
      ['sessions', s.sessions], ['workers', s.workers.length], ['in flight', s.inFlight], ['waiting', s.waiting],
      ['requests', s.requests], ['frames', s.frames], ['affinity hit ratio', s.affinityHitRatio.toFixed(3)],
      ['cache hit ratio', s.cacheHitRatio.toFixed(3)], ['errors', Object.values(s.errors).reduce((a, b) => a + b, 0)],
    ];
    dl.innerHTML = rows.map(([k, v]) => '<dt>' + k + '</dt><dd data-stat="' + k + '">' + v + '</dd>').join('');
    const tbody = document.querySelector('#workers tbody');
    tbody.innerHTML = s.workers.map((w) => '<tr><td>' + w.id + '</td><td>' + w.active + '</td><td>' + w.waiting +
      '</td><td>' + w.served + '</td><td class="files">' + (w.cached || []).join(', ') + '</td></tr>').join('');
  }

  connect();
  gallery().catch((e) => console.error('gallery failed', e));
  refresh();
  setInterval(refresh, 1000);
})();
