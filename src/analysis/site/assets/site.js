/* Customer Insight Workbench report site: sortable and filterable tables, and search.
   Written for this site, no library and no request: it works from file:// and from the intranet server. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-CN";
  var collator = new Intl.Collator(lang, {numeric: true, sensitivity: "base"});

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? parseFloat(sort) : cell.textContent.trim();
  }

  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var order = (typeof x === "number" && typeof y === "number") ? x - y : collator.compare(String(x), String(y));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(header.parentNode.cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhance(table) {
    var head = table.tHead;
    if (!head || !head.rows.length || !table.tBodies.length) return;
    Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
      th.classList.add("wb-sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, index, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, index, th); });
    });
    if (table.tBodies[0].rows.length > 10) {
      var input = document.createElement("input");
      input.type = "search";
      input.className = "wb-filter";
      input.placeholder = document.body.getAttribute("data-filter") || "";
      input.setAttribute("aria-label", input.placeholder);
      input.addEventListener("input", function () {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          var text = row.textContent.toLowerCase();
          row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
      });
      var box = table.closest(".wb-scroll") || table;
      box.parentNode.insertBefore(input, box);
    }
  }

  function search() {
    var input = document.getElementById("wb-q");
    var list = document.getElementById("wb-results");
    var count = document.getElementById("wb-count");
    if (!input || !list || !window.WB_SEARCH) return;
    function run() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.innerHTML = "";
      if (!words.length) { count.textContent = ""; return; }
      var hits = window.WB_SEARCH.filter(function (page) {
        var text = (page.t + " " + page.x).toLowerCase();
        return words.every(function (w) { return text.indexOf(w) >= 0; });
      });
      count.textContent = hits.length ? hits.length + "" : count.getAttribute("data-none");
      hits.slice(0, 200).forEach(function (page) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = page.u;
        a.textContent = page.p + " · " + page.t;
        var snippet = document.createElement("p");
        var at = page.x.toLowerCase().indexOf(words[0]);
        var start = Math.max(0, at - 40);
        snippet.textContent = (start > 0 ? "…" : "") + page.x.slice(start, at + words[0].length + 80) + "…";
        li.appendChild(a);
        li.appendChild(snippet);
        list.appendChild(li);
      });
    }
    input.addEventListener("input", run);
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) { input.value = query; }
    run();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.wb-table"), enhance);
    search();
  });
})();
