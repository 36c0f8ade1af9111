// Applicant pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  function number(value) {
    var n = parseFloat(String(value || "").replace(/,/g, ""));
    return isFinite(n) ? n : 0;
  }

  function field(row, attribute) {
    return row.querySelector("[" + attribute + "]");
  }

  // Budget: each line's amount and the total eligible cost, as the applicant types. The
  // server works them out by the rule it saves with; the page only shows its answer.
  var budgetTimer = null;
  var budgetAsked = 0;

  function updateBudget(form) {
    var url = form.getAttribute("data-budget-total-url");
    if (!url) {
      return;
    }
    var asked = ++budgetAsked;
    fetch(url, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || asked !== budgetAsked) {
        return;
      }
      form.querySelectorAll("[data-rows] [data-row]").forEach(function (row, index) {
        var out = field(row, "data-line-amount");
        if (out) {
          var amount = body.lines[String(index)];
          out.textContent = amount === undefined ? "" :
            out.getAttribute("data-amount-text").replace("{amount}", amount);
        }
      });
      var totalOut = form.querySelector("[data-lines-total]");
      if (totalOut) {
        totalOut.textContent = "HK$" + body.total;
      }
    }).catch(function () { /* the figures stay as they were; saving still works */ });
  }

  function budgetChanged(form) {
    window.clearTimeout(budgetTimer);
    budgetTimer = window.setTimeout(function () { updateBudget(form); }, 300);
  }

  // Project: the requested subsidy as a share of the eligible cost, against the round's cap.
  function updateRatio(form) {
    var out = form.querySelector("[data-ratio]");
    var cost = number((form.querySelector("[data-total-cost]") || {}).value);
    var requested = number((form.querySelector("[data-requested]") || {}).value);
    if (!out || cost <= 0) {
      return;
    }
    out.textContent = out.getAttribute("data-ratio-text")
      .replace("{ratio}", (requested / cost * 100).toFixed(1))
      .replace("{cap}", form.getAttribute("data-ratio-cap"));
  }

  // Add a row from the template without a round trip, keeping what was typed.
  function addRow(form) {
    var template = form.querySelector("template[data-row-template]");
    var section = form.getAttribute("data-section");
    var totalInput = form.querySelector("input[name='" + section + "-TOTAL_FORMS']");
    if (!template || !totalInput) {
      return false;
    }
    var index = parseInt(totalInput.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    form.querySelector("[data-rows]").appendChild(row);
    totalInput.value = String(index + 1);
    var first = row.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("[data-add-row]") && addRow(target.form)) {
      event.preventDefault();
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form) {
      return;
    }
    if (form.getAttribute("data-section") === "budget") {
      budgetChanged(form);
    }
    if (form.getAttribute("data-section") === "project") {
      updateRatio(form);
    }
  });

  // One click, one submission: later clicks while the first is on its way do nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-submit-once]")) {
      return;
    }
    if (form.getAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
    form.setAttribute("aria-busy", "true");
  });

  // Autosave. A section with changes is saved in the background once the applicant pauses,
  // and before a link is followed, so nothing typed is lost by moving to another section.
  // Changes that could not be saved keep the page: leaving asks first (beforeunload).
  var AUTOSAVE_DELAY = 2000;
  var edits = 0;
  var savedEdits = 0;
  var timer = null;
  var leaving = false;

  function autosaveForm() {
    return document.querySelector("form[data-autosave]");
  }

  function unsaved() {
    return edits !== savedEdits;
  }

  function autosave(form) {
    var status = form.querySelector("[data-save-status]");
    var sent = edits;
    var data = new FormData(form);
    data.append("autosave", "1");
    window.clearTimeout(timer);
    if (status) {
      status.textContent = status.getAttribute("data-saving-text");
    }
    return fetch(form.getAttribute("action") || window.location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (status && body.message) {
          status.textContent = body.message;
        }
        if (!response.ok) {
          return false;
        }
        var version = form.querySelector("input[name='version']");
        if (version) {
          version.value = String(body.version);
        }
        updateMissing(body.missing || []);
        savedEdits = sent;
        return true;
      });
    }).catch(function () {
      if (status) {
        status.textContent = status.getAttribute("data-failed-text");
      }
      return false;
    });
  }

  // The "still needed" list follows what was just saved.
  function updateMissing(missing) {
    var notice = document.getElementById("section-missing");
    if (!notice) {
      return;
    }
    var list = notice.querySelector("ul");
    list.innerHTML = "";
    missing.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    notice.hidden = missing.length === 0;
  }

  function changed(form) {
    if (!form.matches("[data-autosave]")) {
      return;
    }
    edits += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { autosave(form); }, AUTOSAVE_DELAY);
  }

  document.addEventListener("input", function (event) {
    if (event.target.form) {
      changed(event.target.form);
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.form && event.target.type === "checkbox") {
      changed(event.target.form);
    }
  });

  // A link followed with unsaved changes: save first, then go; if saving is refused, ask.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    var form = autosaveForm();
    if (!link || !form || !unsaved() || event.defaultPrevented || event.ctrlKey ||
        event.metaKey || event.shiftKey || link.target || link.hash && link.pathname === window.location.pathname) {
      return;
    }
    event.preventDefault();
    autosave(form).then(function (ok) {
      if (ok || window.confirm(form.getAttribute("data-leave-text"))) {
        leaving = true;
        window.location.href = link.href;
      }
    });
  });

  // A submit button saves the usual way: no warning for the page it leaves.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-autosave]") && !event.defaultPrevented) {
      window.clearTimeout(timer);
      leaving = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (autosaveForm() && unsaved() && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The hours left before a round closes, kept current while the page stays open.
  function updateCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("data-countdown")) - Date.now()) / 3600000;
      el.textContent = el.textContent.replace(/\d+/, String(Math.max(0, Math.floor(left))));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-section='budget']").forEach(updateBudget);
    document.querySelectorAll("form[data-section='project']").forEach(updateRatio);
    if (document.querySelector("[data-countdown]")) {
      window.setInterval(updateCountdowns, 60000);
    }
  });
})();
