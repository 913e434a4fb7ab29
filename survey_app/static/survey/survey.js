/*
 * The resident's questionnaire page, progressively enhanced: live skip logic, choice filters and
 * answer checks with the shared evaluator (MinyiExpressions), and no double posts. The page works
 * without this script; the server stays the authority for every rule.
 */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  var dataNode = document.getElementById("survey-data");
  if (!form || !dataNode || typeof MinyiExpressions === "undefined") {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var options = {today: data.today};
  var prefix = "q.";
  document.documentElement.classList.add("js");
  form.elements.js.value = "1";

  function pageAnswers() {
    var answers = {};
    Object.keys(data.answers).forEach(function (name) {
      answers[name] = data.answers[name];
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-q]"), function (box) {
      var name = box.getAttribute("data-q");
      var fields = form.querySelectorAll("[name='" + prefix + name + "']");
      var values = [];
      Array.prototype.forEach.call(fields, function (field) {
        if ((field.type === "radio" || field.type === "checkbox") && !field.checked) {
          return;
        }
        if (field.value.trim() !== "") {
          values.push(field.value.trim());
        }
      });
      if (values.length) {
        answers[name] = box.getAttribute("data-type") === "select_multiple" ? values : values[0];
      } else {
        delete answers[name];
      }
    });
    return answers;
  }

  function safely(work, fallback) {
    try {
      return work();
    } catch (error) {
      return fallback;
    }
  }

  function rebuildChoices(name, spec, values) {
    var holder = form.querySelector("[data-choices='" + name + "']");
    var box = form.querySelector("[data-q='" + name + "']");
    var type = box.getAttribute("data-type") === "select_one" ? "radio" : "checkbox";
    var chosen = {};
    Array.prototype.forEach.call(holder.querySelectorAll("input:checked"), function (input) {
      chosen[input.value] = true;
    });
    var offered = spec.choices.filter(function (choice) {
      return safely(function () {
        return MinyiExpressions.evaluateBoolean(spec.filter, values, {choice: choice, today: data.today});
      }, true);
    });
    var wanted = offered.map(function (choice) { return choice.name; }).join("|");
    if (holder.getAttribute("data-shown") === wanted) {
      return;
    }
    holder.setAttribute("data-shown", wanted);
    holder.textContent = "";
    offered.forEach(function (choice) {
      var label = document.createElement("label");
      label.className = "choice";
      var input = document.createElement("input");
      input.type = type;
      input.name = prefix + name;
      input.value = choice.name;
      input.checked = Boolean(chosen[choice.name]);
      var text = document.createElement("span");
      text.textContent = choice.label;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(text);
      holder.appendChild(label);
    });
    var empty = form.querySelector("[data-empty='" + name + "']");
    if (empty) {
      empty.hidden = offered.length > 0;
    }
  }

  function showMessage(name, text) {
    var slot = document.getElementById("error-" + name);
    var box = form.querySelector("[data-q='" + name + "']");
    var field = form.querySelector("#f-" + name);
    if (!slot || !box) {
      return;
    }
    slot.textContent = text;
    box.classList.toggle("has-error", Boolean(text));
    if (field) {
      if (text) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    }
  }

  function check(name, answers) {
    var rule = data.checks[name];
    var answer = answers[name];
    if (!rule || answer === undefined) {
      showMessage(name, "");
      return;
    }
    if (rule.type === "integer" && !/^[-+]?[0-9]+$/.test(answer)) {
      showMessage(name, data.messages.integer);
      return;
    }
    if (rule.type === "decimal" && !/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(answer)) {
      showMessage(name, data.messages.decimal);
      return;
    }
    var ok = !rule.constraint || safely(function () {
      return MinyiExpressions.evaluateBoolean(rule.constraint, answers, {current: answer, today: data.today});
    }, true);
    showMessage(name, ok ? "" : rule.message);
  }

  function refresh() {
    var answers = pageAnswers();
    var state = safely(function () {
      return MinyiExpressions.formState({items: data.items}, answers, options);
    }, null);
    if (!state) {
      return;
    }
    var relevant = {};
    state.relevant.forEach(function (name) { relevant[name] = true; });
    Object.keys(data.filters).forEach(function (name) {
      rebuildChoices(name, data.filters[name], state.values);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-q]"), function (box) {
      box.hidden = !relevant[box.getAttribute("data-q")];
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-group]"), function (group) {
      group.hidden = !group.querySelector("[data-q]:not([hidden])");
    });
    var next = document.getElementById("next-button");
    var more = data.later.some(function (name) { return relevant[name]; }) ||
      data.required.some(function (name) { return relevant[name] && answers[name] === undefined; });
    next.textContent = next.getAttribute(more ? "data-next" : "data-finish");
  }

  form.addEventListener("change", function (event) {
    refresh();
    var box = event.target.closest("[data-q]");
    if (box) {
      check(box.getAttribute("data-q"), pageAnswers());
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "radio" && event.target.type !== "checkbox") {
      refresh();
    }
  });
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
  });
  window.addEventListener("pageshow", function () {
    form.removeAttribute("data-sent");
  });
  refresh();
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
