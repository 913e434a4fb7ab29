/*
 * Evaluate every case of expression_cases.json with questionnaires/js/expressions.js and print
 * one JSON result per case: {value: {boolean|number|string: ...}} or {error: {reason, position}}.
 * Run by test_expression_cases.py; numbers that JSON cannot hold are written as strings.
 */
"use strict";
var path = require("path");
var fs = require("fs");
var expressions = require(path.join(__dirname, "..", "..", "questionnaires", "js",
  "expressions.js"));
var table = JSON.parse(fs.readFileSync(path.join(__dirname, "expression_cases.json"), "utf8"));

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
