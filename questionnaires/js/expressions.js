/*
 * Minyi XLSForm expressions for the browser: the same grammar and XPath 1.0 semantics as the
 * Python package questionnaires.expressions (tokenizer, recursive-descent parser, evaluator).
 * Plain ES2017, no dependencies, never eval. In a page it defines the global MinyiExpressions;
 * under node it is the module's exports.
 *
 *   MinyiExpressions.evaluate("${age} >= 14", {age: 30})            -> true
 *   MinyiExpressions.evaluate(". <= 120", {}, {current: 130})       -> false
 *   MinyiExpressions.evaluateBoolean("district = ${d}", {d: "d1"}, {choice: {district: "d1"}})
 *   MinyiExpressions.formState(questionnaireJson, answers).relevant   -> names to show
 *
 * Values are strings, numbers and booleans; an unanswered question is "". An ISO date string
 * converts to days since 1970-01-01 as ODK does for date answers. Errors are ExpressionError
 * with .reason, .expression and .position (0-based offset).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.MinyiExpressions = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var NAME = /[A-Za-z_][A-Za-z0-9_.\-]*/y;
  var NUMBER = /[0-9]+(?:\.[0-9]*)?|\.[0-9]+/y;
  var REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}/y;
  var OPERATORS = ["!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ","];
  var NUMBER_STRING = /^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/;
  var DATE_STRING = /^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*$/;

  var FUNCTIONS = {
    "not": [1, 1], "true": [0, 0], "false": [0, 0], "boolean": [1, 1],
    "selected": [2, 2], "count-selected": [1, 1], "string-length": [1, 1],
    "string": [1, 1], "number": [1, 1], "int": [1, 1], "if": [3, 3],
    "coalesce": [2, 2], "concat": [1, null], "contains": [2, 2],
    "starts-with": [2, 2], "today": [0, 0], "selected-at": [2, 2], "floor": [1, 1],
    "ceiling": [1, 1], "abs": [1, 1], "round": [1, 2], "substr": [2, 3], "regex": [2, 2]
  };
  var MOST_PLACES = 400;
  var LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"],
    ["*", "div", "mod"]];

  function ExpressionError(reason, expression, position) {
    this.name = "ExpressionError";
    this.reason = reason;
    this.expression = expression;
    this.position = position;
    this.message = reason + " at position " + position + " in '" + expression + "'";
  }
  ExpressionError.prototype = Object.create(Error.prototype);
  ExpressionError.prototype.constructor = ExpressionError;

  function matchAt(pattern, source, index) {
    pattern.lastIndex = index;
    return pattern.exec(source);
  }

  function tokenize(source) {
    var tokens = [];
    var index = 0;
    while (index < source.length) {
      var char = source.charAt(index);
      if (" \t\r\n".indexOf(char) >= 0) {
        index += 1;
        continue;
      }
      var number = matchAt(NUMBER, source, index);
      if (number) {
        tokens.push({kind: "number", text: number[0], position: index});
        index += number[0].length;
      } else if (char === ".") {
        if (source.charAt(index + 1) === ".") {
          throw new ExpressionError("'..' (parent) is not supported", source, index);
        }
        tokens.push({kind: "dot", text: ".", position: index});
        index += 1;
      } else if (char === "'" || char === "\"") {
        var end = source.indexOf(char, index + 1);
        if (end < 0) {
          throw new ExpressionError("unterminated string", source, index);
        }
        tokens.push({kind: "string", text: source.slice(index + 1, end), position: index});
        index = end + 1;
      } else if (char === "$") {
        var reference = matchAt(REFERENCE, source, index);
        if (!reference) {
          throw new ExpressionError("malformed reference, expected ${name}", source, index);
        }
        tokens.push({kind: "reference", text: reference[1], position: index});
        index += reference[0].length;
      } else {
        var name = matchAt(NAME, source, index);
        if (name) {
          tokens.push({kind: "name", text: name[0], position: index});
          index += name[0].length;
          continue;
        }
        var operator = null;
        for (var i = 0; i < OPERATORS.length; i += 1) {
          if (source.startsWith(OPERATORS[i], index)) {
            operator = OPERATORS[i];
            break;
          }
        }
        if (operator === null) {
          throw new ExpressionError("unexpected character '" + char + "'", source, index);
        }
        tokens.push({kind: "operator", text: operator, position: index});
        index += operator.length;
      }
    }
    tokens.push({kind: "end", text: "", position: source.length});
    return tokens;
  }

  function parse(source) {
    var tokens = tokenize(source);
    var index = 0;

    function fail(message, token) {
      return new ExpressionError(message, source, (token || tokens[index]).position);
    }
    function operatorAt(operators) {
      var token = tokens[index];
      if ((token.kind === "operator" || token.kind === "name") &&
          operators.indexOf(token.text) >= 0) {
        return token.text;
      }
      return null;
    }
    function expect(text) {
      var token = tokens[index];
      if (token.kind !== "operator" || token.text !== text) {
        throw fail("expected '" + text + "', found '" + (token.text || "end of expression") + "'");
      }
      index += 1;
    }
    function binary(level) {
      if (level === LEVELS.length) {
        return unary();
      }
      var left = binary(level + 1);
      var operator = operatorAt(LEVELS[level]);
      while (operator !== null) {
        var position = tokens[index].position;
        index += 1;
        var right = binary(level + 1);
        left = {type: "binary", operator: operator, left: left, right: right, position: position};
        operator = operatorAt(LEVELS[level]);
      }
      return left;
    }
    function unary() {
      if (operatorAt(["-"])) {
        var position = tokens[index].position;
        index += 1;
        return {type: "unary", operand: unary(), position: position};
      }
      return primary();
    }
    function primary() {
      var token = tokens[index];
      index += 1;
      if (token.kind === "number") {
        return {type: "number", value: parseFloat(token.text), position: token.position};
      }
      if (token.kind === "string") {
        return {type: "text", value: token.text, position: token.position};
      }
      if (token.kind === "reference") {
        return {type: "reference", name: token.text, position: token.position};
      }
      if (token.kind === "dot") {
        return {type: "current", position: token.position};
      }
      if (token.kind === "name") {
        if (operatorAt(["("])) {
          return call(token);
        }
        return {type: "column", name: token.text, position: token.position};
      }
      if (token.kind === "operator" && token.text === "(") {
        var node = binary(0);
        expect(")");
        return node;
      }
      throw fail("expected a value, found '" + (token.text || "end of expression") + "'", token);
    }
    function call(name) {
      if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name.text)) {
        throw fail("unknown function " + name.text + "()", name);
      }
      expect("(");
      var args = [];
      if (!operatorAt([")"])) {
        args.push(binary(0));
        while (operatorAt([","])) {
          index += 1;
          args.push(binary(0));
        }
      }
      expect(")");
      var fewest = FUNCTIONS[name.text][0];
      var most = FUNCTIONS[name.text][1];
      if (args.length < fewest || (most !== null && args.length > most)) {
        var expected = fewest === most ? String(fewest) : "at least " + fewest;
        if (most !== null && fewest !== most) {
          expected = fewest + " to " + most;
        }
        throw fail(name.text + "() takes " + expected + " argument(s), got " + args.length, name);
      }
      return {type: "call", name: name.text, args: args, position: name.position};
    }

    if (tokens[0].kind === "end") {
      throw fail("empty expression");
    }
    var tree = binary(0);
    if (tokens[index].kind !== "end") {
      throw fail("unexpected '" + tokens[index].text + "'");
    }
    return tree;
  }

  function fromAnswer(answer) {
    if (answer === null || answer === undefined) {
      return "";
    }
    if (Array.isArray(answer)) {
      return answer.join(" ");
    }
    if (answer instanceof Date) {
      return answer.toISOString().slice(0, 10);
    }
    return answer;
  }

  function toNumber(value) {
    if (typeof value === "boolean") {
      return value ? 1 : 0;
    }
    if (typeof value === "number") {
      return value;
    }
    if (NUMBER_STRING.test(value)) {
      return parseFloat(value);
    }
    var parts = DATE_STRING.exec(value);
    if (parts) {
      var year = Number(parts[1]);
      var month = Number(parts[2]);
      var day = Number(parts[3]);
      var time = new Date(Date.UTC(year, month - 1, day));
      time.setUTCFullYear(year);
      if (time.getUTCFullYear() !== year || time.getUTCMonth() !== month - 1 ||
          time.getUTCDate() !== day) {
        return NaN;
      }
      return Math.round(time.getTime() / 86400000);
    }
    return NaN;
  }

  function expandExponent(text) {
    var match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
    if (!match) {
      return text;
    }
    var digits = match[2] + (match[3] || "");
    var point = 1 + Number(match[4]);
    if (point <= 0) {
      return match[1] + "0." + "0".repeat(-point) + digits;
    }
    if (point >= digits.length) {
      return match[1] + digits + "0".repeat(point - digits.length);
    }
    return match[1] + digits.slice(0, point) + "." + digits.slice(point);
  }

  function toText(value) {
    if (typeof value === "boolean") {
      return value ? "true" : "false";
    }
    if (typeof value === "string") {
      return value;
    }
    if (isNaN(value)) {
      return "NaN";
    }
    if (!isFinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value === 0) {
      return "0";
    }
    return expandExponent(String(value));
  }

  function toBoolean(value) {
    if (typeof value === "boolean") {
      return value;
    }
    if (typeof value === "number") {
      return !(value === 0 || isNaN(value));
    }
    return value !== "";
  }

  function equals(left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") {
      return toBoolean(left) === toBoolean(right);
    }
    if (typeof left === "number" || typeof right === "number") {
      return toNumber(left) === toNumber(right);
    }
    return left === right;
  }

  function divide(left, right) {
    return left / right;
  }

  function modulo(left, right) {
    return left % right;
  }

  /* Round the plain decimal text of a number to `places` decimals, halves away from zero. */
  function roundText(text, places) {
    var sign = text.charAt(0) === "-" ? "-" : "";
    var unsigned = sign ? text.slice(1) : text;
    var point = unsigned.indexOf(".");
    var whole = point < 0 ? unsigned : unsigned.slice(0, point);
    var fraction = point < 0 ? "" : unsigned.slice(point + 1);
    if (fraction.length <= places) {
      return Number(text);
    }
    var digits = (whole + fraction.slice(0, places)).split("").map(Number);
    if (fraction.charAt(places) >= "5") {
      var index = digits.length - 1;
      while (index >= 0 && digits[index] === 9) {
        digits[index] = 0;
        index -= 1;
      }
      if (index < 0) {
        digits.unshift(1);
      } else {
        digits[index] += 1;
      }
    }
    var kept = digits.join("");
    var cut = kept.length - places;
    return Number(sign + kept.slice(0, cut) + (places ? "." + kept.slice(cut) : ""));
  }

  function round(values) {
    var number = toNumber(values[0]);
    if (!isFinite(number)) {
      return number;
    }
    if (values.length === 1) {
      return Math.round(number);
    }
    var places = toNumber(values[1]);
    if (isNaN(places) || places < 0) {
      return NaN;
    }
    if (places >= MOST_PLACES) {
      return number;
    }
    return roundText(toText(number), Math.trunc(places));
  }

  function clampIndex(value, length) {
    var number = toNumber(value);
    if (isNaN(number) || number <= 0) {
      return 0;
    }
    return number >= length ? length : Math.trunc(number);
  }

  function substr(values) {
    var text = toText(values[0]);
    var start = clampIndex(values[1], text.length);
    var end = values.length > 2 ? clampIndex(values[2], text.length) : text.length;
    return start < end ? text.slice(start, end) : "";
  }

  function selectedAt(values) {
    var codes = split(values[0]);
    var index = toNumber(values[1]);
    if (isNaN(index) || index < 0 || index >= codes.length) {
      return "";
    }
    return codes[Math.trunc(index)];
  }

  function regex(source, node, values) {
    var pattern;
    try {
      pattern = new RegExp(toText(values[1]));
    } catch (error) {
      throw new ExpressionError("invalid regular expression in regex()", source, node.position);
    }
    return pattern.test(toText(values[0]));
  }

  function isoToday(today) {
    if (today) {
      return today;
    }
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function split(value) {
    var text = toText(value).trim();
    return text === "" ? [] : text.split(/\s+/);
  }

  function evaluateTree(source, tree, answers, options) {
    function value(node) {
      switch (node.type) {
        case "text":
        case "number":
          return node.value;
        case "reference":
          return fromAnswer(Object.prototype.hasOwnProperty.call(answers, node.name)
            ? answers[node.name] : null);
        case "current":
          return fromAnswer(options.current);
        case "column":
          if (!options.choice) {
            throw new ExpressionError("bare name '" + node.name +
              "' is only allowed in a choice_filter", source, node.position);
          }
          return Object.prototype.hasOwnProperty.call(options.choice, node.name)
            ? options.choice[node.name] : "";
        case "unary":
          return -toNumber(value(node.operand));
        case "binary":
          return binary(node);
        default:
          return call(node);
      }
    }
    function binary(node) {
      var operator = node.operator;
      if (operator === "or") {
        return toBoolean(value(node.left)) || toBoolean(value(node.right));
      }
      if (operator === "and") {
        return toBoolean(value(node.left)) && toBoolean(value(node.right));
      }
      var left = value(node.left);
      var right = value(node.right);
      switch (operator) {
        case "=": return equals(left, right);
        case "!=": return !equals(left, right);
        case "<": return toNumber(left) < toNumber(right);
        case "<=": return toNumber(left) <= toNumber(right);
        case ">": return toNumber(left) > toNumber(right);
        case ">=": return toNumber(left) >= toNumber(right);
        case "+": return toNumber(left) + toNumber(right);
        case "-": return toNumber(left) - toNumber(right);
        case "*": return toNumber(left) * toNumber(right);
        case "div": return divide(toNumber(left), toNumber(right));
        default: return modulo(toNumber(left), toNumber(right));
      }
    }
    function call(node) {
      var args = node.args;
      switch (node.name) {
        case "if":
          return value(toBoolean(value(args[0])) ? args[1] : args[2]);
        case "true": return true;
        case "false": return false;
        case "today": return isoToday(options.today);
        default: break;
      }
      var values = args.map(value);
      switch (node.name) {
        case "not": return !toBoolean(values[0]);
        case "boolean": return toBoolean(values[0]);
        case "selected": return split(values[0]).indexOf(toText(values[1]).trim()) >= 0;
        case "count-selected": return split(values[0]).length;
        case "string-length": return toText(values[0]).length;
        case "string": return toText(values[0]);
        case "number": return toNumber(values[0]);
        case "int": return Math.trunc(toNumber(values[0]));
        case "floor": return Math.floor(toNumber(values[0]));
        case "ceiling": return Math.ceil(toNumber(values[0]));
        case "abs": return Math.abs(toNumber(values[0]));
        case "round": return round(values);
        case "substr": return substr(values);
        case "selected-at": return selectedAt(values);
        case "regex": return regex(source, node, values);
        case "coalesce": return toText(values[0]) !== "" ? values[0] : values[1];
        case "concat": return values.map(toText).join("");
        case "contains": return toText(values[0]).indexOf(toText(values[1])) >= 0;
        default: return toText(values[0]).startsWith(toText(values[1]));
      }
    }
    return value(tree);
  }

  var cache = {};

  function parseCached(source) {
    if (!Object.prototype.hasOwnProperty.call(cache, source)) {
      cache[source] = parse(source);
    }
    return cache[source];
  }

  /* options: {current: value of ".", choice: {column: value}, today: "YYYY-MM-DD"} */
  function evaluate(source, answers, options) {
    return evaluateTree(source, parseCached(source), answers || {}, options || {});
  }

  function evaluateBoolean(source, answers, options) {
    return toBoolean(evaluate(source, answers, options));
  }

  function isEmpty(answer) {
    if (answer === null || answer === undefined) {
      return true;
    }
    if (Array.isArray(answer)) {
      return answer.length === 0;
    }
    return typeof answer === "string" && answer.trim() === "";
  }

  /*
   * Skip logic for a whole form, as questionnaires.validation applies it on the server.
   * definition: the questionnaire JSON (questionnaires.to_json); answers: name -> answer.
   * Walks the items in form order: a group's or repeat's relevant covers what it contains,
   * calculations are computed in order (answers sent for calculations and notes are ignored)
   * and answers to questions that are not relevant are cleared. Repeats are not entered.
   * Returns {relevant: [names of relevant questions and repeats], values: the answers with
   * calculations and without cleared answers, dropped: [names of cleared answers]}.
   */
  function formState(definition, answers, options) {
    var values = {};
    var relevant = [];
    var dropped = [];
    var computed = {};
    function collect(items) {
      items.forEach(function (item) {
        if (item.kind === "group") {
          collect(item.children || []);
        } else if (item.kind !== "repeat" && (item.type === "calculate" || item.type === "note")) {
          computed[item.name] = true;
        }
      });
    }
    function walk(items, parentRelevant) {
      items.forEach(function (item) {
        var own = parentRelevant &&
          (!item.relevant || evaluateBoolean(item.relevant, values, options));
        if (item.kind === "group") {
          walk(item.children || [], own);
          return;
        }
        if (!own) {
          if (Object.prototype.hasOwnProperty.call(values, item.name)) {
            dropped.push(item.name);
            delete values[item.name];
          }
          return;
        }
        relevant.push(item.name);
        if (item.kind === "question" && item.type === "calculate") {
          values[item.name] = toText(evaluate(item.calculation, values, options));
        }
      });
    }
    collect(definition.items);
    Object.keys(answers || {}).forEach(function (name) {
      if (!computed[name] && !isEmpty(answers[name])) {
        values[name] = answers[name];
      }
    });
    walk(definition.items, true);
    return {relevant: relevant, values: values, dropped: dropped};
  }

  return {
    ExpressionError: ExpressionError,
    formState: formState,
    tokenize: tokenize,
    parse: parse,
    evaluate: evaluate,
    evaluateBoolean: evaluateBoolean,
    toNumber: toNumber,
    toText: toText,
    toBoolean: toBoolean
  };
});
