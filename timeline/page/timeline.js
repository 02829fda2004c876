// The TinyKV timeline page: draws the run embedded in #tl-data (see timeline/render.cc for the
// format) on one canvas, on one virtual-time axis. Written for this kit; no libraries.
//
// #tl-status receives what was drawn (data-lanes, data-arrows, ...), the time to first paint
// and any script error, for the browser test (timeline/browser_test.py) and for curious readers.
(function () {
  'use strict';
  var T0 = performance.now();
  var statusEl = document.getElementById('tl-status');
  var errors = [];
  function noteError(msg) {
    errors.push(String(msg));
    statusEl.setAttribute('data-errors', errors.join(' | '));
  }
  window.onerror = function (msg, src, line, col) {
    noteError(msg + ' (line ' + line + ':' + col + ')');
  };
  window.addEventListener('unhandledrejection', function (e) {
    noteError('unhandled rejection: ' + e.reason);
  });

  var D;
  try {
    D = JSON.parse(document.getElementById('tl-data').textContent);
  } catch (e) {
    noteError('cannot read the page data: ' + e.message);
    return;
  }
  var PARSE_MS = performance.now() - T0;
  var S = D.strings;
  var setupPhases = [], setupT = performance.now();
  function setupMark(name) {
    var now = performance.now();
    setupPhases.push(name + ':' + (now - setupT).toFixed(1));
    setupT = now;
  }
  var $ = function (id) { return document.getElementById(id); };

  // ---- Layout (CSS pixels) ----
  var GUT = 104;          // the left column of lane names
  var RIGHT = 14;
  var AXIS_H = 42;        // time labels, then the row of cluster-wide marks
  var LANE_H = 70;
  var BAND_Y = 22;        // the role band's centre (the lane's wire) below the lane top
  var BAND_H = 14;
  var LOG_Y = 36;         // the log figures' area
  var LOG_H = 28;
  var CLIENT_GAP = 22;
  var CLIENT_H = 20;
  var DETAIL_MAX = 3000;  // more messages in view than this: drawn as density
  var COL_W = 3;          // density column width

  var ROLE_COLOR = { follower: '#c9d3e3', candidate: '#f2b632', leader: '#2f9e44',
    down: '#3b3f47' };
  var KIND_COLOR = { Get: '#0b8a8a', Put: '#1f6fd1', Delete: '#d9480f', Scan: '#6b7280' };
  var REGION_COLOR = { partition: ['#3d7df2', '#f2793d', '#9b59d6', '#2fa88f'],
    isolate: ['#9b59d6'], filter: ['#d6b300'], down: ['#3b3f47'], crash: ['#3b3f47'],
    'slow-worker': ['#8d6e63'] };
  var TYPE_COLOR = { append: '#1f6fd1', appendresponse: '#62a3ee', heartbeat: '#97a1b2',
    heartbeatresponse: '#bcc4d0', vote: '#d08a00', voteresponse: '#ecb54a',
    prevote: '#b0760a', prevoteresponse: '#d9a441', snapshot: '#8e44ad',
    timeoutnow: '#c2185b', transferleader: '#c2185b', propose: '#00897b' };
  var PALETTE = ['#1f6fd1', '#d08a00', '#2f9e44', '#8e44ad', '#c2185b', '#00897b', '#6d4c41',
    '#5c6bc0', '#7cb342', '#f4511e'];

  // ---- The model ----
  var lanes = D.lanes;
  var NL = lanes.length;
  var laneIndex = {};
  lanes.forEach(function (l, i) { laneIndex[l] = i; });
  var noun = D.noun || 'node';
  var perSecond = D.per_second || 0;

  // Lane states as columns per lane.
  var states = lanes.map(function () { return null; });
  D.states.forEach(function (entry) {
    var li = laneIndex[entry[0]];
    if (li === undefined) return;
    var flat = entry[1], n = flat.length / 10, t = 0;
    var s = { n: n, t: new Float64Array(n), role: new Array(n), v: [] };
    for (var k = 0; k < 8; k++) s.v.push(new Float64Array(n));
    for (var i = 0; i < n; i++) {
      t += flat[i * 10];
      s.t[i] = t;
      s.role[i] = S[flat[i * 10 + 1]];
      // Changes from the previous state.
      for (var k2 = 0; k2 < 8; k2++) s.v[k2][i] = (i ? s.v[k2][i - 1] : 0) + flat[i * 10 + 2 + k2];
    }
    states[li] = s;
  });
  var V_TERM = 0, V_VOTE = 1, V_LEAD = 2, V_LAST = 3, V_COMMIT = 4, V_APPLIED = 5,
    V_FIRST = 6, V_TRUNC = 7;

  setupMark('states');
  // Messages as typed columns, sorted by send time.
  var M = D.msgs;
  var NM = M.from.length;
  var mFrom = new Int32Array(NM), mTo = new Int32Array(NM), mType = new Int32Array(NM);
  var mSent = new Float64Array(NM), mEnd = new Float64Array(NM), mFlag = new Uint8Array(NM);
  var F_DROP = 1, F_DUP = 2, F_OPEN = 4, F_DELAY = 8;
  var mReason = {}, mDupOf = {}, unknownLane = new Uint8Array(NM);
  var sent = 0, sorted = true;
  for (var i = 0; i < NM; i++) {
    sent += M.sent[i];
    if (i > 0 && sent < mSent[i - 1]) sorted = false;
    mSent[i] = sent;
    var fi = laneIndex[M.from[i]], ti = laneIndex[M.to[i]];
    // A lane the page has no row for (none should exist): the message is not drawn.
    if (fi === undefined || ti === undefined) unknownLane[i] = 1;
    mFrom[i] = fi === undefined ? 0 : fi;
    mTo[i] = ti === undefined ? 0 : ti;
    mType[i] = M.type[i];
    if (M.dur[i] < 0) {
      mFlag[i] |= F_OPEN;
      mEnd[i] = Math.max(D.end, sent);
    } else {
      mEnd[i] = sent + M.dur[i];
    }
  }
  // A snapshot's chunks (SnapChunk, 2C) leave with their MsgSnapshot, same sender, receiver
  // and moment: they are drawn as that one purple arrow, not as arrows of their own on top of
  // it (its hover counts them). A chunk sent alone is drawn as usual.
  var folded = new Uint8Array(NM), chunksWith = {};
  (function () {
    var snapTy = S.indexOf('MsgSnapshot'), chunkTy = S.indexOf('SnapChunk');
    if (snapTy < 0 || chunkTy < 0) return;
    for (var i = 0; i < NM; i++) {
      if (mType[i] !== chunkTy) continue;
      for (var j = Math.max(0, i - 8); j < Math.min(NM, i + 9); j++) {
        if (mType[j] === snapTy && mFrom[j] === mFrom[i] && mTo[j] === mTo[i] &&
            mSent[j] === mSent[i]) {
          folded[i] = 1;
          chunksWith[j] = (chunksWith[j] || 0) + 1;
          break;
        }
      }
    }
  })();
  for (var d = 0; d < M.drops.length; d += 2) {
    mFlag[M.drops[d]] |= F_DROP;
    mReason[M.drops[d]] = S[M.drops[d + 1]];
  }
  for (var u = 0; u < M.dups.length; u += 2) {
    mFlag[M.dups[u]] |= F_DUP;
    mDupOf[M.dups[u]] = M.dups[u + 1];
  }
  setupMark('messages');
  var order = new Int32Array(NM);
  for (var o = 0; o < NM; o++) order[o] = o;
  if (!sorted) {
    // Nearly in order (a simulator sends in time order): an insertion sort is linear here.
    for (var q = 1; q < NM; q++) {
      var cur = order[q], ct = mSent[cur], r = q - 1;
      while (r >= 0 && mSent[order[r]] > ct) { order[r + 1] = order[r]; r--; }
      order[r + 1] = cur;
    }
  }

  setupMark('order');
  // Delayed: delivered much later than is usual for the type (3x the median, plus one unit).
  var typeList = [];
  var typeSeen = {};
  var typeCount = {};
  (function () {
    var durs = {};
    for (var i = 0; i < NM; i++) {
      var ty = mType[i];
      if (!typeSeen[ty]) { typeSeen[ty] = 1; typeList.push(ty); durs[ty] = []; typeCount[ty] = 0; }
      typeCount[ty]++;
      if (!(mFlag[i] & (F_DROP | F_OPEN)) && durs[ty].length < 4000) durs[ty].push(mEnd[i] - mSent[i]);
    }
    var limit = {};
    typeList.forEach(function (ty) {
      var a = durs[ty].sort(function (x, y) { return x - y; });
      limit[ty] = a.length ? 3 * a[a.length >> 1] + 1 : Infinity;
    });
    for (var j = 0; j < NM; j++) {
      if (!(mFlag[j] & (F_DROP | F_OPEN)) && mEnd[j] - mSent[j] > limit[mType[j]]) mFlag[j] |= F_DELAY;
    }
    typeList.sort(function (a, b) { return S[a] < S[b] ? -1 : S[a] > S[b] ? 1 : 0; });
  })();

  setupMark('delays');
  // For the window query: messages longer than P (the 99th percentile) are checked one by one.
  var P = 0, longMsgs = [];
  (function () {
    var sample = [];
    var step = Math.max(1, Math.floor(NM / 5000));
    for (var i = 0; i < NM; i += step) sample.push(mEnd[i] - mSent[i]);
    sample.sort(function (a, b) { return a - b; });
    P = sample.length ? sample[Math.min(sample.length - 1, Math.floor(sample.length * 0.99))] : 0;
    for (var j = 0; j < NM; j++) if (mEnd[j] - mSent[j] > P) longMsgs.push(j);
  })();

  setupMark('long');
  var typeColor = {};
  typeList.forEach(function (ty, k) {
    var key = S[ty].toLowerCase().replace(/^msg/, '').replace(/request/, '').replace(/[^a-z]/g, '');
    typeColor[ty] = TYPE_COLOR[key] || PALETTE[k % PALETTE.length];
  });

  var regions = D.regions.map(function (r, k) {
    return { id: k + 1, kind: S[r[0]], text: r[1], begin: r[2], end: r[3], open: !!r[4],
      lanes: r[5], groups: r[6] };
  });
  var marks = [];
  for (var mk = 0; mk < D.marks.length; mk += 4) {
    marks.push({ t: D.marks[mk], lane: D.marks[mk + 1], cat: S[D.marks[mk + 2]], text: D.marks[mk + 3] });
  }
  var ops = D.ops.map(function (a) {
    return { id: a[0], client: a[1], kind: S[a[2]], key: a[3], value: a[4], result: a[5],
      invoke: a[6], response: a[7], answered: !!a[8], hl: !!a[9], note: a[10] };
  });
  var clients = [];
  ops.forEach(function (op) { if (clients.indexOf(op.client) < 0) clients.push(op.client); });
  clients.sort(function (a, b) { return a - b; });
  var failures = D.failures.map(function (f) {
    return { t: f[0], title: f[1], text: f[2], lanes: f[3] };
  });
  var failLane = {};
  failures.forEach(function (f) { f.lanes.forEach(function (l) { failLane[l] = true; }); });

  var tMin = Infinity;
  if (NM) tMin = Math.min(tMin, mSent[order[0]]);
  if (D.counts) tMin = Math.min(tMin, D.counts.start);
  states.forEach(function (s) { if (s && s.n) tMin = Math.min(tMin, s.t[0]); });
  regions.forEach(function (r) { tMin = Math.min(tMin, r.begin); });
  ops.forEach(function (op) { tMin = Math.min(tMin, op.invoke); });
  marks.forEach(function (m) { tMin = Math.min(tMin, m.t); });
  failures.forEach(function (f) { tMin = Math.min(tMin, f.t); });
  if (!isFinite(tMin)) tMin = 0;
  var tMax = Math.max(D.end, tMin);
  var MIN_SPAN = 4;

  // ---- Filters ----
  var typeOn = {}, laneOn = lanes.map(function () { return true; });
  typeList.forEach(function (ty) { typeOn[ty] = true; });
  var showLog = true, showMarks = true;
  function msgShown(i) {
    return typeOn[mType[i]] && (laneOn[mFrom[i]] || laneOn[mTo[i]]) && !unknownLane[i] &&
      !folded[i];
  }

  // ---- Formatting ----
  function fmtAbs(t) {
    if (perSecond > 0) {
      var digits = Math.max(0, Math.round(Math.log10(perSecond)));
      return (t / perSecond).toFixed(digits) + ' s (' + t + ' ' + D.unit + ')';
    }
    return D.unit + ' ' + t;
  }
  function fmtSpan(t) {
    if (perSecond > 0) {
      var s = t / perSecond;
      if (s >= 1) return s.toFixed(2) + ' s';
      if (s >= 1e-3) return (s * 1e3).toFixed(2) + ' ms';
      return (s * 1e6).toFixed(0) + ' us';
    }
    return Math.round(t) + ' ' + D.unit + (Math.round(t) === 1 ? '' : 's');
  }
  function laneName(l) { return l === 0 ? 'cluster' : noun + ' ' + l; }
  function fieldsText(i) {
    var f = M.fields[i], names = M.schemas[f[0]] || [], out = [];
    for (var k = 1; k < f.length; k++) out.push('  ' + S[names[k - 1]] + ': ' + f[k]);
    return out.join('\n');
  }

  setupMark('model');
  // ---- Header, notices, failure panel, filters, legend ----
  document.title = (failures.length ? 'FAILED: ' : '') + (D.title || 'TinyKV timeline');
  $('tl-title').textContent = D.title || 'TinyKV timeline';
  (function () {
    var facts = $('tl-facts');
    function fact(html) {
      var s = document.createElement('span');
      s.className = 'tl-fact';
      s.innerHTML = html;
      facts.appendChild(s);
    }
    function esc(s) {
      return String(s).replace(/[&<>"]/g, function (c) {
        return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
      });
    }
    var seed = /seed[\s=:#]*([0-9]+)/i.exec(D.title || '');
    if (seed) fact('<span class="tl-seed">seed ' + esc(seed[1]) + '</span>');
    fact('<b>' + NL + '</b> ' + esc(noun) + 's');
    var dropped = M.drops.length / 2 + (D.counts ? D.counts.dropped : 0);
    var total = NM + (D.counts ? D.counts.total : 0);
    fact('<b>' + total + '</b> messages (' + dropped + ' dropped, ' + M.dups.length / 2 +
      ' duplicated' + (D.counts ? ', ' + NM + ' drawn one by one' : '') + ')');
    fact('<b>' + regions.length + '</b> faults');
    fact('<b>' + marks.length + '</b> marks');
    var hl = ops.filter(function (op) { return op.hl; }).length;
    fact('<b>' + ops.length + '</b> client ops' + (hl ? ' (<b>' + hl + '</b> highlighted)' : ''));
    fact('run: <b>' + esc(fmtSpan(tMax - tMin)) + '</b> of virtual time');
    fact(failures.length ? '<b style="color:var(--fail)">' + failures.length + ' failure' +
      (failures.length > 1 ? 's' : '') + '</b>' : 'no failure');

    if (D.cut) {
      var c = D.cut, note = $('tl-notice');
      var parts = [];
      if (c.messages > c.kept) {
        parts.push('This run recorded ' + c.messages + ' messages; the page holds the last ' +
          c.kept + ' one by one (from ' + fmtAbs(c.from) + ') and the ' + (c.messages - c.kept) +
          ' before as counts per time slot and ' + noun + ' pair, drawn in grey.' +
          (c.states ? ' Before that point the lanes show role and term only (' + c.states +
            ' log-figure changes left out).' : ''));
      }
      if (c.marks) parts.push(c.marks + ' early marks left out.');
      if (c.ops) parts.push(c.ops + ' early client operations left out (highlighted ones kept).');
      note.textContent = parts.join(' ');
      note.hidden = false;
      if (c.messages > c.kept) $('tl-goto-cut').hidden = false;
    }

    if (failures.length) {
      var panel = $('tl-failure');
      failures.forEach(function (f, k) {
        var h = document.createElement('h2');
        h.textContent = '\u2716 ' + f.title;
        var when = document.createElement('div');
        when.className = 'tl-when';
        when.textContent = 'at ' + fmtAbs(f.t) +
          (f.lanes.length ? ' \u2014 ' + f.lanes.map(laneName).join(', ') : '');
        var pre = document.createElement('pre');
        pre.textContent = f.text;
        var b = document.createElement('button');
        b.textContent = 'zoom to it';
        b.onclick = function () { zoomToFailure(k); };
        when.appendChild(document.createTextNode(' '));
        when.appendChild(b);
        panel.appendChild(h);
        panel.appendChild(when);
        if (f.text) panel.appendChild(pre);
      });
      panel.hidden = false;
      $('tl-goto-failure').hidden = false;
    }

    $('tl-noun-label').textContent = noun + 's';
    function box(parent, label, checked, onchange) {
      var l = document.createElement('label');
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.checked = checked;
      cb.onchange = function () { onchange(cb.checked); schedule(); };
      l.appendChild(cb);
      l.appendChild(document.createTextNode(' ' + label));
      parent.appendChild(l);
      return cb;
    }
    var typeBoxes = {};
    typeList.forEach(function (ty) {
      typeBoxes[ty] = box($('tl-type-filters'), S[ty] + ' (' + typeCount[ty] + ')', true,
        function (on) { typeOn[ty] = on; });
    });
    lanes.forEach(function (l, k) {
      box($('tl-lane-filters'), String(l), true, function (on) { laneOn[k] = on; });
    });
    $('tl-show-log').onchange = function (e) { showLog = e.target.checked; schedule(); };
    $('tl-show-marks').onchange = function (e) { showMarks = e.target.checked; schedule(); };
    $('tl-show-heartbeats').onchange = function (e) {
      typeList.forEach(function (ty) {
        if (/heartbeat/i.test(S[ty])) { typeOn[ty] = e.target.checked; typeBoxes[ty].checked = e.target.checked; }
      });
      schedule();
    };
  })();

  setupMark('header');
  // ---- Drawing primitives ----
  function glyph(ctx, cat, x, y, r) {
    ctx.beginPath();
    switch (cat) {
      case 'election':
        ctx.fillStyle = '#e0a800';
        ctx.moveTo(x, y - r); ctx.lineTo(x + r, y + r * 0.8); ctx.lineTo(x - r, y + r * 0.8);
        ctx.closePath(); ctx.fill();
        ctx.strokeStyle = '#8a6700'; ctx.lineWidth = 1; ctx.stroke();
        return;
      case 'crash':
        ctx.strokeStyle = '#c81e1e'; ctx.lineWidth = 2.5;
        ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x + r, y - r);
        ctx.lineTo(x - r, y + r); ctx.stroke();
        return;
      case 'restart':
        ctx.fillStyle = '#2f9e44'; ctx.arc(x, y, r * 0.85, 0, Math.PI * 2); ctx.fill();
        return;
      case 'compact':
        ctx.fillStyle = '#1f6fd1';
        ctx.moveTo(x - r, y - r * 0.8); ctx.lineTo(x + r, y - r * 0.8); ctx.lineTo(x, y + r);
        ctx.closePath(); ctx.fill();
        return;
      case 'gc':
        ctx.fillStyle = '#6b7280'; ctx.fillRect(x - r * 0.75, y - r * 0.75, r * 1.5, r * 1.5);
        return;
      case 'snapshot':
        ctx.fillStyle = '#8e44ad';
        ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
        ctx.closePath(); ctx.fill();
        return;
      default:
        ctx.fillStyle = '#1d2330'; ctx.arc(x, y, r * 0.6, 0, Math.PI * 2); ctx.fill();
    }
  }
  function cross(ctx, x, y, r) {
    ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r);
  }
  function arrowHead(ctx, x1, y1, x2, y2) {
    var dx = x2 - x1, dy = y2 - y1, len = Math.sqrt(dx * dx + dy * dy);
    if (len < 7) return;
    var ux = dx / len, uy = dy / len, s = 6;
    ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - ux * s - uy * s * 0.45, y2 - uy * s + ux * s * 0.45);
    ctx.lineTo(x2 - ux * s + uy * s * 0.45, y2 - uy * s - ux * s * 0.45);
    ctx.closePath();
  }
  function regionColors(kind) { return REGION_COLOR[kind] || ['#7d8796']; }
  // The raftstore cluster's own blocking requests (MustPut, MustGet...) come from client -1.
  function clientName(c) { return Number(c) === -1 ? 'test (Must*)' : 'client ' + c; }

  function hexAlpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // ---- The view ----
  var canvas = $('tl-canvas'), ctx = canvas.getContext('2d');
  var v0 = tMin, v1 = tMax;
  var W = 800, H = 400, plotW = 600;
  var hits = [];         // drawn arrows: [x1, y1, x2, y2, i]
  var density = null;    // the last density grid, for hovering
  var selecting = null;  // [x0, x1] while drag-selecting
  var firstPaint = null;
  var drawCount = 0;

  function fit() {
    var pad = Math.max(1, (tMax - tMin) * 0.01);
    setView(tMin - pad, tMax + pad);
  }
  function setView(a, b) {
    if (b - a < MIN_SPAN) { var c = (a + b) / 2; a = c - MIN_SPAN / 2; b = c + MIN_SPAN / 2; }
    var full = (tMax - tMin) * 1.2 + MIN_SPAN;
    if (b - a > full) { var m = (tMin + tMax) / 2; a = m - full / 2; b = m + full / 2; }
    v0 = a; v1 = b;
    schedule();
  }
  function X(t) { return GUT + (t - v0) / (v1 - v0) * plotW; }
  function T(x) { return v0 + (x - GUT) / plotW * (v1 - v0); }
  function laneTop(li) { return AXIS_H + li * LANE_H; }
  function wireY(li) { return AXIS_H + li * LANE_H + BAND_Y; }
  function clientTop(k) { return AXIS_H + NL * LANE_H + CLIENT_GAP + k * CLIENT_H; }
  function zoomAt(t, factor) { setView(t - (t - v0) * factor, t + (v1 - t) * factor); }
  function zoomToFailure(k) {
    var f = failures[k || 0];
    if (!f) return;
    var span = Math.max(MIN_SPAN * 10, (tMax - tMin) * 0.08);
    setView(f.t - span * 0.75, f.t + span * 0.25);
  }

  // Index of the last state at or before t (-1 if none).
  function stateAt(s, t) {
    var lo = 0, hi = s.n - 1, r = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (s.t[mid] <= t) { r = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return r;
  }
  // First position in `order` whose send time is >= t.
  function firstSentAtOrAfter(t) {
    var lo = 0, hi = NM;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (mSent[order[mid]] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  // Calls fn(i) for every shown message that overlaps [v0, v1].
  function forVisible(fn) {
    var a = firstSentAtOrAfter(v0 - P), b = firstSentAtOrAfter(v1 + 1e-9);
    for (var k = a; k < b; k++) {
      var i = order[k];
      if (mEnd[i] >= v0 && mEnd[i] - mSent[i] <= P && msgShown(i)) fn(i);
    }
    for (var j = 0; j < longMsgs.length; j++) {
      var m = longMsgs[j];
      if (mSent[m] <= v1 && mEnd[m] >= v0 && msgShown(m)) fn(m);
    }
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }

  function draw() {
    var t0 = performance.now();
    var dpr = window.devicePixelRatio || 1;
    W = Math.max(400, canvas.clientWidth || 800);
    H = AXIS_H + NL * LANE_H + (clients.length ? CLIENT_GAP + clients.length * CLIENT_H : 0) + 16;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.height = H + 'px';
    }
    plotW = W - GUT - RIGHT;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUT, 0, plotW, H);
    ctx.clip();
    var stats = { arrows: 0, density: 0, regions: 0, marks: 0, ops: 0, failures: 0 };
    bandLanes = 0;
    highlightedDrawn = 0;
    var phases = [], tp = performance.now();
    function phase(name) {
      var now = performance.now();
      phases.push(name + ':' + (now - tp).toFixed(1));
      tp = now;
    }
    drawBackground();
    stats.regions = drawRegions();
    drawBands();
    phase('bands');
    if (showLog) drawLogFigures();
    phase('log');
    // Count what is in view only when it might be few: the send-time window bounds it.
    var n = firstSentAtOrAfter(v1 + 1e-9) - firstSentAtOrAfter(v0 - P);
    if (n <= DETAIL_MAX * 20) {
      n = 0;
      forVisible(function () { n++; });
    }
    var mode = n <= DETAIL_MAX ? 'detail' : 'density';
    hits = [];
    density = null;
    if (mode === 'detail') stats.arrows = drawArrows();
    else stats.density = drawDensity();
    if (D.counts) stats.density += drawCounts();
    // Density (and the counted part) can fill a busy lane edge to edge: draw the role bands
    // again on top, so a leader stays visible in a 200k-message run.
    if (mode === 'density' || D.counts) {
      var keepBands = bandLanes;
      drawBands();
      bandLanes = keepBands;
    }
    phase('messages');
    if (showMarks) stats.marks = drawMarks();
    stats.ops = drawOps();
    stats.failures = drawFailures();
    phase('ops');
    if (selecting) {
      ctx.fillStyle = 'rgba(31,111,209,0.12)';
      ctx.strokeStyle = 'rgba(31,111,209,0.6)';
      var sx = Math.min(selecting[0], selecting[1]), sw = Math.abs(selecting[1] - selecting[0]);
      ctx.fillRect(sx, 0, sw, H);
      ctx.strokeRect(sx + 0.5, 0.5, sw, H - 1);
    }
    ctx.restore();
    drawAxis();
    drawGutter();

    $('tl-view').textContent = fmtSpan(v1 - v0) + ' in view, ' + (mode === 'density' ? 'about ' : '') + n + ' messages' +
      (mode === 'density' ? ' (drawn as density: zoom in for single arrows)' : '');
    var ms = performance.now() - t0;
    drawCount++;
    var st = statusEl;
    st.setAttribute('data-lanes', String(NL));
    st.setAttribute('data-clients', String(clients.length));
    st.setAttribute('data-mode', mode);
    st.setAttribute('data-arrows', String(stats.arrows));
    st.setAttribute('data-density', String(stats.density));
    st.setAttribute('data-regions', String(stats.regions));
    st.setAttribute('data-marks', String(stats.marks));
    st.setAttribute('data-ops', String(stats.ops));
    st.setAttribute('data-failures', String(stats.failures));
    // Where the failures are pinned (virtual time) and which lanes they name, lanes that drew
    // a role band, highlighted ops drawn, snapshot chunks drawn as their MsgSnapshot's arrow.
    st.setAttribute('data-failure-at', failures.map(function (f) { return f.t; }).join(' '));
    st.setAttribute('data-failure-lanes', failures.map(function (f) {
      return (f.lanes || []).join(',');
    }).join(' '));
    st.setAttribute('data-band-lanes', String(bandLanes));
    st.setAttribute('data-highlighted', String(highlightedDrawn));
    st.setAttribute('data-folded-chunks', String(Object.keys(chunksWith).reduce(function (a, k) {
      return a + chunksWith[k];
    }, 0)));
    st.setAttribute('data-messages', String(NM));
    st.setAttribute('data-aggregated', String(D.counts ? D.counts.total : 0));
    st.setAttribute('data-truncated', D.cut && D.cut.messages > D.cut.kept ? '1' : '0');
    st.setAttribute('data-visible', String(n));
    st.setAttribute('data-draw-ms', ms.toFixed(1));
    st.setAttribute('data-draw-phases-ms', phases.join(' '));
    st.setAttribute('data-draws', String(drawCount));
    if (firstPaint === null) {
      firstPaint = performance.now();
      st.setAttribute('data-parse-ms', PARSE_MS.toFixed(1));
      st.setAttribute('data-setup-ms', (SETUP_MS - T0).toFixed(1));
      st.setAttribute('data-setup-phases-ms', setupPhases.join(' '));
      st.setAttribute('data-script-ms', (firstPaint - T0).toFixed(1));
      st.setAttribute('data-first-paint-ms', firstPaint.toFixed(1));
      st.setAttribute('data-ready', '1');
    }
  }

  function drawBackground() {
    for (var li = 0; li < NL; li++) {
      ctx.fillStyle = li % 2 ? '#fafbfd' : '#ffffff';
      ctx.fillRect(GUT, laneTop(li), plotW, LANE_H);
      if (failLane[lanes[li]]) {
        ctx.fillStyle = 'rgba(200,30,30,0.05)';
        ctx.fillRect(GUT, laneTop(li), plotW, LANE_H);
      }
    }
    // Time grid.
    ctx.strokeStyle = '#eef0f4';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ticks().forEach(function (t) {
      var x = Math.round(X(t)) + 0.5;
      ctx.moveTo(x, AXIS_H); ctx.lineTo(x, H);
    });
    ctx.stroke();
    if (clients.length) {
      ctx.fillStyle = '#f4f6fa';
      ctx.fillRect(GUT, AXIS_H + NL * LANE_H, plotW, CLIENT_GAP - 4);
    }
  }

  // A region's colour made dark enough to read as text on a light background.
  function darker(hex) {
    var n = parseInt(hex.slice(1), 16);
    var c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (v) {
      return Math.round(v * 0.62);
    });
    return 'rgb(' + c.join(',') + ')';
  }

  function drawRegions() {
    var drawn = 0;
    regions.forEach(function (r) {
      if (r.end < v0 || r.begin > v1) return;
      drawn++;
      var x1 = Math.max(GUT - 2, X(r.begin)), x2 = Math.min(GUT + plotW + 2, X(r.end));
      var w = Math.max(2, x2 - x1);
      var colors = regionColors(r.kind);
      var sides = r.groups.length ? r.groups : [r.lanes.length ? r.lanes : lanes];
      sides.forEach(function (g, k) {
        var col = colors[k % colors.length];
        g.forEach(function (l) {
          var li = laneIndex[l];
          if (li === undefined) return;
          var y = laneTop(li);
          ctx.fillStyle = hexAlpha(col, r.kind === 'down' || r.kind === 'crash' ? 0.16 : 0.13);
          ctx.fillRect(x1, y + 1, w, LANE_H - 2);
          ctx.fillStyle = hexAlpha(col, 0.85);
          ctx.fillRect(x1, y + 1, w, 3);
          if (w > 40) {
            ctx.font = '10px sans-serif';
            var label = r.kind + (r.groups.length ? ' side ' + String.fromCharCode(65 + k) +
              ' {' + g.join(',') + '}' : '');
            // What the fault is ("drop every snapshot message (planted bug)"), when it fits.
            var lx = Math.max(x1, GUT) + 3, room = Math.min(x2, GUT + plotW) - lx - 4;
            if (r.text && r.text !== r.kind && !r.groups.length &&
                ctx.measureText(label + ': ' + r.text).width < room) label += ': ' + r.text;
            var lw = Math.min(room, ctx.measureText(label).width);
            ctx.fillStyle = 'rgba(255,255,255,0.8)';
            ctx.fillRect(lx - 2, y + LANE_H - 14, lw + 4, 12);
            ctx.fillStyle = darker(col);
            ctx.fillText(label, lx, y + LANE_H - 4);
          }
        });
      });
    });
    return drawn;
  }

  // A candidacy, a leadership or a crash shorter than this many pixels is widened to it, so
  // a split vote (candidate for 30 of 18000 milliticks) still shows at the whole-run zoom.
  var MIN_ROLE_W = 3;
  var bandLanes = 0;          // lanes with a role stretch in view (for #tl-status)
  var highlightedDrawn = 0;   // highlighted client ops in view (for #tl-status)

  function drawBands() {
    ctx.font = 'bold 10px sans-serif';
    ctx.textBaseline = 'middle';
    for (var li = 0; li < NL; li++) {
      var s = states[li], y = wireY(li);
      ctx.fillStyle = '#eceff3';
      ctx.fillRect(GUT, y - BAND_H / 2, plotW, BAND_H);
      if (!s || !s.n) continue;
      var k = Math.max(0, stateAt(s, v0));
      // runStart: where a run of sub-pixel states of one role began (a 2B leader's log moves
      // every few ms: thousands of states per pixel); the run is drawn as one stretch from it.
      var prevTerm = -1, stretches = [], runStart = null;
      for (; k < s.n && s.t[k] <= v1; k++) {
        var xa = Math.max(GUT - 1, X(s.t[k]));
        var xb = k + 1 < s.n ? X(s.t[k + 1]) : X(Math.max(tMax, s.t[k]));
        xb = Math.min(xb, GUT + plotW + 1);
        var term = s.v[V_TERM][k];
        if (xb - xa < 0.3 && k + 1 < s.n && s.role[k + 1] === s.role[k]) {
          if (term !== prevTerm) prevTerm = -2;
          if (runStart === null) runStart = xa;
          continue;
        }
        if (runStart !== null) xa = runStart;
        runStart = null;
        stretches.push([xa, xb, s.role[k], term !== prevTerm ? term : null]);
        prevTerm = term;
      }
      // Fill every stretch, then widen the short ones that are not follower, then print the
      // terms (after all fills, so the next stretch cannot paint over a term's number).
      if (stretches.length) bandLanes++;
      stretches.forEach(function (st) {
        ctx.fillStyle = ROLE_COLOR[st[2]] || '#dfe3ea';
        ctx.fillRect(st[0], y - BAND_H / 2, Math.max(0.6, st[1] - st[0]), BAND_H);
      });
      stretches.forEach(function (st) {
        if (st[2] === 'follower' || st[1] - st[0] >= MIN_ROLE_W) return;
        ctx.fillStyle = ROLE_COLOR[st[2]] || '#dfe3ea';
        ctx.fillRect(st[0], y - BAND_H / 2, MIN_ROLE_W, BAND_H);
      });
      var lastLabelX = -1e9;
      stretches.forEach(function (st, i) {
        if (st[3] === null) return;
        var x = Math.max(st[0], GUT);
        if (x - lastLabelX <= 16) return;
        // A number over a stretch narrower than itself goes where the term's next (wider)
        // stretch lies: a candidacy of 2 px prints its term on the follower stretch after it.
        var role = st[2];
        if (st[1] - st[0] < 12 && i + 1 < stretches.length) role = stretches[i + 1][2];
        ctx.fillStyle = role === 'leader' || role === 'down' ? '#ffffff' : '#1d2330';
        ctx.fillText(String(st[3]), x + 2 + (st[1] - st[0] < 12 ? MIN_ROLE_W : 0), y + 0.5);
        lastLabelX = x;
      });
    }
    ctx.textBaseline = 'alphabetic';
  }

  function drawLogFigures() {
    // One scale for every lane: the smallest and largest index in view.
    var lo = Infinity, hi = -Infinity;
    var ranges = [];
    for (var li = 0; li < NL; li++) {
      var s = states[li];
      if (!s || !s.n) { ranges.push(null); continue; }
      var a = Math.max(0, stateAt(s, v0)), b = a;
      while (b + 1 < s.n && s.t[b + 1] <= v1) b++;
      ranges.push([a, b]);
      for (var k = a; k <= b; k++) {
        var f = Math.max(s.v[V_FIRST][k], s.v[V_TRUNC][k]);
        if (s.v[V_LAST][k] > hi) hi = s.v[V_LAST][k];
        if (f < lo) lo = f;
        if (s.v[V_COMMIT][k] < lo) lo = s.v[V_COMMIT][k];
      }
    }
    if (!isFinite(lo) || hi <= 0) return;
    if (hi - lo < 4) lo = Math.max(0, hi - 4);
    drawLogFigures.scale = [lo, hi];
    var lines = [[V_LAST, '#1f6fd1', []], [V_COMMIT, '#2f9e44', []], [V_APPLIED, '#0d5c1f', [3, 2]],
      [V_TRUNC, '#8a93a3', [2, 2]]];
    for (var lj = 0; lj < NL; lj++) {
      var r = ranges[lj];
      if (!r) continue;
      var s2 = states[lj], base = laneTop(lj) + LOG_Y + LOG_H;
      lines.forEach(function (ln) {
        var vi = ln[0];
        ctx.strokeStyle = ln[1];
        ctx.setLineDash(ln[2]);
        ctx.lineWidth = vi === V_LAST ? 1.5 : 1.2;
        ctx.beginPath();
        var prevY = null, lastX = -1;
        for (var k = r[0]; k <= r[1]; k++) {
          var val = vi === V_TRUNC ? Math.max(s2.v[V_TRUNC][k], s2.v[V_FIRST][k] ? s2.v[V_FIRST][k] - 1 : 0) : s2.v[vi][k];
          var y = base - (Math.min(hi, Math.max(lo, val)) - lo) / (hi - lo) * LOG_H;
          var x = Math.max(GUT, X(s2.t[k]));
          if (prevY === null) ctx.moveTo(x, y);
          else if (x - lastX < 0.5 && k < r[1]) { prevY = y; continue; }
          else { ctx.lineTo(x, prevY); ctx.lineTo(x, y); }
          prevY = y; lastX = x;
        }
        if (prevY !== null) ctx.lineTo(Math.min(GUT + plotW, X(Math.max(tMax, v1))), prevY);
        ctx.stroke();
      });
      ctx.setLineDash([]);
    }
  }

  function drawArrows() {
    var count = 0;
    var groups = {};
    forVisible(function (i) {
      var flag = mFlag[i];
      var x1 = X(mSent[i]), y1 = wireY(mFrom[i]), y2 = wireY(mTo[i]), x2, ye;
      var style = flag & F_DROP ? 'drop' : flag & F_DUP ? 'dup' : flag & F_OPEN ? 'open' :
        flag & F_DELAY ? 'delay' : 'ok';
      if (flag & F_DROP) {
        x2 = Math.max(X(mEnd[i]), x1 + 6);
        ye = y1 + (y2 - y1) * 0.45;
      } else {
        x2 = X(mEnd[i]);
        ye = y2;
      }
      var key = style + '|' + (style === 'ok' || style === 'delay' ? typeColor[mType[i]] : '');
      (groups[key] = groups[key] || []).push([x1, y1, x2, ye, i]);
      hits.push([x1, y1, x2, ye, i]);
      count++;
    });
    Object.keys(groups).sort().forEach(function (key) {
      var style = key.split('|')[0], color = key.split('|')[1], list = groups[key];
      ctx.lineWidth = style === 'delay' ? 2.2 : 1.2;
      ctx.setLineDash(style === 'dup' ? [5, 3] : style === 'open' ? [2, 3] : style === 'drop' ? [4, 2] : []);
      ctx.strokeStyle = style === 'drop' ? '#d62828' : style === 'dup' ? '#9c27b0' :
        style === 'open' ? '#7d8796' : color;
      ctx.beginPath();
      list.forEach(function (h) { ctx.moveTo(h[0], h[1]); ctx.lineTo(h[2], h[3]); });
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      if (style === 'drop') {
        ctx.lineWidth = 2.2;
        ctx.beginPath();
        list.forEach(function (h) { cross(ctx, h[2], h[3], 4); });
        ctx.stroke();
      } else if (style !== 'open') {
        ctx.beginPath();
        list.forEach(function (h) { arrowHead(ctx, h[0], h[1], h[2], h[3]); });
        ctx.fill();
      }
      if (style === 'delay') {
        ctx.beginPath();
        list.forEach(function (h) { ctx.moveTo(h[0] + 3, h[1]); ctx.arc(h[0], h[1], 3, 0, Math.PI * 2); });
        ctx.stroke();
      }
    });
    return count;
  }

  // Density: per pixel column and lane pair, how many messages were sent; a line from sender to
  // receiver whose opacity grows with the count. Drops: red ticks on the sender's wire.
  function densityGrid() {
    var ncol = Math.ceil(plotW / COL_W) + 1;
    return { ncol: ncol, count: new Float32Array(NL * NL * ncol), drop: new Float32Array(NL * NL * ncol) };
  }
  function strokeGrid(g, color) {
    var levels = 8, paths = [];
    for (var l = 0; l < levels; l++) paths.push([]);
    var drops = [];
    var drawn = 0;
    for (var p = 0; p < NL * NL; p++) {
      var from = Math.floor(p / NL), to = p % NL, y1 = wireY(from), y2 = wireY(to);
      for (var c = 0; c < g.ncol; c++) {
        var n = g.count[p * g.ncol + c];
        if (!n) continue;
        var lvl = Math.min(levels - 1, Math.floor(Math.log2(1 + n)));
        var x = GUT + c * COL_W + 1;
        paths[lvl].push(x, y1, x + COL_W - 1, y2);
        drawn++;
        if (g.drop[p * g.ncol + c]) drops.push(x, y1, g.drop[p * g.ncol + c]);
      }
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = color;
    for (var l2 = 0; l2 < levels; l2++) {
      var a = paths[l2];
      if (!a.length) continue;
      ctx.globalAlpha = Math.min(0.95, 0.14 + l2 * 0.12);
      ctx.beginPath();
      for (var k = 0; k < a.length; k += 4) { ctx.moveTo(a[k], a[k + 1]); ctx.lineTo(a[k + 2], a[k + 3]); }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = '#d62828';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (var d = 0; d < drops.length; d += 3) {
      var len = Math.min(10, 3 + Math.log2(1 + drops[d + 2]) * 2);
      ctx.moveTo(drops[d], drops[d + 1] - len / 2); ctx.lineTo(drops[d], drops[d + 1] + len / 2);
    }
    ctx.stroke();
    return drawn;
  }
  function drawDensity() {
    var g = densityGrid();
    forVisible(function (i) {
      var c = Math.floor((X(mSent[i]) - GUT) / COL_W);
      if (c < 0 || c >= g.ncol) return;
      var p = (mFrom[i] * NL + mTo[i]) * g.ncol + c;
      g.count[p]++;
      if (mFlag[i] & F_DROP) g.drop[p]++;
    });
    density = g;
    return strokeGrid(g, '#1f4f9a');
  }
  // The messages before the cut, as counts (grey), over a lightly shaded span.
  function drawCounts() {
    var c = D.counts;
    if (c.until < v0 || c.start > v1) return 0;
    var xa = Math.max(GUT, X(c.start)), xb = Math.min(GUT + plotW, X(c.until));
    ctx.fillStyle = 'rgba(125,135,150,0.08)';
    ctx.fillRect(xa, AXIS_H, xb - xa, NL * LANE_H);
    if (xb - xa > 120) {
      ctx.font = '11px sans-serif';
      ctx.fillStyle = '#5d6678';
      ctx.fillText('counts only: ' + c.total + ' earlier messages', xa + 4, AXIS_H + NL * LANE_H - 4);
    }
    var g = densityGrid();
    var laneShown = function (li) { return laneOn[li]; };
    for (var k = 0; k < c.rows.length; k += 5) {
      var t = c.start + c.rows[k] * c.slot;
      if (t + c.slot < v0 || t > v1) continue;
      var fi = laneIndex[c.rows[k + 1]], ti = laneIndex[c.rows[k + 2]];
      if (fi === undefined || ti === undefined || !(laneShown(fi) || laneShown(ti))) continue;
      var col = Math.floor((X(t) - GUT) / COL_W);
      var cols = Math.max(1, Math.round((X(t + c.slot) - X(t)) / COL_W));
      for (var q = 0; q < cols; q++) {
        var cc = col + q;
        if (cc < 0 || cc >= g.ncol) continue;
        var p = (fi * NL + ti) * g.ncol + cc;
        g.count[p] += c.rows[k + 3] / cols;
        g.drop[p] += c.rows[k + 4] / cols;
      }
    }
    if (!density) density = { ncol: 0, counts: g };  // single arrows drawn; counts only here
    else density.counts = g;
    return strokeGrid(g, '#6b7280');
  }

  function drawMarks() {
    var drawn = 0;
    marks.forEach(function (m) {
      if (m.t < v0 || m.t > v1) return;
      var y;
      if (m.lane === 0) y = AXIS_H - 8;
      else {
        var li = laneIndex[m.lane];
        if (li === undefined || !laneOn[li]) return;
        y = laneTop(li) + 8;
      }
      glyph(ctx, m.cat, X(m.t), y, 4.5);
      drawn++;
    });
    return drawn;
  }

  function opLabel(op) {
    return op.kind + ' ' + op.key + (op.value !== '' ? (op.kind === 'Get' ? ' \u2192 ' : '=') + op.value : '') +
      (op.answered ? ' \u00b7 ' + op.result : ' \u00b7 no answer');
  }
  function drawOps() {
    var drawn = 0, highlighted = [];
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    ops.forEach(function (op) {
      if (op.response < v0 || op.invoke > v1) return;
      var row = clients.indexOf(op.client), y = clientTop(row) + 3, h = CLIENT_H - 6;
      var x1 = X(op.invoke), x2 = Math.max(x1 + 2, X(op.response));
      var col = op.hl ? '#e8112d' : KIND_COLOR[op.kind] || '#6b7280';
      ctx.globalAlpha = op.answered ? (op.result === 'ok' || op.result === '' || op.result === 'not found' ? 0.85 : 0.45) : 0.25;
      ctx.fillStyle = col;
      ctx.fillRect(x1, y, x2 - x1, h);
      ctx.globalAlpha = 1;
      if (!op.answered) {
        ctx.setLineDash([3, 2]);
        ctx.strokeStyle = col;
        ctx.strokeRect(x1 + 0.5, y + 0.5, x2 - x1 - 1, h - 1);
        ctx.setLineDash([]);
      }
      if (op.hl) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = '#1d2330';
        ctx.strokeRect(x1, y, x2 - x1, h);
        ctx.lineWidth = 1;
      }
      var label = opLabel(op);
      if (op.hl) {
        highlighted.push([op, x2, y, h]);
        highlightedDrawn++;
      } else if (x2 - x1 > 36) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(x1, y, x2 - x1, h);
        ctx.clip();
        ctx.fillStyle = op.answered ? '#ffffff' : '#1d2330';
        ctx.fillText(label, Math.max(x1, GUT) + 3, y + h / 2);
        ctx.restore();
      }
      drawn++;
    });
    // Highlighted operations: their label and the first line of the checker's note (the whole
    // note is in the hover panel), on top of everything. Inside the bar when it fits, else
    // after it up to the row's next operation, else before it; never over another op's label.
    ctx.font = 'bold 11px sans-serif';
    highlighted.forEach(function (e) {
      var op = e[0], x2 = e[1], y = e[2], h = e[3], x1 = Math.max(GUT, X(op.invoke));
      var note = op.note ? String(op.note).split('\n')[0] : '';
      if (note.length > 80) note = note.slice(0, 79) + '\u2026';
      var text = opLabel(op) + (note ? ' \u2014 ' + note : '');
      var w = ctx.measureText(text).width + 6;
      var right = GUT + plotW, left = GUT;
      ops.forEach(function (o) {
        if (o === op || o.client !== op.client) return;
        if (o.invoke >= op.response) right = Math.min(right, X(o.invoke) - 3);
        else if (o.response <= op.invoke) left = Math.max(left, X(o.response) + 3);
      });
      var xa, room;
      if (Math.min(x2, GUT + plotW) - x1 >= Math.min(w, 60)) {
        xa = x1 + 2; room = Math.min(x2, GUT + plotW) - x1 - 4;
        ctx.fillStyle = '#ffffff';
      } else if (right - (x2 + 4) >= w || (x1 - 4 - left < w && x1 - left < right - x2)) {
        xa = x2 + 4; room = right - xa;
        ctx.fillStyle = 'rgba(255,255,255,0.92)';
        ctx.fillRect(xa - 2, y - 1, Math.min(w, room + 2), h + 2);
        ctx.fillStyle = '#b00020';
      } else {
        room = x1 - 4 - left; xa = Math.max(left, x1 - 4 - w);
        ctx.fillStyle = 'rgba(255,255,255,0.92)';
        ctx.fillRect(xa - 2, y - 1, Math.min(w, room + 2), h + 2);
        ctx.fillStyle = '#b00020';
      }
      if (room < 8) return;
      ctx.save();
      ctx.beginPath();
      ctx.rect(xa - 2, y - 1, room + 2, h + 2);
      ctx.clip();
      ctx.fillText(text, xa + 1, y + h / 2);
      ctx.restore();
    });
    ctx.textBaseline = 'alphabetic';
    return drawn;
  }

  function drawFailures() {
    var drawn = 0;
    failures.forEach(function (f) {
      if (f.t < v0 || f.t > v1) return;
      var x = Math.round(X(f.t)) + 0.5;
      ctx.strokeStyle = '#c81e1e';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, 14); ctx.lineTo(x, H);
      ctx.stroke();
      f.lanes.forEach(function (l) {
        var li = laneIndex[l];
        if (li === undefined) return;
        ctx.strokeStyle = '#c81e1e';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(x, wireY(li), 7, 0, Math.PI * 2);
        ctx.stroke();
      });
      ctx.lineWidth = 1;
      drawn++;
    });
    return drawn;
  }

  function ticks() {
    var span = v1 - v0, target = Math.max(2, plotW / 110);
    var raw = span / target, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0] || 10 * mag;
    step = Math.max(step, 1);
    var out = [];
    for (var t = Math.ceil(v0 / step) * step; t <= v1 && out.length < 200; t += step) out.push(t);
    ticks.step = step;
    return out;
  }
  function tickLabel(t, step) {
    if (perSecond > 0) {
      var s = t / perSecond, st = step / perSecond;
      if (st >= 0.1 || (st >= 0.01 && s >= 10)) return s.toFixed(Math.max(0, -Math.floor(Math.log10(st)))) + ' s';
      if (st >= 1e-4) return (s * 1e3).toFixed(Math.max(0, -Math.floor(Math.log10(st * 1e3)))) + ' ms';
      return (s * 1e6).toFixed(0) + ' us';
    }
    return String(Math.round(t));
  }
  function drawAxis() {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, W, AXIS_H - 14);
    ctx.fillStyle = '#f4f6fa';
    ctx.fillRect(GUT, 0, plotW, 14);
    ctx.strokeStyle = '#aab3c2';
    ctx.fillStyle = '#1d2330';
    ctx.font = '11px sans-serif';
    ctx.beginPath();
    var ts = ticks();
    ts.forEach(function (t) {
      var x = Math.round(X(t)) + 0.5;
      if (x < GUT || x > GUT + plotW) return;
      ctx.moveTo(x, 14); ctx.lineTo(x, 20);
      ctx.fillText(tickLabel(t, ticks.step), x + 2, 11);
    });
    ctx.stroke();
    ctx.fillStyle = '#5d6678';
    ctx.font = '10px sans-serif';
    ctx.fillText(perSecond > 0 ? 'virtual time' : D.unit + 's', 6, 11);
    ctx.fillText('cluster', 6, AXIS_H - 5);
    failures.forEach(function (f) {
      if (f.t < v0 || f.t > v1) return;
      var x = Math.round(X(f.t)) + 0.5;
      ctx.strokeStyle = '#c81e1e'; ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, AXIS_H); ctx.stroke(); ctx.lineWidth = 1;
      // The failure's title in the cluster row, beside its line.
      ctx.font = 'bold 11px sans-serif';
      var label = '\u2716 ' + f.title;
      var w = ctx.measureText(label).width + 8;
      var lx = x + w + 4 > GUT + plotW ? Math.max(GUT, x - w - 1) : x + 1;
      ctx.fillStyle = '#c81e1e';
      ctx.fillRect(lx, AXIS_H - 15, w, 14);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(label, lx + 4, AXIS_H - 4);
    });
  }

  function drawGutter() {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, AXIS_H, GUT, H - AXIS_H);
    ctx.strokeStyle = '#d5dae3';
    ctx.beginPath();
    ctx.moveTo(GUT - 0.5, 0); ctx.lineTo(GUT - 0.5, H);
    for (var li = 0; li <= NL; li++) { ctx.moveTo(0, laneTop(li) + 0.5); ctx.lineTo(W, laneTop(li) + 0.5); }
    ctx.stroke();
    var scale = drawLogFigures.scale;
    for (var lj = 0; lj < NL; lj++) {
      var y = laneTop(lj), l = lanes[lj];
      if (failLane[l]) {
        ctx.fillStyle = '#c81e1e';
        ctx.fillRect(0, y + 1, GUT - 1, LANE_H - 1);
      }
      ctx.fillStyle = failLane[l] ? '#ffffff' : laneOn[lj] ? '#1d2330' : '#aab3c2';
      ctx.font = 'bold 13px sans-serif';
      ctx.fillText(laneName(l), 8, y + BAND_Y + 4);
      if (showLog && scale) {
        ctx.font = '10px sans-serif';
        ctx.fillStyle = failLane[l] ? '#ffe0e0' : '#5d6678';
        ctx.fillText('log ' + scale[0] + '\u2013' + scale[1], 8, y + LOG_Y + LOG_H - 2);
      }
    }
    if (clients.length) {
      ctx.font = 'bold 11px sans-serif';
      ctx.fillStyle = '#5d6678';
      ctx.fillText('clients', 8, AXIS_H + NL * LANE_H + 13);
      ctx.font = '12px sans-serif';
      ctx.fillStyle = '#1d2330';
      clients.forEach(function (c, k) { ctx.fillText(clientName(c), 8, clientTop(k) + CLIENT_H / 2 + 4); });
    }
  }

  // ---- Hovering and clicking ----
  function distToSegment(px, py, h) {
    var dx = h[2] - h[0], dy = h[3] - h[1], len2 = dx * dx + dy * dy;
    var t = len2 ? Math.max(0, Math.min(1, ((px - h[0]) * dx + (py - h[1]) * dy) / len2)) : 0;
    var x = h[0] + t * dx - px, y = h[1] + t * dy - py;
    return Math.sqrt(x * x + y * y);
  }
  function messageText(i) {
    var flag = mFlag[i], id = M.first + i;
    var status = flag & F_DROP ? 'dropped at ' + fmtAbs(mEnd[i]) + ' (' + mReason[i] + ')' :
      flag & F_OPEN ? 'not delivered when the run stopped' :
      'delivered at ' + fmtAbs(mEnd[i]) + ' after ' + fmtSpan(mEnd[i] - mSent[i]) +
        (flag & F_DELAY ? ' (delayed: much slower than usual for ' + S[mType[i]] + ')' : '');
    return S[mType[i]] + ' #' + id + '  ' + laneName(lanes[mFrom[i]]) + ' \u2192 ' +
      laneName(lanes[mTo[i]]) + '\nsent at ' + fmtAbs(mSent[i]) + '\n' + status +
      (flag & F_DUP ? '\nduplicate of message #' + mDupOf[i] : '') +
      (M.fields[i].length > 1 ? '\n' + fieldsText(i) : '') +
      (chunksWith[i] ? '\n+ ' + chunksWith[i] + ' SnapChunk message' + (chunksWith[i] > 1 ? 's' : '') +
        ' sent with it (drawn as this one arrow)' : '');
  }
  function stateText(li, t) {
    var s = states[li], l = lanes[li];
    var out = laneName(l) + ' at ' + fmtAbs(Math.round(t));
    if (s && s.n) {
      var k = stateAt(s, t);
      if (k < 0) out += '\n(no state recorded yet)';
      else {
        var v = function (x) { return s.v[x][k]; };
        out += '\n' + s.role[k] + ', term ' + v(V_TERM) + ', vote ' + v(V_VOTE) + ', lead ' + v(V_LEAD) +
          '\nlog: first ' + v(V_FIRST) + ', truncated ' + v(V_TRUNC) + ', last ' + v(V_LAST) +
          ', commit ' + v(V_COMMIT) + ', applied ' + v(V_APPLIED) + '\nsince ' + fmtAbs(s.t[k]);
      }
    }
    regions.forEach(function (r) {
      if (t < r.begin || t > r.end) return;
      var inside = r.groups.length ? r.groups.some(function (g) { return g.indexOf(l) >= 0; }) :
        !r.lanes.length || r.lanes.indexOf(l) >= 0;
      if (!inside) return;
      out += '\n\n' + regionText(r, l);
    });
    return out;
  }
  function regionText(r, l) {
    var out = 'fault: ' + r.kind + (r.text ? ' \u2014 ' + r.text : '') + '\nfrom ' + fmtAbs(r.begin) +
      (r.open ? ' to the end of the run (never healed)' : ' to ' + fmtAbs(r.end));
    if (r.groups.length) {
      out += '\nsides: ' + r.groups.map(function (g, k) {
        return String.fromCharCode(65 + k) + ' {' + g.join(', ') + '}';
      }).join('  |  ');
      r.groups.forEach(function (g, k) {
        if (g.indexOf(l) >= 0) out += '\n' + laneName(l) + ' is on side ' + String.fromCharCode(65 + k);
      });
    } else if (r.lanes.length) out += '\n' + r.lanes.map(laneName).join(', ');
    return out;
  }
  function opText(op) {
    return clientName(op.client) + ' op #' + op.id + ': ' + op.kind + ' key=' + JSON.stringify(op.key) +
      (op.value !== '' ? ' value=' + JSON.stringify(op.value) : '') +
      '\ninvoked ' + fmtAbs(op.invoke) + '\n' +
      (op.answered ? 'answered ' + fmtAbs(op.response) + ' (' + fmtSpan(op.response - op.invoke) +
        '): ' + op.result : 'never answered') + (op.hl ? '\n\nHIGHLIGHTED: ' + op.note : '');
  }
  function hitTest(px, py) {
    var t = T(px);
    if (px < GUT) {
      var lg = Math.floor((py - AXIS_H) / LANE_H);
      return lg >= 0 && lg < NL ? stateText(lg, v1) : null;
    }
    for (var fi = 0; fi < failures.length; fi++) {
      if (Math.abs(X(failures[fi].t) - px) < 4) {
        var f = failures[fi];
        return 'FAILURE at ' + fmtAbs(f.t) + '\n' + f.title + (f.lanes.length ? '\n' + f.lanes.map(laneName).join(', ') : '') +
          (f.text ? '\n\n' + f.text : '');
      }
    }
    if (showMarks) {
      var best = null, bd = 7;
      marks.forEach(function (m) {
        if (m.t < v0 || m.t > v1) return;
        var li = laneIndex[m.lane];
        if (m.lane !== 0 && (li === undefined || !laneOn[li])) return;
        var y = m.lane === 0 ? AXIS_H - 8 : laneTop(li) + 8;
        var dd = Math.abs(X(m.t) - px) + Math.abs(y - py);
        if (dd < bd) { bd = dd; best = m; }
      });
      if (best) return best.cat + ' \u2014 ' + laneName(best.lane) + ' at ' + fmtAbs(best.t) + '\n' + best.text;
    }
    var bi = -1, bdist = 5;
    for (var k = 0; k < hits.length; k++) {
      var dd2 = distToSegment(px, py, hits[k]);
      if (dd2 < bdist) { bdist = dd2; bi = hits[k][4]; }
    }
    if (bi >= 0) return messageText(bi);
    var cy = py - (AXIS_H + NL * LANE_H + CLIENT_GAP);
    if (cy >= 0 && clients.length) {
      var row = Math.floor(cy / CLIENT_H);
      if (row < clients.length) {
        var hit = null;
        ops.forEach(function (op) {
          if (op.client === clients[row] && X(op.invoke) - 2 <= px && px <= Math.max(X(op.invoke) + 2, X(op.response)) + 2) hit = op;
        });
        return hit ? opText(hit) : null;
      }
    }
    var li2 = Math.floor((py - AXIS_H) / LANE_H);
    if (li2 >= 0 && li2 < NL) {
      var text = stateText(li2, t);
      if (density) {
        var col = Math.floor((px - GUT) / COL_W), lines = [];
        [density, density.counts].forEach(function (g) {
          if (!g || col < 0 || col >= g.ncol) return;
          for (var p = 0; p < NL * NL; p++) {
            var n = g.count[p * g.ncol + col];
            if (n && (Math.floor(p / NL) === li2 || p % NL === li2)) {
              lines.push(Math.round(n) + ' \u00d7 ' + lanes[Math.floor(p / NL)] + '\u2192' + lanes[p % NL] +
                (g.drop[p * g.ncol + col] ? ' (' + Math.round(g.drop[p * g.ncol + col]) + ' dropped)' : '') +
                (g === density.counts ? ' (counts)' : ''));
          }
          }
        });
        if (lines.length) text += '\n\nmessages sent in this pixel column:\n  ' + lines.join('\n  ') + '\nzoom in to see them one by one';
      }
      return text;
    }
    return null;
  }

  var tip = $('tl-tip');
  var drag = null;
  function mousePos(e) {
    var r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }
  canvas.addEventListener('mousemove', function (e) {
    var p = mousePos(e);
    if (drag) {
      if (Math.abs(p[0] - drag.x) > 3) drag.moved = true;
      if (drag.select) { selecting = [drag.x, p[0]]; schedule(); }
      else if (drag.moved) {
        var dt = (p[0] - drag.x) / plotW * (drag.v1 - drag.v0);
        setView(drag.v0 - dt, drag.v1 - dt);
      }
      tip.hidden = true;
      return;
    }
    var text = hitTest(p[0], p[1]);
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
    var main = $('tl-main').getBoundingClientRect();
    var x = e.clientX - main.left + 14, y = e.clientY - main.top + 14;
    if (x + 470 > main.width) x = Math.max(0, e.clientX - main.left - 14 - tip.offsetWidth);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  canvas.addEventListener('mousedown', function (e) {
    var p = mousePos(e);
    drag = { x: p[0], v0: v0, v1: v1, moved: false, select: e.shiftKey || p[1] < AXIS_H - 14 };
    e.preventDefault();  // no text selection while dragging; so focus by hand, for the keys
    canvas.focus({ preventScroll: true });
  });
  window.addEventListener('mouseup', function (e) {
    if (!drag) return;
    var p = mousePos(e), d = drag;
    drag = null;
    if (d.select && selecting && Math.abs(selecting[1] - selecting[0]) > 4) {
      var a = T(Math.min(selecting[0], selecting[1])), b = T(Math.max(selecting[0], selecting[1]));
      selecting = null;
      setView(a, b);
      return;
    }
    selecting = null;
    if (!d.moved && e.target === canvas) {
      var text = hitTest(p[0], p[1]);
      $('tl-pinned').textContent = text || '';
    }
    schedule();
  });
  canvas.addEventListener('wheel', function (e) {
    e.preventDefault();
    var p = mousePos(e);
    var t = p[0] < GUT ? (v0 + v1) / 2 : T(p[0]);
    zoomAt(t, e.deltaY > 0 ? 1.25 : 0.8);
  }, { passive: false });
  canvas.addEventListener('keydown', function (e) {
    var span = v1 - v0;
    if (e.key === '+' || e.key === '=') zoomAt((v0 + v1) / 2, 0.7);
    else if (e.key === '-') zoomAt((v0 + v1) / 2, 1.4);
    else if (e.key === 'ArrowLeft') setView(v0 - span * 0.2, v1 - span * 0.2);
    else if (e.key === 'ArrowRight') setView(v0 + span * 0.2, v1 + span * 0.2);
    else if (e.key === '0') fit();
    else return;
    e.preventDefault();
  });
  $('tl-zoom-in').onclick = function () { zoomAt((v0 + v1) / 2, 0.6); };
  $('tl-zoom-out').onclick = function () { zoomAt((v0 + v1) / 2, 1.6); };
  $('tl-fit').onclick = fit;
  $('tl-goto-failure').onclick = function () { zoomToFailure(0); };
  $('tl-goto-cut').onclick = function () {
    setView(D.cut.from, tMax);
  };
  window.addEventListener('resize', schedule);

  // ---- Legend (built when first opened) ----
  $('tl-legend-box').addEventListener('toggle', function build() {
    $('tl-legend-box').removeEventListener('toggle', build);
    var legend = $('tl-legend');
    function item(text, paint) {
      var span = document.createElement('span');
      var c = document.createElement('canvas');
      c.width = 34; c.height = 16;
      var g = c.getContext('2d');
      paint(g);
      span.appendChild(c);
      span.appendChild(document.createTextNode(text));
      legend.appendChild(span);
    }
    function line(color, dash, width) {
      return function (g) {
        g.strokeStyle = color; g.setLineDash(dash || []); g.lineWidth = width || 1.4;
        g.beginPath(); g.moveTo(2, 3); g.lineTo(30, 13); g.stroke();
      };
    }
    Object.keys(ROLE_COLOR).forEach(function (role) {
      item(role + ' (band; the number is the term)', function (g) { g.fillStyle = ROLE_COLOR[role]; g.fillRect(1, 3, 32, 10); });
    });
    item('message, coloured by type (hover: fields)', function (g) {
      line('#1f6fd1')(g); g.fillStyle = '#1f6fd1'; g.beginPath(); arrowHead(g, 2, 3, 30, 13); g.fill();
    });
    item('dropped: ends in an X where it died', function (g) {
      line('#d62828', [4, 2])(g); g.lineWidth = 2; g.beginPath(); cross(g, 28, 12, 3); g.stroke();
    });
    item('duplicate copy', line('#9c27b0', [5, 3]));
    item('delayed: thick, circled at the start (3\u00d7 slower than usual)', function (g) {
      line('#1f6fd1', [], 2.4)(g);
      g.beginPath(); g.arc(3, 4, 2.5, 0, Math.PI * 2); g.stroke();
    });
    item('never delivered before the end', line('#7d8796', [2, 3]));
    item('many messages: density per pixel column', function (g) {
      g.strokeStyle = '#1f4f9a';
      for (var k = 0; k < 10; k++) { g.globalAlpha = 0.15 + k * 0.08; g.beginPath(); g.moveTo(2 + k * 3, 2); g.lineTo(4 + k * 3, 14); g.stroke(); }
    });
    item('counts only (before the detailed part)', function (g) {
      g.strokeStyle = '#6b7280';
      for (var k = 0; k < 10; k++) { g.globalAlpha = 0.4; g.beginPath(); g.moveTo(2 + k * 3, 2); g.lineTo(4 + k * 3, 14); g.stroke(); }
    });
    [['partition, side A', '#3d7df2'], ['partition, side B', '#f2793d'], ['isolated', '#9b59d6'],
      ['drop filter', '#d6b300'], ['down / crashed', '#3b3f47'], ['slow worker', '#8d6e63']].forEach(function (r) {
      item(r[0], function (g) { g.fillStyle = hexAlpha(r[1], 0.2); g.fillRect(1, 1, 32, 14); g.fillStyle = r[1]; g.fillRect(1, 1, 32, 3); });
    });
    [['election', 'election won'], ['crash', 'crash point fired'], ['restart', 'restart'],
      ['compact', 'CompactLog proposed/applied'], ['gc', 'raft log gc'], ['snapshot', 'snapshot (gen, chunks, applied)'],
      ['other', 'other mark']].forEach(function (m) {
      item(m[1], function (g) { glyph(g, m[0], 17, 8, 5); });
    });
    [['log: last index', '#1f6fd1', []], ['log: commit', '#2f9e44', []], ['log: applied', '#0d5c1f', [3, 2]],
      ['log: truncated (compacted)', '#8a93a3', [2, 2]]].forEach(function (l) {
      item(l[0], function (g) {
        g.strokeStyle = l[1]; g.setLineDash(l[2]); g.lineWidth = 1.5;
        g.beginPath(); g.moveTo(1, 12); g.lineTo(14, 12); g.lineTo(14, 5); g.lineTo(33, 5); g.stroke();
      });
    });
    Object.keys(KIND_COLOR).forEach(function (k) {
      item('client ' + k + ' (invoke \u2192 response)', function (g) { g.globalAlpha = 0.85; g.fillStyle = KIND_COLOR[k]; g.fillRect(1, 3, 32, 10); });
    });
    item('client op never answered', function (g) {
      g.globalAlpha = 0.25; g.fillStyle = '#1f6fd1'; g.fillRect(1, 3, 32, 10);
      g.globalAlpha = 1; g.setLineDash([3, 2]); g.strokeStyle = '#1f6fd1'; g.strokeRect(1.5, 3.5, 31, 9);
    });
    item('op named by the checker', function (g) { g.fillStyle = '#e8112d'; g.fillRect(1, 3, 32, 10); g.lineWidth = 2; g.strokeRect(1, 3, 32, 10); });
    item('the failure (and the lanes it names)', function (g) {
      g.strokeStyle = '#c81e1e'; g.lineWidth = 2; g.beginPath(); g.moveTo(17, 0); g.lineTo(17, 16); g.stroke();
      g.beginPath(); g.arc(17, 8, 5, 0, Math.PI * 2); g.stroke();
    });
  });

  setupMark('legend');
  // ---- The first view: the whole run, or what the address asks for ----
  var SETUP_MS = performance.now();
  (function () {
    var hash = decodeURIComponent(location.hash || '');
    var m = /^#t=(-?[0-9.e+]+)-([0-9.e+]+)$/.exec(hash);
    if (m) setView(parseFloat(m[1]), parseFloat(m[2]));
    else if (/^#last=[0-9.e+]+$/.test(hash)) setView(tMax - parseFloat(hash.slice(6)), tMax);
    else if (hash === '#failure' && failures.length) zoomToFailure(0);
    else fit();
    // Draw now rather than on the next frame: a headless browser dumping the page may not
    // wait for one.
    pending = false;
    draw();
    if (hash === '#selftest') selfTest();
  })();

  // With #selftest the page drives itself with synthetic mouse events and reports what failed
  // in data-selftest ("ok" when nothing did): hovering shows a message's fields, the wheel
  // zooms, a drag on the axis zooms to that span, a type filter hides arrows. The browser test
  // uses it; it changes nothing otherwise.
  function selfTest() {
    var problems = [];
    function fire(type, x, y, extra) {
      var r = canvas.getBoundingClientRect();
      var init = { bubbles: true, cancelable: true, clientX: r.left + x, clientY: r.top + y };
      for (var k in extra || {}) init[k] = extra[k];
      var e = type === 'wheel' ? new WheelEvent(type, init) : new MouseEvent(type, init);
      canvas.dispatchEvent(e);  // mouseup bubbles to the window's listener
    }
    try {
      fit();
      draw();
      if (!hits.length) problems.push('no arrows to hover');
      else {
        var h = hits[Math.floor(hits.length / 2)];
        fire('mousemove', (h[0] + h[2]) / 2, (h[1] + h[3]) / 2);
        if (tip.hidden || tip.textContent.indexOf(S[mType[h[4]]]) < 0) {
          problems.push('hovering an arrow did not show its type: ' + tip.textContent);
        }
        fire('mousedown', (h[0] + h[2]) / 2, (h[1] + h[3]) / 2);
        fire('mouseup', (h[0] + h[2]) / 2, (h[1] + h[3]) / 2);
        if ($('tl-pinned').textContent.indexOf(S[mType[h[4]]]) < 0) problems.push('click did not pin');
      }
      var span = v1 - v0;
      fire('wheel', GUT + plotW / 2, AXIS_H + 10, { deltaY: -100 });
      if (!(v1 - v0 < span)) problems.push('wheel did not zoom in');
      fit();
      var a = T(GUT + plotW * 0.25), b = T(GUT + plotW * 0.5);
      fire('mousedown', GUT + plotW * 0.25, 5);
      fire('mousemove', GUT + plotW * 0.5, 5);
      fire('mouseup', GUT + plotW * 0.5, 5);
      if (Math.abs(v0 - a) > (b - a) * 0.01 || Math.abs(v1 - b) > (b - a) * 0.01) {
        problems.push('drag on the axis did not zoom to the span');
      }
      fit();
      draw();
      var before = hits.length, ty = typeList[0];
      typeOn[ty] = false;
      draw();
      var hidden = hits.some(function (h2) { return mType[h2[4]] === ty; });
      if (hidden || hits.length >= before) problems.push('the type filter did not hide ' + S[ty]);
      typeOn[ty] = true;
      fit();
      draw();
    } catch (e) {
      problems.push('exception: ' + e.message);
    }
    // The legend is built when first opened (a 'toggle' event, which comes later).
    $('tl-legend-box').open = true;
    setTimeout(function () {
      if ($('tl-legend').children.length < 20) problems.push('the legend was not built');
      statusEl.setAttribute('data-selftest', problems.length ? problems.join(' | ') : 'ok');
    }, 50);
  }
})();
