/* The report's filters, keyboard navigation and sticky-bar offset.  mtAuditReport(root)
   binds them inside root (the standalone report calls it on load; mt-audit serve calls it
   each time it shows a report). */
(function () {
  "use strict";
  var unbind = null;
  function bind(root) {
    if (unbind) { unbind(); }
    var rows = Array.prototype.slice.call(root.querySelectorAll("tr.seg"));
    var nav = root.querySelector("nav.filters");
    function checked(cls) {
      return Array.prototype.slice.call(root.querySelectorAll("input." + cls))
        .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    function applyFilters() {
      var sev = checked("filter-severity"), cat = checked("filter-category");
      var clean = root.querySelector("#filter-clean").checked;
      rows.forEach(function (row) {
        var items = Array.prototype.slice.call(row.querySelectorAll("li.finding:not(.accepted)"));
        var visible;
        if (!row.dataset.severities) { visible = clean; }
        else {
          visible = items.some(function (li) {
            return sev.indexOf(li.dataset.severity) >= 0 && cat.indexOf(li.dataset.category) >= 0;
          });
        }
        row.classList.toggle("hidden", !visible);
      });
    }
    function stickyOffset() {
      var sticky = nav && window.getComputedStyle(nav).position === "sticky";
      root.style.setProperty("--nav-h", (sticky ? nav.offsetHeight : 0) + "px");
    }
    root.querySelectorAll("nav.filters input").forEach(function (input) {
      input.addEventListener("change", applyFilters);
    });
    var current = -1;
    function move(step) {
      var flagged = rows.filter(function (r) { return r.classList.contains("flagged") && !r.classList.contains("hidden"); });
      if (!flagged.length) { return; }
      current = (current + step + flagged.length) % flagged.length;
      rows.forEach(function (r) { r.classList.remove("current"); });
      flagged[current].classList.add("current");
      flagged[current].scrollIntoView({block: "center"});
    }
    function onKey(event) {
      var tag = event.target.tagName;
      if (tag === "TEXTAREA" || (tag === "INPUT" && event.target.type === "text") || event.target.isContentEditable) { return; }
      if (event.key === "n" || event.key === "j") { move(1); }
      if (event.key === "p" || event.key === "k") { move(-1); }
    }
    document.addEventListener("keydown", onKey);
    window.addEventListener("resize", stickyOffset);
    unbind = function () {
      document.removeEventListener("keydown", onKey);
      window.removeEventListener("resize", stickyOffset);
    };
    stickyOffset();
    applyFilters();
  }
  window.mtAuditReport = bind;
  var standalone = document.querySelector("body > .mt-report");
  if (standalone) { bind(standalone); }
})();
