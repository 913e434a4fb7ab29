/*
 * Minyi enumerator app: a questionnaire on the tablet — pages (one per top-level group, as
 * questionnaires.pages does), the questions shown on a page with their choices filtered, the
 * checks before moving on, and small DOM helpers. Skip logic is MinyiExpressions.formState,
 * the web survey's; the server validates again. Plain ES2017.
 */
(function (root) {
  "use strict";

  var E = root.MinyiExpressions;
  var HIDDEN_TYPES = ["calculate", "start", "end", "today", "deviceid"];

  function create(T, language) {
    function format(text, values) {
      return text.replace(/\{(\w+)\}/g, function (_, key) {
        return values[key] === undefined ? "" : String(values[key]);
      });
    }

    function el(tag, attributes, children) {
      var node = document.createElement(tag);
      Object.keys(attributes || {}).forEach(function (name) {
        if (attributes[name] === true) {
          node.setAttribute(name, "");
        } else if (attributes[name] !== false && attributes[name] !== null) {
          node.setAttribute(name, attributes[name]);
        }
      });
      (children || []).forEach(function (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      });
      return node;
    }

    function localize(text, definition) {
      if (!text) {
        return "";
      }
      return text[language] || text[definition.default_language] ||
        Object.keys(text).map(function (k) { return text[k]; }).filter(Boolean)[0] || "";
    }

    function findQuestion(items, name) {
      for (var i = 0; i < items.length; i += 1) {
        var item = items[i];
        if (item.name === name && item.kind === "question") {
          return item;
        }
        if (item.children) {
          var inner = findQuestion(item.children, name);
          if (inner) {
            return inner;
          }
        }
      }
      return null;
    }

    function computePages(definition) {
      var pages = [];
      var loose = [];
      function flush() {
        var shown = loose.some(function (item) {
          return HIDDEN_TYPES.indexOf(item.type) < 0;
        });
        if (shown) {
          pages.push({name: loose[0].name, label: loose[0].label, relevant: "", items: loose});
        }
        loose = [];
      }
      definition.items.forEach(function (item) {
        if (item.kind === "question") {
          loose.push(item);
        } else {
          flush();
          pages.push({name: item.name, label: item.label, relevant: item.relevant || "",
            items: item.kind === "group" ? item.children || [] : []});
        }
      });
      flush();
      return pages;
    }

    function shownNames(items, relevant) {
      var names = [];
      items.forEach(function (item) {
        if (item.kind === "group") {
          names = names.concat(shownNames(item.children || [], relevant));
        } else if (item.kind === "question" && HIDDEN_TYPES.indexOf(item.type) < 0 &&
            relevant.indexOf(item.name) >= 0) {
          names.push(item.name);
        }
      });
      return names;
    }

    function choicesFor(question, definition, values) {
      var list = (definition.choice_lists || []).filter(function (l) {
        return l.name === question.list_name;
      })[0];
      return (list ? list.choices : []).filter(function (choice) {
        if (!question.choice_filter) {
          return true;
        }
        try {
          return E.evaluateBoolean(question.choice_filter, values, {choice: choice.filters || {}});
        } catch (error) {
          return true;
        }
      });
    }

    function questionNode(question, definition, values, answers, problems) {
      var label = localize(question.label, definition);
      var hint = localize(question.hint, definition);
      var error = problems[question.name];
      var answer = answers[question.name];
      var field = "q-" + question.name;
      var described = [hint ? "hint-" + question.name : "", error ? "error-" + question.name : ""]
        .filter(Boolean).join(" ") || null;
      var extras = [];
      if (hint) {
        extras.push(el("p", {"class": "hint", id: "hint-" + question.name}, [hint]));
      }
      if (question.type === "note") {
        return el("p", {"class": "note"}, [label]);
      }
      var required = question.required ? " *" : "";
      if (question.type === "select_one" || question.type === "select_multiple") {
        var multiple = question.type === "select_multiple";
        var chosen = multiple ? (answer || []) : [answer];
        var options = choicesFor(question, definition, values).map(function (choice) {
          var id = field + "-" + choice.name;
          return el("label", {"class": "choice", "for": id}, [
            el("input", {type: multiple ? "checkbox" : "radio", id: id, name: question.name,
              value: choice.name, checked: chosen.indexOf(choice.name) >= 0}),
            " " + localize(choice.label, definition)
          ]);
        });
        var fieldset = el("fieldset", {"class": error ? "question has-error" : "question",
          id: field, "aria-describedby": described},
          [el("legend", {}, [label + required])].concat(extras, options));
        if (error) {
          fieldset.appendChild(el("p", {"class": "error", id: "error-" + question.name}, [error]));
        }
        return fieldset;
      }
      var types = {integer: "number", decimal: "number", date: "date", text: "text"};
      var input = el("input", {id: field, name: question.name, type: types[question.type] || "text",
        inputmode: question.type === "integer" ? "numeric" : (question.type === "decimal" ? "decimal" : null),
        step: question.type === "integer" ? "1" : (question.type === "decimal" ? "any" : null),
        "aria-describedby": described, "aria-invalid": error ? "true" : null});
      input.value = answer === undefined || answer === null ? "" : String(answer);
      var block = el("div", {"class": error ? "question has-error" : "question"},
        [el("label", {"for": field}, [label + required])].concat(extras, [input]));
      if (error) {
        block.appendChild(el("p", {"class": "error", id: "error-" + question.name}, [error]));
      }
      return block;
    }

    function itemsNode(items, definition, form, answers, problems) {
      var nodes = [];
      items.forEach(function (item) {
        if (item.kind === "group") {
          if (!shownNames(item.children || [], form.relevant).length) {
            return;
          }
          nodes.push(el("fieldset", {"class": "group"}, [el("legend", {}, [
            localize(item.label, definition)])].concat(
            itemsNode(item.children || [], definition, form, answers, problems))));
        } else if (item.kind === "question" && HIDDEN_TYPES.indexOf(item.type) < 0 &&
            form.relevant.indexOf(item.name) >= 0) {
          nodes.push(questionNode(item, definition, form.values, answers, problems));
        }
      });
      return nodes;
    }

    function noticeNode(definition) {
      var parts = [];
      var legal = definition.legal;
      if (legal) {
        parts.push(el("dl", {"class": "legal"}, [
          [T.formNumber, legal.form_number], [T.authority, legal.authority],
          [T.approval, legal.approval_number], [T.validUntil, legal.valid_until]
        ].map(function (pair) {
          return el("div", {}, [el("dt", {}, [pair[0]]), el("dd", {}, [pair[1]])]);
        })));
      }
      parts.push(el("h4", {}, [T.privacy]));
      parts.push(el("p", {}, [localize(definition.privacy_notice, definition)]));
      return el("section", {"class": "privacy"}, parts);
    }

    function isEmpty(value) {
      return value === undefined || value === null || value === "" ||
        (Array.isArray(value) && value.length === 0);
    }

    function pageProblems(definition, page, form) {
      var problems = {};
      var names = shownNames(page.items, form.relevant);
      names.forEach(function (name) {
        var question = findQuestion(definition.items, name);
        var answer = form.values[name];
        if (!question || question.type === "note") {
          return;
        }
        if (isEmpty(answer)) {
          if (question.required && E.evaluateBoolean(question.required, form.values, {})) {
            problems[name] = localize(question.required_message, definition) || T.required;
          }
          return;
        }
        var wrongNumber = question.type === "integer" ? !/^-?\d+$/.test(String(answer)) :
          (question.type === "decimal" && isNaN(Number(answer)));
        var broken = false;
        if (!wrongNumber && question.constraint) {
          try {
            broken = !E.evaluateBoolean(question.constraint, form.values, {current: answer});
          } catch (error) {
            broken = false;
          }
        }
        if (wrongNumber || broken) {
          problems[name] = localize(question.constraint_message, definition) || T.constraint;
        }
      });
      return problems;
    }

    return {
      format: format,
      el: el,
      localize: localize,
      findQuestion: findQuestion,
      computePages: computePages,
      shownNames: shownNames,
      itemsNode: itemsNode,
      noticeNode: noticeNode,
      pageProblems: pageProblems
    };
  }

  root.MinyiCapiForm = {create: create, HIDDEN_TYPES: HIDDEN_TYPES};
})(self);
