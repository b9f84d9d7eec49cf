// wpnet interactive map: draws precomputed positions on a canvas. No network, no eval,
// no HTML parsing of data: every string reaches the page through textContent.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("wpnet-data").textContent);
  var nodes = D.nodes;
  var N = nodes.length;
  var mem = D.memberships; // flat [establishment, network, sessions bitmask, ...]
  var M = mem.length / 3;
  var ties = D.ties; // flat [establishment, establishment, ...]
  var T = ties.length / 2;
  // fainter lines the more there are, so a dense map stays legible
  var memAlpha = Math.max(0.05, Math.min(0.16, 0.16 * Math.sqrt(3000 / Math.max(1, mem.length / 3))));
  var ALL = D.sessions.length >= 31 ? -1 : (1 << D.sessions.length) - 1;

  var canvas = document.getElementById("map");
  var stage = document.getElementById("stage");
  var ctx = canvas.getContext("2d");
  var tooltip = document.getElementById("tooltip");
  var details = document.getElementById("details");
  var detailsBody = document.getElementById("details-body");
  var searchBox = document.getElementById("search");
  var searchCount = document.getElementById("search-count");

  // ---- adjacency -------------------------------------------------------------------
  var memOf = [], tieOf = [], idIndex = {}, i;
  for (i = 0; i < N; i++) { memOf.push([]); tieOf.push([]); idIndex[nodes[i].id] = i; }
  for (i = 0; i < M; i++) { memOf[mem[3 * i]].push(i); memOf[mem[3 * i + 1]].push(i); }
  for (i = 0; i < T; i++) { tieOf[ties[2 * i]].push(i); tieOf[ties[2 * i + 1]].push(i); }
  var nameLower = nodes.map(function (n) { return String(n.name).toLowerCase(); });
  var isNet = nodes.map(function (n) { return n.kind === "network"; });
  // a node with fewer lines than its count (lines withheld by disclosure control, or a
  // count shown as "*") is still on the map, shown on its own sessions and filter
  var partial = nodes.map(function (n, j) {
    var c = isNet[j] ? n.establishments : n.networks;
    return typeof c !== "number" || memOf[j].length < c;
  });

  // ---- state -----------------------------------------------------------------------
  var authOn = D.authorities.map(function () { return true; });
  var wsOn = D.workstreams.map(function () { return true; });
  var sessionMask = ALL;
  var showMem = true, showTies = false, showLabels = true;
  var memVis = new Uint8Array(M), tieVis = new Uint8Array(T), nodeVis = new Uint8Array(N);
  var selected = -1, hover = -1;
  var hl = new Uint8Array(N), hlCount = 0; // selected node and its neighbours
  var match = new Uint8Array(N), matchList = [], query = "";
  var view = { scale: 1, tx: 0, ty: 0 }, fitScale = 1;
  // the view follows the frame (fitted again on every resize) until the reader moves it;
  // an embedded map whose frame had no size yet when the script ran fits once it has one
  var moved = false;
  var W = 0, H = 0, dpr = 1, dirty = true, lastDrawMs = 0, drawCount = 0;

  // radius in screen pixels at the fitted zoom
  var baseR = nodes.map(function (n, j) {
    return isNet[j] ? 3 + 0.55 * Math.sqrt(typeof n.establishments === "number" ? n.establishments : 1) : 2.2 + 1.1 * Math.sqrt(n.networks);
  });

  function recompute() {
    var e, s, t, k;
    nodeVis.fill(0);
    for (e = 0; e < M; e++) {
      s = mem[3 * e]; t = mem[3 * e + 1];
      var v = (mem[3 * e + 2] & sessionMask) !== 0 && authOn[nodes[s].authority] && wsOn[nodes[t].workstream];
      memVis[e] = v ? 1 : 0;
      if (v) { nodeVis[s] = 1; nodeVis[t] = 1; }
    }
    for (k = 0; k < N; k++) {
      if (partial[k] && !nodeVis[k] && (nodes[k].sessions & sessionMask) !== 0 &&
          (isNet[k] ? wsOn[nodes[k].workstream] : authOn[nodes[k].authority])) { nodeVis[k] = 1; }
    }
    for (k = 0; k < T; k++) {
      tieVis[k] = showTies && nodeVis[ties[2 * k]] && nodeVis[ties[2 * k + 1]] ? 1 : 0;
    }
    if (selected >= 0 && !nodeVis[selected]) { selected = -1; }
    if (hover >= 0 && !nodeVis[hover]) { hover = -1; hideTooltip(); }
    recomputeHighlight();
    recomputeMatches();
    updateCounts();
    dirty = true;
  }

  function recomputeHighlight() {
    hl.fill(0); hlCount = 0;
    if (selected < 0) { renderDetails(); return; }
    hl[selected] = 1; hlCount = 1;
    memOf[selected].forEach(function (e) {
      if (!memVis[e]) { return; }
      var o = mem[3 * e] === selected ? mem[3 * e + 1] : mem[3 * e];
      if (!hl[o]) { hl[o] = 1; hlCount++; }
    });
    tieOf[selected].forEach(function (k) {
      if (!tieVis[k]) { return; }
      var o = ties[2 * k] === selected ? ties[2 * k + 1] : ties[2 * k];
      if (!hl[o]) { hl[o] = 1; hlCount++; }
    });
    renderDetails();
  }

  function recomputeMatches() {
    match.fill(0); matchList = [];
    if (query) {
      for (var j = 0; j < N; j++) {
        if (nodeVis[j] && nameLower[j].indexOf(query) !== -1) { match[j] = 1; matchList.push(j); }
      }
      searchCount.textContent = matchList.length === 1 ? "1 match" : matchList.length + " matches";
    } else {
      searchCount.textContent = "";
    }
    renderResults();
    document.body.setAttribute("data-matches", String(matchList.length));
  }

  function visibleCount() { var c = 0; for (var j = 0; j < N; j++) { c += nodeVis[j]; } return c; }

  function updateCounts() {
    var ne = 0, nn = 0;
    for (var j = 0; j < N; j++) { if (nodeVis[j]) { if (isNet[j]) { nn++; } else { ne++; } } }
    document.getElementById("counts").textContent =
      "Showing " + ne + " establishments and " + nn + " networks (of " + N + " nodes).";
    canvas.setAttribute("data-visible-count", String(ne + nn));
  }

  // ---- geometry --------------------------------------------------------------------
  function sx(j) { return nodes[j].x * view.scale + view.tx; }
  function sy(j) { return nodes[j].y * view.scale + view.ty; }
  function zoomFactor() { return Math.max(0.7, Math.min(4, Math.pow(view.scale / fitScale, 0.5))); }
  function radius(j) { return baseR[j] * zoomFactor(); }

  function fit() {
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (var j = 0; j < N; j++) {
      x0 = Math.min(x0, nodes[j].x); x1 = Math.max(x1, nodes[j].x);
      y0 = Math.min(y0, nodes[j].y); y1 = Math.max(y1, nodes[j].y);
    }
    var pad = 40, w = Math.max(x1 - x0, 1e-6), h = Math.max(y1 - y0, 1e-6);
    fitScale = Math.min((W - 2 * pad) / w, (H - 2 * pad) / h);
    if (!isFinite(fitScale) || fitScale <= 0) { fitScale = 1; }
    view.scale = fitScale;
    view.tx = W / 2 - ((x0 + x1) / 2) * fitScale;
    view.ty = H / 2 - ((y0 + y1) / 2) * fitScale;
    dirty = true;
  }

  function refit() { moved = false; fit(); }

  function resize() {
    var r = stage.getBoundingClientRect();
    var oldW = W, oldH = H;
    W = Math.max(1, r.width); H = Math.max(1, r.height);
    dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
    if (!moved) { fit(); } else { view.tx += (W - oldW) / 2; view.ty += (H - oldH) / 2; }
    // setting the canvas size cleared it: draw now, not at the next animation frame (which
    // a browser may hold back for a frame out of view, leaving a blank map)
    draw();
  }

  function zoomAt(px, py, f) {
    moved = true;
    var ns = Math.max(fitScale * 0.3, Math.min(fitScale * 60, view.scale * f));
    f = ns / view.scale;
    view.tx = px - (px - view.tx) * f;
    view.ty = py - (py - view.ty) * f;
    view.scale = ns;
    dirty = true;
  }

  function nodeAt(px, py) {
    var best = -1, bd = Infinity;
    for (var j = N - 1; j >= 0; j--) {
      if (!nodeVis[j]) { continue; }
      var dx = sx(j) - px, dy = sy(j) - py, r = radius(j) + 3;
      var d = dx * dx + dy * dy;
      if (d <= r * r && d < bd) { bd = d; best = j; }
    }
    return best;
  }

  // ---- drawing ---------------------------------------------------------------------
  function shape(j, x, y, r) {
    if (isNet[j]) {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (nodes[j].central) {
      var d = r * 1.2;
      ctx.moveTo(x, y - d); ctx.lineTo(x + d, y); ctx.lineTo(x, y + d); ctx.lineTo(x - d, y); ctx.closePath();
    } else {
      ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  function drawEdges(list, stride, vis, style, width, only) {
    ctx.beginPath();
    var n = vis.length;
    for (var e = 0; e < n; e++) {
      if (!vis[e]) { continue; }
      var a = list[stride * e], b = list[stride * e + 1];
      if (only >= 0 && a !== only && b !== only) { continue; }
      ctx.moveTo(sx(a), sy(a)); ctx.lineTo(sx(b), sy(b));
    }
    ctx.strokeStyle = style; ctx.lineWidth = width; ctx.stroke();
  }

  function drawNodes(alpha, filter) {
    // batch by colour: one path per colour
    var groups = {}, j;
    for (j = 0; j < N; j++) {
      if (!nodeVis[j] || !filter(j)) { continue; }
      var c = nodes[j].color;
      (groups[c] = groups[c] || []).push(j);
    }
    ctx.globalAlpha = alpha;
    Object.keys(groups).forEach(function (c) {
      var g = groups[c];
      ctx.beginPath();
      g.forEach(function (k) { shape(k, sx(k), sy(k), radius(k)); });
      ctx.fillStyle = c; ctx.fill();
      // edge: the hue's shade at 3:1 against the white page (the fill itself when dark)
      ctx.lineWidth = 1; ctx.strokeStyle = (D.edges && D.edges[c]) || c; ctx.stroke();
      var central = g.filter(function (k) { return nodes[k].central; });
      if (central.length) {
        ctx.beginPath();
        central.forEach(function (k) { shape(k, sx(k), sy(k), radius(k)); });
        ctx.lineWidth = 1.4; ctx.strokeStyle = D.centralEdge; ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;
  }

  var placed = [];
  function label(j, bold, force) {
    var x = sx(j), y = sy(j), r = radius(j);
    var text = String(nodes[j].name);
    if (text.length > 48) { text = text.slice(0, 47) + "…"; }
    ctx.font = (bold ? "600 " : "") + "12px system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif";
    var box = [x + r + 2, y - 8, x + r + 6 + ctx.measureText(text).width, y + 8];
    if (box[2] < 0 || box[0] > W || box[3] < 0 || box[1] > H) { return; }
    if (!force) {
      for (var q = 0; q < placed.length; q++) {
        var b = placed[q];
        if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) { return; }
      }
    }
    placed.push(box);
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3.5; ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.lineJoin = "round";
    ctx.strokeText(text, x + r + 4, y);
    ctx.fillStyle = "#111"; ctx.fillText(text, x + r + 4, y);
  }

  function ring(j, color, width, gap) {
    ctx.beginPath();
    ctx.arc(sx(j), sy(j), radius(j) + gap, 0, 2 * Math.PI);
    ctx.lineWidth = width; ctx.strokeStyle = color; ctx.stroke();
  }

  function draw() {
    var t0 = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    var focus = selected >= 0;
    var zf = zoomFactor();
    if (showTies) { drawEdges(ties, 2, tieVis, focus ? "rgba(204,102,119,0.05)" : "rgba(204,102,119,0.16)", 0.6, -1); }
    if (showMem) { drawEdges(mem, 3, memVis, "rgba(80,90,100," + (focus ? memAlpha / 3 : memAlpha).toFixed(3) + ")", 0.6 * Math.min(zf, 1.5), -1); }
    if (focus) {
      if (showTies) { drawEdges(ties, 2, tieVis, "rgba(204,102,119,0.8)", 1.2, selected); }
      drawEdges(mem, 3, memVis, "rgba(30,30,30,0.75)", 1.2, selected);
      drawNodes(0.18, function (j) { return !hl[j]; });
      drawNodes(1, function (j) { return hl[j] === 1; });
    } else {
      drawNodes(matchList.length ? 0.35 : 1, function (j) { return !isNet[j] && !match[j]; });
      drawNodes(matchList.length ? 0.35 : 1, function (j) { return isNet[j] && !match[j]; });
      drawNodes(1, function (j) { return match[j] === 1; });
    }
    var j;
    for (j = 0; j < matchList.length; j++) { ring(matchList[j], "#C58800", 3, 2.5); }
    if (focus) { ring(selected, "#000", 2, 2.5); }
    if (hover >= 0) { ring(hover, "#0072B2", 2, 2); }
    // labels: networks (when asked and room), matches, the selection and its networks, hover
    var labelled = new Uint8Array(N);
    if (focus) {
      for (j = 0; j < N; j++) { if (hl[j] && (isNet[j] || hlCount <= 25)) { labelled[j] = 1; } }
      labelled[selected] = 1;
    } else if (showLabels) {
      for (j = 0; j < N; j++) { if (isNet[j] && nodeVis[j]) { labelled[j] = 1; } }
    }
    for (j = 0; j < Math.min(matchList.length, 40); j++) { labelled[matchList[j]] = 1; }
    if (hover >= 0) { labelled[hover] = 1; }
    // forced labels first (hover, selection, matches), then the rest, biggest first
    placed = [];
    var order = [];
    for (j = 0; j < N; j++) { if (labelled[j] && nodeVis[j]) { order.push(j); } }
    function prio(k) { return (k === hover ? 4 : 0) + (k === selected ? 3 : 0) + (match[k] ? 2 : 0); }
    order.sort(function (a, b) { return prio(b) - prio(a) || baseR[b] - baseR[a]; });
    order.forEach(function (k) { label(k, k === selected || match[k] === 1, prio(k) >= 3); });
    lastDrawMs = performance.now() - t0;
    drawCount++;
    dirty = false;
  }

  function frame() { if (dirty) { draw(); } window.requestAnimationFrame(frame); }

  // ---- text panels (textContent only) ------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) { return "–"; }
    if (typeof v === "number") {
      if (digits === undefined) { return v.toLocaleString("en-GB"); }
      return v === 0 || v >= 0.01 ? v.toFixed(digits) : v.toPrecision(2);
    }
    return String(v);
  }

  function fields(n) {
    if (n.kind === "network") {
      return [
        ["Workstream", D.workstreams[n.workstream].name],
        ["Lead authority", n.lead],
        ["Establishments", fmt(n.establishments)],
        ["Practitioners", fmt(n.practitioners)],
        ["Betweenness", fmt(n.betweenness, 3)]
      ];
    }
    return [
      ["Authority", D.authorities[n.authority].name],
      ["Sector", n.sector === null ? null : String(n.sector).replace(/_/g, " ")],
      ["SIMD quintile", n.simd],
      ["Practitioners", "practitioners" in n ? fmt(n.practitioners) : undefined],
      ["Networks", fmt(n.networks)],
      ["Betweenness", fmt(n.betweenness, 3)]
    ].filter(function (f) { return f[1] !== undefined; });
  }

  function table(n) {
    var t = el("table");
    fields(n).forEach(function (f) {
      var tr = el("tr");
      tr.appendChild(el("th", null, f[0]));
      tr.appendChild(el("td", null, f[1] === null || f[1] === undefined ? "–" : f[1]));
      t.appendChild(tr);
    });
    return t;
  }

  function showTooltip(j, px, py) {
    var n = nodes[j];
    tooltip.replaceChildren(el("div", "t", n.name), table(n));
    tooltip.hidden = false;
    var tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
    var x = px + 14, y = py + 14;
    if (x + tw > W - 4) { x = px - tw - 14; }
    if (y + th > H - 4) { y = py - th - 14; }
    tooltip.style.left = Math.max(4, x) + "px";
    tooltip.style.top = Math.max(4, y) + "px";
  }

  function hideTooltip() { tooltip.hidden = true; }

  function renderDetails() {
    if (selected < 0) { details.hidden = true; detailsBody.replaceChildren(); return; }
    var n = nodes[selected];
    var kids = [el("div", "t", n.name), table(n)];
    var nbrs = [];
    for (var j = 0; j < N; j++) { if (hl[j] && j !== selected) { nbrs.push(j); } }
    nbrs.sort(byName);
    kids.push(el("h3", null, (n.kind === "network" ? "Member establishments" : "Networks") + " (" +
      nbrs.length + (partial[selected] ? " drawn" : "") + ")"));
    if (partial[selected]) {
      kids.push(el("p", "muted small", "Not every line of this node is drawn" +
        (D.membershipsNote ? ": " + D.membershipsNote : "") + "."));
    }
    var ul = el("ul", "nodes");
    nbrs.slice(0, 60).forEach(function (k) { ul.appendChild(nodeButton(k)); });
    if (nbrs.length > 60) { ul.appendChild(el("li", "muted", "and " + (nbrs.length - 60) + " more")); }
    kids.push(ul);
    detailsBody.replaceChildren.apply(detailsBody, kids);
    details.hidden = false;
  }

  // ---- keyboard: lists of nodes as buttons ---------------------------------------------
  var results = document.getElementById("results");
  var nodeList = document.getElementById("node-list");
  var lastButton = null;

  function describe(j) {
    return isNet[j] ? "network, " + D.workstreams[nodes[j].workstream].name
      : D.authorities[nodes[j].authority].name;
  }

  function nodeButton(j) {
    var li = el("li"), b = el("button", "item");
    b.type = "button";
    b.setAttribute("data-node", nodes[j].id);
    b.appendChild(el("span", null, nodes[j].name));
    b.appendChild(el("span", "muted", " (" + describe(j) + ")"));
    b.addEventListener("click", function () {
      if (!details.contains(b)) { lastButton = b; }  // the details panel is redrawn
      choose(j);
    });
    li.appendChild(b);
    return li;
  }

  function choose(j) {
    select(j);
    if (selected === j) { centreOn(j); details.focus(); }
  }

  function renderResults() {
    if (!results) { return; }
    var shown = matchList.slice(0, 30).map(nodeButton);
    if (matchList.length > 30) {
      shown.push(el("li", "muted", "and " + (matchList.length - 30) + " more: type more of the name"));
    }
    results.replaceChildren.apply(results, shown);
  }

  function byName(a, b) { return nameLower[a] < nameLower[b] ? -1 : (nameLower[a] > nameLower[b] ? 1 : 0); }

  // the full list is built when first opened (a thousand buttons cost nothing until then)
  if (nodeList) {
    nodeList.addEventListener("toggle", function () {
      if (!nodeList.open || nodeList.getAttribute("data-built")) { return; }
      var nets = [], ests = [];
      for (var j = 0; j < N; j++) { (isNet[j] ? nets : ests).push(j); }
      nets.sort(byName); ests.sort(byName);
      document.getElementById("list-networks").replaceChildren.apply(
        document.getElementById("list-networks"), nets.map(nodeButton));
      document.getElementById("list-establishments").replaceChildren.apply(
        document.getElementById("list-establishments"), ests.map(nodeButton));
      nodeList.setAttribute("data-built", "1");
    });
  }

  // ---- controls --------------------------------------------------------------------
  function checkboxList(ul, items, on, attr, counts, withSwatch) {
    var boxes = [];
    items.forEach(function (it, k) {
      var li = el("li"), lab = el("label"), cb = el("input");
      cb.type = "checkbox"; cb.checked = true;
      cb.setAttribute(attr, it.name);
      cb.addEventListener("change", function () { on[k] = cb.checked; recompute(); });
      lab.appendChild(cb);
      if (withSwatch) {
        var sw = el("span", "swatch"); sw.style.background = it.color; lab.appendChild(sw);
      }
      lab.appendChild(el("span", null, it.name));
      lab.appendChild(el("span", "n", counts[k]));
      li.appendChild(lab); ul.appendChild(li); boxes.push(cb);
    });
    return boxes;
  }

  function setAll(boxes, on, value) {
    boxes.forEach(function (cb, k) { cb.checked = value; on[k] = value; });
    recompute();
  }

  var authCount = D.authorities.map(function () { return 0; });
  var wsCount = D.workstreams.map(function () { return 0; });
  nodes.forEach(function (n) {
    if (n.kind === "network") { wsCount[n.workstream]++; } else { authCount[n.authority]++; }
  });
  var authBoxes = checkboxList(document.getElementById("authorities"), D.authorities, authOn,
    "data-authority", authCount, D.colorBy === "authority");
  var wsBoxes = checkboxList(document.getElementById("workstreams"), D.workstreams, wsOn,
    "data-workstream", wsCount, false);
  document.getElementById("auth-all").addEventListener("click", function () { setAll(authBoxes, authOn, true); });
  document.getElementById("auth-none").addEventListener("click", function () { setAll(authBoxes, authOn, false); });
  document.getElementById("ws-all").addEventListener("click", function () { setAll(wsBoxes, wsOn, true); });
  document.getElementById("ws-none").addEventListener("click", function () { setAll(wsBoxes, wsOn, false); });

  if (D.colorBy !== "authority") {
    var cs = document.getElementById("colors");
    document.getElementById("colors-title").textContent = "Colour: " + D.colorBy.replace(/_/g, " ");
    D.colors.forEach(function (c) {
      var li = el("li"), lab = el("label"), sw = el("span", "swatch");
      sw.style.background = c.color; lab.appendChild(sw); lab.appendChild(el("span", null, c.name));
      li.appendChild(lab); cs.appendChild(li);
    });
    document.getElementById("colors-section").hidden = false;
  }

  var sel = document.getElementById("session");
  var optAll = el("option", null, D.sessions.length > 1 ? "All sessions" : D.sessions[0]);
  optAll.value = "all"; sel.appendChild(optAll);
  if (D.sessions.length > 1) {
    D.sessions.forEach(function (s, k) { var o = el("option", null, s); o.value = String(k); sel.appendChild(o); });
  }
  sel.addEventListener("change", function () {
    sessionMask = sel.value === "all" ? ALL : (1 << Number(sel.value));
    recompute();
  });

  document.getElementById("show-memberships").addEventListener("change", function (ev) { showMem = ev.target.checked; dirty = true; });
  document.getElementById("show-ties").addEventListener("change", function (ev) { showTies = ev.target.checked; recompute(); });
  document.getElementById("show-labels").addEventListener("change", function (ev) { showLabels = ev.target.checked; dirty = true; });
  document.getElementById("min-cell").textContent = String(D.minCell);
  document.getElementById("min-cell-2").textContent = String(D.minCell);
  document.getElementById("graph-note").textContent =
    "Layout and betweenness: " + D.graph + "; all sessions pooled" +
    (D.tiesNote ? "; " + D.tiesNote : "") + (D.membershipsNote ? "; " + D.membershipsNote : "") + ".";
  if (T === 0) { document.getElementById("show-ties").disabled = true; }

  function doSearch(q) {
    query = String(q || "").trim().toLowerCase();
    recomputeMatches();
    dirty = true;
  }
  searchBox.addEventListener("input", function () { doSearch(searchBox.value); });
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && matchList.length) { centreOn(matchList[0]); }
    if (ev.key === "Escape") { searchBox.value = ""; doSearch(""); }
    if (ev.key === "ArrowDown" && matchList.length) {  // into the list of matches
      ev.preventDefault();
      results.querySelector("button").focus();
    }
  });

  function centreOn(j) {
    moved = true;
    if (view.scale < fitScale * 3) { view.scale = fitScale * 3; }
    view.tx = W / 2 - nodes[j].x * view.scale;
    view.ty = H / 2 - nodes[j].y * view.scale;
    dirty = true;
  }

  function select(j) {
    selected = j >= 0 && nodeVis[j] ? j : -1;
    recomputeHighlight();
    dirty = true;
  }

  function closeDetails() {
    select(-1);
    if (lastButton && document.body.contains(lastButton)) { lastButton.focus(); } else { searchBox.focus(); }
  }
  document.getElementById("details-close").addEventListener("click", closeDetails);
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1.5); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1 / 1.5); });
  document.getElementById("zoom-fit").addEventListener("click", refit);

  // ---- pointer ---------------------------------------------------------------------
  var drag = null;
  function local(ev) { var r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; }
  canvas.addEventListener("pointerdown", function (ev) {
    var p = local(ev);
    drag = { x: p[0], y: p[1], tx: view.tx, ty: view.ty, moved: false };
    canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener("pointermove", function (ev) {
    var p = local(ev);
    if (drag) {
      var dx = p[0] - drag.x, dy = p[1] - drag.y;
      if (drag.moved || dx * dx + dy * dy > 16) {
        drag.moved = true; moved = true;
        canvas.classList.add("dragging");
        view.tx = drag.tx + dx; view.ty = drag.ty + dy;
        hideTooltip(); dirty = true;
        return;
      }
    }
    var j = nodeAt(p[0], p[1]);
    if (j !== hover) { hover = j; dirty = true; }
    canvas.classList.toggle("over", j >= 0);
    if (j >= 0) { showTooltip(j, p[0], p[1]); } else { hideTooltip(); }
  });
  canvas.addEventListener("pointerup", function (ev) {
    var p = local(ev);
    if (drag && !drag.moved) {
      var j = nodeAt(p[0], p[1]);
      select(j === selected ? -1 : j);
    }
    drag = null;
    canvas.classList.remove("dragging");
  });
  canvas.addEventListener("pointerleave", function () {
    if (hover >= 0) { hover = -1; dirty = true; }
    hideTooltip();
  });
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = local(ev);
    zoomAt(p[0], p[1], Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015)));
    hideTooltip();
  }, { passive: false });
  window.addEventListener("keydown", function (ev) {
    if (ev.target === searchBox) { return; }
    if (ev.key === "Escape" && selected >= 0) { closeDetails(); }
  });

  if (window.ResizeObserver) { new ResizeObserver(resize).observe(stage); }
  else { window.addEventListener("resize", resize); }

  // ---- hooks for tests and notebooks --------------------------------------------------
  function ids(flags) { var out = []; for (var j = 0; j < N; j++) { if (flags[j]) { out.push(nodes[j].id); } } return out; }
  window.wpnetMap = {
    nodeCount: function () { return N; },
    establishmentCount: function () { return N - isNet.filter(Boolean).length; },
    networkCount: function () { return isNet.filter(Boolean).length; },
    visibleCount: visibleCount,
    visibleIds: function () { return ids(nodeVis); },
    nodeIds: function () { return nodes.map(function (n) { return n.id; }); },
    highlighted: function () { return ids(hl); },
    selected: function () { return selected >= 0 ? nodes[selected].id : null; },
    matched: function () { return matchList.map(function (j) { return nodes[j].id; }); },
    search: function (q) { searchBox.value = q; doSearch(q); return this.matched(); },
    select: function (id) { select(id in idIndex ? idIndex[id] : -1); return this.highlighted(); },
    screenPosition: function (id) {
      var j = idIndex[id], r = canvas.getBoundingClientRect();
      return j === undefined ? null : { x: r.left + sx(j), y: r.top + sy(j), r: radius(j) };
    },
    centreOn: function (id) { if (id in idIndex) { centreOn(idIndex[id]); draw(); } },
    redraw: function () { draw(); return lastDrawMs; },
    lastDrawMs: function () { return lastDrawMs; },
    drawCount: function () { return drawCount; },
    ready: false
  };

  resize();
  recompute();
  draw();
  canvas.setAttribute("data-node-count", String(N));
  document.body.setAttribute("data-wpnet-ready", "1");
  window.wpnetMap.ready = true;
  window.requestAnimationFrame(frame);
})();
