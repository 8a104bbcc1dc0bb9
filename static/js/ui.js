/* Small progressive enhancements of the design system (docs/design.md). Every page works without this file.
   1. Tables that become cards on a phone: each cell gets its column's heading as data-label (shown by app.css).
   2. Photo inputs (input[type=file][data-preview]) show a preview of the chosen pictures.
   3. A failed form's error summary takes the focus, so a screen reader reads it first (GOV.UK pattern).
   4. The menu's groups (<details class="menu-group">): on a desktop one drop-down open at a time, closed by a click
      elsewhere; Escape closes the open group and gives the focus back to its summary.
   5. The children list's folded filters (<details class="filter-fold">) are open on a wider screen, where the browser
      cannot show a folded <details> by CSS alone (app.css, ::details-content). */
(function () {
  "use strict";

  function labelTables(root) {
    root.querySelectorAll("table.list").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) { return; }
      var labels = [];
      Array.prototype.forEach.call(head.cells, function (th) {
        var span = th.colSpan || 1;
        for (var i = 0; i < span; i += 1) { labels.push(th.textContent.trim()); }
      });
      var rows = [];
      Array.prototype.forEach.call(table.tBodies, function (body) { rows = rows.concat(Array.prototype.slice.call(body.rows)); });
      if (table.tFoot) { rows = rows.concat(Array.prototype.slice.call(table.tFoot.rows)); }
      rows.forEach(function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (labels[col] && !cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1) { cell.setAttribute("data-label", labels[col]); }
          col += cell.colSpan || 1;
        });
      });
    });
  }

  function previewPhotos(input) {
    var box = document.createElement("div");
    box.className = "photo-previews";
    box.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", box);
    input.addEventListener("change", function () {
      box.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (!/^image\//.test(file.type)) { return; }
        var reader = new FileReader();  // a data: URL (the Content-Security-Policy allows data: images, not blob:)
        reader.onload = function () {
          var img = document.createElement("img");
          img.src = reader.result;
          img.alt = file.name;
          box.appendChild(img);
        };
        reader.readAsDataURL(file);
      });
    });
  }

  var DESKTOP = "(min-width: 761px)";

  function menuGroups() {
    var groups = Array.prototype.slice.call(document.querySelectorAll("details.menu-group"));
    if (!groups.length) { return; }
    var desktop = window.matchMedia ? window.matchMedia(DESKTOP) : { matches: false };
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () {
        if (!group.open || !desktop.matches) { return; }
        groups.forEach(function (other) { if (other !== group) { other.open = false; } });
      });
      group.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || !group.open) { return; }
        group.open = false;
        group.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (event) {
      if (!desktop.matches) { return; }
      groups.forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
    });
  }

  function unfoldFilters() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 481px)").matches) { return; }
    document.querySelectorAll("details.filter-fold").forEach(function (fold) { fold.open = true; });
  }

  function start() {
    menuGroups();
    unfoldFilters();
    labelTables(document);
    document.querySelectorAll("input[type=file][data-preview]").forEach(previewPhotos);
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
