/* The editor's page of mt-audit serve: check, underline the findings in the text, apply a
   replacement, accept (here or in this story), undo, re-check after a pause in typing,
   show the report, download. */
(function () {
  "use strict";
  var token = document.querySelector("meta[name=mt-audit-token]").content;
  var form = document.getElementById("check-form");
  var german = document.getElementById("german"), source = document.getElementById("source");
  var statusLine = document.getElementById("status"), progress = document.getElementById("progress");
  var errorBox = document.getElementById("error"), result = document.getElementById("result");
  var button = document.getElementById("check");
  var backdrop = document.getElementById("german-backdrop"), overlay = document.getElementById("german-overlay");
  var card = document.getElementById("card");
  var names = {german: "article.de.txt", source: "source.en.txt"};
  var accepted = {};   // entry id -> baseline entry (key, check, text, message, scope, story, occurrence)
  var actions = [];    // what Undo takes back, last one last: {type: "accept", entry} or {type: "edit", before, after}
  var focusAfter = null;  // after an accept from the report's list: the position of the finding to focus
  var selectAfter = null; // after an action in the text: the position of the finding to select
  var last = null;     // the last result
  var running = false, again = false, explicit = false;
  var marks = [];      // the findings placed in the textarea's current text: {id, from, to, finding}
  var marked = "";     // the text the marks are placed in
  var currentId = null;
  var typing = null;
  var RECHECK_AFTER_MS = 1200;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function request(method, url, body, headers) {
    headers = Object.assign({"X-MT-Audit-Token": token}, headers || {});
    if (body !== undefined && !(body instanceof Blob)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(url, {method: method, headers: headers, body: body, credentials: "same-origin"}).then(function (response) {
      return response.json().catch(function () { return {error: "The server answered " + response.status + "."}; })
        .then(function (data) {
          if (!response.ok) { throw new Error(data.error || ("The server answered " + response.status + ".")); }
          return data;
        });
    });
  }

  function upload(input, textarea, which) {
    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) { return; }
      showError("");
      request("POST", "/ui/decode", file, {"X-File-Name": encodeURIComponent(file.name)}).then(function (data) {
        textarea.value = data.text;
        names[which] = file.name;
        if (textarea === german) { edited(); }
        statusLine.textContent = "Opened " + file.name + " (" + data.encoding + ")." +
          (data.warnings.length ? " " + data.warnings.join(" ") : "");
      }).catch(function (err) { showError(err.message); });
    });
  }
  upload(document.getElementById("german-file"), german, "german");
  upload(document.getElementById("source-file"), source, "source");

  function poll(id) {
    return request("GET", "/ui/jobs/" + encodeURIComponent(id)).then(function (job) {
      if (job.state === "done") { return job.result; }
      if (job.state === "error") { throw new Error(job.error); }
      if (job.total) {
        progress.max = job.total;
        progress.value = job.done;
        statusLine.textContent = job.stage + ": " + job.done + " of " + job.total + " sentences";
      } else {
        progress.removeAttribute("value");
        statusLine.textContent = job.stage + "…";
      }
      return new Promise(function (resolve) { setTimeout(resolve, 250); }).then(function () { return poll(id); });
    });
  }

  function acceptedList() {
    return Object.keys(accepted).map(function (id) {
      var e = accepted[id];
      return e.scope === "everywhere" ? e.key : {key: e.key, scope: e.scope, story: e.story, occurrence: e.occurrence || null};
    });
  }

  function check() {
    clearTimeout(typing);
    if (running) { again = true; return; }
    if (!german.value.trim()) { showError("Paste or open the German text first."); return; }
    running = true;
    button.disabled = true;
    overlay.setAttribute("aria-busy", "true");
    showError("");
    progress.hidden = false;
    progress.removeAttribute("value");
    statusLine.textContent = "Checking…";
    var sent = german.value;
    request("POST", "/ui/jobs", {
      german: sent, source: source.value.trim() ? source.value : null, name: names.german,
      source_name: names.source, input_format: document.getElementById("input-format").value,
      offset_unit: "utf16", accepted: acceptedList()
    }).then(function (data) { return poll(data.job); }).then(function (data) { show(data, sent); }).catch(function (err) {
      showError(err.message);
      statusLine.textContent = "";
    }).then(function () {
      running = false;
      button.disabled = false;
      overlay.removeAttribute("aria-busy");
      progress.hidden = true;
      if (again) { again = false; check(); }
    });
  }

  // --- the report below the text ---------------------------------------------------------------

  function filterState() {
    var state = {};
    result.querySelectorAll("nav.filters input").forEach(function (input) { state[input.id || input.value] = input.checked; });
    return state;
  }

  function restoreFilters(state) {
    var changed = null;
    result.querySelectorAll("nav.filters input").forEach(function (input) {
      var key = input.id || input.value;
      if (key in state && input.checked !== state[key]) { input.checked = state[key]; changed = input; }
    });
    if (changed) { changed.dispatchEvent(new Event("change")); }
  }

  function show(data, sent) {
    last = data;
    var filters = filterState();
    result.innerHTML = data.fragment;  /* rendered by the server with every text escaped */
    var report = result.querySelector(".mt-report");
    if (report && window.mtAuditReport) { window.mtAuditReport(report); }
    restoreFilters(filters);
    var counts = data.report.summary.by_severity;
    var verdict = data.passed ? "passed" : "failed";
    var done = data.skipped ? "Checked without back-translation" :
      "Checked: " + data.translated + " sentences back-translated, " + data.from_cache + " from the cache";
    statusLine.textContent = done + ". " + counts.major + " major, " + counts.minor + " minor; the gate " + verdict + ".";
    document.getElementById("downloads").hidden = false;
    placeMarks(data.report, sent);
    if (focusAfter !== null) {
      // focus stays with the findings: the one that took the accepted one's place, or the status
      var buttons = result.querySelectorAll("button.accept[data-scope=occurrence]");
      var next = buttons[Math.min(focusAfter, buttons.length - 1)];
      focusAfter = null;
      if (next) { next.focus(); } else { statusLine.setAttribute("tabindex", "-1"); statusLine.focus(); }
    } else if (selectAfter !== null) {
      var position = selectAfter;
      selectAfter = null;
      if (marks.length) { select(marks[Math.min(position, marks.length - 1)]); } else { hideCard(); german.focus(); }
    }
    if (explicit && window.matchMedia("(max-width: 760px)").matches) { result.scrollIntoView({block: "start"}); }
    explicit = false;
  }

  // --- findings in the text --------------------------------------------------------------------

  function placeMarks(report, sent) {
    marks = report.findings.filter(function (f) { return f.location && !f.accepted; }).map(function (f) {
      return {id: f.id, from: f.location.offset, to: f.location.offset + f.location.length, finding: f};
    }).sort(function (a, b) { return a.from - b.from || b.to - a.to; });
    marked = sent;
    if (german.value !== sent) { shift(sent, german.value); }  // typed while it was checked
    draw();
    var current = marks.filter(function (m) { return m.id === currentId; })[0];
    if (current) { showCard(current); } else { cardAtCaret(); }
  }

  // After an edit the marks before it stay, those after it move with the text, and those it
  // touched go until the next check.
  function shift(before, after) {
    var start = 0, most = Math.min(before.length, after.length);
    while (start < most && before.charCodeAt(start) === after.charCodeAt(start)) { start++; }
    var tail = 0;
    while (tail < most - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) { tail++; }
    var end = before.length - tail, delta = after.length - before.length;
    marks = marks.filter(function (m) { return m.to <= start || m.from >= end; }).map(function (m) {
      return m.from >= end ? {id: m.id, from: m.from + delta, to: m.to + delta, finding: m.finding} : m;
    });
    marked = after;
  }

  var RANK = {major: 2, minor: 1};

  // Of the findings over a stretch of text, the one drawn: the most severe (a major finding
  // inside a sentence-long minor one stays visible), then the one selected, then the narrower.
  function above(x, y) {
    return (RANK[y.finding.severity] - RANK[x.finding.severity]) || ((y.id === currentId) - (x.id === currentId))
      || ((x.to - x.from) - (y.to - y.from)) || (x.from - y.from);
  }

  function draw() {
    var text = german.value, out = document.createDocumentFragment();
    var shown = marks.filter(function (m) { return m.from < m.to && m.to <= text.length; });
    var cuts = [0, text.length];
    shown.forEach(function (m) { cuts.push(m.from, m.to); });
    cuts = cuts.sort(function (a, b) { return a - b; }).filter(function (v, i, all) { return i === 0 || v !== all[i - 1]; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1];
      var over = shown.filter(function (m) { return m.from <= a && b <= m.to; }).sort(above);
      if (!over.length) { out.appendChild(document.createTextNode(text.slice(a, b))); continue; }
      var mark = document.createElement("mark");
      mark.className = over[0].finding.severity + (over[0].id === currentId ? " current" : "") + (over.length > 1 ? " overlap" : "");
      mark.dataset.id = over[0].id;
      mark.textContent = text.slice(a, b);
      out.appendChild(mark);
    }
    out.appendChild(document.createTextNode("\n"));
    backdrop.replaceChildren(out);
    // the textarea's scroll bar narrows its text: the copy behind it wraps at the same place
    var style = window.getComputedStyle(german);
    var bar = german.offsetWidth - german.clientWidth - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
    backdrop.style.paddingRight = (parseFloat(style.paddingRight) + Math.max(0, bar)) + "px";
    sync();
  }

  function sync() {
    backdrop.scrollTop = german.scrollTop;
    backdrop.scrollLeft = german.scrollLeft;
  }

  function markAt(position) {
    return marks.filter(function (m) { return m.from <= position && position <= m.to; }).sort(above)[0] || null;
  }

  function cardAtCaret() {
    var m = document.activeElement === german || card.contains(document.activeElement) ? markAt(german.selectionStart) : null;
    if (m) { showCard(m); } else if (!card.contains(document.activeElement)) { hideCard(); }
  }

  function hideCard() {
    card.hidden = true;
    setCurrent(null);
  }

  function setCurrent(id) {
    currentId = id;
    backdrop.querySelectorAll("mark").forEach(function (el) { el.classList.toggle("current", el.dataset.id === id); });
  }

  function actionButton(label, title, handler, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (title) { b.title = title; }
    if (cls) { b.className = cls; }
    b.addEventListener("click", handler);
    return b;
  }

  function showCard(m) {
    var f = m.finding;
    setCurrent(m.id);
    var severity = document.getElementById("card-severity");
    severity.className = "sev " + f.severity;
    severity.textContent = f.severity;
    document.getElementById("card-check").textContent = f.rule.description + " (" + f.check + ")";
    document.getElementById("card-where").textContent = "line " + f.location.line + ", “" + german.value.slice(m.from, m.to).slice(0, 60) + "”";
    document.getElementById("card-message").textContent = f.message;
    var suggestion = document.getElementById("card-suggestion");
    suggestion.hidden = !f.suggestion || f.replacements.length > 0;
    suggestion.textContent = f.suggestion ? "→ " + f.suggestion : "";
    var buttons = document.getElementById("card-actions");
    buttons.replaceChildren();
    f.replacements.slice(0, 4).forEach(function (text, n) {
      buttons.appendChild(actionButton(text === "" ? "Delete it" : "Replace with “" + text + "”",
        n === 0 ? "Alt+Enter" : "", function () { replace(m, text); }, "replace"));
    });
    buttons.appendChild(actionButton("Accept here", "Alt+A", function () { acceptFinding(m.finding, "occurrence", m); }));
    buttons.appendChild(actionButton("Accept in this story", "Alt+S", function () { acceptFinding(m.finding, "story", m); }));
    if (actions.length) { buttons.appendChild(actionButton("Undo", "Alt+Z", undo)); }
    buttons.appendChild(actionButton("Previous", "Alt+↑", function () { step(-1); }));
    buttons.appendChild(actionButton("Next", "Alt+↓", function () { step(1); }));
    card.hidden = false;
  }

  function select(m) {
    german.focus();
    german.setSelectionRange(m.from, m.to);
    var el = backdrop.querySelector("mark[data-id='" + m.id + "']");
    if (el && (el.offsetTop < german.scrollTop || el.offsetTop + el.offsetHeight > german.scrollTop + german.clientHeight)) {
      german.scrollTop = Math.max(0, el.offsetTop - german.clientHeight / 3);
      sync();
    }
    showCard(m);
  }

  function position(m) { return marks.indexOf(m); }

  function step(direction) {
    if (!marks.length) { return; }
    var current = marks.filter(function (m) { return m.id === currentId; })[0];
    var at = german.selectionStart, next;
    if (current) {
      next = marks[(position(current) + direction + marks.length) % marks.length];
    } else if (direction > 0) {
      next = marks.filter(function (m) { return m.from >= at; })[0] || marks[0];
    } else {
      next = marks.filter(function (m) { return m.to <= at; }).pop() || marks[marks.length - 1];
    }
    select(next);
  }

  function replace(m, text) {
    var before = german.value;
    german.focus();
    german.setSelectionRange(m.from, m.to);
    // as typing does, so that the browser's own undo (Ctrl+Z) takes it back too
    if (!document.execCommand("insertText", false, text) || german.value === before) {
      german.setRangeText(text, m.from, m.to, "end");
      edited();
    }
    actions.push({type: "edit", before: before, after: german.value});
    updateActions();
    selectAfter = Math.max(0, position(m));
    check();
  }

  function edited() {
    shift(marked, german.value);
    draw();
    cardAtCaret();
    clearTimeout(typing);
    if (last) { typing = setTimeout(check, RECHECK_AFTER_MS); }
  }

  // --- the draft: the text, the source and the page's accepted findings survive a reload ----
  var DRAFT = "mt-audit-draft";

  function saveDraft() {
    try {
      window.localStorage.setItem(DRAFT, JSON.stringify({german: german.value, source: source.value, accepted: accepted}));
    } catch (err) { /* storage full or forbidden: the page works without a draft */ }
  }

  function restoreDraft() {
    var draft = null;
    try { draft = JSON.parse(window.localStorage.getItem(DRAFT) || "null"); } catch (err) { draft = null; }
    if (!draft || german.value || typeof draft.german !== "string") { return; }
    german.value = draft.german;
    source.value = typeof draft.source === "string" ? draft.source : "";
    if (draft.accepted && typeof draft.accepted === "object") { accepted = draft.accepted; }
  }

  document.getElementById("clear").addEventListener("click", function () {
    german.value = "";
    source.value = "";
    accepted = {};
    actions = [];
    marks = [];
    last = null;
    try { window.localStorage.removeItem(DRAFT); } catch (err) { /* nothing kept */ }
    result.replaceChildren();
    document.getElementById("downloads").hidden = true;
    statusLine.textContent = "";
    draw();
    hideCard();
    updateActions();
    german.focus();
  });

  german.addEventListener("input", saveDraft);
  source.addEventListener("input", saveDraft);
  german.addEventListener("input", edited);
  german.addEventListener("scroll", sync);
  ["click", "keyup", "select", "focus"].forEach(function (name) { german.addEventListener(name, cardAtCaret); });
  if (window.ResizeObserver) { new ResizeObserver(function () { draw(); }).observe(german); }

  // --- accepting, and undo ---------------------------------------------------------------------

  function entryId(e) {
    return [e.key, e.scope, e.story || "", e.scope === "occurrence" ? e.occurrence : ""].join("\u0000");
  }

  function updateActions() {
    saveDraft();
    document.getElementById("accepted-count").textContent = Object.keys(accepted).length;
    document.getElementById("download-baseline").disabled = !Object.keys(accepted).length;
    var undoButton = document.getElementById("undo");
    undoButton.disabled = !actions.length;
    undoButton.textContent = actions.length ? "Undo (" + actions.length + ")" : "Undo";
  }

  function acceptFinding(finding, scope, m, target) {
    if (!finding || !last) { return; }
    var entry = {key: finding.key, check: finding.check, text: finding.text, message: finding.message, scope: scope,
                 story: last.report.document.story, occurrence: finding.id};
    if (scope !== "occurrence") { delete entry.occurrence; }
    if (target) { target.disabled = true; }
    return request("POST", "/ui/accept", entry).then(function () {
      accepted[entryId(entry)] = entry;
      actions.push({type: "accept", entry: entry});
      updateActions();
      if (m) { selectAfter = Math.max(0, position(m)); }
      check();
    }).catch(function (err) { if (target) { target.disabled = false; } showError(err.message); });
  }

  function undo() {
    var action = actions[actions.length - 1];
    if (!action) { return; }
    if (action.type === "edit") {
      actions.pop();
      german.value = action.before;
      edited();
      updateActions();
      selectAfter = 0;
      check();
      return;
    }
    request("POST", "/ui/unaccept", action.entry).then(function () {
      actions.pop();
      delete accepted[entryId(action.entry)];
      updateActions();
      check();
    }).catch(function (err) { showError(err.message); });
  }
  document.getElementById("undo").addEventListener("click", undo);

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var current = marks.filter(function (m) { return m.id === currentId; })[0];
    // the key's place, not its character: Alt+A types "å" on a Mac
    var key = /^Key[A-Z]$/.test(event.code || "") ? event.code.slice(3).toLowerCase() : event.key.toLowerCase();
    if (key === "z") { undo(); }
    else if (event.key === "ArrowDown") { step(1); }
    else if (event.key === "ArrowUp") { step(-1); }
    else if (event.key === "Enter" && current && current.finding.replacements.length) { replace(current, current.finding.replacements[0]); }
    else if (key === "a" && current) { acceptFinding(current.finding, "occurrence", current); }
    else if (key === "s" && current) { acceptFinding(current.finding, "story", current); }
    else { return; }
    event.preventDefault();
  });

  function findingById(id) {
    return (last && last.report.findings || []).filter(function (f) { return f.id === id; })[0];
  }

  result.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLButtonElement) || !target.classList.contains("accept")) { return; }
    var buttons = Array.prototype.slice.call(result.querySelectorAll("button.accept[data-scope=occurrence]"));
    focusAfter = Math.max(0, buttons.indexOf(target.parentNode.querySelector("button[data-scope=occurrence]")));
    acceptFinding(findingById(target.dataset.id), target.dataset.scope, null, target);
  });

  // --- downloads -------------------------------------------------------------------------------

  function download(name, type, text) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], {type: type}));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  document.getElementById("download-html").addEventListener("click", function () {
    if (last) { download(last.name + ".html", "text/html", last.html); }
  });
  document.getElementById("download-json").addEventListener("click", function () {
    if (last) { download(last.name + ".json", "application/json", JSON.stringify(last.report, null, 2) + "\n"); }
  });
  document.getElementById("download-baseline").addEventListener("click", function () {
    var entries = Object.keys(accepted).sort().map(function (k) { return accepted[k]; });
    download("accepted-findings.json", "application/json",
      JSON.stringify({schema: "mt-audit-accepted/1", accepted: entries}, null, 2) + "\n");
  });

  // The header says what the server audits with; while the model loads, ask the server
  // until it says loaded or unavailable.
  var modelState = document.getElementById("model-state");
  function watchModel() {
    fetch("/api/health", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (health) {
      if (health.model_state === "loaded") {
        modelState.textContent = health.backend + ", " + health.model;
      } else if (health.model_state === "unavailable") {
        modelState.textContent = "not available: the checks run without it (whoever runs this server can install the model)";
      }
      modelState.dataset.state = health.model_state;
      if (health.model_state === "loading") { setTimeout(watchModel, 2000); }
    }).catch(function () { setTimeout(watchModel, 5000); });
  }
  if (modelState && modelState.dataset.state === "loading") { setTimeout(watchModel, 1000); }

  form.addEventListener("submit", function (event) { event.preventDefault(); explicit = true; check(); });
  german.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); explicit = true; check(); }
  });
  restoreDraft();
  updateActions();
  draw();
})();
