/* The editor's page of mt-audit serve: check, show the report, accept, re-check, download. */
(function () {
  "use strict";
  var token = document.querySelector("meta[name=mt-audit-token]").content;
  var form = document.getElementById("check-form");
  var german = document.getElementById("german"), source = document.getElementById("source");
  var statusLine = document.getElementById("status"), progress = document.getElementById("progress");
  var errorBox = document.getElementById("error"), result = document.getElementById("result");
  var button = document.getElementById("check");
  var names = {german: "article.de.txt", source: "source.en.txt"};
  var accepted = {};   // entry id -> baseline entry (key, check, text, message, scope, story, occurrence)
  var history = [];    // the accepts, last one last: what Undo takes back
  var focusAfter = null;  // the finding index to focus when the next result shows
  var last = null;     // the last result
  var running = false, again = false;

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

  function check() {
    if (running) { again = true; return; }
    if (!german.value.trim()) { showError("Paste or open the German text first."); return; }
    running = true;
    button.disabled = true;
    showError("");
    progress.hidden = false;
    progress.removeAttribute("value");
    statusLine.textContent = "Checking…";
    request("POST", "/ui/jobs", {
      german: german.value, source: source.value.trim() ? source.value : null, name: names.german,
      source_name: names.source, input_format: document.getElementById("input-format").value,
      accepted: Object.keys(accepted).map(function (id) {
        var e = accepted[id];
        return e.scope === "everywhere" ? e.key : {key: e.key, scope: e.scope, story: e.story, occurrence: e.occurrence || null};
      })
    }).then(function (data) { return poll(data.job); }).then(show).catch(function (err) {
      showError(err.message);
      statusLine.textContent = "";
    }).then(function () {
      running = false;
      button.disabled = false;
      progress.hidden = true;
      if (again) { again = false; check(); }
    });
  }

  function show(data) {
    last = data;
    result.innerHTML = data.fragment;  /* rendered by the server with every text escaped */
    var report = result.querySelector(".mt-report");
    if (report && window.mtAuditReport) { window.mtAuditReport(report); }
    var counts = data.report.summary.by_severity;
    var verdict = data.passed ? "passed" : "failed";
    var done = data.skipped ? "Checked without back-translation (" + data.skipped.replace(/\.$/, "") + ")" :
      "Checked: " + data.translated + " sentences back-translated, " + data.from_cache + " from the cache";
    statusLine.textContent = done + ". " + counts.major + " major, " + counts.minor + " minor; the gate " + verdict + ".";
    document.getElementById("downloads").hidden = false;
    if (focusAfter !== null) {
      // focus stays with the findings: the one that took the accepted one's place, or the status
      var buttons = result.querySelectorAll("button.accept[data-scope=occurrence]");
      var next = buttons[Math.min(focusAfter, buttons.length - 1)];
      focusAfter = null;
      if (next) { next.focus(); } else { statusLine.setAttribute("tabindex", "-1"); statusLine.focus(); }
    }
  }

  function entryId(e) {
    return [e.key, e.scope, e.story || "", e.scope === "occurrence" ? e.occurrence : ""].join("\u0000");
  }

  function updateAccepted() {
    document.getElementById("accepted-count").textContent = Object.keys(accepted).length;
    document.getElementById("download-baseline").disabled = !Object.keys(accepted).length;
    var undo = document.getElementById("undo");
    undo.disabled = !history.length;
    undo.textContent = history.length ? "Undo accept (" + history.length + ")" : "Undo accept";
  }

  function undo() {
    var entry = history[history.length - 1];
    if (!entry || running) { return; }
    request("POST", "/ui/unaccept", entry).then(function () {
      history.pop();
      delete accepted[entryId(entry)];
      updateAccepted();
      check();
    }).catch(function (err) { showError(err.message); });
  }
  document.getElementById("undo").addEventListener("click", undo);
  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "z" || event.key === "Z")) { event.preventDefault(); undo(); }
  });

  function findingById(id) {
    return (last && last.report.findings || []).filter(function (f) { return f.id === id; })[0];
  }

  result.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLButtonElement) || !target.classList.contains("accept")) { return; }
    var finding = findingById(target.dataset.id);
    var entry = {key: target.dataset.key, check: finding ? finding.check : "", text: finding ? finding.text : "",
                 message: finding ? finding.message : "", scope: target.dataset.scope,
                 story: last.report.document.story, occurrence: target.dataset.id};
    if (entry.scope !== "occurrence") { delete entry.occurrence; }
    var buttons = Array.prototype.slice.call(result.querySelectorAll("button.accept[data-scope=occurrence]"));
    var position = buttons.indexOf(target.parentNode.querySelector("button[data-scope=occurrence]"));
    target.disabled = true;
    request("POST", "/ui/accept", Object.assign({occurrence: ""}, entry)).then(function () {
      accepted[entryId(entry)] = entry;
      history.push(entry);
      updateAccepted();
      focusAfter = Math.max(0, position);
      check();
    }).catch(function (err) { target.disabled = false; showError(err.message); });
  });

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

  form.addEventListener("submit", function (event) { event.preventDefault(); check(); });
  german.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); check(); }
  });
})();
