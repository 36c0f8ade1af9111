// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Each cell carries its column's name, shown above the value when a phone stacks the
  // table's rows (app.css); cells that span columns, or already say, are left alone.
  function labelCells(table) {
    var names = [];
    table.querySelectorAll("thead tr:last-child th, thead tr:last-child td").forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i += 1) {
        names.push(th.textContent.replace(/\s+/g, " ").trim());
      }
    });
    if (!names.length) {
      return;
    }
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var span = parseInt(cell.getAttribute("colspan") || "1", 10);
        if (span === 1 && names[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column]);
        }
        column += span;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table").forEach(labelCells);
  });

  // A form's error summary takes focus when the page opens, so a screen reader reads it
  // first and a keyboard user starts from the list of links to the fields.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("main .error-summary[tabindex='-1']");
    if (summary) {
      summary.focus();
    }
  });

  // A "Print" button on any page (the CSP allows no inline handler).
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-print]")) {
      window.print();
    }
  });
})();
