// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A form's error summary takes focus when the page opens, so a screen reader reads it
  // first and a keyboard user starts from the list of links to the fields.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("main .error-summary[tabindex='-1']");
    if (summary) {
      summary.focus();
    }
  });
})();
