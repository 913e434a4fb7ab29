/*
 * Read {"cases": [{expression, answers, current, choice, today}, ...]} as JSON on stdin,
 * evaluate each with questionnaires/js/expressions.js and print a JSON array with one result per
 * case: {value: {boolean|number|string: ...}} or {error: {reason, position}}. Run by the pytest
 * suite with the shared table (expression_cases.json) and with generated expressions; numbers
 * that JSON cannot hold (NaN, Infinity) are written as strings.
 */
"use strict";
var path = require("path");
var fs = require("fs");
var expressions = require(path.join(__dirname, "..", "..", "questionnaires", "js",
  "expressions.js"));
var table = JSON.parse(fs.readFileSync(0, "utf8"));

function encode(value) {
  if (typeof value === "boolean") {
    return {boolean: value};
  }
  if (typeof value === "string") {
    return {string: value};
  }
  return {number: isFinite(value) ? value : String(value)};
}

var results = table.cases.map(function (item) {
  try {
    var options = {current: item.current, choice: item.choice, today: item.today};
    return {value: encode(expressions.evaluate(item.expression, item.answers || {}, options))};
  } catch (error) {
    if (!(error instanceof expressions.ExpressionError)) {
      throw error;
    }
    return {error: {reason: error.reason, position: error.position}};
  }
});
process.stdout.write(JSON.stringify(results));
